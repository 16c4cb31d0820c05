//! Issuing referral codes: generated ones retry on collision, vanity ones clash with 409.

use chrono::NaiveDateTime;
use diesel::{Connection, QueryResult};

use crate::domain::codes::{self, CodeText};
use crate::store::codes::{self as store_codes, CodeRow};
use crate::store::ids::{BrandId, CodeId, MembershipId};
use crate::store::{DbConn, is_unique_violation, portable};

/// Most active codes one ambassador may hold.
pub const MAX_ACTIVE_CODES: i64 = 10;
/// Attempts at a fresh generated code before giving up (each has ~850,000 suffixes).
const GENERATE_ATTEMPTS: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("the code is taken in this brand")]
    Taken,
    #[error("no free generated code found")]
    Exhausted,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Whether the ambassador may hold one more active code. The membership row is locked
/// first, for the rest of the transaction: on PostgreSQL, concurrent creations and
/// reactivations that counted without it all saw room and went past the cap. SQLite's
/// single writer already runs them one after the other.
pub fn has_room_for_active_code(conn: &mut DbConn, membership: MembershipId) -> QueryResult<bool> {
    portable::lock_membership(conn, membership)?;
    Ok(store_codes::count_active_for_membership(conn, membership)? < MAX_ACTIVE_CODES)
}

pub struct CodeSpec {
    pub brand_id: BrandId,
    pub membership_id: MembershipId,
    pub max_uses: Option<i64>,
    pub expires_at: Option<NaiveDateTime>,
    pub now: NaiveDateTime,
}

/// Inserts `code`, or reports [`IssueError::Taken`]. The insert runs in a savepoint so a
/// unique violation (a concurrent writer on PostgreSQL) leaves the transaction usable.
pub fn issue_vanity(conn: &mut DbConn, spec: &CodeSpec, code: &CodeText) -> Result<CodeRow, IssueError> {
    if store_codes::exists(conn, spec.brand_id, code.as_str())? {
        return Err(IssueError::Taken);
    }
    let row = CodeRow {
        id: CodeId::generate(),
        brand_id: spec.brand_id,
        membership_id: spec.membership_id,
        code: code.as_str().to_owned(),
        active: true,
        max_uses: spec.max_uses,
        uses: 0,
        expires_at: spec.expires_at,
        created_at: spec.now,
        updated_at: spec.now,
    };
    match conn.transaction(|conn| store_codes::insert(conn, &row)) {
        Ok(()) => Ok(row),
        Err(err) if is_unique_violation(&err) => Err(IssueError::Taken),
        Err(err) => Err(err.into()),
    }
}

/// Generates a readable code from the display name, retrying on collision.
pub fn issue_generated(conn: &mut DbConn, spec: &CodeSpec, display_name: &str) -> Result<CodeRow, IssueError> {
    let mut rng = rand::rng();
    for _ in 0..GENERATE_ATTEMPTS {
        let candidate = codes::generate(display_name, &mut rng);
        match issue_vanity(conn, spec, &candidate) {
            Err(IssueError::Taken) => continue,
            other => return other,
        }
    }
    Err(IssueError::Exhausted)
}
