//! Deals: the offer, every version of its fee, its deliverables and its gifted
//! products. The offer's terms are written once; what changes is where the deal stands
//! (`status`, the version on the table and who must answer it) and each gift's shipment.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{
    BrandId, BrandUserId, DealId, DealVersionId, DeliverableId, GiftId, InfluencerId, InvitationId, MembershipId,
    ProgramId, text_enum,
};
use super::schema::{deal_deliverables, deal_gifts, deal_versions, deals, invitations, memberships};

text_enum!(
    /// Where a deal stands. `offered` past its expiry reads as `expired` (see
    /// [`DealRow::status_at`]) until a pass of the jobs or an action writes it.
    DealStatus {
        Offered => "offered",
        Accepted => "accepted",
        Declined => "declined",
        Expired => "expired",
        Withdrawn => "withdrawn",
        Completed => "completed",
        Cancelled => "cancelled",
    }
);

text_enum!(
    /// A side of a deal: who proposed a version, who must answer the one on the table.
    Party {
        Brand => "brand",
        Influencer => "influencer",
    }
);

text_enum!(
    /// Where a deliverable is published.
    Platform {
        Instagram => "instagram",
        Tiktok => "tiktok",
        Youtube => "youtube",
        Facebook => "facebook",
        X => "x",
        Blog => "blog",
        Other => "other",
    }
);

text_enum!(
    /// What is published.
    DeliverableKind {
        Post => "post",
        Story => "story",
        Reel => "reel",
        Video => "video",
        Article => "article",
        Other => "other",
    }
);

text_enum!(
    /// Where a gifted product is on its way to the influencer.
    Shipment {
        ToShip => "to_ship",
        Shipped => "shipped",
        Delivered => "delivered",
    }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = deals)]
pub struct DealRow {
    pub id: DealId,
    pub brand_id: BrandId,
    pub program_id: ProgramId,
    /// The ambassador; `None` while the deal waits on its invitation.
    pub membership_id: Option<MembershipId>,
    pub invitation_id: Option<InvitationId>,
    pub title: String,
    pub terms: String,
    pub currency: String,
    pub status: DealStatus,
    /// The version on the table (the accepted one once accepted).
    pub version: i32,
    /// Who must answer the version on the table while the deal is offered.
    pub awaiting: Party,
    pub accepted_version: Option<i32>,
    pub expires_at: NaiveDateTime,
    pub created_by: BrandUserId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl DealRow {
    /// The status as of `now`: an offer past its expiry is expired.
    pub fn status_at(&self, now: NaiveDateTime) -> DealStatus {
        match self.status {
            DealStatus::Offered if self.expires_at <= now => DealStatus::Expired,
            status => status,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = deal_versions)]
pub struct DealVersionRow {
    pub id: DealVersionId,
    pub deal_id: DealId,
    pub version: i32,
    /// Fee per deliverable item, minor units of the deal's currency.
    pub fee: i64,
    pub proposed_by: Party,
    pub note: Option<String>,
    pub declined_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = deal_deliverables)]
pub struct DeliverableRow {
    pub id: DeliverableId,
    pub deal_id: DealId,
    pub position: i32,
    pub platform: Platform,
    pub kind: DeliverableKind,
    /// How many of them (each earns the fee once approved).
    pub count: i32,
    /// `YYYY-MM-DD`, UTC.
    pub due_on: String,
    pub keep_up_days: i32,
    pub requirements: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = deal_gifts)]
pub struct GiftRow {
    pub id: GiftId,
    pub deal_id: DealId,
    pub position: i32,
    pub sku: String,
    pub description: String,
    pub quantity: i64,
    /// Declared value of one unit, minor units; never payable.
    pub unit_value: i64,
    pub shipment: Shipment,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
    pub shipped_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
}

/// Writes a new deal with its first version, deliverables and gifts.
pub fn insert(
    conn: &mut DbConn,
    deal: &DealRow,
    version: &DealVersionRow,
    deliverables: &[DeliverableRow],
    gifts: &[GiftRow],
) -> QueryResult<()> {
    diesel::insert_into(deals::table).values(deal).execute(conn)?;
    diesel::insert_into(deal_versions::table)
        .values(version)
        .execute(conn)?;
    for row in deliverables {
        diesel::insert_into(deal_deliverables::table)
            .values(row)
            .execute(conn)?;
    }
    for row in gifts {
        diesel::insert_into(deal_gifts::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// The brand's deal `id`.
pub fn find(conn: &mut DbConn, brand: BrandId, id: DealId) -> QueryResult<Option<DealRow>> {
    deals::table
        .filter(deals::id.eq(id))
        .filter(deals::brand_id.eq(brand))
        .select(DealRow::as_select())
        .first(conn)
        .optional()
}

/// The filter of the deals an influencer sees: those of their memberships and those
/// waiting on an invitation sent to their login e-mail that is still unanswered.
macro_rules! visible_to {
    ($influencer:expr, $email:expr) => {
        deals::membership_id
            .eq_any(
                memberships::table
                    .filter(memberships::influencer_id.eq($influencer))
                    .select(memberships::id.nullable()),
            )
            .or(deals::membership_id.is_null().and(
                deals::invitation_id.eq_any(
                    invitations::table
                        .filter(invitations::email.eq($email))
                        .filter(invitations::accepted_at.is_null())
                        .filter(invitations::declined_at.is_null())
                        .select(invitations::id.nullable()),
                ),
            ))
    };
}

/// Deal `id`, when the influencer may see it (any brand).
pub fn find_for_influencer(
    conn: &mut DbConn,
    influencer: InfluencerId,
    email: &str,
    id: DealId,
) -> QueryResult<Option<DealRow>> {
    deals::table
        .filter(deals::id.eq(id))
        .filter(visible_to!(influencer, email.to_owned()))
        .select(DealRow::as_select())
        .first(conn)
        .optional()
}

/// Up to `limit` of the influencer's deals of every brand, newest first.
pub fn list_for_influencer(
    conn: &mut DbConn,
    influencer: InfluencerId,
    email: &str,
    before: Option<DealId>,
    limit: i64,
) -> QueryResult<Vec<DealRow>> {
    let mut query = deals::table
        .filter(visible_to!(influencer, email.to_owned()))
        .order(deals::id.desc())
        .limit(limit)
        .select(DealRow::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(deals::id.lt(before));
    }
    query.load(conn)
}

/// Which of a brand's deals a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct DealFilter {
    pub membership: Option<MembershipId>,
    /// Read as of `now`: `offered` leaves out offers past their expiry, `expired` takes
    /// them in.
    pub status: Option<DealStatus>,
}

/// Up to `limit` of the brand's deals, newest first.
pub fn list_for_brand(
    conn: &mut DbConn,
    brand: BrandId,
    filter: DealFilter,
    now: NaiveDateTime,
    before: Option<DealId>,
    limit: i64,
) -> QueryResult<Vec<DealRow>> {
    let mut query = deals::table
        .filter(deals::brand_id.eq(brand))
        .order(deals::id.desc())
        .limit(limit)
        .select(DealRow::as_select())
        .into_boxed();
    if let Some(membership) = filter.membership {
        query = query.filter(deals::membership_id.eq(membership));
    }
    match filter.status {
        Some(DealStatus::Offered) => {
            query = query
                .filter(deals::status.eq(DealStatus::Offered))
                .filter(deals::expires_at.gt(now));
        }
        Some(DealStatus::Expired) => {
            query = query.filter(
                deals::status
                    .eq(DealStatus::Expired)
                    .or(deals::status.eq(DealStatus::Offered).and(deals::expires_at.le(now))),
            );
        }
        Some(status) => query = query.filter(deals::status.eq(status)),
        None => {}
    }
    if let Some(before) = before {
        query = query.filter(deals::id.lt(before));
    }
    query.load(conn)
}

/// Every version of the deals `ids`, oldest first.
pub fn versions(conn: &mut DbConn, ids: &[DealId]) -> QueryResult<Vec<DealVersionRow>> {
    deal_versions::table
        .filter(deal_versions::deal_id.eq_any(ids.to_vec()))
        .order((deal_versions::deal_id.asc(), deal_versions::version.asc()))
        .select(DealVersionRow::as_select())
        .load(conn)
}

pub fn deliverables(conn: &mut DbConn, ids: &[DealId]) -> QueryResult<Vec<DeliverableRow>> {
    deal_deliverables::table
        .filter(deal_deliverables::deal_id.eq_any(ids.to_vec()))
        .order((deal_deliverables::deal_id.asc(), deal_deliverables::position.asc()))
        .select(DeliverableRow::as_select())
        .load(conn)
}

pub fn gifts(conn: &mut DbConn, ids: &[DealId]) -> QueryResult<Vec<GiftRow>> {
    deal_gifts::table
        .filter(deal_gifts::deal_id.eq_any(ids.to_vec()))
        .order((deal_gifts::deal_id.asc(), deal_gifts::position.asc()))
        .select(GiftRow::as_select())
        .load(conn)
}

/// Moves the deal from `from` to `to`; false when it no longer stands at `from`.
pub fn set_status(
    conn: &mut DbConn,
    id: DealId,
    from: DealStatus,
    to: DealStatus,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(deals::table.filter(deals::id.eq(id)).filter(deals::status.eq(from)))
        .set((deals::status.eq(to), deals::updated_at.eq(now)))
        .execute(conn)
        .map(|n| n == 1)
}

/// Puts `version` on the table of an offered deal, for `awaiting` to answer.
pub fn put_on_table(
    conn: &mut DbConn,
    id: DealId,
    version: i32,
    awaiting: Party,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(deals::table.filter(deals::id.eq(id)))
        .set((
            deals::version.eq(version),
            deals::awaiting.eq(awaiting),
            deals::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Accepts the offered deal at `version`; false when it is no longer offered.
pub fn accept(conn: &mut DbConn, id: DealId, version: i32, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        deals::table
            .filter(deals::id.eq(id))
            .filter(deals::status.eq(DealStatus::Offered)),
    )
    .set((
        deals::status.eq(DealStatus::Accepted),
        deals::version.eq(version),
        deals::accepted_version.eq(version),
        deals::updated_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn insert_version(conn: &mut DbConn, row: &DealVersionRow) -> QueryResult<()> {
    diesel::insert_into(deal_versions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Marks version `version` of the deal declined.
pub fn decline_version(conn: &mut DbConn, deal: DealId, version: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        deal_versions::table
            .filter(deal_versions::deal_id.eq(deal))
            .filter(deal_versions::version.eq(version))
            .filter(deal_versions::declined_at.is_null()),
    )
    .set(deal_versions::declined_at.eq(now))
    .execute(conn)
    .map(drop)
}

/// The deals waiting on `invitation` now belong to the ambassador it made.
pub fn attach_to_membership(
    conn: &mut DbConn,
    invitation: InvitationId,
    membership: MembershipId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        deals::table
            .filter(deals::invitation_id.eq(invitation))
            .filter(deals::membership_id.is_null()),
    )
    .set((deals::membership_id.eq(membership), deals::updated_at.eq(now)))
    .execute(conn)
}

/// The offers waiting on a declined invitation are declined with it.
pub fn decline_with_invitation(conn: &mut DbConn, invitation: InvitationId, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        deals::table
            .filter(deals::invitation_id.eq(invitation))
            .filter(deals::membership_id.is_null())
            .filter(deals::status.eq(DealStatus::Offered)),
    )
    .set((deals::status.eq(DealStatus::Declined), deals::updated_at.eq(now)))
    .execute(conn)
}

/// Writes `expired` on offers whose expiry passed; how many.
pub fn expire_offers(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        deals::table
            .filter(deals::status.eq(DealStatus::Offered))
            .filter(deals::expires_at.le(now)),
    )
    .set((deals::status.eq(DealStatus::Expired), deals::updated_at.eq(now)))
    .execute(conn)
}

pub fn find_gift(conn: &mut DbConn, deal: DealId, id: GiftId) -> QueryResult<Option<GiftRow>> {
    deal_gifts::table
        .filter(deal_gifts::id.eq(id))
        .filter(deal_gifts::deal_id.eq(deal))
        .select(GiftRow::as_select())
        .first(conn)
        .optional()
}

/// Writes a gift's shipment state.
pub fn set_shipment(conn: &mut DbConn, gift: &GiftRow) -> QueryResult<()> {
    diesel::update(deal_gifts::table.filter(deal_gifts::id.eq(gift.id)))
        .set((
            deal_gifts::shipment.eq(gift.shipment),
            deal_gifts::carrier.eq(&gift.carrier),
            deal_gifts::tracking.eq(&gift.tracking),
            deal_gifts::shipped_at.eq(gift.shipped_at),
            deal_gifts::delivered_at.eq(gift.delivered_at),
        ))
        .execute(conn)
        .map(drop)
}
