//! A brand's team: its members as a team sees them (the `brand_users` of one brand, their
//! roles, their removal) and the invitations of teammates. The account side of a brand
//! user (login look-up, password) is in [`super::users`].
//!
//! An invitation is *open* while it is neither accepted nor revoked, and *pending* while
//! it is open and not yet expired; expiry is a time, so "pending" is a filter on `now`,
//! never a stored state.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, BrandUserId, BrandUserInvitationId};
use super::schema::{brand_user_invitations, brand_users};
use super::users::{BrandRole, BrandUserRow};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = brand_user_invitations)]
pub struct TeamInvitationRow {
    pub id: BrandUserInvitationId,
    pub brand_id: BrandId,
    pub email: String,
    pub role: BrandRole,
    pub token_hash: String,
    pub invited_by: BrandUserId,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// The brand's members, oldest first (the owner who signed the brand up leads).
pub fn members(conn: &mut DbConn, brand: BrandId) -> QueryResult<Vec<BrandUserRow>> {
    brand_users::table
        .filter(brand_users::brand_id.eq(brand))
        .order((brand_users::created_at.asc(), brand_users::id.asc()))
        .select(BrandUserRow::as_select())
        .load(conn)
}

/// One member of the brand; another brand's user is not found.
pub fn find_member(conn: &mut DbConn, brand: BrandId, id: BrandUserId) -> QueryResult<Option<BrandUserRow>> {
    brand_users::table
        .filter(brand_users::brand_id.eq(brand))
        .filter(brand_users::id.eq(id))
        .select(BrandUserRow::as_select())
        .first(conn)
        .optional()
}

pub fn count_members(conn: &mut DbConn, brand: BrandId) -> QueryResult<i64> {
    brand_users::table
        .filter(brand_users::brand_id.eq(brand))
        .count()
        .get_result(conn)
}

pub fn count_owners(conn: &mut DbConn, brand: BrandId) -> QueryResult<i64> {
    brand_users::table
        .filter(brand_users::brand_id.eq(brand))
        .filter(brand_users::role.eq(BrandRole::Owner))
        .count()
        .get_result(conn)
}

/// Sets a member's role; false when the brand has no such member.
pub fn set_role(conn: &mut DbConn, brand: BrandId, id: BrandUserId, role: BrandRole) -> QueryResult<bool> {
    let changed = diesel::update(
        brand_users::table
            .filter(brand_users::brand_id.eq(brand))
            .filter(brand_users::id.eq(id)),
    )
    .set(brand_users::role.eq(role))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Deletes a member's account (one e-mail is one brand account, so the address is free
/// again afterwards); false when the brand has no such member.
pub fn remove_member(conn: &mut DbConn, brand: BrandId, id: BrandUserId) -> QueryResult<bool> {
    let deleted = diesel::delete(
        brand_users::table
            .filter(brand_users::brand_id.eq(brand))
            .filter(brand_users::id.eq(id)),
    )
    .execute(conn)?;
    Ok(deleted == 1)
}

pub fn insert_invitation(conn: &mut DbConn, row: &TeamInvitationRow) -> QueryResult<()> {
    diesel::insert_into(brand_user_invitations::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// One of the brand's invitations, whatever it came to; another brand's is not found.
pub fn find_invitation(
    conn: &mut DbConn,
    brand: BrandId,
    id: BrandUserInvitationId,
) -> QueryResult<Option<TeamInvitationRow>> {
    brand_user_invitations::table
        .filter(brand_user_invitations::brand_id.eq(brand))
        .filter(brand_user_invitations::id.eq(id))
        .select(TeamInvitationRow::as_select())
        .first(conn)
        .optional()
}

/// The invitation whose token has this SHA-256, whatever it came to.
pub fn find_invitation_by_hash(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<TeamInvitationRow>> {
    brand_user_invitations::table
        .filter(brand_user_invitations::token_hash.eq(token_hash))
        .select(TeamInvitationRow::as_select())
        .first(conn)
        .optional()
}

/// The brand's pending invitations at `now`, oldest first.
pub fn pending_invitations(
    conn: &mut DbConn,
    brand: BrandId,
    now: NaiveDateTime,
) -> QueryResult<Vec<TeamInvitationRow>> {
    brand_user_invitations::table
        .filter(brand_user_invitations::brand_id.eq(brand))
        .filter(brand_user_invitations::accepted_at.is_null())
        .filter(brand_user_invitations::revoked_at.is_null())
        .filter(brand_user_invitations::expires_at.gt(now))
        .order((
            brand_user_invitations::created_at.asc(),
            brand_user_invitations::id.asc(),
        ))
        .select(TeamInvitationRow::as_select())
        .load(conn)
}

/// Whether the brand has a pending invitation for this address at `now`.
pub fn has_pending_for(conn: &mut DbConn, brand: BrandId, email: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        brand_user_invitations::table
            .filter(brand_user_invitations::brand_id.eq(brand))
            .filter(brand_user_invitations::email.eq(email))
            .filter(brand_user_invitations::accepted_at.is_null())
            .filter(brand_user_invitations::revoked_at.is_null())
            .filter(brand_user_invitations::expires_at.gt(now)),
    ))
    .get_result(conn)
}

pub fn count_pending(conn: &mut DbConn, brand: BrandId, now: NaiveDateTime) -> QueryResult<i64> {
    brand_user_invitations::table
        .filter(brand_user_invitations::brand_id.eq(brand))
        .filter(brand_user_invitations::accepted_at.is_null())
        .filter(brand_user_invitations::revoked_at.is_null())
        .filter(brand_user_invitations::expires_at.gt(now))
        .count()
        .get_result(conn)
}

/// Marks a pending invitation accepted; false when it was accepted, revoked or expired
/// first (a concurrent acceptance of the same token loses here).
pub fn mark_accepted(conn: &mut DbConn, id: BrandUserInvitationId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        brand_user_invitations::table
            .filter(brand_user_invitations::id.eq(id))
            .filter(brand_user_invitations::accepted_at.is_null())
            .filter(brand_user_invitations::revoked_at.is_null())
            .filter(brand_user_invitations::expires_at.gt(now)),
    )
    .set(brand_user_invitations::accepted_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Revokes an open invitation of the brand; false when the brand has no such open one.
pub fn revoke_invitation(
    conn: &mut DbConn,
    brand: BrandId,
    id: BrandUserInvitationId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        brand_user_invitations::table
            .filter(brand_user_invitations::brand_id.eq(brand))
            .filter(brand_user_invitations::id.eq(id))
            .filter(brand_user_invitations::accepted_at.is_null())
            .filter(brand_user_invitations::revoked_at.is_null()),
    )
    .set(brand_user_invitations::revoked_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}
