//! The brand's reports: its orders (filtered, paged) and one order in full (the
//! statistics are [`super::brand_stats`], the CSV file [`super::brand_csv`]). Only the
//! caller's brand is ever read.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::ReportError;
use crate::domain::codes::normalize_lookup;
use crate::domain::status::{EntryState, OrderState, OrderStatus};
use crate::service::paging::{PageRequest, Paged};
use crate::store::brand_reports::{self, OrderFacts, OrderFilter};
use crate::store::ids::{BrandId, BrandUserId, LedgerEntryId, MembershipId, OrderId, RefundId};
use crate::store::ledger::{EntryKind, LedgerEntryRow};
use crate::store::orders::{self, OrderLineRow, OrderRow};
use crate::store::refunds::RefundRow;
use crate::store::reviews::{self, ReviewAction, ReviewRow};
use crate::store::{Db, DbConn, ledger, refunds, time};

/// `GET /v1/brand/orders`: the brand's orders, newest first, narrowed by every filter
/// given.
#[derive(Debug, Clone)]
pub struct BrandOrdersQuery {
    pub brand: BrandId,
    pub ambassador: Option<MembershipId>,
    /// A code as the brand typed it; one that cannot exist matches nothing.
    pub code: Option<String>,
    pub status: Option<OrderStatus>,
    /// Placed at or after.
    pub placed_from: Option<DateTime<Utc>>,
    /// Placed before.
    pub placed_before: Option<DateTime<Utc>>,
    pub page: PageRequest<OrderId>,
}

/// An order as its brand sees it, with the code it came through and where its
/// commission stands.
#[derive(Debug, Clone)]
pub struct BrandOrder {
    pub order: OrderRow,
    pub code: Option<String>,
    /// The ambassador's display name, when attributed.
    pub ambassador_name: Option<String>,
    pub status: OrderStatus,
    /// When the commission becomes (or became) payable; `None` without a commission.
    pub available_at: Option<DateTime<Utc>>,
}

impl BrandOrder {
    pub(super) fn of(order: OrderRow, facts: &OrderFacts) -> Self {
        let commission = facts.commissions.get(&order.id);
        let state = OrderState {
            commission: commission.map(entry_state),
            net: order.net_amount,
            refunded: facts.refunded.get(&order.id).copied().unwrap_or(0),
            review: reviews::fact(order.review),
        };
        Self {
            code: order.code_id.and_then(|c| facts.codes.get(&c).cloned()),
            ambassador_name: order
                .membership_id
                .and_then(|m| facts.ambassadors.get(&m))
                .map(|a| a.display_name.clone()),
            status: OrderStatus::of(state),
            available_at: commission.map(|e| time::from_db(e.available_at)),
            order,
        }
    }
}

fn entry_state(entry: &LedgerEntryRow) -> EntryState {
    EntryState {
        approved: entry.approved_at.is_some(),
        paid_out: entry.paid_out_in.is_some(),
    }
}

/// The store's filter for the filters of [`BrandOrdersQuery`] (the list and its CSV
/// file take the same ones); `None` when they match nothing.
pub(super) fn order_filter(
    ambassador: Option<MembershipId>,
    code: Option<&str>,
    status: Option<OrderStatus>,
    placed_from: Option<DateTime<Utc>>,
    placed_before: Option<DateTime<Utc>>,
) -> Option<OrderFilter> {
    let code = match code.map(normalize_lookup) {
        // A code that cannot exist matches nothing rather than everything.
        Some(None) => return None,
        Some(Some(code)) => Some(code.as_str().to_owned()),
        None => None,
    };
    Some(OrderFilter {
        membership: ambassador,
        code,
        status,
        from: placed_from.map(time::to_db),
        to: placed_before.map(time::to_db),
    })
}

pub async fn brand_orders(db: &Db, query: BrandOrdersQuery) -> Result<Paged<BrandOrder, OrderId>, ReportError> {
    let Some(filter) = order_filter(
        query.ambassador,
        query.code.as_deref(),
        query.status,
        query.placed_from,
        query.placed_before,
    ) else {
        return Ok(Paged::empty());
    };
    let page = query.page;
    let (rows, facts) = db
        .read(move |conn| {
            let rows = brand_reports::list_orders(conn, query.brand, &filter, page.after, page.fetch())?;
            let facts = brand_reports::facts(conn, &rows)?;
            Ok::<_, ReportError>((rows, facts))
        })
        .await?;
    Ok(Paged::from_rows(rows, page.limit, |o| o.id).map(|o| BrandOrder::of(o, &facts)))
}

/// `GET /v1/brand/orders/{id}`: the order with its lines, refunds and ledger entries.
#[derive(Debug, Clone)]
pub struct BrandOrderDetail {
    pub order: BrandOrder,
    pub lines: Vec<OrderLine>,
    pub refunds: Vec<RefundLine>,
    pub entries: Vec<EntryLine>,
    /// Every review action on the commission (hold, release, reject), oldest first.
    pub reviews: Vec<ReviewLine>,
}

/// One action of the brand's review of an order's commission.
#[derive(Debug, Clone)]
pub struct ReviewLine {
    pub action: ReviewAction,
    pub reason: Option<String>,
    /// The brand user who acted.
    pub acted_by: Option<BrandUserId>,
    /// For a reassignment: the ambassador the order had, and the one it went to.
    pub from: Option<MembershipId>,
    pub to: Option<MembershipId>,
    pub created_at: DateTime<Utc>,
}

impl From<ReviewRow> for ReviewLine {
    fn from(r: ReviewRow) -> Self {
        Self {
            action: r.action,
            reason: r.reason,
            acted_by: r.acted_by,
            from: r.from_membership_id,
            to: r.to_membership_id,
            created_at: time::from_db(r.created_at),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OrderLine {
    pub sku: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub unit_price: i64,
    /// The commission rate this line earned (decimal string), when attributed.
    pub rate: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RefundLine {
    pub id: RefundId,
    /// The shop's refund id.
    pub refund_id: String,
    pub amount: i64,
    pub reversal: i64,
    /// The refunded lines as stored (JSON), `Null` for a refund of an amount.
    pub lines: Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct EntryLine {
    pub id: LedgerEntryId,
    /// Whose entry: the order's ambassador, an ambassador it was moved away from, or a
    /// recruiter's override.
    pub ambassador_id: MembershipId,
    pub kind: EntryKind,
    pub amount: i64,
    pub currency: String,
    pub available_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub payout_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Why, for an entry a brand user made (a rejection's reversal).
    pub reason: Option<String>,
    pub created_by: Option<BrandUserId>,
}

impl From<OrderLineRow> for OrderLine {
    fn from(l: OrderLineRow) -> Self {
        Self {
            sku: l.sku,
            category: l.category,
            quantity: l.quantity,
            unit_price: l.unit_price,
            rate: l.rate,
        }
    }
}

impl From<RefundRow> for RefundLine {
    fn from(r: RefundRow) -> Self {
        Self {
            id: r.id,
            refund_id: r.refund_id,
            amount: r.amount,
            reversal: r.reversal,
            lines: r
                .lines
                .and_then(|l| serde_json::from_str(&l).ok())
                .unwrap_or(Value::Null),
            created_at: time::from_db(r.created_at),
        }
    }
}

impl From<LedgerEntryRow> for EntryLine {
    fn from(e: LedgerEntryRow) -> Self {
        Self {
            id: e.id,
            ambassador_id: e.membership_id,
            kind: e.kind,
            amount: e.amount,
            currency: e.currency,
            available_at: time::from_db(e.available_at),
            approved_at: e.approved_at.map(time::from_db),
            payout_id: e.paid_out_in,
            created_at: time::from_db(e.created_at),
            reason: e.reason,
            created_by: e.created_by,
        }
    }
}

pub async fn brand_order(db: &Db, brand: BrandId, id: OrderId) -> Result<BrandOrderDetail, ReportError> {
    db.read(move |conn| brand_order_in(conn, brand, id)).await
}

/// [`brand_order`] inside the caller's unit of work (the review actions answer with
/// the order as they left it).
pub fn brand_order_in(conn: &mut DbConn, brand: BrandId, id: OrderId) -> Result<BrandOrderDetail, ReportError> {
    let order = orders::find(conn, brand, id)?.ok_or(ReportError::OrderNotFound)?;
    let facts = brand_reports::facts(conn, std::slice::from_ref(&order))?;
    let lines = orders::lines(conn, order.id)?;
    let refund_rows = refunds::list_for_order(conn, order.id)?;
    let entries = ledger::for_order(conn, order.id)?;
    let history = reviews::history(conn, order.id)?;
    Ok(BrandOrderDetail {
        order: BrandOrder::of(order, &facts),
        lines: lines.into_iter().map(OrderLine::from).collect(),
        refunds: refund_rows.into_iter().map(RefundLine::from).collect(),
        entries: entries.into_iter().map(EntryLine::from).collect(),
        reviews: history.into_iter().map(ReviewLine::from).collect(),
    })
}
