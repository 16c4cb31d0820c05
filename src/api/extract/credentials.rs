//! The three kinds of caller: `BrandUser`, `Influencer` (both by JWT) and `ApiKey` (a
//! brand's shop). The tenant always comes from the credential, never from the body or
//! the path.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::api::key_cache::CachedKey;
use crate::api::{ApiError, AppState, ErrorCode};
use crate::auth::JwtError;
use crate::auth::secrets::{is_api_key, sha256_hex};
use crate::service::auth;
use crate::store::ids::{ApiKeyId, BrandId, BrandUserId, InfluencerId};
use crate::store::refresh_tokens::AccountKind;

fn bearer(req: &HttpRequest) -> Result<&str, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized(ErrorCode::Unauthenticated, "Send `Authorization: Bearer <token>`."))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized(ErrorCode::InvalidToken, "The Authorization header is not readable."))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| ApiError::unauthorized(ErrorCode::InvalidToken, "Use the Bearer scheme."))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized(
            ErrorCode::InvalidToken,
            "Use the Bearer scheme.",
        ));
    }
    Ok(token.trim())
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("application state missing")))
}

fn verify_jwt(req: &HttpRequest, audience: AccountKind) -> Result<String, ApiError> {
    let token = bearer(req)?;
    if is_api_key(token) {
        return Err(ApiError::unauthorized(
            ErrorCode::WrongCredential,
            "An API key cannot be used here; log in and send the access token.",
        ));
    }
    let state = state(req)?;
    match state.jwt.verify(token, audience, state.clock.now()) {
        Ok(claims) => Ok(claims.sub),
        Err(JwtError::Expired) => Err(ApiError::unauthorized(
            ErrorCode::TokenExpired,
            "The access token has expired; refresh it.",
        )),
        Err(JwtError::Invalid) => Err(ApiError::unauthorized(
            ErrorCode::InvalidToken,
            "The access token is not valid here.",
        )),
    }
}

/// A signed-in member of a brand's team (JWT with audience `brand`).
#[derive(Debug, Clone, Copy)]
pub struct BrandUser {
    pub user_id: BrandUserId,
    pub brand_id: BrandId,
    /// Who is acting, with the role read at this request, for the use cases a role limits.
    pub actor: auth::BrandActor,
}

impl FromRequest for BrandUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let subject = verify_jwt(req, AccountKind::Brand);
        let state = state(req);
        Box::pin(async move {
            let user_id: BrandUserId = subject?
                .parse()
                .map_err(|_| ApiError::unauthorized(ErrorCode::InvalidToken, "The access token is not valid here."))?;
            let state = state?;
            // The brand and role are looked up rather than carried in the token, so a
            // removed user loses access, and a changed role applies, at once.
            let actor = auth::brand_actor(&state.db, user_id)
                .await?
                .ok_or_else(|| ApiError::unauthorized(ErrorCode::InvalidToken, "The account no longer exists."))?;
            Ok(Self {
                user_id,
                brand_id: actor.brand_id,
                actor,
            })
        })
    }
}

/// A signed-in influencer (JWT with audience `influencer`).
#[derive(Debug, Clone, Copy)]
pub struct Influencer {
    pub influencer_id: InfluencerId,
}

impl FromRequest for Influencer {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(verify_jwt(req, AccountKind::Influencer).and_then(|sub| {
            sub.parse()
                .map(|influencer_id| Self { influencer_id })
                .map_err(|_| ApiError::unauthorized(ErrorCode::InvalidToken, "The access token is not valid here."))
        }))
    }
}

/// A brand's shop calling with an API key (`rtk_…`).
#[derive(Debug, Clone, Copy)]
pub struct ApiKey {
    pub key_id: ApiKeyId,
    pub brand_id: BrandId,
}

/// `last_used_at` is written at most this often per key.
const KEY_TOUCH_INTERVAL_SECS: i64 = 60;

impl FromRequest for ApiKey {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req).map(str::to_owned);
        let state = state(req);
        Box::pin(async move {
            let token = token?;
            if !is_api_key(&token) {
                return Err(ApiError::unauthorized(
                    ErrorCode::WrongCredential,
                    "This endpoint takes a brand API key (rtk_…), not an access token.",
                ));
            }
            let state = state?;
            let hash = sha256_hex(&token);
            let key: CachedKey = match state.api_keys.get(&hash) {
                Some(cached) => cached,
                None => {
                    let found = auth::api_key_by_hash(&state.db, hash.clone()).await?.ok_or_else(|| {
                        ApiError::unauthorized(ErrorCode::InvalidApiKey, "The API key is unknown or revoked.")
                    })?;
                    state.api_keys.put(hash.clone(), found);
                    found
                }
            };
            let now = state.clock.now();
            let stale_before = now - chrono::Duration::seconds(KEY_TOUCH_INTERVAL_SECS);
            if key.last_used_at.is_none_or(|at| at < stale_before) {
                // Marked first, so the requests that follow do not all write it too.
                state.api_keys.touched(&hash, now);
                // Bookkeeping only, through the writer like every request's write; a
                // failure here must not fail the checkout.
                if let Err(err) = auth::record_key_use(&state.db, key.key_id, now, stale_before).await {
                    tracing::warn!(error = %err, "could not record API key use");
                }
            }
            Ok(Self {
                key_id: key.key_id,
                brand_id: key.brand_id,
            })
        })
    }
}
