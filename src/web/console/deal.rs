//! `GET /console/deals/{id}`: one of the brand's deals in full, through the use case of
//! `GET /v1/brand/deals/{id}` (another brand's deal is 404, as no deal is): who it is
//! for, its terms, every version of the fee (who proposed which, the declined ones), each
//! deliverable with its due date and every proof (the post as a link that passes no
//! referrer, its figures, its state and the reason of a rejection or removal), and each
//! gift with its shipment. The forms the state allows:
//! - an owner's withdraw, accept or decline a counter-offer, cancel
//!   ([`super::deal_actions`]); staff are told only an owner may;
//! - approve, reject with a reason, report a post removed ([`super::deal_proofs`]);
//! - a gift shipped with carrier and tracking, then delivered ([`super::deal_gifts`]).
//!
//! A refusal of a form (its state changed meanwhile) is this page again with the use
//! case's sentence above the forms (409), never an error page; a refused field is the
//! page again with the message beside it (422).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Frame, owner_only};
use crate::api::AppState;
use crate::service::auth::BrandActor;
use crate::service::deals::{self, DealError, DealView};
use crate::store::deals::{DealStatus, Party};
use crate::store::ids::{DealId, MembershipId};
use crate::web::deal_lines::{DealLines, not_found, refused};
use crate::web::form::{Done, Sent};
use crate::web::session::{PageError, SignedIn};
use crate::web::words::Reader;
use crate::web::{page, see_other};

#[derive(Template)]
#[template(path = "console/deal.html")]
struct DealPage {
    frame: Frame,
    id: DealId,
    lines: DealLines,
    ambassador: Option<(MembershipId, String)>,
    invitee: Option<String>,
    program: String,
    notice: Option<&'static str>,
    typed: Sent,
    can_withdraw: bool,
    can_answer_counter: bool,
    can_cancel: bool,
    /// A staff member's word on the owner's actions the state allows.
    owners_only: bool,
    can_ship: bool,
}

/// The status line after a form sent the person back here.
fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "offered" => Some("Offered: the ambassador has it by e-mail and in their portal, until it expires."),
        "withdrawn" => Some("Withdrawn: the ambassador can no longer accept it."),
        "counter-accepted" => Some("Accepted at the ambassador's fee: the deal is on, and their proof comes here."),
        "counter-declined" => Some("Declined: your last fee is on the table again for the ambassador."),
        "cancelled" => Some("Cancelled: fees approved so far stand; nothing more is due."),
        "approved" => Some("Approved: the fee is on the ambassador's statement, payable once the post stayed up."),
        "rejected" => Some("Rejected: the ambassador reads your reason and may send other proof."),
        "removed" => Some("Reported removed: the item's fee is reversed, with your reason."),
        "shipped" => Some("Shipped: the ambassador sees the carrier and tracking."),
        "delivered" => Some("Delivered."),
        _ => None,
    }
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<DealId>,
    query: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "deals").await?;
    let done = notice(query.done.as_deref());
    render(
        &state,
        &actor,
        frame,
        id.into_inner(),
        done,
        Sent::default(),
        StatusCode::OK,
    )
    .await
}

/// The deal's page with `typed` (its forms after a refusal).
pub(super) async fn render(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    id: DealId,
    notice: Option<&'static str>,
    typed: Sent,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let view = deals::brand_deal(&state.db, actor, id, state.clock.now())
        .await
        .map_err(not_found)?;
    let offered = view.status == DealStatus::Offered;
    let accepted = view.status == DealStatus::Accepted;
    let answer = offered && view.deal.awaiting == Party::Brand;
    let owner = frame.owner;
    let page_view = DealPage {
        id,
        lines: DealLines::of(&view, Reader::Brand),
        ambassador: (view.deal.membership_id).map(|m| (m, view.ambassador_name.clone().unwrap_or_default())),
        invitee: view.invitation_email.clone(),
        program: view.program_name.clone(),
        notice,
        typed,
        can_withdraw: owner && offered,
        can_answer_counter: owner && answer,
        can_cancel: owner && accepted,
        owners_only: !owner && (offered || accepted),
        can_ship: matches!(view.status, DealStatus::Accepted | DealStatus::Completed),
        frame,
    };
    Ok(page(status, &page_view))
}

/// The answer to one of the page's forms: back to the page with the status line `done`
/// (303), or the page again with what refused it (`owners`: what staff are told only an
/// owner may do).
#[expect(
    clippy::too_many_arguments,
    reason = "the page's parts, handed on to render it again"
)]
pub(super) async fn answer_form(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    id: DealId,
    outcome: Result<DealView, DealError>,
    done: &str,
    mut typed: Sent,
    owners: &str,
) -> Result<HttpResponse, PageError> {
    let status = match outcome {
        Ok(_) => return Ok(see_other(&format!("/console/deals/{id}?done={done}"))),
        Err(DealError::Forbidden(_)) => return Ok(owner_only::refused(&frame, owners)),
        Err(err) => refused(err, &mut typed).map_err(not_found)?,
    };
    render(state, actor, frame, id, None, typed, status).await
}
