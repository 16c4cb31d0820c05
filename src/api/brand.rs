//! The signed-in brand's own profile.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::ErrorCode;
use super::extract::{BrandUser, Json};
use super::responses::BrandResponse;
use super::validate::Validator;
use super::{ApiError, db};
use crate::api::AppState;
use crate::domain::{BrandName, LandingUrl};
use crate::store::brands::{self, BrandChanges};
use crate::store::time;

fn brand_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::BrandNotFound, "The brand no longer exists.")
}

/// `GET /v1/brand`
pub async fn get_brand(state: web::Data<AppState>, user: BrandUser) -> Result<HttpResponse, ApiError> {
    let brand = db::read(&state.db, move |conn| {
        brands::find(conn, user.brand_id)?.ok_or_else(brand_not_found)
    })
    .await?;
    Ok(HttpResponse::Ok().json(BrandResponse::from(brand)))
}

/// Editable fields. The slug is not among them: it is in every referral link already
/// handed out, and the currency is fixed per program.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateBrandRequest {
    pub name: Option<String>,
    pub landing_url: Option<String>,
}

/// `PATCH /v1/brand`
pub async fn update_brand(
    state: web::Data<AppState>,
    user: BrandUser,
    Json(body): Json<UpdateBrandRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::default();
    let parsed = (
        v.check_opt("name", body.name.as_deref().map(BrandName::parse)),
        v.check_opt("landing_url", body.landing_url.as_deref().map(LandingUrl::parse)),
    );
    let (Some(name), Some(landing_url)) = parsed else {
        return Err(v.into_error());
    };
    let now = time::to_db(state.clock.now());
    let brand = db::write(&state.db, move |conn| {
        let changes = BrandChanges {
            name: name.as_ref().map(BrandName::as_str),
            landing_url: landing_url.as_ref().map(LandingUrl::as_str),
            updated_at: Some(now),
        };
        brands::update(conn, user.brand_id, &changes)?.ok_or_else(brand_not_found)
    })
    .await?;
    Ok(HttpResponse::Ok().json(BrandResponse::from(brand)))
}
