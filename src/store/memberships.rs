//! Memberships: an influencer acting as ambassador in one brand's program.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, InfluencerId, MembershipId, ProgramId, text_enum};
use super::schema::{brands, influencers, memberships};

text_enum!(
    /// `ended` is final; `paused` stops attribution until resumed.
    MembershipStatus { Active => "active", Paused => "paused", Ended => "ended" }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = memberships)]
pub struct MembershipRow {
    pub id: MembershipId,
    pub brand_id: BrandId,
    pub program_id: ProgramId,
    pub influencer_id: InfluencerId,
    pub status: MembershipStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The ambassador of the same brand whose invitation link this one joined through
    /// (two tiers); `None` for an ambassador the brand invited.
    pub recruited_by: Option<MembershipId>,
}

/// A membership with the influencer's public details, as the brand sees it.
#[derive(Debug, Clone, Queryable)]
pub struct AmbassadorRow {
    pub membership: MembershipRow,
    pub display_name: String,
    pub email: String,
}

/// Inserts a new membership; `Ok(false)` when the influencer already has one in the
/// brand (a concurrent join won the race on the unique key).
pub fn insert_new(conn: &mut DbConn, row: &MembershipRow) -> QueryResult<bool> {
    match insert(conn, row) {
        Ok(()) => Ok(true),
        Err(err) if super::is_unique_violation(&err) => Ok(false),
        Err(err) => Err(err),
    }
}

pub fn insert(conn: &mut DbConn, row: &MembershipRow) -> QueryResult<()> {
    diesel::insert_into(memberships::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find_for_influencer_in_brand(
    conn: &mut DbConn,
    brand: BrandId,
    influencer: InfluencerId,
) -> QueryResult<Option<MembershipRow>> {
    memberships::table
        .filter(memberships::brand_id.eq(brand))
        .filter(memberships::influencer_id.eq(influencer))
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()
}

/// The brand's ambassador with this membership id; another brand's is `None`.
pub fn find_ambassador(conn: &mut DbConn, brand: BrandId, id: MembershipId) -> QueryResult<Option<AmbassadorRow>> {
    memberships::table
        .inner_join(influencers::table)
        .filter(memberships::id.eq(id))
        .filter(memberships::brand_id.eq(brand))
        .select((
            MembershipRow::as_select(),
            influencers::display_name,
            influencers::email,
        ))
        .first(conn)
        .optional()
}

/// Up to `limit` of the brand's ambassadors after `after` by id, only those in
/// `status` when given.
pub fn list_ambassadors(
    conn: &mut DbConn,
    brand: BrandId,
    status: Option<MembershipStatus>,
    after: Option<MembershipId>,
    limit: i64,
) -> QueryResult<Vec<AmbassadorRow>> {
    let mut query = memberships::table
        .inner_join(influencers::table)
        .filter(memberships::brand_id.eq(brand))
        .select((
            MembershipRow::as_select(),
            influencers::display_name,
            influencers::email,
        ))
        .order(memberships::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(memberships::id.gt(after));
    }
    if let Some(status) = status {
        query = query.filter(memberships::status.eq(status));
    }
    query.load(conn)
}

/// How many memberships of the brand that have not ended each program has.
pub fn count_by_program(conn: &mut DbConn, brand: BrandId) -> QueryResult<Vec<(ProgramId, i64)>> {
    memberships::table
        .filter(memberships::brand_id.eq(brand))
        .filter(memberships::status.ne(MembershipStatus::Ended))
        .group_by(memberships::program_id)
        .select((memberships::program_id, diesel::dsl::count_star()))
        .load(conn)
}

/// The influencer's memberships with each brand's name and slug, oldest first.
pub fn list_for_influencer(
    conn: &mut DbConn,
    influencer: InfluencerId,
) -> QueryResult<Vec<(MembershipRow, String, String)>> {
    memberships::table
        .inner_join(brands::table.on(brands::id.eq(memberships::brand_id)))
        .filter(memberships::influencer_id.eq(influencer))
        .order(memberships::id.asc())
        .select((MembershipRow::as_select(), brands::name, brands::slug))
        .load(conn)
}

pub fn update(
    conn: &mut DbConn,
    id: MembershipId,
    status: MembershipStatus,
    program: ProgramId,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(memberships::table.find(id))
        .set((
            memberships::status.eq(status),
            memberships::program_id.eq(program),
            memberships::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Who to pay for each of the brand's memberships: (membership, program, display name,
/// payout e-mail — the login e-mail unless a payout e-mail is set).
pub fn payees(conn: &mut DbConn, brand: BrandId) -> QueryResult<Vec<(MembershipId, ProgramId, String, String)>> {
    let rows: Vec<(MembershipId, ProgramId, String, String, Option<String>)> = memberships::table
        .inner_join(influencers::table)
        .filter(memberships::brand_id.eq(brand))
        .select((
            memberships::id,
            memberships::program_id,
            influencers::display_name,
            influencers::email,
            influencers::payout_email,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, program, name, email, payout)| (id, program, name, payout.unwrap_or(email)))
        .collect())
}
