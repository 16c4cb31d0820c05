//! Brand API keys for the shop's checkout. The secret is shown once, at creation.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ErrorCode;
use super::extract::{ApiKey, BrandUser, Json};
use super::{ApiError, db};
use crate::api::AppState;
use crate::auth::secrets;
use crate::domain::KeyName;
use crate::store::api_keys::{self, ApiKeyRow, NewApiKey};
use crate::store::ids::ApiKeyId;
use crate::store::{portable, time};

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

impl From<ApiKeyRow> for ApiKeyResponse {
    fn from(row: ApiKeyRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            created_at: time::from_db(row.created_at),
            last_used_at: row.last_used_at.map(time::from_db),
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

/// Most live keys one brand may hold; enough for every shop and environment.
const MAX_KEYS_PER_BRAND: usize = 50;

/// `POST /v1/brand/api-keys`
pub async fn create_api_key(
    state: web::Data<AppState>,
    user: BrandUser,
    Json(body): Json<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let name = KeyName::parse(&body.name).map_err(|m| ApiError::field("name", m))?;
    let now = time::to_db(state.clock.now());
    let generated = secrets::new_api_key();
    let hash = generated.hash;
    let prefix = generated.prefix;
    let row = db::write(&state.db, move |conn| {
        // Count under the brand's row lock: on PostgreSQL, concurrent creations that
        // counted without it all saw room and went past the cap.
        portable::lock_brand(conn, user.brand_id)?;
        if api_keys::list_active_for_brand(conn, user.brand_id)?.len() >= MAX_KEYS_PER_BRAND {
            return Err(ApiError::unprocessable(
                ErrorCode::TooManyApiKeys,
                format!("A brand can hold at most {MAX_KEYS_PER_BRAND} live API keys; revoke one first."),
            ));
        }
        let id = ApiKeyId::generate();
        let key = NewApiKey {
            id,
            brand_id: user.brand_id,
            name: name.as_str(),
            prefix: &prefix,
            key_hash: &hash,
            created_at: now,
        };
        api_keys::insert(conn, &key)?;
        Ok(ApiKeyRow {
            id,
            brand_id: user.brand_id,
            name: name.as_str().to_owned(),
            prefix: prefix.clone(),
            key_hash: hash.clone(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(CreatedApiKeyResponse {
        key: row.into(),
        secret: generated.secret,
    }))
}

/// `GET /v1/brand/api-keys`: the brand's live keys, without secrets.
pub async fn list_api_keys(state: web::Data<AppState>, user: BrandUser) -> Result<HttpResponse, ApiError> {
    let rows = db::read(&state.db, move |conn| {
        Ok(api_keys::list_active_for_brand(conn, user.brand_id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ApiKeyList {
        items: rows.into_iter().map(ApiKeyResponse::from).collect(),
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
    let now = time::to_db(state.clock.now());
    let revoked = db::write(&state.db, move |conn| {
        Ok(api_keys::revoke(conn, user.brand_id, id, now)?)
    })
    .await?;
    if revoked {
        state.api_keys.forget(id);
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found(ErrorCode::ApiKeyNotFound, "No such API key."))
    }
}

#[derive(Debug, Serialize)]
pub struct CurrentApiKeyResponse {
    #[serde(flatten)]
    pub key: ApiKeyResponse,
    pub brand: CurrentKeyBrand,
}

#[derive(Debug, Serialize)]
pub struct CurrentKeyBrand {
    pub id: crate::store::ids::BrandId,
    pub slug: String,
    pub currency: String,
}

/// `GET /v1/checkout/api-key`: the key this request was made with and its brand, so a
/// shop integration can check its set-up ("test connection") without side effects.
pub async fn get_current_api_key(state: web::Data<AppState>, key: ApiKey) -> Result<HttpResponse, ApiError> {
    let (row, brand) = db::read(&state.db, move |conn| {
        let row = api_keys::find(conn, key.brand_id, key.key_id)?;
        let brand = crate::store::brands::find(conn, key.brand_id)?;
        match (row, brand) {
            (Some(row), Some(brand)) => Ok((row, brand)),
            _ => Err(ApiError::unauthorized(
                ErrorCode::InvalidApiKey,
                "The API key is unknown or revoked.",
            )),
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(CurrentApiKeyResponse {
        key: row.into(),
        brand: CurrentKeyBrand {
            id: brand.id,
            slug: brand.slug,
            currency: brand.currency,
        },
    }))
}
