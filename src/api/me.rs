//! The signed-in influencer's own profile, and their password.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::client_ip::ClientIp;
use super::extract::{Influencer, Json};
use super::responses::InfluencerResponse;
use super::validate::{Validator, nullable, object};
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::domain::{DisplayName, Email, Password};
use crate::service::influencers::{self, PasswordChange, PasswordChangeError, ProfileError, ProfileUpdate};
use crate::service::sessions::login_email;

impl From<ProfileError> for ApiError {
    fn from(err: ProfileError) -> Self {
        match err {
            ProfileError::NotFound => ApiError::not_found(ErrorCode::AccountNotFound, "The account no longer exists."),
            ProfileError::Store(err) => err.into(),
        }
    }
}

/// `GET /v1/me`
pub async fn get_me(state: web::Data<AppState>, me: Influencer) -> Result<HttpResponse, ApiError> {
    let profile = influencers::get(&state.db, me.influencer_id).await?;
    Ok(HttpResponse::Ok().json(InfluencerResponse::from(profile)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    pub display_name: Option<String>,
    /// `null` goes back to paying out to the login e-mail.
    #[serde(default, deserialize_with = "nullable")]
    pub payout_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "object")]
    pub notifications: Option<NotificationsPatch>,
}

/// The notification switches to change; an absent one keeps its value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsPatch {
    pub sales: Option<bool>,
    pub payouts: Option<bool>,
}

/// `PATCH /v1/me`
pub async fn update_me(
    state: web::Data<AppState>,
    me: Influencer,
    Json(body): Json<UpdateMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::default();
    let display_name = v.check_opt("display_name", body.display_name.as_deref().map(DisplayName::parse));
    let payout_email = match body.payout_email {
        None => Some(None),
        Some(None) => Some(Some(None)),
        Some(Some(email)) => v.check("payout_email", Email::parse(&email)).map(|e| Some(Some(e))),
    };
    let (Some(display_name), Some(payout_email)) = (display_name, payout_email) else {
        return Err(v.into_error());
    };
    let notifications = body.notifications.unwrap_or(NotificationsPatch {
        sales: None,
        payouts: None,
    });
    let update = ProfileUpdate {
        display_name,
        payout_email,
        notify_sales: notifications.sales,
        notify_payouts: notifications.payouts,
    };
    let profile = influencers::update(&state.db, me.influencer_id, update, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(InfluencerResponse::from(profile)))
}

impl From<PasswordChangeError> for ApiError {
    fn from(err: PasswordChangeError) -> Self {
        match err {
            PasswordChangeError::WrongPassword => ApiError::field("current_password", "is wrong"),
            PasswordChangeError::TooManyAttempts(wait) => super::limits::retry_after(wait),
            PasswordChangeError::NotFound => ProfileError::NotFound.into(),
            PasswordChangeError::Hash(err) => ApiError::internal(err),
            PasswordChangeError::Store(err) => err.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /v1/me/password`: 204; every session of the account ends, this client's
/// refresh token included, and every attempt spends the login budget of the account's
/// e-mail.
pub async fn change_my_password(
    state: web::Data<AppState>,
    me: Influencer,
    client: ClientIp,
    Json(body): Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::default();
    let new = v.check("new_password", Password::parse(&body.new_password));
    let Some(new) = new else {
        return Err(v.into_error());
    };
    let change = PasswordChange {
        current: body.current_password,
        new,
        keep_session: None,
    };
    let attempts = |email: &str| state.login_limits.spend(client, &login_email(email));
    influencers::change_password(&state.db, me.influencer_id, change, attempts, state.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}
