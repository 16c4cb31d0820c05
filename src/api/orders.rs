//! Orders from the shop's checkout (brand API key): record, refund, cancel.
//!
//! Retries never double-count. The natural key is (brand, `order_id`); an optional
//! `Idempotency-Key` header names the request instead. The first answer is stored in
//! the order's own transaction and replayed byte for byte for the same key and body;
//! the same key with another body is 422 `idempotency_key_reused`; the same `order_id`
//! under another key is 409 `order_exists`. Concurrent identical requests race on
//! unique constraints; the losers retry once and find the winner's answer.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ErrorCode;
use super::checkout::{LineRequest, parse_lines};
use super::extract::{ApiKey, HashedJson};
use super::{ApiError, FieldError, db};
use crate::api::AppState;
use crate::domain::commission::CommissionError;
use crate::domain::money::{MAX_AMOUNT, bounded_amount};
use crate::domain::text::{Lines, refuse_invisible, without_invisible};
use crate::domain::{Currency, Email};
use crate::service::orders::{self, NewOrder, RecordError, Recorded};
use crate::service::refunds::{self, RefundFailure, RefundKind, Refunded, RefundedLine};
use crate::store::idempotency::{self, StoredResponse};
use crate::store::ids::{BrandId, MembershipId, OrderId, RefundId};
use crate::store::orders::OrderRow;
use crate::store::{DbConn, portable, time};

pub const MAX_ORDER_ID_CHARS: usize = 128;

/// The rule for the shop's `order_id` and `refund_id` as they are recorded (after
/// trimming): 1 to 128 characters, no control, invisible or bidi characters (they are
/// shown to the brand and in ambassadors' exports).
fn parse_shop_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.chars().count() > MAX_ORDER_ID_CHARS {
        return Err(format!("must be 1 to {MAX_ORDER_ID_CHARS} characters"));
    }
    refuse_invisible(id, Lines::One)
}

/// Whether an order may have been recorded under `id`: the length and control rule
/// only, so an order recorded before ids refused invisible characters can still be
/// refunded and cancelled.
fn may_be_shop_id(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= MAX_ORDER_ID_CHARS && !id.chars().any(char::is_control)
}
pub const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;
/// How far in the future `placed_at` may be (clock skew between shop and us).
pub const PLACED_AT_SKEW_MINUTES: i64 = 5;

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
    pub placed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct CommissionView {
    pub amount: i64,
    /// The rate every line earned, as a decimal string; `null` for flat commissions or
    /// when lines earned different rates (see the order's lines).
    pub rate: Option<String>,
    /// `pending` (in its hold period), `approved`, `paid`, `reversed`, or `none`.
    pub status: &'static str,
    pub terms_version: Option<i32>,
    /// When the commission becomes payable.
    pub available_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct AttributionView {
    pub method: String,
    pub reason: String,
    pub candidates: Value,
}

#[derive(Debug, Serialize)]
pub struct OrderResponse {
    pub id: OrderId,
    pub order_id: String,
    pub attributed: bool,
    pub ambassador_id: Option<MembershipId>,
    pub code: Option<String>,
    pub currency: String,
    pub subtotal: i64,
    pub discount_total: i64,
    pub net_amount: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub commission: CommissionView,
    pub attribution: AttributionView,
    pub flags: Value,
    pub placed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl OrderResponse {
    fn recorded(recorded: &Recorded) -> Self {
        let order = &recorded.order;
        let code = recorded.decision.chosen.as_ref().map(|r| r.owner.code.code.clone());
        Self::from_row(
            order,
            code,
            CommissionView {
                amount: order.commission,
                rate: order.commission_rate.clone(),
                status: if recorded.entry.is_some() { "pending" } else { "none" },
                terms_version: order.terms_version,
                available_at: recorded.entry.as_ref().map(|e| time::from_db(e.available_at)),
            },
            serde_json::to_value(&recorded.decision.candidates).unwrap_or(Value::Null),
        )
    }

    pub fn from_row(order: &OrderRow, code: Option<String>, commission: CommissionView, candidates: Value) -> Self {
        Self {
            id: order.id,
            order_id: order.order_id.clone(),
            attributed: order.membership_id.is_some(),
            ambassador_id: order.membership_id,
            code,
            currency: order.currency.clone(),
            subtotal: order.subtotal,
            discount_total: order.discount_total,
            net_amount: order.net_amount,
            shipping_total: order.shipping_total,
            tax_total: order.tax_total,
            commission,
            attribution: AttributionView {
                method: order.attribution_method.clone(),
                reason: order.attribution_reason.clone(),
                candidates,
            },
            flags: serde_json::from_str(&order.flags).unwrap_or(Value::Null),
            placed_at: time::from_db(order.placed_at),
            created_at: time::from_db(order.created_at),
        }
    }
}

/// Stored candidates, for order views.
pub fn candidates_of(order: &OrderRow) -> Value {
    serde_json::from_str::<Vec<Value>>(&order.attribution_candidates)
        .map(Value::from)
        .unwrap_or(Value::Null)
}

/// The `Idempotency-Key` header, if sent.
fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.chars().count() <= MAX_IDEMPOTENCY_KEY_CHARS)
        .ok_or_else(|| {
            ApiError::field(
                "Idempotency-Key",
                format!("must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} visible characters"),
            )
        })?;
    Ok(Some(key.to_owned()))
}

fn replay(stored: &StoredResponse) -> HttpResponse {
    let status = u16::try_from(stored.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    HttpResponse::build(status)
        .content_type("application/json")
        .insert_header(("Idempotent-Replayed", "true"))
        .body(stored.body.clone())
}

/// 201 with the body just stored, or the replay of the first answer.
fn created_or_replayed(outcome: Result<String, StoredResponse>) -> HttpResponse {
    match outcome {
        Ok(body) => HttpResponse::Created().content_type("application/json").body(body),
        Err(stored) => replay(&stored),
    }
}

/// Looks up a stored answer: `Some` to replay it, 422 if the key was used for another body.
fn stored_answer(conn: &mut DbConn, brand: BrandId, key: &str, hash: &str) -> Result<Option<StoredResponse>, ApiError> {
    match idempotency::find(conn, brand, key)? {
        Some(stored) if stored.request_hash == hash => Ok(Some(stored)),
        Some(_) => Err(ApiError::unprocessable(
            ErrorCode::IdempotencyKeyReused,
            "This idempotency key was used with a different request body.",
        )),
        None => Ok(None),
    }
}

fn store_answer(
    conn: &mut DbConn,
    brand: BrandId,
    key: String,
    hash: String,
    status: StatusCode,
    body: &str,
    now: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    idempotency::insert(
        conn,
        &StoredResponse {
            brand_id: brand,
            key,
            request_hash: hash,
            status: i32::from(status.as_u16()),
            body: body.to_owned(),
            created_at: now,
        },
    )
    .map_err(db::retryable)
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn record_error(err: RecordError) -> ApiError {
    match err {
        RecordError::CurrencyMismatch { program, order } => ApiError::unprocessable(
            ErrorCode::CurrencyMismatch,
            format!("The ambassador's program runs in {program}; the order is in {order}."),
        ),
        RecordError::Commission(CommissionError::Overflow) => {
            ApiError::field("lines", "the order's amounts are too large to compute a commission for")
        }
        RecordError::Commission(other) => ApiError::internal(other),
        RecordError::Stale => db::write_conflict(),
        RecordError::Db(err) => db::retryable(err),
    }
}

/// One attempt at recording an order: `Ok(body)` of a new order, or `Err(stored)`, the
/// first answer to replay. Everything that only reads — the stored answer, the
/// existence check, attribution and pricing — runs on a read connection, so the write
/// transaction holds the writer only for the checks that must be repeated under it and
/// the inserts. Losing a race (a unique key, a changed referral, a code's last use)
/// is [`db::write_conflict`], and the caller runs the attempt again.
async fn record_once(
    state: web::Data<AppState>,
    brand: BrandId,
    order: NewOrder,
    stored_key: String,
    hash: String,
) -> Result<Result<String, StoredResponse>, ApiError> {
    let pepper = state.pepper.clone();
    let (key, request_hash) = (stored_key.clone(), hash.clone());
    let prepared = db::read_latest(&state.db, move |conn| {
        if let Some(stored) = stored_answer(conn, brand, &key, &request_hash)? {
            return Ok(Err(stored));
        }
        if crate::store::orders::exists(conn, brand, &order.order_id)? {
            // Each read sees the latest commit: an identical request may have
            // committed between the two lookups above, so look for its answer once more.
            if let Some(stored) = stored_answer(conn, brand, &key, &request_hash)? {
                return Ok(Err(stored));
            }
            return Err(ApiError::conflict(
                ErrorCode::OrderExists,
                "An order with this order_id was already recorded under another idempotency key.",
            ));
        }
        orders::prepare(conn, order, |email| pepper.hash("email", email))
            .map(Ok)
            .map_err(record_error)
    })
    .await?;
    let prepared = match prepared {
        Ok(prepared) => prepared,
        Err(stored) => return Ok(Err(stored)),
    };
    db::write(&state.db, move |conn| {
        let recorded = orders::commit(conn, prepared).map_err(record_error)?;
        let body = serde_json::to_string(&OrderResponse::recorded(&recorded)).map_err(ApiError::internal)?;
        store_answer(
            conn,
            brand,
            stored_key,
            hash,
            StatusCode::CREATED,
            &body,
            recorded.order.created_at,
        )?;
        Ok(Ok(body))
    })
    .await
}

/// `POST /v1/checkout/orders`
pub async fn record_order(
    state: web::Data<AppState>,
    key: ApiKey,
    req: HttpRequest,
    body: HashedJson<RecordOrderRequest>,
) -> Result<HttpResponse, ApiError> {
    let header_key = idempotency_key(&req)?;
    let hash = body.hash;
    let body = body.value;
    let now = state.clock.now();
    let mut errors = Vec::new();
    let order_id = body.order_id.trim().to_owned();
    if let Err(message) = parse_shop_id(&order_id) {
        errors.push(FieldError::new("order_id", message));
    }
    let currency = Currency::parse(&body.currency)
        .map_err(|m| errors.push(FieldError::new("currency", m)))
        .ok();
    let lines = parse_lines(body.lines, &mut errors);
    for (field, value) in [
        ("discount_total", Some(body.discount_total)),
        ("shipping_total", body.shipping_total),
        ("tax_total", body.tax_total),
    ] {
        if let Some(Err(message)) = value.map(bounded_amount) {
            errors.push(FieldError::new(field, message));
        }
    }
    if let Some(lines) = &lines
        && crate::domain::cart::subtotal(lines).is_some_and(|subtotal| body.discount_total > subtotal)
    {
        errors.push(FieldError::new("discount_total", "must not exceed the lines' subtotal"));
    }
    // Typed by the customer: compared without invisible characters, so one cannot
    // dodge the self-referral check, and the order is not lost over one.
    let customer_email_hash = match blank_to_none(body.customer_email) {
        Some(email) => match Email::parse(&without_invisible(&email)) {
            Ok(email) => Some(state.pepper.hash("email", email.as_str())),
            Err(m) => {
                errors.push(FieldError::new("customer_email", m));
                None
            }
        },
        None => None,
    };
    let placed_at = body.placed_at.unwrap_or(now);
    if placed_at > now + Duration::minutes(PLACED_AT_SKEW_MINUTES) {
        errors.push(FieldError::new("placed_at", "must not be in the future"));
    }
    // A code is typed (or pasted, often with an invisible mark from a social post) by
    // the customer: it is looked up and shown without those characters rather than
    // refused, which would lose the order (see `normalize_lookup`).
    for (field, value) in [("code", &body.code), ("click_id", &body.click_id)] {
        if value.as_ref().is_some_and(|v| v.chars().count() > 64) {
            errors.push(FieldError::new(field, "must be at most 64 characters"));
        }
    }
    let (Some(currency), Some(lines), true) = (currency, lines, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let new_order = NewOrder {
        brand_id: key.brand_id,
        order_id: order_id.clone(),
        code: blank_to_none(body.code),
        click_id: blank_to_none(body.click_id),
        currency,
        lines,
        discount_total: body.discount_total,
        shipping_total: body.shipping_total.unwrap_or(0),
        tax_total: body.tax_total.unwrap_or(0),
        customer_email_hash,
        placed_at: time::to_db(placed_at),
        now: time::to_db(now),
    };
    let stored_key = match header_key {
        Some(k) => format!("key:{k}"),
        None => format!("order:{order_id}"),
    };
    let outcome = db::retrying(|| {
        record_once(
            state.clone(),
            key.brand_id,
            new_order.clone(),
            stored_key.clone(),
            hash.clone(),
        )
    })
    .await?;
    match &outcome {
        Ok(_) => state.metrics.orders_recorded.inc(),
        Err(_) => state.metrics.orders_replayed.inc(),
    }
    Ok(created_or_replayed(outcome))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    pub refund_id: String,
    pub amount: Option<i64>,
    pub lines: Option<Vec<RefundLineRequest>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundLineRequest {
    pub sku: String,
    pub quantity: i64,
}

#[derive(Debug, Serialize)]
pub struct RefundResponse {
    pub id: RefundId,
    pub refund_id: String,
    pub order_id: String,
    /// Merchandise refunded by this refund, net of the order discount.
    pub amount: i64,
    /// Commission reversed by this refund.
    pub reversal: i64,
    pub refunded_total: i64,
    pub net_amount: i64,
    pub commission: i64,
    pub reversed_total: i64,
    pub created_at: DateTime<Utc>,
}

fn order_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::OrderNotFound, "No order with this order_id.")
}

fn refund_error(err: RefundFailure) -> ApiError {
    match err {
        RefundFailure::ExceedsNet { requested, refundable } => ApiError::unprocessable(
            ErrorCode::RefundExceedsNet,
            format!("A refund of {requested} is more than the {refundable} left to refund on this order."),
        ),
        RefundFailure::UnknownSku { index } => {
            ApiError::field(&format!("lines[{index}].sku"), "the order has no line with this sku")
        }
        RefundFailure::TooManyUnits { index, left } => ApiError::field(
            &format!("lines[{index}].quantity"),
            format!("only {left} units are left to refund"),
        ),
        RefundFailure::Nothing => ApiError::unprocessable(ErrorCode::NothingToRefund, "The refund is worth nothing."),
        RefundFailure::Domain(err) => ApiError::internal(err),
        RefundFailure::Db(err) => db::retryable(err),
    }
}

/// Applies a refund under an idempotency key scoped to the order.
async fn apply_refund(
    state: &AppState,
    key: ApiKey,
    order_id: String,
    refund_id: String,
    kind: RefundKind,
    hash: String,
) -> Result<HttpResponse, ApiError> {
    // No order was recorded under an id that breaks the rule, and PostgreSQL would
    // refuse one with a NUL byte instead of finding nothing.
    if !may_be_shop_id(&order_id) {
        return Err(order_not_found());
    }
    let now = time::to_db(state.clock.now());
    let outcome = db::write_retrying(&state.db, move |conn| {
        let order =
            crate::store::orders::find_by_shop_id(conn, key.brand_id, &order_id)?.ok_or_else(order_not_found)?;
        portable::lock_order(conn, order.id)?;
        // A cancellation has its own key, so a shop refund that happens to be named
        // "cancel" can never collide with it.
        let cancellation = matches!(kind, RefundKind::Rest);
        let stored_key = if cancellation {
            format!("cancel:{}", order.id)
        } else {
            format!("refund:{}:{refund_id}", order.id)
        };
        let refund_id = if cancellation {
            format!("cancel:{}", RefundId::generate())
        } else {
            refund_id.clone()
        };
        if let Some(stored) = stored_answer(conn, key.brand_id, &stored_key, &hash)? {
            return Ok(Err(stored));
        }
        if matches!(kind, RefundKind::Rest) && crate::store::refunds::totals(conn, order.id)?.0 >= order.net_amount {
            return Err(ApiError::conflict(
                ErrorCode::AlreadyRefunded,
                "The order is already fully refunded.",
            ));
        }
        let Refunded {
            refund,
            refunded_total,
            reversed_total,
            ..
        } = refunds::refund(conn, &order, &refund_id, kind.clone(), &hash, now).map_err(refund_error)?;
        let body = serde_json::to_string(&RefundResponse {
            id: refund.id,
            refund_id: refund.refund_id,
            order_id: order.order_id.clone(),
            amount: refund.amount,
            reversal: refund.reversal,
            refunded_total,
            net_amount: order.net_amount,
            commission: order.commission,
            reversed_total,
            created_at: time::from_db(refund.created_at),
        })
        .map_err(ApiError::internal)?;
        store_answer(
            conn,
            key.brand_id,
            stored_key,
            hash.clone(),
            StatusCode::CREATED,
            &body,
            now,
        )?;
        Ok(Ok(body))
    })
    .await?;
    if outcome.is_ok() {
        state.metrics.refunds_recorded.inc();
    }
    Ok(created_or_replayed(outcome))
}

/// `POST /v1/checkout/orders/{order_id}/refunds`: `{refund_id, amount}` or
/// `{refund_id, lines: [{sku, quantity}]}`; idempotent on `refund_id`.
pub async fn refund_order(
    state: web::Data<AppState>,
    key: ApiKey,
    path: web::Path<String>,
    body: HashedJson<RefundRequest>,
) -> Result<HttpResponse, ApiError> {
    let hash = body.hash;
    let body = body.value;
    let mut errors = Vec::new();
    let refund_id = body.refund_id.trim().to_owned();
    if let Err(message) = parse_shop_id(&refund_id) {
        errors.push(FieldError::new("refund_id", message));
    }
    let kind = match (body.amount, body.lines) {
        (Some(amount), None) if (1..=MAX_AMOUNT).contains(&amount) => Some(RefundKind::Amount(amount)),
        (Some(_), None) => {
            errors.push(FieldError::new(
                "amount",
                format!("must be 1 to {MAX_AMOUNT} minor units"),
            ));
            None
        }
        (None, Some(lines)) if !lines.is_empty() && lines.len() <= super::checkout::MAX_LINES => {
            let mut out = Vec::with_capacity(lines.len());
            for (i, line) in lines.into_iter().enumerate() {
                if !(1..=super::checkout::MAX_QUANTITY).contains(&line.quantity) {
                    errors.push(FieldError::new(format!("lines[{i}].quantity"), "must be 1 to 1000000"));
                }
                out.push(RefundedLine {
                    sku: line.sku.trim().to_owned(),
                    quantity: line.quantity,
                });
            }
            Some(RefundKind::Lines(out))
        }
        (None, Some(_)) => {
            errors.push(FieldError::new("lines", "must have 1 to 500 lines"));
            None
        }
        _ => {
            errors.push(FieldError::new("amount", "give either `amount` or `lines`"));
            None
        }
    };
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    apply_refund(&state, key, path.into_inner(), refund_id, kind, hash).await
}

/// `POST /v1/checkout/orders/{order_id}/cancel`: refunds everything not refunded yet.
/// Idempotent: a repeated cancel replays the first answer.
pub async fn cancel_order(
    state: web::Data<AppState>,
    key: ApiKey,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let hash = crate::auth::secrets::sha256_hex("cancel");
    apply_refund(
        &state,
        key,
        path.into_inner(),
        "cancel".to_owned(),
        RefundKind::Rest,
        hash,
    )
    .await
}
