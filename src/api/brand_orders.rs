//! The brand's orders (brand JWT): the list, its CSV file and one order in full (the
//! statistics are [`super::brand_stats`]). Each handler parses the query, calls
//! one use case of [`crate::service::reports`] and renders it; a [`ReportError`] is
//! answered by its one mapping (see `me_reports`).
//!
//! [`ReportError`]: crate::service::reports::ReportError

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::extract::BrandUser;
use super::orders::{CommissionView, OrderResponse, candidates_of};
use super::pagination::{DEFAULT_LIMIT, MAX_LIMIT, Page};
use super::{ApiError, FieldError};
use crate::api::AppState;
use crate::api::csv_export;
use crate::domain::status::OrderStatus;
use crate::service::paging::PageRequest;
use crate::service::reports::{
    self, BrandOrder, BrandOrderDetail, BrandOrdersQuery, EntryLine, OrderLine, OrdersCsvQuery, RefundLine, ReviewLine,
};
use crate::store::Db;
use crate::store::ids::{MembershipId, OrderId};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrdersQuery {
    pub ambassador_id: Option<String>,
    pub code: Option<String>,
    pub status: Option<String>,
    /// Orders placed at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Orders placed before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn order_view(o: BrandOrder) -> OrderResponse {
    OrderResponse::from_row(
        &o.order,
        o.code,
        CommissionView {
            amount: o.order.commission,
            currency: o.order.commission_currency().to_owned(),
            rate: o.order.commission_rate.clone(),
            status: o.status.as_str(),
            terms_version: o.order.terms_version,
            available_at: o.available_at,
        },
        candidates_of(&o.order),
    )
}

/// The filters the list and its CSV file share, parsed; each bad one is recorded in
/// `errors`. Returns (ambassador, status).
fn parse_filters(
    ambassador_id: Option<&str>,
    status: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> (Option<MembershipId>, Option<OrderStatus>) {
    let membership = ambassador_id.and_then(|a| {
        a.parse::<MembershipId>()
            .map_err(|_| errors.push(FieldError::new("ambassador_id", "must be an ambassador id")))
            .ok()
    });
    let status = status.and_then(|s| {
        OrderStatus::parse_filter(s)
            .map_err(|message| errors.push(FieldError::new("status", message)))
            .ok()
    });
    (membership, status)
}

/// `GET /v1/brand/orders`: newest first; filters `ambassador_id`, `code`, `status`
/// (pending, held, approved, paid, reversed, rejected, none), `from`/`to` on `placed_at`.
pub async fn list_brand_orders(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<OrdersQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = Vec::new();
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.push(FieldError::new("limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    let before = q.cursor.as_deref().filter(|c| !c.is_empty()).and_then(|c| {
        c.parse::<OrderId>()
            .map_err(|_| errors.push(FieldError::new("cursor", "is not a cursor from this list")))
            .ok()
    });
    let (membership, status) = parse_filters(q.ambassador_id.as_deref(), q.status.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let query = BrandOrdersQuery {
        brand: user.brand_id,
        ambassador: membership,
        code: q.code,
        status,
        placed_from: q.from,
        placed_before: q.to,
        page: PageRequest { limit, after: before },
    };
    let orders = reports::brand_orders(&state.db, query).await?;
    Ok(HttpResponse::Ok().json(Page::from_paged(orders, order_view)))
}

/// The query of `GET /v1/brand/orders.csv`: the list's filters, no page.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrdersCsvParams {
    pub ambassador_id: Option<String>,
    pub code: Option<String>,
    pub status: Option<String>,
    /// Orders placed at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Orders placed before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

/// `GET /v1/brand/orders.csv`: every order the list's filters match, newest first,
/// streamed as the service reads it (rows built by [`reports::orders_csv`]).
pub async fn download_brand_orders(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<OrdersCsvParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = Vec::new();
    let (ambassador, status) = parse_filters(q.ambassador_id.as_deref(), q.status.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let query = OrdersCsvQuery {
        brand: user.brand_id,
        ambassador,
        code: q.code,
        status,
        placed_from: q.from,
        placed_before: q.to,
    };
    Ok(orders_csv(&state.db, query))
}

/// The streamed orders file of `query`: the one answer of every door that offers it
/// (this route, and the console's download), so the files are the same byte for byte.
pub fn orders_csv(db: &Db, query: OrdersCsvQuery) -> HttpResponse {
    let pages = reports::orders_csv(db, query);
    csv_export::stream(
        pages,
        reports::ORDERS_CSV_FILENAME,
        Some(reports::ORDERS_CSV_HEADER),
        Ok,
    )
}

#[derive(Debug, Serialize)]
pub struct OrderLineView {
    pub sku: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub unit_price: i64,
    /// The commission rate this line earned (decimal string), when attributed.
    pub rate: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct RefundView {
    pub id: String,
    pub refund_id: String,
    pub amount: i64,
    pub reversal: i64,
    pub lines: Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct LedgerEntryView {
    pub id: String,
    /// Whose entry (a recruiter's `override` on the order is theirs).
    pub ambassador_id: MembershipId,
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub available_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub payout_id: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Why, for an entry a brand user made (the reversal of a rejection).
    pub reason: Option<String>,
    /// The brand user who made it.
    pub created_by: Option<String>,
}

/// One action of the brand's review of the commission.
#[derive(Debug, Serialize)]
pub struct ReviewView {
    pub action: &'static str,
    pub reason: Option<String>,
    pub acted_by: Option<String>,
    /// For a reassignment: the ambassador the order had (`null` when it had none) and
    /// the one it went to.
    pub from_ambassador_id: Option<String>,
    pub to_ambassador_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: OrderResponse,
    pub lines: Vec<OrderLineView>,
    pub refunds: Vec<RefundView>,
    pub ledger_entries: Vec<LedgerEntryView>,
    /// Every hold, release and rejection of the commission, oldest first.
    pub reviews: Vec<ReviewView>,
}

/// `GET /v1/brand/orders/{id}`: the order with its lines, refunds, ledger entries and
/// the attribution record.
pub async fn get_brand_order(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<OrderId>,
) -> Result<HttpResponse, ApiError> {
    let detail = reports::brand_order(&state.db, user.brand_id, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(OrderDetail::from(detail)))
}

impl From<BrandOrderDetail> for OrderDetail {
    fn from(d: BrandOrderDetail) -> Self {
        Self {
            order: order_view(d.order),
            lines: d.lines.into_iter().map(OrderLineView::from).collect(),
            refunds: d.refunds.into_iter().map(RefundView::from).collect(),
            ledger_entries: d.entries.into_iter().map(LedgerEntryView::from).collect(),
            reviews: d.reviews.into_iter().map(ReviewView::from).collect(),
        }
    }
}

impl From<OrderLine> for OrderLineView {
    fn from(l: OrderLine) -> Self {
        Self {
            sku: l.sku,
            category: l.category,
            quantity: l.quantity,
            unit_price: l.unit_price,
            rate: l.rate,
        }
    }
}

impl From<RefundLine> for RefundView {
    fn from(r: RefundLine) -> Self {
        Self {
            id: r.id.to_string(),
            refund_id: r.refund_id,
            amount: r.amount,
            reversal: r.reversal,
            lines: r.lines,
            created_at: r.created_at,
        }
    }
}

impl From<EntryLine> for LedgerEntryView {
    fn from(e: EntryLine) -> Self {
        Self {
            id: e.id.to_string(),
            ambassador_id: e.ambassador_id,
            kind: e.kind.as_str().to_owned(),
            amount: e.amount,
            currency: e.currency,
            available_at: e.available_at,
            approved_at: e.approved_at,
            payout_id: e.payout_id,
            created_at: e.created_at,
            reason: e.reason,
            created_by: e.created_by.map(|u| u.to_string()),
        }
    }
}

impl From<ReviewLine> for ReviewView {
    fn from(r: ReviewLine) -> Self {
        Self {
            action: r.action.as_str(),
            reason: r.reason,
            acted_by: r.acted_by.map(|u| u.to_string()),
            from_ambassador_id: r.from.map(|m| m.to_string()),
            to_ambassador_id: r.to.map(|m| m.to_string()),
            created_at: r.created_at,
        }
    }
}
