//! Sign-up: a brand with its owner, or an influencer.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::ErrorCode;
use super::client_ip::ClientIp;
use super::extract::Json;
use super::responses::{BrandResponse, InfluencerResponse};
use super::sessions::token_response;
use super::validate::Validator;
use super::{ApiError, db};
use crate::api::AppState;
use crate::auth::password;
use crate::domain::{BrandName, Currency, DisplayName, Email, LandingUrl, Password, Slug};
use crate::service::sessions::{self, Subject};
use crate::store::brands::{self, NewBrand};
use crate::store::ids::{BrandId, BrandUserId, InfluencerId};
use crate::store::influencers::{self, NewInfluencer};
use crate::store::refresh_tokens::AccountKind;
use crate::store::users::{self, BrandRole, NewBrandUser};
use crate::store::{is_unique_violation, time};

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
    pub tokens: super::responses::TokenResponse,
}

fn email_taken() -> ApiError {
    ApiError::conflict(ErrorCode::EmailTaken, "An account with this e-mail already exists.")
}

/// A unique violation that the checks before the insert did not see (a concurrent
/// sign-up on PostgreSQL); SQLite names no constraint, so the answer stays general.
fn map_conflict(err: diesel::result::Error) -> ApiError {
    if is_unique_violation(&err) {
        ApiError::conflict(
            ErrorCode::Conflict,
            "The slug or e-mail was taken at the same moment; try again.",
        )
    } else {
        ApiError::internal(err)
    }
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
    let (Some(name), Some(slug), Some(landing_url), Some(currency), Some(email), Some(pass)) = parsed else {
        return Err(v.into_error());
    };
    // Only a sign-up that passes validation spends the address's budget: the argon2id
    // hash below is what the budget guards, and a typo should not cost one of its ten.
    state.signup_limits.check(client)?;
    let password_hash = db::cpu(move || password::hash(pass.expose()))
        .await?
        .map_err(ApiError::internal)?;
    let now_utc = state.clock.now();
    let now = time::to_db(now_utc);
    let (brand, subject, refresh) = db::write(&state.db, move |conn| {
        if brands::slug_exists(conn, slug.as_str())? {
            return Err(ApiError::conflict(
                ErrorCode::SlugTaken,
                "Another brand uses this slug.",
            ));
        }
        if users::email_exists(conn, email.as_str())? {
            return Err(email_taken());
        }
        let brand_id = BrandId::generate();
        brands::insert(
            conn,
            &NewBrand {
                id: brand_id,
                name: name.as_str(),
                slug: slug.as_str(),
                landing_url: landing_url.as_str(),
                currency: currency.code(),
                created_at: now,
                updated_at: now,
            },
        )
        .map_err(map_conflict)?;
        let user_id = BrandUserId::generate();
        users::insert(
            conn,
            &NewBrandUser {
                id: user_id,
                brand_id,
                email: email.as_str(),
                password_hash: &password_hash,
                role: BrandRole::Owner,
                created_at: now,
            },
        )
        .map_err(map_conflict)?;
        let brand = brands::find(conn, brand_id)?
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("brand vanished after insert")))?;
        let subject = Subject {
            account: AccountKind::Brand,
            id: user_id.to_string(),
        };
        let refresh = sessions::start(conn, &subject, now_utc)?;
        Ok((brand, subject, refresh))
    })
    .await?;
    let tokens = token_response(&state, &subject, refresh)?;
    Ok(HttpResponse::Created().json(CreateBrandResponse {
        brand: brand.into(),
        tokens,
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
    pub tokens: super::responses::TokenResponse,
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
    let (Some(email), Some(pass), Some(display_name)) = parsed else {
        return Err(v.into_error());
    };
    state.signup_limits.check(client)?;
    let password_hash = db::cpu(move || password::hash(pass.expose()))
        .await?
        .map_err(ApiError::internal)?;
    let now_utc = state.clock.now();
    let now = time::to_db(now_utc);
    let (influencer, subject, refresh) = db::write(&state.db, move |conn| {
        if influencers::email_exists(conn, email.as_str())? {
            return Err(email_taken());
        }
        let id = InfluencerId::generate();
        influencers::insert(
            conn,
            &NewInfluencer {
                id,
                email: email.as_str(),
                password_hash: &password_hash,
                display_name: display_name.as_str(),
                payout_email: None,
                created_at: now,
                updated_at: now,
            },
        )
        .map_err(map_conflict)?;
        let influencer = influencers::find(conn, id)?
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("influencer vanished after insert")))?;
        let subject = Subject {
            account: AccountKind::Influencer,
            id: id.to_string(),
        };
        let refresh = sessions::start(conn, &subject, now_utc)?;
        Ok((influencer, subject, refresh))
    })
    .await?;
    let tokens = token_response(&state, &subject, refresh)?;
    Ok(HttpResponse::Created().json(CreateInfluencerResponse {
        influencer: influencer.into(),
        tokens,
    }))
}
