//! `POST /v1/checkout/orders/{order_id}/refunds` and `…/cancel`: the request parsed
//! into a refund or a cancellation, idempotent on `refund_id` (a cancel on the order).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{created, respond};
use crate::api::extract::{ApiKey, HashedJson};
use crate::api::{ApiError, AppState, ErrorCode, FieldError};
use crate::domain::cart::{MAX_LINES, MAX_QUANTITY};
use crate::domain::money::MAX_AMOUNT;
use crate::domain::shop_id::parse_shop_id;
use crate::service::orders::{self, Answered, CancelOrder};
use crate::service::refunds::{self, ApplyRefund, RefundApplied, RefundFailure, RefundKind, RefundedLine};
use crate::store::ids::RefundId;

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

impl From<&RefundApplied> for RefundResponse {
    fn from(applied: &RefundApplied) -> Self {
        Self {
            id: applied.id,
            refund_id: applied.refund_id.clone(),
            order_id: applied.order_id.clone(),
            amount: applied.amount,
            reversal: applied.reversal,
            refunded_total: applied.refunded_total,
            net_amount: applied.net_amount,
            commission: applied.commission,
            reversed_total: applied.reversed_total,
            created_at: applied.created_at,
        }
    }
}

impl From<RefundFailure> for ApiError {
    fn from(err: RefundFailure) -> Self {
        match err {
            RefundFailure::OrderNotFound => {
                ApiError::not_found(ErrorCode::OrderNotFound, "No order with this order_id.")
            }
            RefundFailure::IdempotencyKeyReused => ApiError::unprocessable(
                ErrorCode::IdempotencyKeyReused,
                "This idempotency key was used with a different request body.",
            ),
            RefundFailure::AlreadyRefunded => {
                ApiError::conflict(ErrorCode::AlreadyRefunded, "The order is already fully refunded.")
            }
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
            RefundFailure::Nothing => {
                ApiError::unprocessable(ErrorCode::NothingToRefund, "The refund is worth nothing.")
            }
            RefundFailure::Domain(err) => ApiError::internal(err),
            RefundFailure::Render(err) => ApiError::internal(err),
            RefundFailure::Store(err) => err.into(),
        }
    }
}

/// What is refunded, or every invalid field.
fn parse_kind(
    amount: Option<i64>,
    lines: Option<Vec<RefundLineRequest>>,
    errors: &mut Vec<FieldError>,
) -> Option<RefundKind> {
    match (amount, lines) {
        (Some(amount), None) if (1..=MAX_AMOUNT).contains(&amount) => Some(RefundKind::Amount(amount)),
        (Some(_), None) => {
            errors.push(FieldError::new(
                "amount",
                format!("must be 1 to {MAX_AMOUNT} minor units"),
            ));
            None
        }
        (None, Some(lines)) if !lines.is_empty() && lines.len() <= MAX_LINES => {
            let mut out = Vec::with_capacity(lines.len());
            for (i, line) in lines.into_iter().enumerate() {
                if !(1..=MAX_QUANTITY).contains(&line.quantity) {
                    errors.push(FieldError::new(
                        format!("lines[{i}].quantity"),
                        format!("must be 1 to {MAX_QUANTITY}"),
                    ));
                }
                out.push(RefundedLine {
                    sku: line.sku.trim().to_owned(),
                    quantity: line.quantity,
                });
            }
            Some(RefundKind::Lines(out))
        }
        (None, Some(_)) => {
            errors.push(FieldError::new("lines", format!("must have 1 to {MAX_LINES} lines")));
            None
        }
        _ => {
            errors.push(FieldError::new("amount", "give either `amount` or `lines`"));
            None
        }
    }
}

fn render(applied: &RefundApplied) -> Result<orders::Answer, orders::RenderError> {
    created(&RefundResponse::from(applied))
}

/// The refund's answer, counted when it is new.
fn respond_counted(state: &AppState, answered: Answered) -> HttpResponse {
    if matches!(answered, Answered::Fresh(_)) {
        state.metrics.refunds_recorded.inc();
    }
    respond(answered)
}

/// `POST /v1/checkout/orders/{order_id}/refunds`: `{refund_id, amount}` or
/// `{refund_id, lines: [{sku, quantity}]}`; idempotent on `refund_id`.
pub async fn refund_order(
    state: web::Data<AppState>,
    key: ApiKey,
    path: web::Path<String>,
    body: HashedJson<RefundRequest>,
) -> Result<HttpResponse, ApiError> {
    let HashedJson { value: body, hash } = body;
    let mut errors = Vec::new();
    let refund_id = body.refund_id.trim().to_owned();
    if let Err(message) = parse_shop_id(&refund_id) {
        errors.push(FieldError::new("refund_id", message));
    }
    let kind = parse_kind(body.amount, body.lines, &mut errors);
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let refund = ApplyRefund {
        brand_id: key.brand_id,
        order_id: path.into_inner(),
        refund_id,
        kind,
        request_hash: hash,
        now: state.clock.now(),
    };
    let answered = refunds::apply(&state.db, refund, render).await?;
    Ok(respond_counted(&state, answered))
}

/// `POST /v1/checkout/orders/{order_id}/cancel`: refunds everything not refunded yet.
/// Idempotent: a repeated cancel replays the first answer.
pub async fn cancel_order(
    state: web::Data<AppState>,
    key: ApiKey,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let cancel = CancelOrder {
        brand_id: key.brand_id,
        order_id: path.into_inner(),
        now: state.clock.now(),
    };
    let answered = orders::cancel(&state.db, cancel, render).await?;
    Ok(respond_counted(&state, answered))
}
