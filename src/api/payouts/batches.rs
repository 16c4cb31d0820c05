//! `POST|GET /v1/brand/payouts`, `GET /v1/brand/payouts/{id}` (JSON, or one of the files
//! in [`super::files`]), and the paid and cancel transitions.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::files;
use crate::api::extract::{BrandUser, Json};
use crate::api::money::KindAmounts;
use crate::api::pagination::{Page, PageQuery};
use crate::api::{ApiError, AppState};
use crate::domain::Currency;
use crate::service::payouts::{self as service, Batch, ListedPayout, Payout, PayoutItem};
use crate::store::ids::{MembershipId, PayoutId};
use crate::store::payouts::PayoutStatus;

#[derive(Debug, Serialize)]
pub struct PayoutItemResponse {
    pub ambassador_id: MembershipId,
    pub display_name: String,
    pub payout_email: String,
    pub amount: i64,
    /// How many ledger entries the amount pays.
    pub entries: i32,
    /// The amount split by what moved the money; the parts add up to `amount`.
    pub by_kind: KindAmounts,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
}

impl From<PayoutItem> for PayoutItemResponse {
    fn from(item: PayoutItem) -> Self {
        Self {
            ambassador_id: item.membership_id,
            display_name: item.display_name,
            payout_email: item.payout_email,
            amount: item.amount,
            entries: item.entries,
            by_kind: item.by_kind.into(),
            period_start: item.period_start,
            period_end: item.period_end,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PayoutResponse {
    pub id: PayoutId,
    pub currency: String,
    pub status: PayoutStatus,
    pub total: i64,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Present on a single batch; lists show `item_count` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<PayoutItemResponse>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_count: Option<i64>,
}

impl PayoutResponse {
    fn new(payout: Payout, items: Option<Vec<PayoutItem>>, item_count: Option<i64>) -> Self {
        Self {
            id: payout.id,
            currency: payout.currency,
            status: payout.status,
            total: payout.total,
            created_at: payout.created_at,
            paid_at: payout.paid_at,
            cancelled_at: payout.cancelled_at,
            items: items.map(|items| items.into_iter().map(PayoutItemResponse::from).collect()),
            item_count,
        }
    }
}

impl From<Batch> for PayoutResponse {
    fn from(batch: Batch) -> Self {
        let count = i64::try_from(batch.items.len()).ok();
        Self::new(batch.payout, Some(batch.items), count)
    }
}

impl From<ListedPayout> for PayoutResponse {
    fn from(listed: ListedPayout) -> Self {
        Self::new(listed.payout, None, Some(listed.item_count))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePayoutRequest {
    pub currency: String,
}

/// `POST /v1/brand/payouts`
pub async fn create_payout(
    state: web::Data<AppState>,
    user: BrandUser,
    Json(body): Json<CreatePayoutRequest>,
) -> Result<HttpResponse, ApiError> {
    let currency = Currency::parse(&body.currency).map_err(|m| ApiError::field("currency", m))?;
    let batch = service::create(&state.db, user.brand_id, currency, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(PayoutResponse::from(batch)))
}

/// `GET /v1/brand/payouts`: newest first.
pub async fn list_payouts(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = query.parse::<PayoutId>()?;
    let listed = service::list(&state.db, user.brand_id, after, limit + 1).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        listed,
        limit,
        |l| l.payout.id.to_string(),
        PayoutResponse::from,
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayoutFormatQuery {
    pub format: Option<String>,
    /// PayPal files hold at most 5,000 rows: `part` (1, 2, …) picks one of them.
    pub part: Option<i64>,
}

enum Format {
    Json,
    Csv,
    PayPal,
}

fn format_of(req: &HttpRequest, query: Option<&str>) -> Result<Format, ApiError> {
    match query {
        Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some("paypal") => Ok(Format::PayPal),
        Some(_) => Err(ApiError::field("format", "must be one of json, csv, paypal")),
        None => {
            let wants_csv = req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|accept| accept.contains("text/csv"));
            Ok(if wants_csv { Format::Csv } else { Format::Json })
        }
    }
}

/// `GET /v1/brand/payouts/{id}`: JSON, or the file (`?format=csv` or `Accept:
/// text/csv`), or PayPal Payouts' bulk layout (`?format=paypal`).
pub async fn get_payout(
    state: web::Data<AppState>,
    user: BrandUser,
    req: HttpRequest,
    id: web::Path<PayoutId>,
    query: web::Query<PayoutFormatQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    match format_of(&req, query.format.as_deref())? {
        Format::Json => {
            let batch = service::get(&state.db, user.brand_id, id).await?;
            Ok(HttpResponse::Ok().json(PayoutResponse::from(batch)))
        }
        Format::Csv => files::payout_csv(&state, user, id).await,
        Format::PayPal => files::paypal_csv(&state, user, id, query.part).await,
    }
}

/// `POST /v1/brand/payouts/{id}/paid`: the brand paid it; its entries become paid.
pub async fn mark_payout_paid(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<PayoutId>,
) -> Result<HttpResponse, ApiError> {
    let batch = service::mark_paid(&state.db, &user.actor, id.into_inner(), state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(PayoutResponse::from(batch)))
}

/// `POST /v1/brand/payouts/{id}/cancel`: only while pending; releases its entries.
pub async fn cancel_payout(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<PayoutId>,
) -> Result<HttpResponse, ApiError> {
    let batch = service::cancel(&state.db, user.brand_id, id.into_inner(), state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(PayoutResponse::from(batch)))
}
