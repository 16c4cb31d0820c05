//! The review forms of an order's page, each through the API's use case:
//! - `POST /console/orders/{id}/hold` holds the commission for review, with a reason
//!   (`POST /v1/brand/orders/{id}/hold`);
//! - `POST /console/orders/{id}/release` releases it, a reason optional (`…/release`);
//! - `POST /console/orders/{id}/reject` rejects it, with a reason (`…/reject`).
//!
//! Staff and owners alike may review. Each form carries the page's one-time key
//! ([`super::one_time`]), so a form sent twice acts once. Another brand's order is 404;
//! a refused reason is the page again with the message beside the field (422); a state
//! that refuses the action (already held, paid, in a pending payout…) is the page again
//! with the use case's sentence (409); a success goes back to the page with its status
//! line (303).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::order::{Typed, render};
use super::{one_time, owner_only};
use crate::api::AppState;
use crate::domain::adjustment::Reason;
use crate::service::money::{self, MoneyError, ReviewAct, ReviewCommand};
use crate::service::orders::replay::{Answer, Answered};
use crate::service::reports::BrandOrderDetail;
use crate::store::ids::OrderId;
use crate::web::see_other;
use crate::web::session::{PageError, SignedIn};

#[derive(Debug, Deserialize)]
pub struct ReviewFields {
    #[serde(default)]
    csrf: String,
    /// The page's one-time key.
    #[serde(default)]
    key: String,
    #[serde(default)]
    reason: String,
}

pub async fn hold(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<OrderId>,
    form: web::Form<ReviewFields>,
) -> Result<HttpResponse, PageError> {
    act(ReviewAct::Hold, &state, &signed_in, id.into_inner(), &form).await
}

pub async fn release(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<OrderId>,
    form: web::Form<ReviewFields>,
) -> Result<HttpResponse, PageError> {
    act(ReviewAct::Release, &state, &signed_in, id.into_inner(), &form).await
}

pub async fn reject(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<OrderId>,
    form: web::Form<ReviewFields>,
) -> Result<HttpResponse, PageError> {
    act(ReviewAct::Reject, &state, &signed_in, id.into_inner(), &form).await
}

async fn act(
    action: ReviewAct,
    state: &AppState,
    signed_in: &SignedIn,
    id: OrderId,
    form: &ReviewFields,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(state, signed_in, "orders").await?;
    signed_in.check_form(&form.csrf)?;
    let name = action.action().as_str();
    let mut typed = Typed {
        form: name,
        reason: form.reason.clone(),
        ..Typed::default()
    };
    // As the API: a reason is required to hold and to reject, optional to release.
    let reason = match (action, form.reason.trim()) {
        (act, "") if !act.requires_reason() => Some(None),
        (_, text) => typed
            .errors
            .check(&format!("{name}-reason"), Reason::parse(text))
            .map(Some),
    };
    let Some(reason) = reason else {
        return render(state, &actor, frame, id, None, typed, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let keyed = one_time::keyed(&form.key, &[("reason", reason.as_ref().map_or("", Reason::as_str))])?;
    let done = match action {
        ReviewAct::Hold => "held",
        ReviewAct::Release => "released",
        ReviewAct::Reject => "rejected",
    };
    // The answer stored under the key, and sent again to a form sent twice: the page.
    let location = format!("/console/orders/{id}?done={done}");
    let answer = move |_: &BrandOrderDetail| {
        Ok(Answer {
            status: 303,
            body: location.clone(),
        })
    };
    let command = ReviewCommand { order: id, reason };
    let (db, now) = (&state.db, state.clock.now());
    let outcome = money::review(db, &actor, action, command, Some(keyed), now, answer).await;
    let status = match outcome {
        Ok(Answered::Fresh(answer) | Answered::Replayed(answer)) => return Ok(see_other(&answer.body)),
        Err(MoneyError::OrderNotFound) => return Err(PageError::NotFound),
        Err(MoneyError::Forbidden(_)) => return Ok(owner_only::refused(&frame, "review commissions")),
        Err(MoneyError::Refused(refusal)) => {
            typed.error = Some(refusal.sentence());
            StatusCode::CONFLICT
        }
        Err(MoneyError::IdempotencyKeyReused) => {
            typed.error = Some(one_time::KEY_REUSED.to_owned());
            StatusCode::CONFLICT
        }
        Err(err) => return Err(PageError::internal(err)),
    };
    render(state, &actor, frame, id, None, typed, status).await
}
