//! `/join/{brand_slug}/{code}`: an ambassador's invitation link for other creators (two
//! tiers, [`crate::service::recruits`]). Anyone may open it and read what the program
//! pays and whose recruit they would be; a signed-in influencer joins with the form
//! (CSRF-checked), through the use case of `POST /v1/me/recruiters/join`. A link that
//! invites nobody is a 404 page saying so.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::domain::terms::percent;
use crate::service::recruits::{self, Offer, RecruitError};
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

#[derive(Template)]
#[template(path = "web/join.html")]
struct JoinPage<'a> {
    offer: &'a Offer,
    share: String,
    action: String,
    /// The signed-in influencer's form token; `None` for a visitor, who is asked to
    /// sign in or sign up first.
    csrf: Option<&'a str>,
    /// Why the form was refused (already an ambassador of the brand).
    error: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    csrf: String,
}

/// The page of a link that invites nobody: 404, saying why it may be.
fn nobody() -> HttpResponse {
    page(StatusCode::NOT_FOUND, &Nobody)
}

#[derive(Template)]
#[template(path = "web/join_nobody.html")]
struct Nobody;

fn join_page(offer: &Offer, path: (String, String), csrf: Option<&str>, error: Option<&'static str>) -> HttpResponse {
    let (slug, code) = path;
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    page(
        status,
        &JoinPage {
            offer,
            share: percent(offer.override_rate),
            action: format!("/join/{slug}/{code}"),
            csrf,
            error,
        },
    )
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: Option<SignedIn>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (slug, code) = path.into_inner();
    let offer = match recruits::offer(&state.db, slug.clone(), code.clone()).await {
        Ok(offer) => offer,
        Err(RecruitError::LinkNotFound) => return Ok(nobody()),
        Err(err) => return Err(PageError::internal(err)),
    };
    // A brand user is offered nothing to press: the form is an influencer's.
    let csrf = signed_in
        .as_ref()
        .filter(|s| s.influencer().is_ok())
        .map(|s| s.session.csrf_token.as_str());
    Ok(join_page(&offer, (slug, code), csrf, None))
}

pub async fn join(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<JoinForm>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    signed_in.check_form(&form.csrf)?;
    let (slug, code) = path.into_inner();
    match recruits::join(&state.db, influencer, slug.clone(), code.clone(), state.clock.now()).await {
        Ok(joined) => Ok(see_other(&format!("/app/brands/{}", joined.brand.id))),
        Err(RecruitError::LinkNotFound) => Ok(nobody()),
        Err(RecruitError::AlreadyMember) => {
            let offer = recruits::offer(&state.db, slug.clone(), code.clone())
                .await
                .map_err(PageError::internal)?;
            let csrf = Some(signed_in.session.csrf_token.as_str());
            Ok(join_page(
                &offer,
                (slug, code),
                csrf,
                Some("You are already an ambassador of this brand."),
            ))
        }
        Err(err) => Err(PageError::internal(err)),
    }
}
