//! Referral codes, stored upper-case and unique per brand.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::batch::Batch;
use super::ids::{BrandId, CodeId, InfluencerId, MembershipId, ProgramId};
use super::memberships::{MembershipRow, MembershipStatus};
use super::programs::ProgramRow;
use super::schema::{brands, code_uses, codes, influencers, memberships, programs};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = codes)]
pub struct CodeRow {
    pub id: CodeId,
    pub brand_id: BrandId,
    pub membership_id: MembershipId,
    pub code: String,
    pub active: bool,
    pub max_uses: Option<i64>,
    /// Every use of the code: the column holds those counted before the running totals,
    /// and the functions here that read codes add the ones counted from orders since
    /// (`code_uses`, see [`with_counted_uses`]).
    pub uses: i64,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The id of the code's twin promotion code in Stripe (`promo_…`), when the brand set one.
    pub stripe_promotion_code: Option<String>,
}

impl CodeRow {
    /// Whether the code itself can attribute at `now` (the membership is checked apart).
    pub fn is_usable(&self, now: NaiveDateTime) -> bool {
        self.active && self.expires_at.is_none_or(|at| at > now) && self.max_uses.is_none_or(|max| self.uses < max)
    }
}

/// A code with the membership it belongs to and the ambassador's public name.
#[derive(Debug, Clone, Queryable)]
pub struct CodeOwnerRow {
    pub code: CodeRow,
    pub membership: MembershipRow,
    pub display_name: String,
}

impl CodeOwnerRow {
    pub fn is_usable(&self, now: NaiveDateTime) -> bool {
        self.code.is_usable(now) && self.membership.status == MembershipStatus::Active
    }
}

pub fn insert(conn: &mut DbConn, row: &CodeRow) -> QueryResult<()> {
    diesel::insert_into(codes::table).values(row).execute(conn).map(drop)
}

pub fn exists(conn: &mut DbConn, brand: BrandId, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        codes::table
            .filter(codes::brand_id.eq(brand))
            .filter(codes::code.eq(code)),
    ))
    .get_result(conn)
}

pub fn count_active_for_membership(conn: &mut DbConn, membership: MembershipId) -> QueryResult<i64> {
    codes::table
        .filter(codes::membership_id.eq(membership))
        .filter(codes::active.eq(true))
        .count()
        .get_result(conn)
}

pub fn list_for_membership(conn: &mut DbConn, membership: MembershipId) -> QueryResult<Vec<CodeRow>> {
    let mut rows = codes::table
        .filter(codes::membership_id.eq(membership))
        .order(codes::id.asc())
        .select(CodeRow::as_select())
        .load(conn)?;
    with_counted_uses(conn, &mut rows)?;
    Ok(rows)
}

/// The codes of these memberships, oldest first (the caller scoped the memberships to
/// its brand).
pub fn list_for_memberships(conn: &mut DbConn, memberships: &[MembershipId]) -> QueryResult<Vec<CodeRow>> {
    let mut rows = codes::table
        .filter(codes::membership_id.eq_any(memberships))
        .order(codes::id.asc())
        .select(CodeRow::as_select())
        .load(conn)?;
    with_counted_uses(conn, &mut rows)?;
    Ok(rows)
}

/// A code of the influencer with its membership's status and its brand's name and slug.
#[derive(Debug, Clone, Queryable)]
pub struct InfluencerCodeRow {
    pub code: CodeRow,
    pub membership_status: MembershipStatus,
    pub brand_name: String,
    pub brand_slug: String,
}

/// Up to `limit` codes of the influencer's memberships in every brand or in `brand` (ended ones
/// included), oldest first by id, after the id `after`.
pub fn list_for_influencer(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
    after: Option<CodeId>,
    limit: i64,
) -> QueryResult<Vec<InfluencerCodeRow>> {
    let mut query = codes::table
        .inner_join(memberships::table)
        .inner_join(brands::table.on(brands::id.eq(codes::brand_id)))
        .filter(memberships::influencer_id.eq(influencer))
        .order(codes::id.asc())
        .limit(limit)
        .select((CodeRow::as_select(), memberships::status, brands::name, brands::slug))
        .into_boxed();
    if let Some(brand) = brand {
        query = query.filter(codes::brand_id.eq(brand));
    }
    if let Some(after) = after {
        query = query.filter(codes::id.gt(after));
    }
    let mut rows: Vec<InfluencerCodeRow> = query.load(conn)?;
    let mut codes: Vec<CodeRow> = rows.iter().map(|r| r.code.clone()).collect();
    with_counted_uses(conn, &mut codes)?;
    for (row, code) in rows.iter_mut().zip(codes) {
        row.code.uses = code.uses;
    }
    Ok(rows)
}

/// The brand's code with this id; another brand's is `None`.
pub fn find(conn: &mut DbConn, brand: BrandId, id: CodeId) -> QueryResult<Option<CodeRow>> {
    let mut found = codes::table
        .find(id)
        .filter(codes::brand_id.eq(brand))
        .select(CodeRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(code) = &mut found {
        with_counted_uses(conn, std::slice::from_mut(code))?;
    }
    Ok(found)
}

/// The code as typed at checkout (already normalised) with its owner: one indexed read,
/// and a second only for a code with `max_uses`, whose uses decide whether it is used
/// up. Checkout shows no uses, so a code without a limit skips that read and its `uses`
/// holds only those counted before the running totals.
pub fn find_with_owner(conn: &mut DbConn, brand: BrandId, code: &str) -> QueryResult<Option<CodeOwnerRow>> {
    let mut found = with_owner(brand)
        .filter(codes::code.eq(code.to_owned()))
        .first::<CodeOwnerRow>(conn)
        .optional()?;
    if let Some(owner) = &mut found
        && owner.code.max_uses.is_some()
    {
        with_counted_uses(conn, std::slice::from_mut(&mut owner.code))?;
    }
    Ok(found)
}

/// [`find_with_owner`] with the program of the code's membership, in the same
/// statement (a typed one, prepared once per connection): what checkout reads for a
/// code typed at the till.
pub fn find_with_program(
    conn: &mut DbConn,
    brand: BrandId,
    code: &str,
) -> QueryResult<Option<(CodeOwnerRow, ProgramRow)>> {
    let mut found = codes::table
        .inner_join(
            memberships::table
                .inner_join(influencers::table)
                .inner_join(programs::table),
        )
        .filter(codes::brand_id.eq(brand))
        .filter(codes::code.eq(code))
        .select((
            CodeRow::as_select(),
            MembershipRow::as_select(),
            influencers::display_name,
            ProgramRow::as_select(),
        ))
        .first::<(CodeRow, MembershipRow, String, ProgramRow)>(conn)
        .optional()?
        .map(|(code, membership, display_name, program)| {
            (
                CodeOwnerRow {
                    code,
                    membership,
                    display_name,
                },
                program,
            )
        });
    if let Some((owner, _)) = &mut found
        && owner.code.max_uses.is_some()
    {
        with_counted_uses(conn, std::slice::from_mut(&mut owner.code))?;
    }
    Ok(found)
}

/// The code with this id and its owner, within the brand, every use counted.
pub fn find_with_owner_by_id(conn: &mut DbConn, brand: BrandId, id: CodeId) -> QueryResult<Option<CodeOwnerRow>> {
    let mut found = with_owner(brand)
        .filter(codes::id.eq(id))
        .first::<CodeOwnerRow>(conn)
        .optional()?;
    if let Some(owner) = &mut found {
        with_counted_uses(conn, std::slice::from_mut(&mut owner.code))?;
    }
    Ok(found)
}

type Backend = super::conn::MultiBackend;
type OwnerJoin = diesel::dsl::InnerJoin<codes::table, diesel::dsl::InnerJoin<memberships::table, influencers::table>>;
type OwnerColumns = (
    diesel::dsl::AsSelect<CodeRow, Backend>,
    diesel::dsl::AsSelect<MembershipRow, Backend>,
    influencers::display_name,
);
type OwnerFilter = diesel::dsl::Filter<OwnerJoin, diesel::dsl::Eq<codes::brand_id, BrandId>>;
type OwnerQuery = diesel::dsl::IntoBoxed<'static, diesel::dsl::Select<OwnerFilter, OwnerColumns>, Backend>;

/// The brand's codes joined with their membership and the ambassador's public name.
fn with_owner(brand: BrandId) -> OwnerQuery {
    codes::table
        .inner_join(memberships::table.inner_join(influencers::table))
        .filter(codes::brand_id.eq(brand))
        .select((
            CodeRow::as_select(),
            MembershipRow::as_select(),
            influencers::display_name,
        ))
        .into_boxed()
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = codes)]
pub struct CodeChanges {
    pub active: Option<bool>,
    pub max_uses: Option<Option<i64>>,
    pub expires_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
    pub stripe_promotion_code: Option<Option<String>>,
}

pub fn update(conn: &mut DbConn, id: CodeId, changes: &CodeChanges) -> QueryResult<()> {
    diesel::update(codes::table.find(id))
        .set(changes)
        .execute(conn)
        .map(drop)
}

/// Adds to each row's `uses` (the uses counted before the running totals) those
/// counted from orders since (`code_uses`, kept by a trigger on orders): a few rows per
/// code, added up here so the statement stays a cached, typed one.
fn with_counted_uses(conn: &mut DbConn, rows: &mut [CodeRow]) -> QueryResult<()> {
    let ids: Vec<CodeId> = rows.iter().map(|r| r.id).collect();
    let counted: Vec<(CodeId, i64)> = match ids.as_slice() {
        [] => return Ok(()),
        // One code (every checkout read): a statement that is prepared once and cached.
        [one] => code_uses::table
            .filter(code_uses::code_id.eq(*one))
            .select((code_uses::code_id, code_uses::uses))
            .load(conn)?,
        many => code_uses::table
            .filter(code_uses::code_id.eq_any(many))
            .select((code_uses::code_id, code_uses::uses))
            .load(conn)?,
    };
    for (id, uses) in counted {
        if let Some(row) = rows.iter_mut().find(|r| r.id == id) {
            row.uses += uses;
        }
    }
    Ok(())
}

/// The code's uses, counted after locking its row until the transaction ends: every
/// order that checks a limit goes through this lock, so each counts the uses committed
/// before it and its own (already inserted). SQLite's writer is already serial.
pub fn uses_under_lock(conn: &mut DbConn, id: CodeId) -> QueryResult<i64> {
    if let DbConn::Pg(pg) = conn {
        codes::table
            .find(id)
            .select(codes::id)
            .for_update()
            .first::<CodeId>(pg)?;
    }
    let mut code = codes::table.find(id).select(CodeRow::as_select()).first(conn)?;
    with_counted_uses(conn, std::slice::from_mut(&mut code))?;
    Ok(code.uses)
}

/// What attribution relied on about a code: read once before an order's write
/// transaction and compared again inside it, so a concurrent change (code switched off,
/// ambassador paused, new terms) is never missed. `uses` is not part of it: the use is
/// counted from the orders, and a limit checked by [`uses_under_lock`].
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct CodeStamp {
    pub active: bool,
    pub max_uses: Option<i64>,
    pub expires_at: Option<NaiveDateTime>,
    pub membership_status: MembershipStatus,
    /// The program the membership belongs to (a brand can move an ambassador), and
    /// that program's terms version.
    pub program_id: ProgramId,
    pub terms_version: i32,
}

impl CodeStamp {
    /// The stamp of an owner row as read, under the program's terms version.
    pub fn of(owner: &CodeOwnerRow, terms_version: i32) -> Self {
        Self {
            active: owner.code.active,
            max_uses: owner.code.max_uses,
            expires_at: owner.code.expires_at,
            membership_status: owner.membership.status,
            program_id: owner.membership.program_id,
            terms_version,
        }
    }
}

/// The current stamps of one or two codes, read by the same statement that sends
/// `batch` (on PostgreSQL; SQLite reads them after the batch's inserts ran): one indexed
/// read over code, membership and program each. A code that no longer exists has none.
/// Always two ids (`second` may repeat `first`), so the statement's text never varies
/// and stays prepared (an `IN` list would be prepared again for every order).
pub fn stamps_after(batch: Batch<'_>, first: CodeId, second: CodeId) -> QueryResult<Vec<(CodeId, CodeStamp)>> {
    let query = codes::table
        .inner_join(memberships::table.inner_join(programs::table))
        .filter(codes::id.eq(first).or(codes::id.eq(second)))
        .select((
            codes::id,
            (
                codes::active,
                codes::max_uses,
                codes::expires_at,
                memberships::status,
                programs::id,
                programs::terms_version,
            ),
        ));
    batch.finish_with(query)
}

/// The code whose twin in Stripe is this promotion code.
pub fn find_by_stripe_promotion(
    conn: &mut DbConn,
    brand: BrandId,
    promotion_code: &str,
) -> QueryResult<Option<String>> {
    codes::table
        .filter(codes::brand_id.eq(brand))
        .filter(codes::stripe_promotion_code.eq(promotion_code))
        .select(codes::code)
        .first(conn)
        .optional()
}
