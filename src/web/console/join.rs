//! `GET /console/join?token=…`, the link of a team invitation e-mail, and its form: it
//! says which brand invites whom as what (the use case `team::offer`, which does not
//! spend the token), asks for a password twice, and joins through the use case of
//! `POST /v1/brand/users/accept`, signing the new member in to the console. A used,
//! revoked or expired invitation is a 410 page, an unknown link a 400 page, each with a
//! sentence saying what to do. The form has no session: it carries the double-submit
//! CSRF cookie of the sign-in form, and spends the budget of a password reset.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::api::client_ip::ClientIp;
use crate::domain::{Password, display};
use crate::service::team::{self, Join, JoinError, JoinOffer};
use crate::store::users::BrandRole;
use crate::web::pages::login;
use crate::web::session::{self, PageError};
use crate::web::{csrf, page};

#[derive(Template)]
#[template(path = "console/join.html")]
struct JoinPage<'a> {
    csrf: &'a str,
    token: &'a str,
    offer: &'a JoinOffer,
    /// What the role may do, in words.
    role_words: &'static str,
    until: String,
    error: Option<&'a str>,
    new_error: Option<String>,
    confirm_error: Option<String>,
}

/// The page of an invitation that cannot join a team: why, and what to do instead.
#[derive(Template)]
#[template(path = "console/join_refused.html")]
struct RefusedPage {
    title: &'static str,
    message: &'static str,
    /// The invitation was accepted: the member signs in.
    sign_in: bool,
}

#[derive(Debug, Deserialize)]
pub struct JoinQuery {
    #[serde(default)]
    token: String,
}

#[derive(Debug, Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

fn role_words(offer: &JoinOffer) -> &'static str {
    match offer.role {
        BrandRole::Owner => "An owner may do everything, the team and the shop's connections included.",
        BrandRole::Staff => {
            "Staff run programs, ambassadors, orders, rewards and payouts; API keys, shop integrations, webhooks and the team are the owners'."
        }
    }
}

/// The form, with the errors of the last attempt.
fn form(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    token: &str,
    offer: &JoinOffer,
    errors: (Option<&str>, Option<String>, Option<String>),
) -> HttpResponse {
    let (error, new_error, confirm_error) = errors;
    csrf::sessionless_form(req, session::secure(state), |csrf| {
        page(
            status,
            &JoinPage {
                csrf,
                token,
                offer,
                role_words: role_words(offer),
                until: display::date_time(offer.expires_at),
                error,
                new_error,
                confirm_error,
            },
        )
    })
}

/// The answer to a token that cannot join; `None` for a failure of ours.
fn refused(err: &JoinError) -> Option<HttpResponse> {
    let (status, title, message, sign_in) = match err {
        JoinError::UnknownToken => (
            StatusCode::BAD_REQUEST,
            "This link is not an invitation",
            "No invitation has this link. Open the whole link from the e-mail, or ask the brand's owner to invite you again.",
            false,
        ),
        JoinError::Used => (
            StatusCode::GONE,
            "This invitation was used",
            "This invitation was accepted already: sign in with its e-mail and the password chosen then.",
            true,
        ),
        JoinError::Revoked => (
            StatusCode::GONE,
            "This invitation was revoked",
            "The brand revoked this invitation; ask one of its owners for a new one.",
            false,
        ),
        JoinError::Expired => (
            StatusCode::GONE,
            "This invitation has expired",
            "Invitations work for 7 days, and this one is older; ask one of the brand's owners for a new one.",
            false,
        ),
        JoinError::EmailTaken => (
            StatusCode::CONFLICT,
            "This e-mail has a brand account already",
            "One e-mail is one brand account, and this one belongs to a brand user already: sign in with it, or ask to be invited with another address.",
            true,
        ),
        JoinError::Hash(_) | JoinError::Token(_) | JoinError::Store(_) => return None,
    };
    Some(page(
        status,
        &RefusedPage {
            title,
            message,
            sign_in,
        },
    ))
}

/// The invitation of `token`, or the page that says why it cannot join (an empty
/// token is unknown like any other).
async fn offer(state: &AppState, token: &str) -> Result<Result<JoinOffer, HttpResponse>, PageError> {
    match team::offer(&state.db, token, state.clock.now()).await {
        Ok(offer) => Ok(Ok(offer)),
        Err(err) => refused(&err).map(Err).ok_or_else(|| PageError::internal(err)),
    }
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<JoinQuery>,
) -> Result<HttpResponse, PageError> {
    let found = match offer(&state, &query.token).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    Ok(form(
        &state,
        &req,
        StatusCode::OK,
        &query.token,
        &found,
        (None, None, None),
    ))
}

/// Joins with the password and signs the new member in to the console.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientIp,
    form_data: web::Form<JoinForm>,
) -> Result<HttpResponse, PageError> {
    let typed = form_data.into_inner();
    let found = match offer(&state, &typed.token).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let again = |status, errors| form(&state, &req, status, &typed.token, &found, errors);
    if !csrf::login_form_holds(&req, session::secure(&state), &typed.csrf) {
        let expired = Some("The form had expired; please send it again.");
        return Ok(again(StatusCode::FORBIDDEN, (expired, None, None)));
    }
    // As at the API: the budget of a reset confirmation (a token from an e-mail and a
    // new password).
    if state.reset_limits.check_address(client).is_err() {
        let wait = Some("Too many attempts; wait a minute and try again.");
        return Ok(again(StatusCode::TOO_MANY_REQUESTS, (wait, None, None)));
    }
    let mismatch = typed.new_password != typed.confirm_password;
    let password = match Password::parse(&typed.new_password) {
        Ok(password) if !mismatch => password,
        refused => {
            let errors = (
                None,
                refused.err(),
                mismatch.then(|| "does not match the password".to_owned()),
            );
            return Ok(again(StatusCode::UNPROCESSABLE_ENTITY, errors));
        }
    };
    let join = Join {
        token: typed.token.clone(),
        password,
    };
    match team::accept_on_web(&state.db, join, state.clock.now()).await {
        Ok(begun) => Ok(login::enter(&state, begun)),
        Err(err) => refused(&err).ok_or_else(|| PageError::internal(err)),
    }
}
