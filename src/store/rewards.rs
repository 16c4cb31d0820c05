//! Free-item rewards earned by ambassadors: earned → claimed → fulfilled.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, InfluencerId, MembershipId, RewardId, text_enum};
use super::portable::{wide_i64, wide_sum};
use super::schema::{brands, influencers, memberships, reward_backlog, rewards};

text_enum!(
    /// Each transition happens once, by its owner: the ambassador claims, the brand fulfils.
    RewardStatus { Earned => "earned", Claimed => "claimed", Fulfilled => "fulfilled" }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rewards)]
pub struct RewardRow {
    pub id: RewardId,
    pub brand_id: BrandId,
    pub membership_id: MembershipId,
    pub rule_key: String,
    pub sequence: i32,
    pub sku: String,
    pub description: String,
    pub status: RewardStatus,
    pub earned_at: NaiveDateTime,
    pub claimed_at: Option<NaiveDateTime>,
    pub shipping_name: Option<String>,
    pub shipping_address: Option<String>,
    pub fulfilled_at: Option<NaiveDateTime>,
    pub tracking: Option<String>,
    pub carrier: Option<String>,
}

/// A reward with who earned it and where.
#[derive(Debug, Clone, Queryable)]
pub struct RewardView {
    pub reward: RewardRow,
    pub brand_name: String,
    pub display_name: String,
}

/// Inserts grants in multi-row statements. A grant already made (the same membership,
/// rule and sequence) is a unique violation that fails the statement: the maturation
/// pass serialises grants, so it cannot happen unless the data is inconsistent, and
/// the caller's savepoint then drops the membership's work for this pass.
pub fn grant_all(conn: &mut DbConn, rows: &[RewardRow]) -> QueryResult<usize> {
    // 15 columns a row: 100 rows stay far below either backend's bind-parameter limit.
    let mut inserted = 0;
    // Multi-row VALUES does not compile through the MultiConnection (its dialect has no
    // DEFAULT keyword rule), so the same statement is built once per backend.
    for chunk in rows.chunks(100) {
        inserted += match conn {
            DbConn::Pg(pg) => diesel::insert_into(rewards::table).values(chunk).execute(pg)?,
            DbConn::Sqlite(lite) => diesel::insert_into(rewards::table).values(chunk).execute(lite)?,
        };
    }
    Ok(inserted)
}

pub fn granted_count(conn: &mut DbConn, membership: MembershipId, rule_key: &str) -> QueryResult<i64> {
    rewards::table
        .filter(rewards::membership_id.eq(membership))
        .filter(rewards::rule_key.eq(rule_key))
        .count()
        .get_result(conn)
}

#[derive(Debug, QueryableByName)]
struct Qualifying {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    orders: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    amount_hi: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    amount_lo: i64,
}

/// Orders that count toward rewards: attributed to the membership, commission
/// approved, not fully refunded, no flag, not held or rejected by the brand. Returns
/// (count, Σ net − refunds) in the program's currency (a converted order's `fx_net`
/// and its refunds' `fx_amount`); a sum no
/// `i64` holds (only possible with amounts stored before the door bounds) is an error
/// for this membership alone.
///
/// `$1` is a positional parameter on PostgreSQL and a numbered one on SQLite.
pub fn qualifying(conn: &mut DbConn, membership: MembershipId) -> QueryResult<(i64, i64)> {
    let row: Qualifying = diesel::sql_query(format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS orders, {} \
         FROM orders o \
         JOIN ledger_entries e ON e.order_id = o.id AND e.membership_id = o.membership_id AND e.kind = 'commission' \
              AND e.approved_at IS NOT NULL \
         LEFT JOIN (SELECT order_id, SUM(COALESCE(fx_amount, amount)) AS refunded FROM refunds GROUP BY order_id) r \
              ON r.order_id = o.id \
         WHERE o.membership_id = $1 AND o.flags = '[]' AND o.review IS NULL \
           AND COALESCE(o.fx_net, o.net_amount) > COALESCE(r.refunded, 0)",
        wide_sum("COALESCE(o.fx_net, o.net_amount) - COALESCE(r.refunded, 0)", "amount")
    ))
    .bind::<diesel::sql_types::Text, _>(membership)
    .get_result(conn)?;
    let amount = wide_i64(row.amount_hi, row.amount_lo).ok_or_else(|| {
        diesel::result::Error::DeserializationError(
            format!("qualifying net sales of membership {membership} exceed any representable amount").into(),
        )
    })?;
    Ok((row.orders, amount))
}

/// Marks a membership whose grants were capped, so later passes grant the rest.
pub fn mark_backlog(conn: &mut DbConn, membership: MembershipId, now: NaiveDateTime) -> QueryResult<()> {
    let marked = reward_backlog::table.find(membership).count().get_result::<i64>(conn)?;
    if marked == 0 {
        diesel::insert_into(reward_backlog::table)
            .values((
                reward_backlog::membership_id.eq(membership),
                reward_backlog::since.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn clear_backlog(conn: &mut DbConn, membership: MembershipId) -> QueryResult<()> {
    diesel::delete(reward_backlog::table.find(membership))
        .execute(conn)
        .map(drop)
}

/// Up to `limit` memberships with grants still to make, oldest first.
pub fn backlog(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<MembershipId>> {
    reward_backlog::table
        .order((reward_backlog::since.asc(), reward_backlog::membership_id.asc()))
        .limit(limit)
        .select(reward_backlog::membership_id)
        .load(conn)
}

/// Up to `limit` rewards of the influencer after the id `after`, by id.
pub fn list_for_influencer(
    conn: &mut DbConn,
    influencer: InfluencerId,
    after: Option<RewardId>,
    limit: i64,
) -> QueryResult<Vec<RewardView>> {
    let mut query = rewards::table
        .inner_join(memberships::table.inner_join(influencers::table))
        .inner_join(brands::table.on(brands::id.eq(rewards::brand_id)))
        .filter(memberships::influencer_id.eq(influencer))
        .order(rewards::id.asc())
        .limit(limit)
        .select((RewardRow::as_select(), brands::name, influencers::display_name))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(rewards::id.gt(after));
    }
    query.load(conn)
}

pub fn list_for_brand(
    conn: &mut DbConn,
    brand: BrandId,
    status: Option<RewardStatus>,
    after: Option<RewardId>,
    limit: i64,
) -> QueryResult<Vec<RewardView>> {
    let mut query = rewards::table
        .inner_join(memberships::table.inner_join(influencers::table))
        .inner_join(brands::table.on(brands::id.eq(rewards::brand_id)))
        .filter(rewards::brand_id.eq(brand))
        .order(rewards::id.asc())
        .limit(limit)
        .select((RewardRow::as_select(), brands::name, influencers::display_name))
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(rewards::status.eq(status));
    }
    if let Some(after) = after {
        query = query.filter(rewards::id.gt(after));
    }
    query.load(conn)
}

/// The reward if it belongs to one of the influencer's memberships.
pub fn find_for_influencer(
    conn: &mut DbConn,
    influencer: InfluencerId,
    id: RewardId,
) -> QueryResult<Option<RewardView>> {
    rewards::table
        .inner_join(memberships::table.inner_join(influencers::table))
        .inner_join(brands::table.on(brands::id.eq(rewards::brand_id)))
        .filter(rewards::id.eq(id))
        .filter(memberships::influencer_id.eq(influencer))
        .select((RewardRow::as_select(), brands::name, influencers::display_name))
        .first(conn)
        .optional()
}

pub fn find_for_brand(conn: &mut DbConn, brand: BrandId, id: RewardId) -> QueryResult<Option<RewardView>> {
    rewards::table
        .inner_join(memberships::table.inner_join(influencers::table))
        .inner_join(brands::table.on(brands::id.eq(rewards::brand_id)))
        .filter(rewards::id.eq(id))
        .filter(rewards::brand_id.eq(brand))
        .select((RewardRow::as_select(), brands::name, influencers::display_name))
        .first(conn)
        .optional()
}

/// earned → claimed, once. False when the reward was not in `earned`.
pub fn claim(conn: &mut DbConn, id: RewardId, name: &str, address: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(rewards::table.find(id).filter(rewards::status.eq(RewardStatus::Earned)))
        .set((
            rewards::status.eq(RewardStatus::Claimed),
            rewards::claimed_at.eq(now),
            rewards::shipping_name.eq(name),
            rewards::shipping_address.eq(address),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// claimed → fulfilled, once, with how it was shipped. False when the reward was not
/// in `claimed`.
pub fn fulfil(
    conn: &mut DbConn,
    id: RewardId,
    tracking: Option<&str>,
    carrier: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        rewards::table
            .find(id)
            .filter(rewards::status.eq(RewardStatus::Claimed)),
    )
    .set((
        rewards::status.eq(RewardStatus::Fulfilled),
        rewards::fulfilled_at.eq(now),
        rewards::tracking.eq(tracking),
        rewards::carrier.eq(carrier),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}
