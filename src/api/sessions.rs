//! Login, refresh and logout for brand staff and influencers.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::ApiError;
use super::ErrorCode;
use super::client_ip::ClientIp;
use super::db;
use super::extract::Json;
use super::responses::TokenResponse;
use crate::api::AppState;
use crate::auth::password;
use crate::domain::Email;
use crate::service::sessions::{self, Rotation, Subject};
use crate::store::refresh_tokens::AccountKind;
use crate::store::{influencers, users};

/// Answers with a fresh access token for `subject` beside its refresh token.
pub fn token_response(state: &AppState, subject: &Subject, refresh_token: String) -> Result<TokenResponse, ApiError> {
    let access = state
        .jwt
        .issue(subject.account, &subject.id, state.clock.now())
        .map_err(ApiError::internal)?;
    Ok(TokenResponse {
        access_token: access.token,
        refresh_token,
        token_type: "Bearer",
        expires_in: access.expires_in,
    })
}

/// Starts a session for a just-created or just-authenticated account.
pub async fn open_session(state: &AppState, subject: Subject) -> Result<TokenResponse, ApiError> {
    let now = state.clock.now();
    let for_tx = subject.clone();
    let refresh = db::write(&state.db, move |conn| Ok(sessions::start(conn, &for_tx, now)?)).await?;
    token_response(state, &subject, refresh)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    pub account: AccountKind,
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized(ErrorCode::InvalidCredentials, "E-mail or password is wrong.")
}

/// `POST /v1/auth/login`. A wrong password and an unknown e-mail take the same time
/// and give the same answer.
pub async fn login(
    state: web::Data<AppState>,
    client: ClientIp,
    Json(body): Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = body.email.trim().to_lowercase();
    state.login_limits.check(client, &email)?;
    let account = body.account;
    // An address that cannot be an account (PostgreSQL would even refuse one with a
    // NUL byte) is not looked up; it still costs one verification below. The lookup
    // form accepts invisible characters that sign-up now refuses, so accounts made
    // before that rule still sign in.
    let lookup = Email::parse_lookup(&email).ok();
    let found: Option<(String, String)> = db::read(&state.db, move |conn| {
        let Some(email) = lookup else { return Ok(None) };
        let email = email.as_str();
        Ok(match account {
            AccountKind::Brand => users::find_by_email(conn, email)?.map(|u| (u.id.to_string(), u.password_hash)),
            AccountKind::Influencer => {
                influencers::find_by_email(conn, email)?.map(|i| (i.id.to_string(), i.password_hash))
            }
        })
    })
    .await?;
    let (subject_id, stored) = match found {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let given = body.password;
    let ok = db::cpu(move || password::verify(&given, stored.as_deref())).await?;
    let (true, Some(id)) = (ok, subject_id) else {
        return Err(invalid_credentials());
    };
    let tokens = open_session(&state, Subject { account, id }).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// `POST /v1/auth/refresh`: spends the refresh token and returns a new pair.
pub async fn refresh(state: web::Data<AppState>, Json(body): Json<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    // The revocation of a reused family must commit, so the outcome is returned as
    // a value and turned into an error only after the transaction.
    let rotation = db::write(&state.db, move |conn| {
        Ok(sessions::rotate(conn, &body.refresh_token, now)?)
    })
    .await?;
    match rotation {
        Rotation::Rotated { subject, refresh_token } => {
            Ok(HttpResponse::Ok().json(token_response(&state, &subject, refresh_token)?))
        }
        Rotation::Reused => Err(ApiError::unauthorized(
            ErrorCode::RefreshTokenReused,
            "This refresh token was already used; the session has been revoked. Log in again.",
        )),
        Rotation::Invalid => Err(ApiError::unauthorized(
            ErrorCode::InvalidRefreshToken,
            "The refresh token is unknown or expired.",
        )),
    }
}

/// `POST /v1/auth/logout`: revokes the session (the token's whole family).
pub async fn logout(state: web::Data<AppState>, Json(body): Json<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    db::write(&state.db, move |conn| {
        Ok(sessions::end(conn, &body.refresh_token, now)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
