//! A forgotten password: `GET/POST /password/forgot` asks for the reset e-mail and
//! `GET/POST /password/reset?token=…` (the e-mail's link) sets the new password, through
//! the same use cases, answers and budgets as `POST /v1/auth/password-reset` and
//! `POST /v1/auth/password-reset/confirm`. Neither form has a session: both carry the
//! double-submit CSRF cookie of the sign-in form.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::api::client_ip::ClientIp;
use crate::api::password_reset::request_after_answer;
use crate::domain::Password;
use crate::service::password_reset::{self, ResetError};
use crate::service::sessions::login_email;
use crate::store::refresh_tokens::AccountKind;
use crate::web::session::{self, PageError};
use crate::web::{csrf, page, see_other};

#[derive(Template)]
#[template(path = "web/password_forgot.html")]
struct ForgotPage<'a> {
    csrf: &'a str,
    email: &'a str,
    brand: bool,
    error: Option<&'a str>,
    /// The request was taken: the page says so, and the same for every address.
    sent: bool,
}

fn forgot_form(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    email: &str,
    brand: bool,
    error: Option<&str>,
) -> HttpResponse {
    csrf::sessionless_form(req, session::secure(state), |token| {
        page(
            status,
            &ForgotPage {
                csrf: token,
                email,
                brand,
                error,
                sent: false,
            },
        )
    })
}

pub async fn forgot(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    forgot_form(&state, &req, StatusCode::OK, "", false, None)
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    account: String,
}

/// The same answer for every address (the work runs after it, as at the API), so the
/// page cannot tell whether an address has an account.
pub async fn ask(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientIp,
    form: web::Form<ForgotForm>,
) -> HttpResponse {
    let ForgotForm {
        csrf: sent,
        email,
        account,
    } = form.into_inner();
    let brand = account == "brand";
    if !csrf::login_form_holds(&req, session::secure(&state), &sent) {
        let expired = "The form had expired; please send it again.";
        return forgot_form(&state, &req, StatusCode::FORBIDDEN, &email, brand, Some(expired));
    }
    if state.reset_limits.check(client, &login_email(&email)).is_err() {
        let wait = "Too many requests for this address; wait a while and try again.";
        return forgot_form(&state, &req, StatusCode::TOO_MANY_REQUESTS, &email, brand, Some(wait));
    }
    let account = if brand {
        AccountKind::Brand
    } else {
        AccountKind::Influencer
    };
    request_after_answer(&state, account, email);
    page(
        StatusCode::OK,
        &ForgotPage {
            csrf: "",
            email: "",
            brand: false,
            error: None,
            sent: true,
        },
    )
}

#[derive(Template)]
#[template(path = "web/password_reset.html")]
struct ResetPage<'a> {
    csrf: &'a str,
    token: &'a str,
    error: Option<&'a str>,
    new_error: Option<String>,
    confirm_error: Option<String>,
    /// The token is unknown, used or expired: no form, a link to ask again.
    invalid: bool,
}

fn reset_form(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    token: &str,
    error: Option<&str>,
    field_errors: (Option<String>, Option<String>),
) -> HttpResponse {
    let (new_error, confirm_error) = field_errors;
    csrf::sessionless_form(req, session::secure(state), |csrf| {
        page(
            status,
            &ResetPage {
                csrf,
                token,
                error,
                new_error,
                confirm_error,
                invalid: false,
            },
        )
    })
}

/// 400: the link cannot set a password (the API's `invalid_reset_token`).
fn invalid() -> HttpResponse {
    page(
        StatusCode::BAD_REQUEST,
        &ResetPage {
            csrf: "",
            token: "",
            error: None,
            new_error: None,
            confirm_error: None,
            invalid: true,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct ResetQuery {
    #[serde(default)]
    token: String,
}

/// The e-mail's link: the form when the token can still set a password.
pub async fn reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ResetQuery>,
) -> Result<HttpResponse, PageError> {
    if query.token.is_empty() {
        return Ok(invalid());
    }
    let usable = password_reset::is_usable(&state.db, &query.token, state.clock.now())
        .await
        .map_err(|err| PageError::Internal(format!("{err:#}")))?;
    if !usable {
        return Ok(invalid());
    }
    Ok(reset_form(
        &state,
        &req,
        StatusCode::OK,
        &query.token,
        None,
        (None, None),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn set(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientIp,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, PageError> {
    let typed = form.into_inner();
    if !csrf::login_form_holds(&req, session::secure(&state), &typed.csrf) {
        let expired = Some("The form had expired; please send it again.");
        return Ok(reset_form(
            &state,
            &req,
            StatusCode::FORBIDDEN,
            &typed.token,
            expired,
            (None, None),
        ));
    }
    if state.reset_limits.check_address(client).is_err() {
        let wait = Some("Too many attempts; wait a minute and try again.");
        let status = StatusCode::TOO_MANY_REQUESTS;
        return Ok(reset_form(&state, &req, status, &typed.token, wait, (None, None)));
    }
    let password = Password::parse(&typed.new_password);
    let mismatch = typed.new_password != typed.confirm_password;
    let password = match password {
        Ok(password) if !mismatch => password,
        refused => {
            let errors = (
                refused.err(),
                mismatch.then(|| "does not match the new password".to_owned()),
            );
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(reset_form(&state, &req, status, &typed.token, None, errors));
        }
    };
    match password_reset::confirm(&state.db, &typed.token, password, state.clock.now()).await {
        Ok(()) => Ok(see_other("/login?reset=1")),
        Err(ResetError::InvalidToken) => Ok(invalid()),
        Err(err) => Err(PageError::Internal(format!("{err:#}"))),
    }
}
