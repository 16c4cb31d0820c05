//! Forgotten passwords: ask for a reset e-mail, then set a new password with its token.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::client_ip::ClientIp;
use super::extract::Json;
use super::validate::Validator;
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::domain::Password;
use crate::service::password_reset::{self, ResetError};
use crate::service::sessions::login_email;
use crate::store::refresh_tokens::AccountKind;

impl From<ResetError> for ApiError {
    fn from(err: ResetError) -> Self {
        match err {
            ResetError::InvalidToken => ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidResetToken,
                "This reset token is unknown, used or expired; ask for a new one.",
            ),
            ResetError::Hash(err) => ApiError::internal(err),
            ResetError::Store(err) => err.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    pub email: String,
    pub account: AccountKind,
}

/// `POST /v1/auth/password-reset`: 202 whether or not the account exists. The work
/// (the lookup, the token, the e-mail) runs after the answer, so neither the answer nor
/// its timing tells whether the address has an account.
pub async fn request_reset(
    state: web::Data<AppState>,
    client: ClientIp,
    Json(body): Json<ResetRequest>,
) -> Result<HttpResponse, ApiError> {
    state.reset_limits.check(client, &login_email(&body.email))?;
    request_after_answer(&state, body.account, body.email);
    Ok(HttpResponse::Accepted().finish())
}

/// Runs [`password_reset::request`] after the answer has gone out, for every door that
/// takes a reset request (this one and the portal's form), so none of them tells by
/// its timing whether the address has an account.
pub fn request_after_answer(state: &AppState, account: AccountKind, email: String) {
    let db = state.db.clone();
    let postbox = state.postbox.clone();
    let now = state.clock.now();
    actix_web::rt::spawn(async move {
        if let Err(err) = password_reset::request(&db, &postbox, account, &email, now).await {
            tracing::error!(error = format!("{err:#}"), "a password reset could not be written");
        }
    });
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    pub token: String,
    pub new_password: String,
}

/// `POST /v1/auth/password-reset/confirm`: 204; every session of the account ends.
pub async fn confirm_reset(
    state: web::Data<AppState>,
    client: ClientIp,
    Json(body): Json<ConfirmRequest>,
) -> Result<HttpResponse, ApiError> {
    state.reset_limits.check_address(client)?;
    let mut v = Validator::default();
    let password = v.check("new_password", Password::parse(&body.new_password));
    let Some(password) = password else {
        return Err(v.into_error());
    };
    password_reset::confirm(&state.db, &body.token, password, state.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}
