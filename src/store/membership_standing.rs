//! A membership's standing as the maturation pass needs it: its brand, its status and
//! its program (with the program's current terms, as stored).

use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, MembershipId};
use super::memberships::MembershipStatus;
use super::programs::ProgramRow;
use super::schema::{memberships, programs};

#[derive(Debug, Clone)]
pub struct Standing {
    pub brand_id: BrandId,
    pub status: MembershipStatus,
    /// `None` when the program row is gone.
    pub program: Option<ProgramRow>,
}

/// The membership's standing; `None` when there is no such membership.
pub fn find(conn: &mut DbConn, membership: MembershipId) -> QueryResult<Option<Standing>> {
    let found = memberships::table
        .find(membership)
        .left_join(
            programs::table.on(programs::id
                .eq(memberships::program_id)
                .and(programs::brand_id.eq(memberships::brand_id))),
        )
        .select((
            memberships::brand_id,
            memberships::status,
            Option::<ProgramRow>::as_select(),
        ))
        .first::<(BrandId, MembershipStatus, Option<ProgramRow>)>(conn)
        .optional()?;
    Ok(found.map(|(brand_id, status, program)| Standing {
        brand_id,
        status,
        program,
    }))
}
