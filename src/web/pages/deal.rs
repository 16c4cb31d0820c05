//! `GET /app/deals/{id}`: one of the influencer's deals with any brand, through the use
//! case of `GET /v1/me/deals/{id}` (another influencer's deal is 404, as no deal is):
//! what it pays per item and in all, its terms and every version of the fee, each
//! deliverable with its due date, the days to keep it up, its requirements and every
//! proof sent with its state and the brand's reason for a rejection, and each gift
//! with its shipment and tracking. Which brand user acted is never shown.
//!
//! The forms the state allows ([`super::deal_forms`]): accept, decline or counter with
//! another fee while the offer waits on the influencer; proof for each deliverable item
//! once accepted. A deal offered with an invitation says to join the brand first.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::api::AppState;
use crate::service::deals;
use crate::store::deals::{DealStatus, Party};
use crate::store::ids::{BrandId, DealId, InfluencerId};
use crate::web::deal_lines::{DealLines, not_found};
use crate::web::form::{Done, Sent};
use crate::web::page;
use crate::web::session::{PageError, SignedIn};
use crate::web::words::Reader;

#[derive(Template)]
#[template(path = "web/deal.html")]
struct DealPage<'a> {
    current: &'a str,
    csrf: &'a str,
    id: DealId,
    lines: DealLines,
    brand: String,
    /// The brand's page, once the influencer joined it.
    brand_id: Option<BrandId>,
    notice: Option<&'static str>,
    typed: Sent,
    /// Accept, decline, counter: an open offer waiting on the influencer, who joined.
    can_answer: bool,
    /// Their counter-offer waits for the brand.
    waiting_on_brand: bool,
    /// Offered with an invitation not accepted yet.
    join_first: bool,
    /// Proof may be sent (accepted).
    can_prove: bool,
}

/// The status line after a form sent the influencer back here.
fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "accepted" => Some("Accepted: the deal is on. Send proof of each post below once it is published."),
        "declined" => Some("Declined; the brand is told."),
        "countered" => Some("Sent: the brand answers your fee; until then the offer waits on them."),
        "proof" => Some("Sent: the brand reviews your proof; the fee is earned once they approve it."),
        _ => None,
    }
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<DealId>,
    query: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    let done = notice(query.done.as_deref());
    render(
        &state,
        &signed_in,
        influencer,
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
    signed_in: &SignedIn,
    influencer: InfluencerId,
    id: DealId,
    notice: Option<&'static str>,
    typed: Sent,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let view = deals::my_deal(&state.db, influencer, id, state.clock.now())
        .await
        .map_err(not_found)?;
    let offered = view.status == DealStatus::Offered;
    let joined = view.deal.membership_id.is_some();
    let page_view = DealPage {
        current: "deals",
        csrf: &signed_in.session.csrf_token,
        id,
        lines: DealLines::of(&view, Reader::Ambassador),
        brand: view.brand_name.clone(),
        brand_id: joined.then_some(view.deal.brand_id),
        notice,
        typed,
        can_answer: offered && joined && view.deal.awaiting == Party::Influencer,
        waiting_on_brand: offered && view.deal.awaiting == Party::Brand,
        join_first: offered && !joined,
        can_prove: view.status == DealStatus::Accepted,
    };
    Ok(page(status, &page_view))
}
