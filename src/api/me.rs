//! The signed-in influencer's own profile.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::ErrorCode;
use super::extract::{Influencer, Json};
use super::responses::InfluencerResponse;
use super::validate::{Validator, nullable};
use super::{ApiError, db};
use crate::api::AppState;
use crate::domain::{DisplayName, Email};
use crate::store::influencers::{self, InfluencerChanges};
use crate::store::time;

fn account_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::AccountNotFound, "The account no longer exists.")
}

/// `GET /v1/me`
pub async fn get_me(state: web::Data<AppState>, me: Influencer) -> Result<HttpResponse, ApiError> {
    let row = db::read(&state.db, move |conn| {
        influencers::find(conn, me.influencer_id)?.ok_or_else(account_not_found)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InfluencerResponse::from(row)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    pub display_name: Option<String>,
    /// `null` goes back to paying out to the login e-mail.
    #[serde(default, deserialize_with = "nullable")]
    pub payout_email: Option<Option<String>>,
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
    let now = time::to_db(state.clock.now());
    let row = db::write(&state.db, move |conn| {
        let changes = InfluencerChanges {
            display_name: display_name.as_ref().map(DisplayName::as_str),
            payout_email: payout_email.as_ref().map(|e| e.as_ref().map(Email::as_str)),
            updated_at: Some(now),
        };
        influencers::update(conn, me.influencer_id, &changes)?.ok_or_else(account_not_found)
    })
    .await?;
    Ok(HttpResponse::Ok().json(InfluencerResponse::from(row)))
}
