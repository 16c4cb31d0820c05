//! `POST /v1/checkout/orders`: the request parsed into a [`RecordOrder`].
//!
//! Retries never double-count (see [`crate::service::orders`]): a replay answers the
//! first answer byte for byte with `Idempotent-Replayed: true`.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::{OrderResponse, created, respond};
use crate::api::checkout::{LineRequest, parse_cart};
use crate::api::extract::{ApiKey, HashedJson, idempotency_key};
use crate::api::{ApiError, AppState, ErrorCode, FieldError};
use crate::domain::commission::CommissionError;
use crate::domain::fx::FxRate;
use crate::domain::money::bounded_amount;
use crate::domain::shop_id::parse_shop_id;
use crate::domain::text::without_invisible;
use crate::domain::{Currency, Email};
use crate::service::orders::{self, Answered, RecordError, RecordOrder};

/// How far in the future `placed_at` may be (clock skew between shop and us).
pub const PLACED_AT_SKEW_MINUTES: i64 = 5;
/// Longest `code` or `click_id`, in characters.
const MAX_REFERRAL_CHARS: usize = 64;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordOrderRequest {
    pub order_id: String,
    pub code: Option<String>,
    pub click_id: Option<String>,
    pub currency: String,
    pub lines: Vec<LineRequest>,
    pub discount_total: i64,
    pub shipping_total: Option<i64>,
    pub tax_total: Option<i64>,
    pub customer_email: Option<String>,
    /// Order currency → the attributed program's currency, as a decimal string.
    pub fx_rate: Option<String>,
    pub placed_at: Option<DateTime<Utc>>,
}

impl From<RecordError> for ApiError {
    fn from(err: RecordError) -> Self {
        match err {
            RecordError::IdempotencyKeyReused => ApiError::unprocessable(
                ErrorCode::IdempotencyKeyReused,
                "This idempotency key was used with a different request body.",
            ),
            RecordError::OrderExists => ApiError::conflict(
                ErrorCode::OrderExists,
                "An order with this order_id was already recorded under another idempotency key.",
            ),
            RecordError::Commission(CommissionError::Overflow) => {
                ApiError::field("lines", "the order's amounts are too large to compute a commission for")
            }
            RecordError::Commission(other) => ApiError::internal(other),
            RecordError::Stale => crate::store::StoreError::Conflict.into(),
            RecordError::Render(err) => ApiError::internal(err),
            RecordError::Store(err) => err.into(),
        }
    }
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The body as a command, or every invalid field.
fn parse(
    body: RecordOrderRequest,
    key: &ApiKey,
    idempotency_key: Option<String>,
    request_hash: String,
    now: DateTime<Utc>,
) -> Result<RecordOrder, ApiError> {
    let mut errors = Vec::new();
    let order_id = body.order_id.trim().to_owned();
    if let Err(message) = parse_shop_id(&order_id) {
        errors.push(FieldError::new("order_id", message));
    }
    let currency = Currency::parse(&body.currency)
        .map_err(|m| errors.push(FieldError::new("currency", m)))
        .ok();
    let cart = parse_cart(body.lines, &mut errors);
    for (field, value) in [
        ("discount_total", Some(body.discount_total)),
        ("shipping_total", body.shipping_total),
        ("tax_total", body.tax_total),
    ] {
        if let Some(Err(message)) = value.map(bounded_amount) {
            errors.push(FieldError::new(field, message));
        }
    }
    if cart.as_ref().is_some_and(|cart| body.discount_total > cart.subtotal()) {
        errors.push(FieldError::new("discount_total", "must not exceed the lines' subtotal"));
    }
    // Typed by the customer: compared without invisible characters, so one cannot
    // dodge the self-referral check, and the order is not lost over one.
    let customer_email = match blank_to_none(body.customer_email) {
        Some(email) => Email::parse(&without_invisible(&email))
            .map_err(|m| errors.push(FieldError::new("customer_email", m)))
            .ok(),
        None => None,
    };
    let fx_rate = body.fx_rate.as_deref().and_then(|rate| {
        FxRate::parse(rate)
            .map_err(|m| errors.push(FieldError::new("fx_rate", m)))
            .ok()
    });
    let placed_at = body.placed_at.unwrap_or(now);
    if placed_at > now + Duration::minutes(PLACED_AT_SKEW_MINUTES) {
        errors.push(FieldError::new("placed_at", "must not be in the future"));
    }
    // A code is typed (or pasted, often with an invisible mark from a social post) by
    // the customer: it is looked up and shown without those characters rather than
    // refused, which would lose the order (see `normalize_lookup`).
    for (field, value) in [("code", &body.code), ("click_id", &body.click_id)] {
        if value.as_ref().is_some_and(|v| v.chars().count() > MAX_REFERRAL_CHARS) {
            errors.push(FieldError::new(
                field,
                format!("must be at most {MAX_REFERRAL_CHARS} characters"),
            ));
        }
    }
    let (Some(currency), Some(cart), true) = (currency, cart, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    Ok(RecordOrder {
        brand_id: key.brand_id,
        idempotency_key,
        request_hash,
        order_id,
        codes: blank_to_none(body.code).into_iter().collect(),
        click_id: blank_to_none(body.click_id),
        currency,
        cart,
        discount_total: body.discount_total,
        shipping_total: body.shipping_total.unwrap_or(0),
        tax_total: body.tax_total.unwrap_or(0),
        customer_email,
        fx_rate,
        placed_at,
        now,
    })
}

/// `POST /v1/checkout/orders`
pub async fn record_order(
    state: web::Data<AppState>,
    key: ApiKey,
    req: HttpRequest,
    body: HashedJson<RecordOrderRequest>,
) -> Result<HttpResponse, ApiError> {
    let header_key = idempotency_key(&req)?;
    let order = parse(body.value, &key, header_key, body.hash, state.clock.now())?;
    let answered = orders::record(&state.db, &state.pepper, order, |recorded| {
        created(&OrderResponse::recorded(recorded))
    })
    .await?;
    match &answered {
        Answered::Fresh(_) => state.metrics.orders_recorded.inc(),
        Answered::Replayed(_) => state.metrics.orders_replayed.inc(),
    }
    Ok(respond(answered))
}
