//! Invitations to join a brand's program: single-use tokens stored as SHA-256.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, InvitationId, MembershipId, ProgramId};
use super::schema::invitations;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations)]
pub struct InvitationRow {
    pub id: InvitationId,
    pub brand_id: BrandId,
    pub program_id: ProgramId,
    pub email: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub membership_id: Option<MembershipId>,
}

pub fn insert(conn: &mut DbConn, row: &InvitationRow) -> QueryResult<()> {
    diesel::insert_into(invitations::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find_by_hash(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<InvitationRow>> {
    invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()
}

/// Spends the invitation. Returns false when it was already spent, so two concurrent
/// acceptances cannot both succeed.
pub fn accept(conn: &mut DbConn, id: InvitationId, membership: MembershipId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(invitations::table.find(id).filter(invitations::accepted_at.is_null()))
        .set((
            invitations::accepted_at.eq(now),
            invitations::membership_id.eq(membership),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}
