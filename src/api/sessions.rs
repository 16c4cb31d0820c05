//! Login, refresh and logout for brand staff and influencers.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::client_ip::ClientIp;
use super::extract::Json;
use super::responses::TokenResponse;
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::service::sessions::{self, Login, SessionError};
use crate::store::refresh_tokens::AccountKind;

impl From<SessionError> for ApiError {
    fn from(err: SessionError) -> Self {
        match err {
            SessionError::InvalidCredentials => {
                ApiError::unauthorized(ErrorCode::InvalidCredentials, "E-mail or password is wrong.")
            }
            SessionError::RefreshTokenReused => ApiError::unauthorized(
                ErrorCode::RefreshTokenReused,
                "This refresh token was already used; the session has been revoked. Log in again.",
            ),
            SessionError::InvalidRefreshToken => ApiError::unauthorized(
                ErrorCode::InvalidRefreshToken,
                "The refresh token is unknown or expired.",
            ),
            SessionError::Token(err) => ApiError::internal(err),
            SessionError::Store(err) => err.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    pub account: AccountKind,
}

/// `POST /v1/auth/login`. A wrong password and an unknown e-mail take the same time
/// and give the same answer.
pub async fn login(
    state: web::Data<AppState>,
    client: ClientIp,
    Json(body): Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    state.login_limits.check(client, &sessions::login_email(&body.email))?;
    let login = Login {
        email: body.email,
        password: body.password,
        account: body.account,
    };
    let tokens = sessions::login(&state.db, &state.jwt, login, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(tokens)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// `POST /v1/auth/refresh`: spends the refresh token and returns a new pair.
pub async fn refresh(state: web::Data<AppState>, Json(body): Json<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let tokens = sessions::refresh(&state.db, &state.jwt, body.refresh_token, state.clock.now()).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(tokens)))
}

/// `POST /v1/auth/logout`: revokes the session (the token's whole family).
pub async fn logout(state: web::Data<AppState>, Json(body): Json<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    sessions::logout(&state.db, body.refresh_token, state.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}
