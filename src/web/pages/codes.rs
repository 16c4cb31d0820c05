//! `GET /app/codes`: every code of the influencer in every brand, with its referral link
//! to copy and a QR code of it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use qrcode::QrCode;
use qrcode::render::svg;

use crate::api::AppState;
use crate::api::codes::referral_link;
use crate::service::codes::{self as code_service, MyCode};
use crate::service::paging::PageRequest;
use crate::store::memberships::MembershipStatus;
use crate::web::page;
use crate::web::session::{PageError, SignedIn};

/// Codes shown on the page (an influencer has a handful per brand).
const SHOWN: i64 = 200;

/// A code as its card shows it (here and on the brand page: `web/code_cards.html`).
pub struct CodeCard {
    pub brand: String,
    pub code: String,
    pub link: String,
    /// The QR code as a `data:` URL of its SVG.
    pub qr: String,
    pub usable: bool,
    pub state: &'static str,
    pub uses: String,
}

#[derive(Template)]
#[template(path = "web/codes.html")]
struct CodesPage<'a> {
    current: &'a str,
    csrf: &'a str,
    codes: Vec<CodeCard>,
}

/// A QR code of `text` as a `data:image/svg+xml` URL.
fn qr_data_url(text: &str) -> String {
    let svg = QrCode::new(text.as_bytes())
        .map(|code| code.render::<svg::Color<'_>>().min_dimensions(160, 160).build())
        .unwrap_or_default();
    format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg))
}

/// The card of one code: its referral link under `public_url`, a QR code of the link,
/// and whether it can be used.
pub fn card(public_url: &str, mine: MyCode) -> CodeCard {
    let link = referral_link(public_url, &mine.code.brand_slug, &mine.code.code);
    let state = match (mine.membership_status, mine.code.active) {
        (MembershipStatus::Active, true) => "active",
        (MembershipStatus::Active, false) => "code turned off",
        (MembershipStatus::Paused, _) => "membership paused",
        (_, _) => "membership ended",
    };
    let uses = match mine.code.max_uses {
        Some(max) => format!("Used {} of {max} times", mine.code.uses),
        None => format!("Used {} times", mine.code.uses),
    };
    CodeCard {
        brand: mine.brand_name,
        qr: qr_data_url(&link),
        code: mine.code.code,
        link,
        usable: state == "active",
        state,
        uses,
    }
}

pub async fn show(state: web::Data<AppState>, signed_in: SignedIn) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    let page_request = PageRequest {
        limit: SHOWN,
        after: None,
    };
    let mine = code_service::list_mine(&state.db, influencer, page_request)
        .await
        .map_err(|err| PageError::Internal(format!("{err:#}")))?;
    let codes = mine
        .items
        .into_iter()
        .map(|mine| card(&state.public_url, mine))
        .collect();
    Ok(page(
        StatusCode::OK,
        &CodesPage {
            current: "codes",
            csrf: &signed_in.session.csrf_token,
            codes,
        },
    ))
}
