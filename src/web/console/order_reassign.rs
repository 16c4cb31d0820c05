//! `POST /console/orders/{id}/reassign`: the owner's "Move to another ambassador" form
//! of an order's page, through the use case of `POST /v1/brand/orders/{id}/reassign`
//! ([`money::reassign`], whose doc comment has the rules): the first ambassador's
//! commission is reversed, the chosen one earns theirs, and the review history says who
//! moved it, from whom, to whom and why.
//!
//! Owners only: staff see no form, and a staff member who sends one anyway gets the
//! console's owner-only page (403) with nothing written. The form carries the page's
//! one-time key ([`super::one_time`]), so a form sent twice moves the order once.
//! Another brand's order is 404; a refused reason is the page again with the message
//! beside the field (422); a refusal of the move (the same ambassador, one it was taken
//! from, an ended one, another currency, a commission in a pending payout) is the page
//! again with the use case's sentence (409); a success goes back to the page with its
//! status line (303).
//!
//! An ambassador id that is not one of the brand's (a forged or stale `<select>`
//! value) is a field error on the ambassador field (422), not 404: the path names the
//! order, which exists and is the brand's, so the page is there to be shown again; the
//! wrong value is one field of the form, as a refused reason is.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::order::{Typed, render};
use super::orders::Choice;
use super::{one_time, owner_only};
use crate::api::AppState;
use crate::domain::adjustment::Reason;
use crate::service::ambassadors::{self, Ambassador};
use crate::service::money::{self, MoneyError, Reassign};
use crate::service::orders::replay::{Answer, Answered};
use crate::service::reports::BrandOrderDetail;
use crate::store::ids::{BrandId, MembershipId, OrderId};
use crate::store::memberships::MembershipStatus;
use crate::web::see_other;
use crate::web::session::{PageError, SignedIn};

/// The form's name: its fields' ids are `reassign-to` and `reassign-reason`.
pub(super) const FORM: &str = "reassign";
/// The id of the ambassador `<select>`.
pub(super) const TO: &str = "reassign-to";
/// Ambassadors listed (the console's ambassador filter lists as many).
const LISTED: i64 = 500;
/// The message of an ambassador id that is not one of the brand's.
const NOT_YOURS: &str = "must be one of your ambassadors";

#[derive(Debug, Deserialize)]
pub struct ReassignFields {
    #[serde(default)]
    csrf: String,
    /// The page's one-time key.
    #[serde(default)]
    key: String,
    /// The membership id of the ambassador to move the order to.
    #[serde(default)]
    ambassador: String,
    #[serde(default)]
    reason: String,
}

/// The brand's ambassadors, every status (the select offers some, the history names
/// any), through the use case of the console's ambassador filter.
pub(super) async fn ambassadors(state: &AppState, brand: BrandId) -> Result<Vec<Ambassador>, PageError> {
    ambassadors::list(&state.db, brand, None, LISTED)
        .await
        .map_err(PageError::internal)
}

/// How the page names an ambassador: the display name, with the e-mail that tells two
/// of the same name apart.
fn label(a: &Ambassador) -> String {
    format!("{} ({})", a.display_name, a.email)
}

/// Each ambassador's label by membership id, for the review history.
pub(super) fn names(listed: &[Ambassador]) -> HashMap<MembershipId, String> {
    listed.iter().map(|a| (a.id, label(a))).collect()
}

/// The options of the select: the brand's ambassadors but the order's own and the ended
/// ones (the use case decides again under a lock), `typed` selected, after a
/// placeholder.
pub(super) fn choices(listed: &[Ambassador], current: Option<MembershipId>, typed: &str) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: "Choose an ambassador".to_owned(),
        selected: typed.is_empty(),
    }];
    choices.extend(
        listed
            .iter()
            .filter(|a| a.status != MembershipStatus::Ended && Some(a.id) != current)
            .map(|a| {
                let value = a.id.to_string();
                Choice {
                    selected: value == typed,
                    label: label(a),
                    value,
                }
            }),
    );
    choices
}

/// "from X to Y" of a reassignment in the history.
pub(super) fn moved(
    names: &HashMap<MembershipId, String>,
    from: Option<MembershipId>,
    to: Option<MembershipId>,
) -> Option<String> {
    let name = |id: MembershipId| names.get(&id).cloned().unwrap_or_else(|| "an ambassador".to_owned());
    let to = name(to?);
    Some(match from {
        Some(from) => format!("from {} to {to}", name(from)),
        None => format!("to {to}"),
    })
}

pub async fn reassign(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<OrderId>,
    form: web::Form<ReassignFields>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "orders").await?;
    signed_in.check_form(&form.csrf)?;
    let id = id.into_inner();
    let mut typed = Typed {
        form: FORM,
        reason: form.reason.clone(),
        to: form.ambassador.trim().to_owned(),
        ..Typed::default()
    };
    let to = match form.ambassador.trim() {
        "" => {
            typed.errors.add(TO, "choose the ambassador to move the order to");
            None
        }
        text => typed
            .errors
            .check(TO, text.parse::<MembershipId>().map_err(|_| NOT_YOURS.to_owned())),
    };
    let reason = typed.errors.check("reassign-reason", Reason::parse(form.reason.trim()));
    let (Some(to), Some(reason)) = (to, reason) else {
        return render(&state, &actor, frame, id, None, typed, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let to_text = to.to_string();
    let keyed = one_time::keyed(&form.key, &[("ambassador", &to_text), ("reason", reason.as_str())])?;
    // The answer stored under the key, and sent again to a form sent twice: the page.
    let location = format!("/console/orders/{id}?done=reassigned");
    let answer = move |_: &BrandOrderDetail| {
        Ok(Answer {
            status: 303,
            body: location.clone(),
        })
    };
    let command = Reassign { order: id, to, reason };
    let outcome = money::reassign(
        &state.db,
        &state.pepper,
        &actor,
        command,
        Some(keyed),
        state.clock.now(),
        answer,
    )
    .await;
    let status = match outcome {
        Ok(Answered::Fresh(answer) | Answered::Replayed(answer)) => return Ok(see_other(&answer.body)),
        Err(MoneyError::OrderNotFound) => return Err(PageError::NotFound),
        Err(MoneyError::Forbidden(_)) => {
            return Ok(owner_only::refused(&frame, "move an order to another ambassador"));
        }
        Err(MoneyError::AmbassadorNotFound) => {
            typed.errors.add(TO, NOT_YOURS);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        // Every refusal, a currency mismatch too (the API's 422 there is its own code's).
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
    render(&state, &actor, frame, id, None, typed, status).await
}
