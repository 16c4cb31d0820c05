//! `GET /app/profile` and `POST /app/profile`: the name brands see, the payout e-mail and
//! the notification switches, through the same use case as `PATCH /v1/me`;
//! `POST /app/profile/password`, the password change of `POST /v1/me/password`; and
//! `GET /app/earnings.csv`, the statement of `GET /v1/me/earnings.csv`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::api::client_ip::ClientIp;
use crate::api::me_reports::earnings_csv;
use crate::domain::{DisplayName, Email, Password};
use crate::service::influencers::{self, PasswordChange, PasswordChangeError, Profile, ProfileUpdate};
use crate::service::sessions::login_email;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

#[derive(Template)]
#[template(path = "web/profile.html")]
struct ProfilePage<'a> {
    current: &'a str,
    csrf: &'a str,
    saved: bool,
    password_changed: bool,
    email: &'a str,
    display_name: &'a str,
    payout_email: &'a str,
    sales: bool,
    payouts: bool,
    name_error: Option<String>,
    payout_error: Option<String>,
    password: PasswordErrors,
}

/// The password form's errors; its fields are never shown again.
#[derive(Debug, Default)]
struct PasswordErrors {
    current: Option<String>,
    new: Option<String>,
    confirm: Option<String>,
}

impl<'a> ProfilePage<'a> {
    /// The page as stored, without notices or errors.
    fn stored(profile: &'a Profile, csrf: &'a str) -> Self {
        Self {
            current: "profile",
            csrf,
            saved: false,
            password_changed: false,
            email: &profile.email,
            display_name: &profile.display_name,
            payout_email: payout_field(profile),
            sales: profile.notifications.sales,
            payouts: profile.notifications.payouts,
            name_error: None,
            payout_error: None,
            password: PasswordErrors::default(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Saved {
    saved: Option<String>,
    password: Option<String>,
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
            saved: query.saved.is_some(),
            password_changed: query.password.is_some(),
            ..ProfilePage::stored(&profile, &signed_in.session.csrf_token)
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
    signed_in.check_form(&form.csrf)?;
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
                display_name: &form.display_name,
                payout_email: &form.payout_email,
                sales: form.sales.is_some(),
                payouts: form.payouts.is_some(),
                name_error: name.as_ref().err().cloned(),
                payout_error: payout.as_ref().err().cloned(),
                ..ProfilePage::stored(&profile, &signed_in.session.csrf_token)
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

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// Changes the password; this session stays signed in and every other one ends.
pub async fn change_password(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    client: ClientIp,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    signed_in.check_form(&form.csrf)?;
    let PasswordForm {
        current_password,
        new_password,
        confirm_password,
        ..
    } = form.into_inner();
    let mismatch = new_password != confirm_password;
    let (status, errors) = match Password::parse(&new_password) {
        Ok(new) if !mismatch => {
            let change = PasswordChange {
                current: current_password,
                new,
                keep_session: Some(signed_in.session.id),
            };
            let attempts = |email: &str| state.login_limits.spend(client, &login_email(email));
            match influencers::change_password(&state.db, influencer, change, attempts, state.clock.now()).await {
                Ok(()) => return Ok(see_other("/app/profile?password=1")),
                Err(PasswordChangeError::WrongPassword) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    PasswordErrors {
                        current: Some("This is not your current password.".to_owned()),
                        ..PasswordErrors::default()
                    },
                ),
                Err(PasswordChangeError::TooManyAttempts(_)) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    PasswordErrors {
                        current: Some("Too many attempts; wait a minute and try again.".to_owned()),
                        ..PasswordErrors::default()
                    },
                ),
                Err(PasswordChangeError::NotFound) => return Err(PageError::SignIn),
                Err(err) => return Err(PageError::Internal(format!("{err:#}"))),
            }
        }
        refused => (
            StatusCode::UNPROCESSABLE_ENTITY,
            PasswordErrors {
                current: None,
                new: refused.err(),
                confirm: mismatch.then(|| "does not match the new password".to_owned()),
            },
        ),
    };
    let profile = influencers::get(&state.db, influencer).await.map_err(store_error)?;
    Ok(page(
        status,
        &ProfilePage {
            password: errors,
            ..ProfilePage::stored(&profile, &signed_in.session.csrf_token)
        },
    ))
}

/// The earnings statement as CSV, the same file as `GET /v1/me/earnings.csv`.
pub async fn download_earnings(state: web::Data<AppState>, signed_in: SignedIn) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    Ok(earnings_csv(&state.db, influencer))
}
