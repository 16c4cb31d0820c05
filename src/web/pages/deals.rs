//! `GET /app/deals`: the influencer's deals with every brand, newest first, through the
//! use case of `GET /v1/me/deals` (deals waiting on an invitation to their address
//! included): each with its brand, where it stands and whether it waits on them, its fee
//! per item and what it pays in all, its gifts, and the next due date of a deliverable
//! still wanting proof. Each opens the deal's page ([`super::deal`]).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::service::deals;
use crate::service::paging::PageRequest;
use crate::store::ids::DealId;
use crate::web::deal_lines::Summary;
use crate::web::form::given;
use crate::web::page;
use crate::web::session::{PageError, SignedIn};
use crate::web::words::Reader;

/// Deals a page.
const PAGE: i64 = 25;

struct Card {
    id: DealId,
    brand: String,
    /// Offered with an invitation the influencer has not accepted yet.
    invited: bool,
    summary: Summary,
}

#[derive(Template)]
#[template(path = "web/deals.html")]
struct DealsPage<'a> {
    current: &'a str,
    csrf: &'a str,
    cards: Vec<Card>,
    newest: bool,
    older: Option<DealId>,
}

#[derive(Debug, Deserialize)]
pub struct DealsQuery {
    #[serde(default)]
    after: String,
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<DealsQuery>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    let after = match given(&query.after) {
        None => None,
        Some(text) => Some(
            text.parse::<DealId>()
                .map_err(|_| PageError::BadRequest("That page link is not one this list gave.".into()))?,
        ),
    };
    let mine = deals::my_deals(
        &state.db,
        influencer,
        PageRequest { limit: PAGE, after },
        state.clock.now(),
    )
    .await
    .map_err(PageError::internal)?;
    let cards = mine
        .items
        .iter()
        .map(|view| Card {
            id: view.deal.id,
            brand: view.brand_name.clone(),
            invited: view.deal.membership_id.is_none(),
            summary: Summary::of(view, Reader::Ambassador),
        })
        .collect();
    let view = DealsPage {
        current: "deals",
        csrf: &signed_in.session.csrf_token,
        cards,
        newest: after.is_some(),
        older: mine.next,
    };
    Ok(page(StatusCode::OK, &view))
}
