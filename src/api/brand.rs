//! The signed-in brand's own profile.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::extract::{BrandUser, Json};
use super::responses::BrandResponse;
use super::validate::Validator;
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::domain::{BrandName, LandingUrl};
use crate::service::brands::{self, BrandError, BrandUpdate};

impl From<BrandError> for ApiError {
    fn from(err: BrandError) -> Self {
        match err {
            BrandError::NotFound => ApiError::not_found(ErrorCode::BrandNotFound, "The brand no longer exists."),
            BrandError::Store(err) => err.into(),
        }
    }
}

/// `GET /v1/brand`
pub async fn get_brand(state: web::Data<AppState>, user: BrandUser) -> Result<HttpResponse, ApiError> {
    let brand = brands::get(&state.db, user.brand_id).await?;
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
    let update = BrandUpdate { name, landing_url };
    let brand = brands::update(&state.db, user.brand_id, update, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(BrandResponse::from(brand)))
}
