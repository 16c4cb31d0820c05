//! `GET /app/invitations`: every brand that invited the influencer's address, with what
//! each program offers (the words of the invitation e-mail); pending ones are accepted or
//! declined here (`POST /app/invitations/{id}/accept|decline`, CSRF-checked).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::domain::Currency;
use crate::domain::invitation::InvitationStatus;
use crate::domain::terms::Terms;
use crate::service::invitations::{self, InvitationError, InvitationKey};
use crate::service::paging::PageRequest;
use crate::store::ids::InvitationId;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// Invitations shown on the page.
const SHOWN: i64 = 200;

struct Item {
    id: InvitationId,
    brand: String,
    program: String,
    status: &'static str,
    pending: bool,
    offer: Vec<(String, String)>,
    when: String,
}

#[derive(Template)]
#[template(path = "web/invitations.html")]
struct InvitationsPage<'a> {
    current: &'a str,
    csrf: &'a str,
    notice: Option<&'a str>,
    items: Vec<Item>,
}

#[derive(Debug, Deserialize)]
pub struct Notice {
    done: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Notice>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    let page_request = PageRequest {
        limit: SHOWN,
        after: None,
    };
    let inbox = invitations::inbox(&state.db, influencer, page_request, state.clock.now())
        .await
        .map_err(|err| PageError::Internal(format!("{err:#}")))?;
    let items = inbox
        .items
        .into_iter()
        .map(|item| {
            let offer = match (
                Terms::from_stored(&item.program.terms.to_string()),
                Currency::parse(&item.program.currency),
            ) {
                (Ok(terms), Ok(currency)) => terms.in_words(currency),
                _ => Vec::new(),
            };
            let when = match item.status {
                InvitationStatus::Pending => format!("Open until {} UTC", item.expires_at.format("%-d %B %Y, %H:%M")),
                _ => format!("Sent {} UTC", item.created_at.format("%-d %B %Y")),
            };
            Item {
                id: item.id,
                brand: item.brand.name,
                program: item.program.name,
                status: item.status.as_str(),
                pending: item.status == InvitationStatus::Pending,
                offer,
                when,
            }
        })
        .collect();
    let notice = match query.done.as_deref() {
        Some("accepted") => Some("Welcome aboard: your code is on the Codes page."),
        Some("declined") => Some("Declined; the brand is told."),
        _ => None,
    };
    Ok(page(
        StatusCode::OK,
        &InvitationsPage {
            current: "invitations",
            csrf: &signed_in.session.csrf_token,
            notice,
            items,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
}

/// What a refused accept or decline shows: the state changed since the page was drawn.
fn refused(err: InvitationError) -> PageError {
    match err {
        InvitationError::NotFound | InvitationError::EmailMismatch => PageError::NotFound,
        InvitationError::Store(err) => PageError::Internal(format!("{err:#}")),
        // Accepted, declined or expired meanwhile, or already a member: the page tells.
        _ => PageError::Elsewhere("/app/invitations"),
    }
}

pub async fn accept(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<InvitationId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    signed_in.check_form(&form.csrf)?;
    invitations::accept(
        &state.db,
        influencer,
        InvitationKey::Id(id.into_inner()),
        state.clock.now(),
    )
    .await
    .map_err(refused)?;
    Ok(see_other("/app/invitations?done=accepted"))
}

pub async fn decline(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<InvitationId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    signed_in.check_form(&form.csrf)?;
    invitations::decline(&state.db, influencer, id.into_inner(), state.clock.now())
        .await
        .map_err(refused)?;
    Ok(see_other("/app/invitations?done=declined"))
}
