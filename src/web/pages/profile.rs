//! `GET /app/profile` and `POST /app/profile`: the name brands see, the payout e-mail and
//! the notification switches, through the same use case as `PATCH /v1/me`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::domain::{DisplayName, Email};
use crate::service::influencers::{self, Profile, ProfileUpdate};
use crate::web::session::{PageError, SignedIn};
use crate::web::{csrf, page, see_other};

#[derive(Template)]
#[template(path = "web/profile.html")]
struct ProfilePage<'a> {
    current: &'a str,
    csrf: &'a str,
    saved: bool,
    email: &'a str,
    display_name: &'a str,
    payout_email: &'a str,
    sales: bool,
    payouts: bool,
    name_error: Option<String>,
    payout_error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

fn store_error(err: influencers::ProfileError) -> PageError {
    match err {
        influencers::ProfileError::NotFound => PageError::SignIn,
        influencers::ProfileError::Store(err) => PageError::Internal(format!("{err:#}")),
    }
}

/// The payout e-mail as the form shows it: empty when it is the login e-mail.
fn payout_field(profile: &Profile) -> &str {
    if profile.payout_email == profile.email {
        ""
    } else {
        &profile.payout_email
    }
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Saved>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    let profile = influencers::get(&state.db, influencer).await.map_err(store_error)?;
    Ok(page(
        StatusCode::OK,
        &ProfilePage {
            current: "profile",
            csrf: &signed_in.session.csrf_token,
            saved: query.saved.is_some(),
            email: &profile.email,
            display_name: &profile.display_name,
            payout_email: payout_field(&profile),
            sales: profile.notifications.sales,
            payouts: profile.notifications.payouts,
            name_error: None,
            payout_error: None,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    payout_email: String,
    /// A checkbox: present when ticked.
    sales: Option<String>,
    payouts: Option<String>,
}

pub async fn save(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    if !csrf::session_form_holds(&signed_in.session.csrf_token, &form.csrf) {
        return Err(PageError::Csrf);
    }
    let name = DisplayName::parse(&form.display_name);
    let payout = match form.payout_email.trim() {
        "" => Ok(None),
        typed => Email::parse(typed).map(Some),
    };
    let (Ok(name), Ok(payout)) = (&name, &payout) else {
        let profile = influencers::get(&state.db, influencer).await.map_err(store_error)?;
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ProfilePage {
                current: "profile",
                csrf: &signed_in.session.csrf_token,
                saved: false,
                email: &profile.email,
                display_name: &form.display_name,
                payout_email: &form.payout_email,
                sales: form.sales.is_some(),
                payouts: form.payouts.is_some(),
                name_error: name.as_ref().err().cloned(),
                payout_error: payout.as_ref().err().cloned(),
            },
        ));
    };
    let update = ProfileUpdate {
        display_name: Some(name.clone()),
        payout_email: Some(payout.clone()),
        notify_sales: Some(form.sales.is_some()),
        notify_payouts: Some(form.payouts.is_some()),
    };
    influencers::update(&state.db, influencer, update, state.clock.now())
        .await
        .map_err(store_error)?;
    Ok(see_other("/app/profile?saved=1"))
}
