//! The influencer's attributed orders with where each commission stands: the newest of
//! each dashboard entry, the paged list of `GET /v1/me/orders` (by brand and status)
//! and one order of `GET /v1/me/orders/{id}`. No customer data.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};

use super::membership_ids;
use super::sql::Statement;
use crate::domain::status::{EntryState, OrderState, OrderStatus};
use crate::store::DbConn;
use crate::store::ids::{BrandId, InfluencerId, MembershipId, OrderId};
use crate::store::reviews::{self, Review};
use crate::store::status_sql::order_has_status;

/// Orders shown under "recent orders" per brand and currency.
pub const RECENT_ORDERS: i64 = 10;

/// An attributed order with its commission entry's state and its reversals. No
/// customer data.
#[derive(Debug, Clone, QueryableByName)]
pub struct OrderSummary {
    #[diesel(sql_type = Text)]
    pub id: OrderId,
    /// The shop's order id.
    #[diesel(sql_type = Text)]
    pub order_id: String,
    #[diesel(sql_type = Text)]
    pub membership_id: MembershipId,
    #[diesel(sql_type = Text)]
    pub brand_id: BrandId,
    #[diesel(sql_type = Text)]
    pub brand_name: String,
    /// The program's currency: the order's, or the one it was converted into. The
    /// net, commission and refunds here are in it.
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Timestamp)]
    pub placed_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    pub net_amount: i64,
    #[diesel(sql_type = BigInt)]
    pub commission: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub commission_rate: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub terms_version: Option<i32>,
    #[diesel(sql_type = Text)]
    pub attribution_method: String,
    #[diesel(sql_type = Text)]
    pub attribution_reason: String,
    /// The commission entry, if the order earned one.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub entry_amount: Option<i64>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub available_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub approved_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    pub paid_out_in: Option<String>,
    /// −Σ reversal entries of the order (a positive number).
    #[diesel(sql_type = BigInt)]
    pub reversed: i64,
    /// Σ refunds of the order (in `currency`).
    #[diesel(sql_type = BigInt)]
    pub refunded: i64,
    /// The net and Σ refunds in the order's own currency, which say whether it is fully
    /// refunded (as the brand's lists and [`order_has_status`] judge it).
    #[diesel(sql_type = BigInt)]
    pub order_net: i64,
    /// The currency the order was placed in (its lines and refunds are in it), and the
    /// rate its net was converted into `currency` at when the two differ.
    #[diesel(sql_type = Text)]
    pub order_currency: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub fx_rate: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub order_refunded: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub review: Option<Review>,
}

impl OrderSummary {
    /// What the row says about the order's commission, for
    /// [`crate::domain::status::OrderStatus::of`].
    pub fn state(&self) -> OrderState {
        OrderState {
            commission: self.entry_amount.map(|_| EntryState {
                approved: self.approved_at.is_some(),
                paid_out: self.paid_out_in.is_some(),
            }),
            net: self.order_net,
            refunded: self.order_refunded,
            review: reviews::fact(self.review),
        }
    }
}

/// The columns of [`OrderSummary`] over the orders a caller picks: the caller goes on
/// with the `WHERE`, `ORDER BY` and `LIMIT` of the inner `SELECT … FROM orders o`, then
/// [`ORDER_SUMMARY_JOINS`]. Picking the orders before joining their entries keeps the
/// plan a walk down an index and a join of the rows kept, whatever the planner knows:
/// with the join outside, PostgreSQL without fresh statistics (after a bulk load or a
/// restore) joined every order of the ambassador before keeping ten (4.5 s at 16 k).
///
/// Figures are the ambassador's, in their program's currency: an order converted into
/// it shows its converted net and refunds (`fx_net`, `fx_amount`).
const ORDER_SUMMARY: &str = "SELECT o.id, o.order_id, o.membership_id, o.brand_id, b.name AS brand_name, \
       COALESCE(o.fx_currency, o.currency) AS currency, \
       o.placed_at, COALESCE(o.fx_net, o.net_amount) AS net_amount, o.commission, o.commission_rate, o.terms_version, \
       o.attribution_method, o.attribution_reason, \
       c.amount AS entry_amount, c.available_at, c.approved_at, c.paid_out_in, \
       CAST(COALESCE((SELECT SUM(-r.amount) FROM ledger_entries r \
                      WHERE r.order_id = o.id AND r.membership_id = o.membership_id AND r.kind = 'reversal'), 0) \
               AS BIGINT) AS reversed, \
       CAST(COALESCE((SELECT SUM(COALESCE(f.fx_amount, f.amount)) FROM refunds f WHERE f.order_id = o.id), 0) \
               AS BIGINT) AS refunded, \
       o.net_amount AS order_net, o.currency AS order_currency, o.fx_rate, \
       CAST(COALESCE((SELECT SUM(f.amount) FROM refunds f WHERE f.order_id = o.id), 0) AS BIGINT) AS order_refunded, \
       o.review \
     FROM (SELECT o.* FROM orders o";

/// Closes the inner selection of [`ORDER_SUMMARY`] and joins the brand and the
/// commission entry of each order kept.
const ORDER_SUMMARY_JOINS: &str = ") o \
     JOIN brands b ON b.id = o.brand_id \
     LEFT JOIN ledger_entries c ON c.order_id = o.id AND c.membership_id = o.membership_id AND c.kind = 'commission'";

/// The newest orders of each (membership, currency), by placing time: one branch per
/// pair, each a short walk down the `(membership_id, placed_at)` index.
pub(super) fn recent_orders(conn: &mut DbConn, entries: &[(MembershipId, String)]) -> QueryResult<Vec<OrderSummary>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    Statement::union_all(entries, |branch, (membership, currency)| {
        branch
            .sql(ORDER_SUMMARY)
            .sql(" WHERE o.membership_id = ")
            .param::<Text, _>(*membership)
            .sql(" AND COALESCE(o.fx_currency, o.currency) = ")
            .param::<Text, _>(currency.clone())
            .sql(" ORDER BY o.placed_at DESC, o.id DESC LIMIT ")
            .param::<BigInt, _>(RECENT_ORDERS)
            .sql(ORDER_SUMMARY_JOINS)
            .sql(" ORDER BY o.placed_at DESC, o.id DESC")
    })
    .query
    .load(conn)
}

/// Which of the influencer's orders [`list_orders`] reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct MyOrderFilter {
    /// Only this brand's.
    pub brand: Option<BrandId>,
    /// Only orders whose commission stands here, by the domain's rule.
    pub status: Option<OrderStatus>,
}

/// A page of the influencer's attributed orders (narrowed by `filter`), newest first by
/// id (UUIDv7, so creation order), strictly before `before`. Orders recorded while a
/// client pages have newer ids, so pages neither repeat nor skip.
pub fn list_orders(
    conn: &mut DbConn,
    influencer: InfluencerId,
    filter: MyOrderFilter,
    before: Option<OrderId>,
    limit: i64,
) -> QueryResult<Vec<OrderSummary>> {
    let memberships = membership_ids(conn, influencer, filter.brand)?;
    if memberships.is_empty() {
        return Ok(Vec::new());
    }
    // The status rule as SQL over `o`: trusted constant fragments, not input.
    let status = filter.status.map(|status| order_has_status("o", status));
    // Each branch reads at most `limit` rows off its own membership's index range.
    Statement::union_all(memberships, |branch, membership| {
        let branch = branch
            .sql(ORDER_SUMMARY)
            .sql(" WHERE o.membership_id = ")
            .param::<Text, _>(membership);
        let branch = match before {
            Some(before) => branch.sql(" AND o.id < ").param::<Text, _>(before),
            None => branch,
        };
        let branch = match &status {
            Some(status) => branch.sql(" AND ").sql(status),
            None => branch,
        };
        branch
            .sql(" ORDER BY o.id DESC LIMIT ")
            .param::<BigInt, _>(limit)
            .sql(ORDER_SUMMARY_JOINS)
    })
    .sql(" ORDER BY id DESC LIMIT ")
    .param::<BigInt, _>(limit)
    .query
    .load(conn)
}

/// The order `id` if it is attributed to one of the influencer's memberships (ended
/// ones included); another influencer's order is `None`, as is no order.
pub fn find_order(conn: &mut DbConn, influencer: InfluencerId, id: OrderId) -> QueryResult<Option<OrderSummary>> {
    Statement::new(ORDER_SUMMARY)
        .sql(" WHERE o.id = ")
        .param::<Text, _>(id)
        .sql(" AND o.membership_id IN ")
        .memberships_of(influencer, None)
        .sql(ORDER_SUMMARY_JOINS)
        .query
        .get_result(conn)
        .optional()
}
