//! Brand-side read paths: the order list with its filters (status by the domain rule),
//! the facts an order view needs, statistics. Aggregates run in SQL (exact integer sums),
//! a fixed number of queries per request.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text, Timestamp};

use super::DbConn;
use super::ids::{BrandId, CodeId, MembershipId, OrderId};
use super::ledger::{EntryKind, LedgerEntryRow};
use super::orders::OrderRow;
use super::portable::{sum_bigint, sum_halves, wide_i64};
use super::schema::{codes, influencers, ledger_entries, memberships, orders, refunds};
use super::status_sql::order_has_status;
use crate::domain::period::Period;
use crate::domain::status::OrderStatus;

#[derive(Debug, Default, Clone)]
pub struct OrderFilter {
    pub membership: Option<MembershipId>,
    pub code: Option<String>,
    pub status: Option<OrderStatus>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// A page of the brand's orders, newest first (ids are time-ordered).
pub fn list_orders(
    conn: &mut DbConn,
    brand: BrandId,
    filter: &OrderFilter,
    before: Option<OrderId>,
    limit: i64,
) -> QueryResult<Vec<OrderRow>> {
    let mut query = orders::table
        .filter(orders::brand_id.eq(brand))
        .order(orders::id.desc())
        .limit(limit)
        .select(OrderRow::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(orders::id.lt(before));
    }
    if let Some(membership) = filter.membership {
        query = query.filter(orders::membership_id.eq(membership));
    }
    if let Some(code) = &filter.code {
        let ids = codes::table
            .filter(codes::brand_id.eq(brand))
            .filter(codes::code.eq(code.clone()))
            .select(codes::id.nullable());
        query = query.filter(orders::code_id.eq_any(ids));
    }
    if let Some(status) = filter.status {
        // The domain's rule as SQL: trusted constant fragments, not input.
        query = query.filter(diesel::dsl::sql::<Bool>(&order_has_status("orders", status)));
    }
    if let Some(from) = filter.from {
        query = query.filter(orders::placed_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(orders::placed_at.lt(to));
    }
    query.load(conn)
}

/// What a page of orders needs besides the rows: commission entries, refunded and
/// reversed sums, code texts and the ambassadors' names, each in one query.
pub struct OrderFacts {
    pub commissions: HashMap<OrderId, LedgerEntryRow>,
    pub refunded: HashMap<OrderId, i64>,
    /// Σ commission reversed by the order's refunds (a positive number).
    pub reversed: HashMap<OrderId, i64>,
    pub codes: HashMap<CodeId, String>,
    /// Each attributed order's ambassador, named as the influencer is named now.
    pub ambassadors: HashMap<MembershipId, AmbassadorName>,
}

pub fn facts(conn: &mut DbConn, page: &[OrderRow]) -> QueryResult<OrderFacts> {
    let ids: Vec<OrderId> = page.iter().map(|o| o.id).collect();
    // A page's orders share few codes and ambassadors: each is looked up once.
    let code_ids: Vec<CodeId> = distinct(page.iter().filter_map(|o| o.code_id));
    // Each order's commission for the ambassador it is attributed to (a reassigned
    // order keeps the first one's too).
    let attributed: HashMap<OrderId, Option<MembershipId>> = page.iter().map(|o| (o.id, o.membership_id)).collect();
    let commissions = ledger_entries::table
        .filter(ledger_entries::order_id.eq_any(&ids))
        .filter(ledger_entries::kind.eq(EntryKind::Commission))
        .select(LedgerEntryRow::as_select())
        .load::<LedgerEntryRow>(conn)?
        .into_iter()
        .filter_map(|e| e.order_id.map(|o| (o, e)))
        .filter(|(o, e)| attributed.get(o).copied().flatten() == Some(e.membership_id))
        .collect();
    let refund_sums = refunds::table
        .filter(refunds::order_id.eq_any(&ids))
        .group_by(refunds::order_id)
        .select((refunds::order_id, sum_bigint("amount"), sum_bigint("reversal")))
        .load::<(OrderId, i64, i64)>(conn)?;
    let refunded = refund_sums.iter().map(|(id, amount, _)| (*id, *amount)).collect();
    let reversed = refund_sums.iter().map(|(id, _, reversal)| (*id, *reversal)).collect();
    let codes = codes::table
        .filter(codes::id.eq_any(&code_ids))
        .select((codes::id, codes::code))
        .load::<(CodeId, String)>(conn)?
        .into_iter()
        .collect();
    let ambassadors = ambassadors_of(conn, page)?;
    Ok(OrderFacts {
        commissions,
        refunded,
        reversed,
        codes,
        ambassadors,
    })
}

/// The distinct values, each once (for an `IN` list).
fn distinct<T: Ord>(values: impl Iterator<Item = T>) -> Vec<T> {
    let mut values: Vec<T> = values.collect();
    values.sort_unstable();
    values.dedup();
    values
}

/// Who an ambassador is, as the brand's exports name them.
#[derive(Debug, Clone, Queryable)]
pub struct AmbassadorName {
    pub membership_id: MembershipId,
    pub display_name: String,
    /// The influencer's login e-mail (what `GET /v1/brand/ambassadors` shows).
    pub email: String,
}

/// The ambassadors of a page of orders, in one query, read only among the memberships
/// of the orders' own brand.
fn ambassadors_of(conn: &mut DbConn, page: &[OrderRow]) -> QueryResult<HashMap<MembershipId, AmbassadorName>> {
    let ids: Vec<MembershipId> = distinct(page.iter().filter_map(|o| o.membership_id));
    let brands: Vec<BrandId> = distinct(page.iter().map(|o| o.brand_id));
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(memberships::table
        .inner_join(influencers::table.on(influencers::id.eq(memberships::influencer_id)))
        .filter(memberships::id.eq_any(&ids))
        .filter(memberships::brand_id.eq_any(&brands))
        .select((memberships::id, influencers::display_name, influencers::email))
        .load::<AmbassadorName>(conn)?
        .into_iter()
        .map(|a| (a.membership_id, a))
        .collect())
}

#[derive(Debug, Default, Clone, PartialEq, Eq, QueryableByName)]
pub struct Totals {
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = BigInt)]
    pub attributed_orders: i64,
    #[diesel(sql_type = BigInt)]
    net_sales_hi: i64,
    #[diesel(sql_type = BigInt)]
    net_sales_lo: i64,
    #[diesel(sql_type = BigInt)]
    commission_hi: i64,
    #[diesel(sql_type = BigInt)]
    commission_lo: i64,
}

impl Totals {
    /// Attributed net sales after refunds; `None` when no `i64` holds the total
    /// (amounts stored before the door bounds).
    pub fn net_sales(&self) -> Option<i64> {
        wide_i64(self.net_sales_hi, self.net_sales_lo)
    }

    /// Commission after reversals; `None` when no `i64` holds the total.
    pub fn commission(&self) -> Option<i64> {
        wide_i64(self.commission_hi, self.commission_lo)
    }
}

#[derive(Debug, Clone, QueryableByName)]
struct TopAmbassadorRow {
    #[diesel(sql_type = Text)]
    membership_id: String,
    #[diesel(sql_type = Text)]
    display_name: String,
    #[diesel(sql_type = BigInt)]
    orders: i64,
    #[diesel(sql_type = BigInt)]
    net_sales_hi: i64,
    #[diesel(sql_type = BigInt)]
    net_sales_lo: i64,
    #[diesel(sql_type = BigInt)]
    commission_hi: i64,
    #[diesel(sql_type = BigInt)]
    commission_lo: i64,
}

#[derive(Debug, Clone)]
pub struct TopAmbassador {
    pub membership_id: String,
    pub display_name: String,
    pub orders: i64,
    pub net_sales: i64,
    pub commission: i64,
}

#[derive(Debug, QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The statement of [`totals`], with `bucket` (a trusted SQL expression over the day
/// `b.day`, never input) as a first column `bucket` and the group when given: the
/// statistics and their series sum the same way, in one place. Read from the running
/// totals ([`super::totals`]): a few rows per day, whatever the number of orders.
/// Binds: brand, currency, first day, last day.
pub(super) fn totals_sql(bucket: Option<&str>) -> String {
    let (column, group) = match bucket {
        Some(bucket) => (
            format!("{bucket} AS bucket, "),
            format!(" GROUP BY {bucket} HAVING SUM(b.orders) > 0 ORDER BY 1"),
        ),
        None => (String::new(), String::new()),
    };
    format!(
        "SELECT {column}CAST(COALESCE(SUM(b.orders), 0) AS BIGINT) AS orders, \
                CAST(COALESCE(SUM(b.attributed_orders), 0) AS BIGINT) AS attributed_orders, {}, {} \
         FROM brand_days b WHERE b.brand_id = $1 AND b.currency = $2 AND b.day >= $3 AND b.day <= $4{group}",
        sum_halves("b.net_sales_hi", "b.net_sales_lo", "net_sales"),
        sum_halves("b.commission_hi", "b.commission_lo", "commission"),
    )
}

/// Orders placed in the period in `currency`: all of them, the attributed ones, and
/// the attributed net sales and commission after refunds and reversals.
pub fn totals(conn: &mut DbConn, brand: BrandId, currency: &str, period: Period) -> QueryResult<Totals> {
    diesel::sql_query(totals_sql(None))
        .bind::<Text, _>(brand)
        .bind::<Text, _>(currency)
        .bind::<Text, _>(period.first_day())
        .bind::<Text, _>(period.last_day())
        .get_result(conn)
}

/// Clicks on the brand's links in the period, from the running totals.
pub fn clicks(conn: &mut DbConn, brand: BrandId, period: Period) -> QueryResult<i64> {
    let row: Count = diesel::sql_query(
        "SELECT CAST(COALESCE(SUM(clicks), 0) AS BIGINT) AS n FROM brand_click_days \
         WHERE brand_id = $1 AND day >= $2 AND day <= $3",
    )
    .bind::<Text, _>(brand)
    .bind::<Text, _>(period.first_day())
    .bind::<Text, _>(period.last_day())
    .get_result(conn)?;
    Ok(row.n)
}

pub fn rewards_granted(conn: &mut DbConn, brand: BrandId, period: Period) -> QueryResult<i64> {
    let row: Count = diesel::sql_query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM rewards WHERE brand_id = $1 AND earned_at >= $2 AND earned_at < $3",
    )
    .bind::<Text, _>(brand)
    .bind::<Timestamp, _>(period.start())
    .bind::<Timestamp, _>(period.end())
    .get_result(conn)?;
    Ok(row.n)
}

/// The ambassadors with the highest net sales in the period. Every ambassador's sums
/// are read from the running totals' order days (summed first, then named) and ranked
/// exactly here (a wide sum has no single column to sort on); an ambassador whose
/// figures no `i64` holds is left out and logged. The cost grows with the brand's
/// ambassador-days with orders in the period, not with its orders.
pub fn top_ambassadors(
    conn: &mut DbConn,
    brand: BrandId,
    currency: &str,
    period: Period,
    limit: usize,
) -> QueryResult<Vec<TopAmbassador>> {
    let rows: Vec<TopAmbassadorRow> = diesel::sql_query(format!(
        "SELECT t.membership_id AS membership_id, i.display_name AS display_name, t.orders, \
                t.net_sales_hi, t.net_sales_lo, t.commission_hi, t.commission_lo \
         FROM (SELECT d.membership_id, CAST(SUM(d.orders) AS BIGINT) AS orders, {}, {} \
               FROM order_days d \
               WHERE d.brand_id = $1 AND d.currency = $2 AND d.day >= $3 AND d.day <= $4 \
               GROUP BY d.membership_id HAVING SUM(d.orders) > 0) t \
         JOIN memberships m ON m.id = t.membership_id \
         JOIN influencers i ON i.id = m.influencer_id",
        sum_halves("d.net_sales_hi", "d.net_sales_lo", "net_sales"),
        sum_halves("d.commission_hi", "d.commission_lo", "commission"),
    ))
    .bind::<Text, _>(brand)
    .bind::<Text, _>(currency)
    .bind::<Text, _>(period.first_day())
    .bind::<Text, _>(period.last_day())
    .load(conn)?;
    let mut top: Vec<TopAmbassador> = rows
        .into_iter()
        .filter_map(|row| {
            let sums = wide_i64(row.net_sales_hi, row.net_sales_lo)
                .zip(wide_i64(row.commission_hi, row.commission_lo));
            if sums.is_none() {
                tracing::error!(membership = %row.membership_id, "an ambassador's figures are beyond any representable amount; left out of the statistics");
            }
            let (net_sales, commission) = sums?;
            Some(TopAmbassador {
                membership_id: row.membership_id,
                display_name: row.display_name,
                orders: row.orders,
                net_sales,
                commission,
            })
        })
        .collect();
    top.sort_by(|a, b| {
        b.net_sales
            .cmp(&a.net_sales)
            .then_with(|| a.membership_id.cmp(&b.membership_id))
    });
    top.truncate(limit);
    Ok(top)
}
