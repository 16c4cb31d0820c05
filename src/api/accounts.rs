//! Sign-up: a brand with its owner, or an influencer.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::client_ip::ClientIp;
use super::extract::Json;
use super::responses::{BrandResponse, InfluencerResponse, TokenResponse};
use super::validate::Validator;
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::domain::{BrandName, Currency, DisplayName, Email, LandingUrl, Password, Slug};
use crate::service::accounts::{self, BrandSignUp, InfluencerSignUp, SignUpError};

impl From<SignUpError> for ApiError {
    fn from(err: SignUpError) -> Self {
        match err {
            SignUpError::SlugTaken => ApiError::conflict(ErrorCode::SlugTaken, "Another brand uses this slug."),
            SignUpError::EmailTaken => {
                ApiError::conflict(ErrorCode::EmailTaken, "An account with this e-mail already exists.")
            }
            SignUpError::Raced => ApiError::conflict(
                ErrorCode::Conflict,
                "The slug or e-mail was taken at the same moment; try again.",
            ),
            SignUpError::Hash(err) => ApiError::internal(err),
            SignUpError::Token(err) => ApiError::internal(err),
            SignUpError::Store(err) => err.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBrandRequest {
    pub name: String,
    pub slug: String,
    pub landing_url: String,
    pub currency: String,
    pub owner_email: String,
    pub owner_password: String,
}

#[derive(Debug, Serialize)]
pub struct CreateBrandResponse {
    pub brand: BrandResponse,
    #[serde(flatten)]
    pub tokens: TokenResponse,
}

/// `POST /v1/brands`: creates the brand and its owner, and signs the owner in.
pub async fn create_brand(
    state: web::Data<AppState>,
    client: ClientIp,
    Json(body): Json<CreateBrandRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::default();
    let parsed = (
        v.check("name", BrandName::parse(&body.name)),
        v.check("slug", Slug::parse(&body.slug)),
        v.check("landing_url", LandingUrl::parse(&body.landing_url)),
        v.check("currency", Currency::parse(&body.currency)),
        v.check("owner_email", Email::parse(&body.owner_email)),
        v.check("owner_password", Password::parse(&body.owner_password)),
    );
    let (Some(name), Some(slug), Some(landing_url), Some(currency), Some(owner_email), Some(owner_password)) = parsed
    else {
        return Err(v.into_error());
    };
    // Only a sign-up that passes validation spends the address's budget: the argon2id
    // hash the service makes is what the budget guards, and a typo should not cost one
    // of its ten.
    state.signup_limits.check(client)?;
    let sign_up = BrandSignUp {
        name,
        slug,
        landing_url,
        currency,
        owner_email,
        owner_password,
    };
    let created = accounts::sign_up_brand(&state.db, &state.jwt, sign_up, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(CreateBrandResponse {
        brand: created.brand.into(),
        tokens: created.tokens.into(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInfluencerRequest {
    pub email: String,
    pub password: String,
    pub display_name: String,
}

#[derive(Debug, Serialize)]
pub struct CreateInfluencerResponse {
    pub influencer: InfluencerResponse,
    #[serde(flatten)]
    pub tokens: TokenResponse,
}

/// `POST /v1/influencers`: creates an influencer account and signs it in.
pub async fn create_influencer(
    state: web::Data<AppState>,
    client: ClientIp,
    Json(body): Json<CreateInfluencerRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut v = Validator::default();
    let parsed = (
        v.check("email", Email::parse(&body.email)),
        v.check("password", Password::parse(&body.password)),
        v.check("display_name", DisplayName::parse(&body.display_name)),
    );
    let (Some(email), Some(password), Some(display_name)) = parsed else {
        return Err(v.into_error());
    };
    state.signup_limits.check(client)?;
    let sign_up = InfluencerSignUp {
        email,
        password,
        display_name,
    };
    let created = accounts::sign_up_influencer(&state.db, &state.jwt, sign_up, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(CreateInfluencerResponse {
        influencer: created.influencer.into(),
        tokens: created.tokens.into(),
    }))
}
