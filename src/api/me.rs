//! The signed-in influencer's own profile.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::extract::{Influencer, Json};
use super::responses::InfluencerResponse;
use super::validate::{Validator, nullable, object};
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::domain::{DisplayName, Email};
use crate::service::influencers::{self, ProfileError, ProfileUpdate};

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
