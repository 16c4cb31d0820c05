//! An owner's answers on a deal's page, `POST /console/deals/{id}/{action}`, through the
//! use cases of the JSON API:
//! - `withdraw` withdraws an open offer ([`deals::withdraw`]);
//! - `accept-counter` and `decline-counter` answer the ambassador's counter-offer
//!   ([`deals::answer_counter`]);
//! - `cancel` cancels an accepted deal ([`deals::cancel`]).
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

/// The actions' names, as the route matches them.
pub const ACTIONS: &str = "withdraw|accept-counter|decline-counter|cancel";
/// What staff are told only an owner may do.
const OWNERS: &str = "withdraw an offer, answer a counter-offer or cancel a deal";

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
}

pub async fn act(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(DealId, String)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "deals").await?;
    signed_in.check_form(&form.csrf)?;
    let (id, action) = path.into_inner();
    let (db, now) = (&state.db, state.clock.now());
    let (outcome, done) = match action.as_str() {
        "withdraw" => (deals::withdraw(db, &actor, id, now).await, "withdrawn"),
        "accept-counter" => (
            deals::answer_counter(db, &actor, id, BrandAnswer::Accept, now).await,
            "counter-accepted",
        ),
        "decline-counter" => (
            deals::answer_counter(db, &actor, id, BrandAnswer::Decline, now).await,
            "counter-declined",
        ),
        "cancel" => (deals::cancel(db, &actor, id, now).await, "cancelled"),
        _ => return Err(PageError::NotFound),
    };
    answer_form(&state, &actor, frame, id, outcome, done, Sent::default(), OWNERS).await
}
