//! The brand's decision on an ambassador's proof, on the deal's page,
//! `POST /console/deals/{id}/proofs/{proof}/{decision}`, through the use cases of the
//! JSON API (owners and staff alike, as they review commissions):
//! - `approve`: the item's fee is appended to the ambassador's ledger, payable once the
//!   post stayed up ([`deals::approve`]);
//! - `reject` with the reason the ambassador reads ([`deals::reject`]);
//! - `removed` with a reason and, optionally, when the post was taken down (UTC;
//!   now when empty): before its keep-up days ended the fee is reversed
//!   ([`deals::remove`]).
//!
//! A proof that is not one of this deal's is 404 (the brand's other deals' too); a
//! refused reason or time is said beside its input (422); a state that refuses the
//! decision (already decided, the keep-up period over, the fee paid) is the page again
//! with the use case's sentence (409). Each is idempotent by state.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::deal::{answer_form, render};
use crate::api::AppState;
use crate::domain::adjustment::Reason;
use crate::service::deals::{self, input::Removal};
use crate::store::ids::{DealId, ProofId};
use crate::web::deal_lines::not_found;
use crate::web::form::{self, Sent, given};
use crate::web::session::{PageError, SignedIn};

#[derive(Debug, Deserialize)]
pub struct ProofFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    removed_at: String,
}

/// The decisions' names, as the route matches them.
pub const DECISIONS: &str = "approve|reject|removed";

pub async fn decide(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(DealId, ProofId, String)>,
    fields: web::Form<ProofFields>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "deals").await?;
    signed_in.check_form(&fields.csrf)?;
    let (id, proof, decision) = path.into_inner();
    let (db, now) = (&state.db, state.clock.now());
    let deal = deals::brand_deal(db, &actor, id, now).await.map_err(not_found)?;
    if deal.proof(proof).is_none() {
        return Err(PageError::NotFound);
    }
    let (form, done) = match decision.as_str() {
        "approve" => ("approve", "approved"),
        "reject" => ("reject", "rejected"),
        "removed" => ("remove", "removed"),
        _ => return Err(PageError::NotFound),
    };
    let values = vec![
        ("reason", fields.reason.clone()),
        ("removed_at", fields.removed_at.clone()),
    ];
    let mut typed = Sent::new(form, proof, values);
    let outcome = if form == "approve" {
        deals::approve(db, &actor, proof, now).await
    } else {
        let reason = typed
            .errors
            .check(&typed.input("reason"), Reason::parse(&fields.reason));
        let removed_at = match given(&fields.removed_at) {
            None => Some(None),
            Some(text) => typed
                .errors
                .check(&typed.input("removed_at"), form::moment(text))
                .map(Some),
        };
        let (Some(reason), Some(removed_at)) = (reason, removed_at) else {
            return render(&state, &actor, frame, id, None, typed, StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        if form == "reject" {
            deals::reject(db, &actor, proof, reason, now).await
        } else {
            deals::remove(db, &actor, proof, Removal { removed_at, reason }, now).await
        }
    };
    answer_form(&state, &actor, frame, id, outcome, done, typed, "decide proof").await
}
