//! Invitations to join a brand's program: single-use tokens stored as SHA-256, found
//! by token (the e-mailed code) or by id within the invitee's address (the inbox).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, InvitationId, MembershipId, ProgramId};
use super::programs::ProgramRow;
use super::schema::{brands, invitations, programs};

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
    /// When the invitee declined it; never set together with `accepted_at` (a CHECK).
    pub declined_at: Option<NaiveDateTime>,
}

/// An invitation with its brand's name and slug and its program, as the invitee's
/// inbox shows it.
#[derive(Debug, Clone, Queryable)]
pub struct InboxRow {
    pub invitation: InvitationRow,
    pub brand_name: String,
    pub brand_slug: String,
    pub program: ProgramRow,
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

/// The brand's invitation `id`.
pub fn find(conn: &mut DbConn, brand: BrandId, id: InvitationId) -> QueryResult<Option<InvitationRow>> {
    invitations::table
        .find(id)
        .filter(invitations::brand_id.eq(brand))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()
}

/// The invitation with this id sent to `email` (stored lower-cased); one sent to
/// anyone else is `None`, like one that does not exist.
pub fn find_for_email(conn: &mut DbConn, id: InvitationId, email: &str) -> QueryResult<Option<InvitationRow>> {
    invitations::table
        .find(id)
        .filter(invitations::email.eq(email))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()
}

/// Spends the invitation. Returns false when it was already accepted or declined, so
/// two concurrent acceptances (or an acceptance and a decline) cannot both succeed.
pub fn accept(conn: &mut DbConn, id: InvitationId, membership: MembershipId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::declined_at.is_null()),
    )
    .set((
        invitations::accepted_at.eq(now),
        invitations::membership_id.eq(membership),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Declines the invitation. Returns false when it was already accepted or declined.
pub fn decline(conn: &mut DbConn, id: InvitationId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::declined_at.is_null()),
    )
    .set(invitations::declined_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Up to `limit` invitations sent to `email`, newest first (by id, UUIDv7), before the
/// id `before`; each with its brand and program.
pub fn list_for_email(
    conn: &mut DbConn,
    email: &str,
    before: Option<InvitationId>,
    limit: i64,
) -> QueryResult<Vec<InboxRow>> {
    let mut query = invitations::table
        .inner_join(brands::table.on(brands::id.eq(invitations::brand_id)))
        .inner_join(programs::table.on(programs::id.eq(invitations::program_id)))
        .filter(invitations::email.eq(email.to_owned()))
        .order(invitations::id.desc())
        .limit(limit)
        .select((
            InvitationRow::as_select(),
            brands::name,
            brands::slug,
            ProgramRow::as_select(),
        ))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(invitations::id.lt(before));
    }
    query.load(conn)
}

/// One invitation of the inbox, with its brand and program.
pub fn find_in_inbox(conn: &mut DbConn, id: InvitationId) -> QueryResult<Option<InboxRow>> {
    invitations::table
        .inner_join(brands::table.on(brands::id.eq(invitations::brand_id)))
        .inner_join(programs::table.on(programs::id.eq(invitations::program_id)))
        .filter(invitations::id.eq(id))
        .select((
            InvitationRow::as_select(),
            brands::name,
            brands::slug,
            ProgramRow::as_select(),
        ))
        .first(conn)
        .optional()
}

/// Up to `limit` of the brand's invitations neither accepted nor declined that are still
/// open at `now`, newest first, each with its program's name.
pub fn pending_for_brand(
    conn: &mut DbConn,
    brand: BrandId,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(InvitationRow, String)>> {
    invitations::table
        .inner_join(programs::table.on(programs::id.eq(invitations::program_id)))
        .filter(invitations::brand_id.eq(brand))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::declined_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .order(invitations::id.desc())
        .limit(limit)
        .select((InvitationRow::as_select(), programs::name))
        .load(conn)
}
