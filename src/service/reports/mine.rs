//! The influencer's own reports besides the dashboard: the attributed orders with
//! where each commission stands, and the earnings statement. Only the signed-in
//! influencer's memberships are read; no customer data is shown.

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::Receiver;

use super::ReportError;
use crate::domain::Currency;
use crate::domain::money::Money;
use crate::domain::status::{EntryStatus, OrderStatus};
use crate::service::paging::{PageRequest, Paged};
use crate::store::dashboard::{self, MyOrderFilter, OrderSummary, StatementEntry};
use crate::store::ids::{BrandId, InfluencerId, LedgerEntryId, OrderId};
use crate::store::ledger::EntryKind;
use crate::store::{Db, DbConn, StoreError, time};

/// Ledger entries per page of the statement.
pub const STATEMENT_PAGE: i64 = 1000;

/// `GET /v1/me/orders`: the influencer's attributed orders across brands (or in one),
/// newest first, optionally only those whose commission has one status.
#[derive(Debug, Clone, Copy)]
pub struct MyOrdersQuery {
    pub influencer: InfluencerId,
    pub brand: Option<BrandId>,
    pub status: Option<OrderStatus>,
    pub page: PageRequest<OrderId>,
}

/// An attributed order as its ambassador sees it.
#[derive(Debug, Clone)]
pub struct MyOrder {
    pub id: OrderId,
    /// The shop's order id.
    pub order_id: String,
    pub brand_id: BrandId,
    pub brand_name: String,
    /// The program's currency: the net, commission and reversals are in it.
    pub currency: String,
    /// The currency the order was placed in: its lines and refunds are in it.
    pub order_currency: String,
    /// The rate the net was converted from `order_currency` at, when they differ.
    pub fx_rate: Option<String>,
    pub placed_at: DateTime<Utc>,
    pub net_amount: i64,
    /// The rate every line earned; `None` for flat commissions or mixed rates.
    pub rate: Option<String>,
    pub terms_version: Option<i32>,
    /// The commission the order earned, before reversals.
    pub commission: i64,
    /// Reversed by refunds so far (positive).
    pub reversed: i64,
    pub status: OrderStatus,
    /// When the commission becomes (or became) payable; `None` without a commission.
    pub available_at: Option<DateTime<Utc>>,
    pub attribution_method: String,
    pub attribution_reason: String,
}

impl From<OrderSummary> for MyOrder {
    fn from(o: OrderSummary) -> Self {
        Self {
            status: OrderStatus::of(o.state()),
            id: o.id,
            order_id: o.order_id,
            brand_id: o.brand_id,
            brand_name: o.brand_name,
            currency: o.currency,
            order_currency: o.order_currency,
            fx_rate: o.fx_rate,
            placed_at: time::from_db(o.placed_at),
            net_amount: o.net_amount,
            rate: o.commission_rate,
            terms_version: o.terms_version,
            commission: o.commission,
            reversed: o.reversed,
            available_at: o.available_at.map(time::from_db),
            attribution_method: o.attribution_method,
            attribution_reason: o.attribution_reason,
        }
    }
}

/// One page of the query's orders, read in `conn`'s snapshot.
fn orders_page(conn: &mut DbConn, query: MyOrdersQuery) -> Result<Paged<MyOrder, OrderId>, ReportError> {
    let MyOrdersQuery {
        influencer,
        brand,
        status,
        page,
    } = query;
    let filter = MyOrderFilter { brand, status };
    let rows = dashboard::list_orders(conn, influencer, filter, page.after, page.fetch())?;
    Ok(Paged::from_rows(rows, page.limit, |o| o.id).map(MyOrder::from))
}

pub async fn my_orders(db: &Db, query: MyOrdersQuery) -> Result<Paged<MyOrder, OrderId>, ReportError> {
    db.read(move |conn| orders_page(conn, query)).await
}

/// A brand the influencer is (or was) an ambassador of: a choice of the orders' brand
/// filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyBrand {
    pub id: BrandId,
    pub name: String,
}

/// A page of orders with every brand the influencer could filter them by.
#[derive(Debug, Clone)]
pub struct MyOrdersWithBrands {
    pub orders: Paged<MyOrder, OrderId>,
    /// By name, each brand once (a membership ended and begun again is one brand).
    pub brands: Vec<MyBrand>,
}

/// The portal's orders page: [`my_orders`] and the brands of the filter, in one
/// snapshot.
pub async fn my_orders_with_brands(db: &Db, query: MyOrdersQuery) -> Result<MyOrdersWithBrands, ReportError> {
    db.read(move |conn| {
        let mut brands: Vec<MyBrand> = dashboard::memberships_of(conn, query.influencer, None)?
            .into_iter()
            .map(|m| MyBrand {
                id: m.brand_id,
                name: m.brand_name,
            })
            .collect();
        brands.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        brands.dedup_by(|a, b| a.id == b.id);
        let orders = orders_page(conn, query)?;
        Ok(MyOrdersWithBrands { orders, brands })
    })
    .await
}

/// One ledger entry of the statement.
#[derive(Debug, Clone)]
pub struct StatementLine {
    pub id: LedgerEntryId,
    pub created_at: DateTime<Utc>,
    pub brand_name: String,
    pub kind: EntryKind,
    /// The shop's order id, for entries of an order.
    pub order_id: Option<String>,
    pub amount: Money,
    pub status: EntryStatus,
    pub available_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub payout_id: Option<String>,
    /// The brand's reason, for an adjustment, a bonus or a rejection.
    pub reason: Option<String>,
}

impl StatementLine {
    pub(crate) fn of(row: StatementEntry) -> Result<Self, StoreError> {
        let currency = Currency::parse(&row.currency)
            .map_err(|e| StoreError::Corrupt(format!("ledger entry {} currency: {e}", row.id)))?;
        Ok(Self {
            status: EntryStatus::of(row.state()),
            id: row.id,
            created_at: time::from_db(row.created_at),
            brand_name: row.brand_name,
            kind: row.kind,
            order_id: row.order_id,
            amount: Money::new(row.amount, currency),
            available_at: time::from_db(row.available_at),
            approved_at: row.approved_at.map(time::from_db),
            payout_id: row.paid_out_in,
            reason: row.reason,
        })
    }
}

/// One page of the statement after the entry `cursor`, and the cursor of the next.
fn statement_page(
    conn: &mut DbConn,
    influencer: InfluencerId,
    cursor: Option<String>,
) -> Result<(Vec<StatementLine>, Option<String>), ReportError> {
    let after = cursor
        .map(|c| c.parse::<LedgerEntryId>())
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("statement cursor: {e}")))?;
    let rows = dashboard::statement_entries(conn, influencer, after, STATEMENT_PAGE + 1)?;
    let page = Paged::from_rows(rows, STATEMENT_PAGE, |r| r.id.to_string());
    let lines = page
        .items
        .into_iter()
        .map(StatementLine::of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((lines, page.next))
}

/// `GET /v1/me/earnings.csv`: every ledger entry of the influencer, oldest first, page
/// by page (each page its own snapshot), for a download too large to hold in memory.
pub fn statement_pages(db: &Db, influencer: InfluencerId) -> Receiver<Result<Vec<StatementLine>, ReportError>> {
    db.read_pages(move |conn, cursor| statement_page(conn, influencer, cursor))
}
