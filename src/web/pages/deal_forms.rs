//! The influencer's forms on a deal's page, CSRF-checked, through the use cases of the
//! JSON API and their input rules:
//! - `POST /app/deals/{id}/{answer}`: `accept` and `decline` answer the offer on the
//!   table, and `counter` proposes another fee (typed in major units of the deal's currency) with
//!   a note ([`deals::respond`], [`Counter::parse`]);
//! - `POST /app/deals/{id}/deliverables/{deliverable}/proofs` sends proof of one
//!   published item: its URL, when it was published (UTC) and, optionally, its views,
//!   likes and comments ([`deals::submit`], [`Proof::parse`]).
//!
//! Another influencer's deal, or another deal's deliverable, is 404; a refused field is
//! said beside its input (422); a state that refuses the step (the offer expired, the
//! brand is answering a counter-offer, every item already has proof) is the page again
//! with the use case's sentence (409). Each step is idempotent by state.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::deal::render;
use crate::api::AppState;
use crate::domain::Currency;
use crate::domain::money::parse_major;
use crate::service::deals::input::{Counter, FieldErrors as Found, Proof};
use crate::service::deals::{self, DealView, InfluencerAnswer};
use crate::store::ids::{DealId, DeliverableId, InfluencerId};
use crate::web::deal_lines::{not_found, refused};
use crate::web::form::{self, Sent, given};
use crate::web::see_other;
use crate::web::session::{PageError, SignedIn};

#[derive(Debug, Deserialize)]
pub struct AnswerFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    fee: String,
    #[serde(default)]
    note: String,
}

#[derive(Debug, Deserialize)]
pub struct ProofFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    published_at: String,
    #[serde(default)]
    views: String,
    #[serde(default)]
    likes: String,
    #[serde(default)]
    comments: String,
}

/// Back to the deal with the status line `done` (303), or its page again with the
/// refusal of the form `typed`.
async fn answer(
    state: &AppState,
    signed_in: &SignedIn,
    (influencer, id): (InfluencerId, DealId),
    outcome: Result<DealView, deals::DealError>,
    done: &str,
    mut typed: Sent,
) -> Result<HttpResponse, PageError> {
    let status = match outcome {
        Ok(_) => return Ok(see_other(&format!("/app/deals/{id}?done={done}"))),
        Err(err) => refused(err, &mut typed).map_err(not_found)?,
    };
    render(state, signed_in, influencer, id, None, typed, status).await
}

/// The deal's page again with the refused fields of the form `typed` (422).
async fn again(
    state: &AppState,
    signed_in: &SignedIn,
    (influencer, id): (InfluencerId, DealId),
    typed: Sent,
) -> Result<HttpResponse, PageError> {
    render(
        state,
        signed_in,
        influencer,
        id,
        None,
        typed,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// Keeps the rules' `(field, message)`s under the inputs of the form `typed`.
fn show(found: Found, typed: &mut Sent) {
    for (field, message) in found {
        let input = typed.input(&field);
        typed.errors.add(&input, message);
    }
}

/// The answers' names, as the route matches them.
pub const ANSWERS: &str = "accept|decline|counter";

/// The counter-offer: the fee in major units, and the note (a textarea's line breaks
/// are CR LF; the rules keep `\n`).
fn counter(fields: &AnswerFields, currency: Currency, typed: &mut Sent) -> Option<InfluencerAnswer> {
    let fee = match given(&fields.fee) {
        None => Err("is required".to_owned()),
        Some(text) => parse_major(text, currency),
    };
    let fee = typed.errors.check(&typed.input("fee"), fee);
    let note = fields.note.replace("\r\n", "\n");
    match Counter::parse(fee.unwrap_or(0), Some(&note)) {
        Ok(counter) if fee.is_some() => Some(InfluencerAnswer::Counter(counter)),
        Ok(_) => None,
        Err(found) => {
            show(found, typed);
            None
        }
    }
}

pub async fn respond(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(DealId, String)>,
    fields: web::Form<AnswerFields>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    signed_in.check_form(&fields.csrf)?;
    let (id, answer_name) = path.into_inner();
    let (db, now) = (&state.db, state.clock.now());
    // The fee is typed in the deal's currency; another influencer's deal is 404 here.
    let deal = deals::my_deal(db, influencer, id, now).await.map_err(not_found)?;
    let currency = Currency::parse(&deal.deal.currency).map_err(PageError::internal)?;
    let mut typed = Sent::new(
        "counter",
        id,
        vec![("fee", fields.fee.clone()), ("note", fields.note.clone())],
    );
    let (reply, done) = match answer_name.as_str() {
        "accept" => (Some(InfluencerAnswer::Accept), "accepted"),
        "decline" => (Some(InfluencerAnswer::Decline), "declined"),
        "counter" => (counter(&fields, currency, &mut typed), "countered"),
        _ => return Err(PageError::NotFound),
    };
    let Some(reply) = reply else {
        return again(&state, &signed_in, (influencer, id), typed).await;
    };
    let outcome = deals::respond(db, influencer, id, reply, now).await;
    answer(&state, &signed_in, (influencer, id), outcome, done, typed).await
}

pub async fn submit_proof(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(DealId, DeliverableId)>,
    fields: web::Form<ProofFields>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    signed_in.check_form(&fields.csrf)?;
    let (id, deliverable) = path.into_inner();
    let values = vec![
        ("url", fields.url.clone()),
        ("published_at", fields.published_at.clone()),
        ("views", fields.views.clone()),
        ("likes", fields.likes.clone()),
        ("comments", fields.comments.clone()),
    ];
    let mut typed = Sent::new("proof", deliverable, values);
    let published_at = given(&fields.published_at)
        .and_then(|text| typed.errors.check(&typed.input("published_at"), form::moment(text)));
    let mut figures = [None; 3];
    for (slot, (name, text)) in figures.iter_mut().zip([
        ("views", &fields.views),
        ("likes", &fields.likes),
        ("comments", &fields.comments),
    ]) {
        *slot = given(text).and_then(|text| typed.errors.check(&typed.input(name), form::whole_number(text)));
    }
    let now = state.clock.now();
    let proof = match Proof::parse(&fields.url, published_at, figures, now) {
        Ok(proof) if typed.errors.is_empty() => Some(proof),
        Ok(_) => None,
        Err(found) => {
            show(found, &mut typed);
            None
        }
    };
    let Some(proof) = proof else {
        // Another influencer's deal is 404 before any form is drawn again.
        return again(&state, &signed_in, (influencer, id), typed).await;
    };
    let outcome = deals::submit(&state.db, influencer, id, deliverable, proof, now).await;
    answer(&state, &signed_in, (influencer, id), outcome, "proof", typed).await
}
