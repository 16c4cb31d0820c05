//! The brand's control over money (brand JWT): adjustments and bonuses for an
//! ambassador, and the review of an order's commission. Each handler parses the
//! request into a command of [`crate::service::money`] and sends the answer the
//! service stored (or replays, with `Idempotent-Replayed: true`).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::brand_orders::OrderDetail;
use super::extract::{BrandUser, HashedJson, idempotency_key};
use super::orders::{created, respond};
use super::{ApiError, AppState, ErrorCode, FieldError};
use crate::domain::adjustment::{ManualKind, Reason};
use crate::domain::status::{EntryState, EntryStatus};
use crate::service::money::{
    self, ManualEntry, MoneyError, NewAdjustment, Reassign, Refusal, ReviewAct, ReviewCommand,
};
use crate::service::orders::RenderError;
use crate::service::orders::replay::{Answer, Keyed};
use crate::store::ids::{MembershipId, OrderId};
use crate::store::ledger::{EntryKind, KindTotals};
use crate::store::time;

/// Σ amount per ledger kind, in minor units.
#[derive(Debug, Default, Serialize)]
pub struct KindAmounts {
    pub commission: i64,
    pub reversal: i64,
    pub adjustment: i64,
    pub bonus: i64,
    pub flat_fee: i64,
    #[serde(rename = "override")]
    pub override_: i64,
}

impl From<KindTotals> for KindAmounts {
    fn from(t: KindTotals) -> Self {
        Self {
            commission: t.get(EntryKind::Commission),
            reversal: t.get(EntryKind::Reversal),
            adjustment: t.get(EntryKind::Adjustment),
            bonus: t.get(EntryKind::Bonus),
            flat_fee: t.get(EntryKind::FlatFee),
            override_: t.get(EntryKind::Override),
        }
    }
}

impl From<MoneyError> for ApiError {
    fn from(err: MoneyError) -> Self {
        match err {
            MoneyError::Forbidden(forbidden) => forbidden.into(),
            MoneyError::AmbassadorNotFound => ApiError::not_found(ErrorCode::AmbassadorNotFound, "No such ambassador."),
            MoneyError::OrderNotFound => ApiError::not_found(ErrorCode::OrderNotFound, "No such order."),
            MoneyError::IdempotencyKeyReused => ApiError::unprocessable(
                ErrorCode::IdempotencyKeyReused,
                "This idempotency key was used with a different request body.",
            ),
            MoneyError::IdempotencyKeyRequired => ApiError::field(
                "Idempotency-Key",
                "is required: without it a retried request would add the money twice",
            ),
            MoneyError::Refused(Refusal::CurrencyMismatch) => ApiError::unprocessable(
                ErrorCode::CurrencyMismatch,
                "The ambassador's program runs in another currency than the order.",
            ),
            MoneyError::Refused(refusal) => {
                let code = match refusal {
                    Refusal::NoCommission => ErrorCode::NoCommission,
                    Refusal::NotPending => ErrorCode::CommissionNotPending,
                    Refusal::AlreadyHeld => ErrorCode::CommissionHeld,
                    Refusal::NotHeld => ErrorCode::CommissionNotHeld,
                    Refusal::AlreadyRejected => ErrorCode::CommissionRejected,
                    Refusal::Paid => ErrorCode::CommissionPaid,
                    Refusal::InPayout => ErrorCode::CommissionInPayout,
                    Refusal::FullyReversed => ErrorCode::CommissionReversed,
                    Refusal::SameAmbassador => ErrorCode::SameAmbassador,
                    Refusal::TargetEnded => ErrorCode::MembershipEnded,
                    Refusal::PreviouslyAttributed => ErrorCode::PreviouslyAttributed,
                    Refusal::CurrencyMismatch => ErrorCode::CurrencyMismatch,
                };
                ApiError::conflict(code, refusal.sentence())
            }
            MoneyError::Render(err) => ApiError::internal(err),
            MoneyError::Store(err) => err.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentRequest {
    /// `adjustment` (either sign) or `bonus` (positive).
    pub kind: String,
    pub amount: i64,
    pub reason: String,
}

/// A ledger entry a brand user made by hand.
#[derive(Debug, Serialize)]
pub struct AdjustmentResponse {
    pub id: String,
    pub ambassador_id: MembershipId,
    pub display_name: String,
    pub kind: &'static str,
    pub amount: i64,
    pub currency: String,
    pub reason: Option<String>,
    pub created_by: Option<String>,
    pub status: &'static str,
    pub available_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<&ManualEntry> for AdjustmentResponse {
    fn from(made: &ManualEntry) -> Self {
        let entry = &made.entry;
        Self {
            id: entry.id.to_string(),
            ambassador_id: entry.membership_id,
            display_name: made.ambassador_name.clone(),
            kind: entry.kind.as_str(),
            amount: entry.amount,
            currency: entry.currency.clone(),
            reason: entry.reason.clone(),
            created_by: entry.created_by.map(|u| u.to_string()),
            status: EntryStatus::of(EntryState {
                approved: entry.approved_at.is_some(),
                paid_out: entry.paid_out_in.is_some(),
            })
            .as_str(),
            available_at: time::from_db(entry.available_at),
            created_at: time::from_db(entry.created_at),
        }
    }
}

/// The reason field, required or not.
fn reason(value: Option<&str>, required: bool, errors: &mut Vec<FieldError>) -> Option<Reason> {
    match value {
        Some(text) => Reason::parse(text)
            .map_err(|m| errors.push(FieldError::new("reason", m)))
            .ok(),
        None if required => {
            errors.push(FieldError::new("reason", "is required"));
            None
        }
        None => None,
    }
}

/// `POST /v1/brand/ambassadors/{id}/adjustments`: an adjustment or a bonus, payable at
/// once. Owners only; `Idempotency-Key` required (without one a retry would add the
/// money twice).
pub async fn create_adjustment(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<MembershipId>,
    body: HashedJson<AdjustmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let HashedJson { value: body, hash } = body;
    let mut errors = Vec::new();
    let kind = ManualKind::parse(&body.kind)
        .map_err(|m| errors.push(FieldError::new("kind", m)))
        .ok();
    let amount = kind.and_then(|k| {
        k.amount(body.amount)
            .map_err(|m| errors.push(FieldError::new("amount", m)))
            .ok()
    });
    let reason = reason(Some(&body.reason), true, &mut errors);
    let (Some(kind), Some(amount), Some(reason)) = (kind, amount, reason) else {
        return Err(ApiError::validation(errors));
    };
    let command = NewAdjustment {
        membership: id.into_inner(),
        kind,
        amount,
        reason,
    };
    let keyed = key.map(|key| Keyed {
        key,
        request_hash: hash,
    });
    let answered = money::adjust(&state.db, &user.actor, command, keyed, state.clock.now(), |made| {
        created(&AdjustmentResponse::from(made))
    })
    .await?;
    Ok(respond(answered))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub reason: Option<String>,
}

/// The order as the review left it, as `GET /v1/brand/orders/{id}` shows it.
fn order_answer(detail: &crate::service::reports::BrandOrderDetail) -> Result<Answer, RenderError> {
    Ok(Answer {
        status: 200,
        body: serde_json::to_string(&OrderDetail::from(detail.clone()))?,
    })
}

/// A review action from the request: the reason as the action asks for it, the key.
async fn review(
    act: ReviewAct,
    req: HttpRequest,
    state: web::Data<AppState>,
    user: BrandUser,
    order: OrderId,
    body: HashedJson<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let HashedJson { value: body, hash } = body;
    let mut errors = Vec::new();
    let reason = reason(body.reason.as_deref(), act.requires_reason(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let keyed = key.map(|key| Keyed {
        key,
        request_hash: hash,
    });
    let command = ReviewCommand { order, reason };
    let answered = money::review(
        &state.db,
        &user.actor,
        act,
        command,
        keyed,
        state.clock.now(),
        order_answer,
    )
    .await?;
    Ok(respond(answered))
}

/// `POST /v1/brand/orders/{id}/hold`: hold the commission for review.
pub async fn hold_commission(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<OrderId>,
    body: HashedJson<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    review(ReviewAct::Hold, req, state, user, id.into_inner(), body).await
}

/// `POST /v1/brand/orders/{id}/release`: release a held commission.
pub async fn release_commission(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<OrderId>,
    body: HashedJson<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    review(ReviewAct::Release, req, state, user, id.into_inner(), body).await
}

/// `POST /v1/brand/orders/{id}/reject`: reject the commission; the rest is reversed.
pub async fn reject_commission(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<OrderId>,
    body: HashedJson<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    review(ReviewAct::Reject, req, state, user, id.into_inner(), body).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReassignRequest {
    /// The ambassador (membership id) the order goes to.
    pub ambassador_id: String,
    pub reason: String,
}

/// `POST /v1/brand/orders/{id}/reassign`: move the order to another ambassador. Owners
/// only.
pub async fn reassign_order(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<OrderId>,
    body: HashedJson<ReassignRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    let HashedJson { value: body, hash } = body;
    let mut errors = Vec::new();
    let to = body
        .ambassador_id
        .trim()
        .parse::<MembershipId>()
        .map_err(|_| errors.push(FieldError::new("ambassador_id", "must be an ambassador's id (a UUID)")))
        .ok();
    let reason = reason(Some(&body.reason), true, &mut errors);
    let (Some(to), Some(reason)) = (to, reason) else {
        return Err(ApiError::validation(errors));
    };
    let keyed = key.map(|key| Keyed {
        key,
        request_hash: hash,
    });
    let command = Reassign {
        order: id.into_inner(),
        to,
        reason,
    };
    let answered = money::reassign(
        &state.db,
        &state.pepper,
        &user.actor,
        command,
        keyed,
        state.clock.now(),
        order_answer,
    )
    .await?;
    Ok(respond(answered))
}
