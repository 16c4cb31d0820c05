//! `GET /signup` and `POST /signup`: an influencer account, through the same use case,
//! the same rules and the same budget as `POST /v1/influencers`; the new account is
//! signed in as the sign-in form does it. Brands sign up at `/signup/brand`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::login;
use crate::api::AppState;
use crate::api::client_ip::ClientIp;
use crate::domain::{DisplayName, Email, Password};
use crate::service::accounts::{self, InfluencerSignUp, SignUpError};
use crate::web::session::{self, PageError, SignedIn};
use crate::web::{csrf, page, see_other};

#[derive(Template)]
#[template(path = "web/signup.html")]
struct SignUpPage<'a> {
    csrf: &'a str,
    email: &'a str,
    display_name: &'a str,
    /// Above the form: the form expired, the budget is spent, a race.
    error: Option<&'a str>,
    email_error: Option<String>,
    password_error: Option<String>,
    name_error: Option<String>,
}

/// What the form shows besides the fields as typed (the password is never shown again).
#[derive(Default)]
struct Errors<'a> {
    form: Option<&'a str>,
    email: Option<String>,
    password: Option<String>,
    name: Option<String>,
}

fn form(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    typed: &SignUpForm,
    errors: Errors<'_>,
) -> HttpResponse {
    csrf::sessionless_form(req, session::secure(state), |token| {
        page(
            status,
            &SignUpPage {
                csrf: token,
                email: &typed.email,
                display_name: &typed.display_name,
                error: errors.form,
                email_error: errors.email,
                password_error: errors.password,
                name_error: errors.name,
            },
        )
    })
}

pub async fn show(state: web::Data<AppState>, req: HttpRequest, signed_in: Option<SignedIn>) -> HttpResponse {
    if let Some(signed_in) = signed_in {
        return see_other(signed_in.home());
    }
    let blank = SignUpForm::default();
    form(&state, &req, StatusCode::OK, &blank, Errors::default())
}

#[derive(Debug, Default, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    display_name: String,
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientIp,
    form_data: web::Form<SignUpForm>,
) -> Result<HttpResponse, PageError> {
    let typed = form_data.into_inner();
    if !csrf::login_form_holds(&req, session::secure(&state), &typed.csrf) {
        let errors = Errors {
            form: Some("The form had expired; please send it again."),
            ..Errors::default()
        };
        return Ok(form(&state, &req, StatusCode::FORBIDDEN, &typed, errors));
    }
    let (email, password, name) = (
        Email::parse(&typed.email),
        Password::parse(&typed.password),
        DisplayName::parse(&typed.display_name),
    );
    let (Ok(email), Ok(password), Ok(display_name)) = (&email, &password, &name) else {
        let errors = Errors {
            form: None,
            email: email.as_ref().err().cloned(),
            password: password.as_ref().err().cloned(),
            name: name.as_ref().err().cloned(),
        };
        return Ok(form(&state, &req, StatusCode::UNPROCESSABLE_ENTITY, &typed, errors));
    };
    // As at the API: only a sign-up that passes validation spends the address's budget.
    if state.signup_limits.check(client).is_err() {
        let errors = Errors {
            form: Some("Too many sign-ups from your network; wait a few minutes and try again."),
            ..Errors::default()
        };
        return Ok(form(&state, &req, StatusCode::TOO_MANY_REQUESTS, &typed, errors));
    }
    let sign_up = InfluencerSignUp {
        email: email.clone(),
        password: password.clone(),
        display_name: display_name.clone(),
    };
    match accounts::sign_up_influencer_on_web(&state.db, sign_up, state.clock.now()).await {
        Ok(begun) => Ok(login::enter(&state, begun)),
        // The API says so too (409 `email_taken`): sign-up cannot hide which addresses
        // have an account, since it would otherwise create a second one.
        Err(SignUpError::EmailTaken) => {
            let errors = Errors {
                email: Some("An account with this e-mail already exists: sign in, or reset its password.".to_owned()),
                ..Errors::default()
            };
            Ok(form(&state, &req, StatusCode::CONFLICT, &typed, errors))
        }
        Err(SignUpError::Raced) => {
            let errors = Errors {
                form: Some("This e-mail was taken at the same moment; try again."),
                ..Errors::default()
            };
            Ok(form(&state, &req, StatusCode::CONFLICT, &typed, errors))
        }
        Err(err) => Err(PageError::Internal(format!("{err:#}"))),
    }
}
