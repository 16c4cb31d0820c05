//! `GET /login`, `POST /login` and `POST /logout`: the same accounts, the same argon2id
//! check and the same budgets as `POST /v1/auth/login`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::api::client_ip::ClientIp;
use crate::service::sessions::{Login, SessionError, login_email};
use crate::service::web_sessions::{self, Begun};
use crate::store::refresh_tokens::AccountKind;
use crate::web::session::{self, PageError, SignedIn};
use crate::web::{csrf, page, see_other};

#[derive(Template)]
#[template(path = "web/login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    email: &'a str,
    brand: bool,
    error: Option<&'a str>,
    notice: Option<&'a str>,
}

/// The form, with its CSRF cookie.
fn form(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    email: &str,
    brand: bool,
    error: Option<&str>,
    notice: Option<&str>,
) -> HttpResponse {
    csrf::sessionless_form(req, session::secure(state), |token| {
        page(
            status,
            &LoginPage {
                csrf: token,
                email,
                brand,
                error,
                notice,
            },
        )
    })
}

/// The answer that signs a browser in: `303` to `/app` with the cookie of the session
/// just begun (after the sign-in form, or the sign-up form).
pub fn enter(state: &AppState, begun: Begun) -> HttpResponse {
    let mut answer = see_other(session::home(begun.account));
    let _ = answer.add_cookie(&session::cookie(session::secure(state), begun.token));
    answer
}

#[derive(Debug, Deserialize)]
pub struct Notice {
    /// Set by the password-reset page after a new password.
    reset: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    signed_in: Option<SignedIn>,
    query: web::Query<Notice>,
) -> HttpResponse {
    if let Some(signed_in) = signed_in {
        return see_other(signed_in.home());
    }
    let notice = query
        .reset
        .as_ref()
        .map(|_| "Your password was changed; sign in with it.");
    form(&state, &req, StatusCode::OK, "", false, None, notice)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    account: String,
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientIp,
    form_data: web::Form<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let LoginForm {
        csrf: sent,
        email,
        password,
        account,
    } = form_data.into_inner();
    let brand = account == "brand";
    let secure = session::secure(&state);
    if !csrf::login_form_holds(&req, secure, &sent) {
        let expired = "The form had expired; please sign in again.";
        return Ok(form(
            &state,
            &req,
            StatusCode::FORBIDDEN,
            &email,
            brand,
            Some(expired),
            None,
        ));
    }
    if state.login_limits.check(client, &login_email(&email)).is_err() {
        let wait = "Too many attempts; wait a minute and try again.";
        return Ok(form(
            &state,
            &req,
            StatusCode::TOO_MANY_REQUESTS,
            &email,
            brand,
            Some(wait),
            None,
        ));
    }
    let account = if brand {
        AccountKind::Brand
    } else {
        AccountKind::Influencer
    };
    let login = Login {
        email: email.clone(),
        password,
        account,
    };
    match web_sessions::sign_in(&state.db, login, state.clock.now()).await {
        Ok(begun) => Ok(enter(&state, begun)),
        Err(SessionError::InvalidCredentials) => {
            let wrong = "E-mail or password is wrong.";
            Ok(form(
                &state,
                &req,
                StatusCode::UNAUTHORIZED,
                &email,
                brand,
                Some(wrong),
                None,
            ))
        }
        Err(err) => Err(PageError::Internal(format!("{err:#}"))),
    }
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session (server-side) and clears the cookie.
pub async fn sign_out(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    form_data: web::Form<SignOutForm>,
) -> Result<HttpResponse, PageError> {
    signed_in.check_form(&form_data.csrf)?;
    web_sessions::sign_out(&state.db, &signed_in.token, state.clock.now())
        .await
        .map_err(|err| PageError::Internal(format!("{err:#}")))?;
    let mut answer = see_other("/");
    let _ = answer.add_removal_cookie(&session::cookie(session::secure(&state), String::new()));
    Ok(answer)
}
