//! An owner's answers on a deal's page, through the use cases of the JSON API:
//! - `POST /console/deals/{id}/withdraw` withdraws an open offer ([`deals::withdraw`]);
//! - `POST /console/deals/{id}/counter/accept` and `…/counter/decline` answer the
//!   ambassador's counter-offer ([`deals::answer_counter`]);
//! - `POST /console/deals/{id}/cancel` cancels an accepted deal ([`deals::cancel`]).
//!
//! Each is an owner's (a deal commits the brand's money): the use case refuses staff,
//! who get the console's owner-only page with nothing changed. Each is idempotent by
//! state, so a form sent twice acts once. A state that refuses the action (the offer
//! expired, no counter waits) is the page again with the use case's sentence (409).

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::deal::answer_form;
use crate::api::AppState;
use crate::service::deals::{self, BrandAnswer};
use crate::store::ids::DealId;
use crate::web::form::Sent;
use crate::web::session::{PageError, SignedIn};

/// What staff are told only an owner may do.
const OWNERS: &str = "withdraw an offer, answer a counter-offer or cancel a deal";

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
}

/// One of the owner's actions on the deal.
#[derive(Debug, Clone, Copy)]
enum Act {
    Withdraw,
    Answer(BrandAnswer),
    Cancel,
}

async fn act(
    state: &AppState,
    signed_in: &SignedIn,
    id: DealId,
    form: &ActionForm,
    act: Act,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(state, signed_in, "deals").await?;
    signed_in.check_form(&form.csrf)?;
    let (db, now) = (&state.db, state.clock.now());
    let (outcome, done) = match act {
        Act::Withdraw => (deals::withdraw(db, &actor, id, now).await, "withdrawn"),
        Act::Answer(answer) => {
            let done = match answer {
                BrandAnswer::Accept => "counter-accepted",
                BrandAnswer::Decline => "counter-declined",
            };
            (deals::answer_counter(db, &actor, id, answer, now).await, done)
        }
        Act::Cancel => (deals::cancel(db, &actor, id, now).await, "cancelled"),
    };
    answer_form(state, &actor, frame, id, outcome, done, Sent::default(), OWNERS).await
}

pub async fn withdraw(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<DealId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    act(&state, &signed_in, id.into_inner(), &form, Act::Withdraw).await
}

pub async fn accept_counter(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<DealId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    act(
        &state,
        &signed_in,
        id.into_inner(),
        &form,
        Act::Answer(BrandAnswer::Accept),
    )
    .await
}

pub async fn decline_counter(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<DealId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    act(
        &state,
        &signed_in,
        id.into_inner(),
        &form,
        Act::Answer(BrandAnswer::Decline),
    )
    .await
}

pub async fn cancel(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<DealId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    act(&state, &signed_in, id.into_inner(), &form, Act::Cancel).await
}
