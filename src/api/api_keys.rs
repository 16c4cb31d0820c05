//! Brand API keys for the shop's checkout. The secret is shown once, at creation.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{ApiKey, BrandUser, Json};
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::domain::KeyName;
use crate::service::api_keys::{self, ApiKeyError, KeyInfo, MAX_KEYS_PER_BRAND};
use crate::store::ids::{ApiKeyId, BrandId};

impl From<ApiKeyError> for ApiError {
    fn from(err: ApiKeyError) -> Self {
        match err {
            ApiKeyError::TooMany => ApiError::unprocessable(
                ErrorCode::TooManyApiKeys,
                format!("A brand can hold at most {MAX_KEYS_PER_BRAND} live API keys; revoke one first."),
            ),
            ApiKeyError::NotFound => ApiError::not_found(ErrorCode::ApiKeyNotFound, "No such API key."),
            ApiKeyError::Invalid => {
                ApiError::unauthorized(ErrorCode::InvalidApiKey, "The API key is unknown or revoked.")
            }
            ApiKeyError::Forbidden(err) => err.into(),
            ApiKeyError::Store(err) => err.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct ApiKeyResponse {
    pub id: ApiKeyId,
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<KeyInfo> for ApiKeyResponse {
    fn from(key: KeyInfo) -> Self {
        Self {
            id: key.id,
            name: key.name,
            prefix: key.prefix,
            created_at: key.created_at,
            last_used_at: key.last_used_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CreatedApiKeyResponse {
    #[serde(flatten)]
    pub key: ApiKeyResponse,
    /// The secret; it is not stored and cannot be shown again.
    pub secret: String,
}

#[derive(Debug, Serialize)]
pub struct ApiKeyList {
    pub items: Vec<ApiKeyResponse>,
    pub next_cursor: Option<String>,
}

/// `POST /v1/brand/api-keys`
pub async fn create_api_key(
    state: web::Data<AppState>,
    user: BrandUser,
    Json(body): Json<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = KeyName::parse(&body.name).map_err(|m| ApiError::field("name", m))?;
    let created = api_keys::create(&state.db, &user.actor, name, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(CreatedApiKeyResponse {
        key: created.key.into(),
        secret: created.secret,
    }))
}

/// `GET /v1/brand/api-keys`: the brand's live keys, without secrets.
pub async fn list_api_keys(state: web::Data<AppState>, user: BrandUser) -> Result<HttpResponse, ApiError> {
    let keys = api_keys::list(&state.db, &user.actor).await?;
    Ok(HttpResponse::Ok().json(ApiKeyList {
        items: keys.into_iter().map(ApiKeyResponse::from).collect(),
        next_cursor: None,
    }))
}

/// `DELETE /v1/brand/api-keys/{id}`: revokes at once. Another brand's key, an unknown
/// id and an already revoked key all answer 404.
pub async fn revoke_api_key(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<ApiKeyId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    api_keys::revoke(&state.db, &user.actor, id, state.clock.now()).await?;
    state.api_keys.forget(id);
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize)]
pub struct CurrentApiKeyResponse {
    #[serde(flatten)]
    pub key: ApiKeyResponse,
    pub brand: CurrentKeyBrand,
}

#[derive(Debug, Serialize)]
pub struct CurrentKeyBrand {
    pub id: BrandId,
    pub slug: String,
    pub currency: String,
}

/// `GET /v1/checkout/api-key`: the key this request was made with and its brand, so a
/// shop integration can check its set-up ("test connection") without side effects.
pub async fn get_current_api_key(state: web::Data<AppState>, key: ApiKey) -> Result<HttpResponse, ApiError> {
    let current = api_keys::current(&state.db, key.brand_id, key.key_id).await?;
    Ok(HttpResponse::Ok().json(CurrentApiKeyResponse {
        key: current.key.into(),
        brand: CurrentKeyBrand {
            id: current.brand.id,
            slug: current.brand.slug,
            currency: current.brand.currency,
        },
    }))
}
