//! `GET /signup/brand` and `POST /signup/brand`: a brand and its owner, through the
//! same use case, rules and budget as `POST /v1/brands`; the owner is signed in to the
//! console at once.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::AppState;
use crate::api::client_ip::ClientIp;
use crate::domain::{BrandName, Currency, Email, LandingUrl, Password, Slug};
use crate::service::accounts::{self, BrandSignUp, SignUpError};
use crate::web::form::FieldErrors;
use crate::web::pages::login;
use crate::web::session::{self, PageError, SignedIn};
use crate::web::{csrf, page, see_other};

#[derive(Template)]
#[template(path = "console/signup.html")]
struct SignUpPage<'a> {
    csrf: &'a str,
    typed: &'a SignUpForm,
    /// Above the form: the form expired, the budget is spent, a race.
    error: Option<&'a str>,
    errors: &'a FieldErrors,
}

#[derive(Debug, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    landing_url: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

impl Default for SignUpForm {
    fn default() -> Self {
        Self {
            csrf: String::new(),
            name: String::new(),
            slug: String::new(),
            landing_url: "https://".to_owned(),
            currency: "USD".to_owned(),
            email: String::new(),
            password: String::new(),
        }
    }
}

fn form(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    typed: &SignUpForm,
    error: Option<&str>,
    errors: &FieldErrors,
) -> HttpResponse {
    csrf::sessionless_form(req, session::secure(state), |token| {
        page(
            status,
            &SignUpPage {
                csrf: token,
                typed,
                error,
                errors,
            },
        )
    })
}

pub async fn show(state: web::Data<AppState>, req: HttpRequest, signed_in: Option<SignedIn>) -> HttpResponse {
    if let Some(signed_in) = signed_in {
        return see_other(signed_in.home());
    }
    form(
        &state,
        &req,
        StatusCode::OK,
        &SignUpForm::default(),
        None,
        &FieldErrors::default(),
    )
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    client: ClientIp,
    form_data: web::Form<SignUpForm>,
) -> Result<HttpResponse, PageError> {
    let typed = form_data.into_inner();
    let mut errors = FieldErrors::default();
    if !csrf::login_form_holds(&req, session::secure(&state), &typed.csrf) {
        let expired = Some("The form had expired; please send it again.");
        return Ok(form(&state, &req, StatusCode::FORBIDDEN, &typed, expired, &errors));
    }
    let parsed = (
        errors.check("name", BrandName::parse(&typed.name)),
        errors.check("slug", Slug::parse(&typed.slug)),
        errors.check("landing_url", LandingUrl::parse(&typed.landing_url)),
        errors.check("currency", Currency::parse(&typed.currency)),
        errors.check("email", Email::parse(&typed.email)),
        errors.check("password", Password::parse(&typed.password)),
    );
    let (Some(name), Some(slug), Some(landing_url), Some(currency), Some(owner_email), Some(owner_password)) = parsed
    else {
        return Ok(form(
            &state,
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            &typed,
            None,
            &errors,
        ));
    };
    // As at the API: only a sign-up that passes validation spends the address's budget.
    if state.signup_limits.check(client).is_err() {
        let wait = Some("Too many sign-ups from your network; wait a few minutes and try again.");
        return Ok(form(&state, &req, StatusCode::TOO_MANY_REQUESTS, &typed, wait, &errors));
    }
    let sign_up = BrandSignUp {
        name,
        slug,
        landing_url,
        currency,
        owner_email,
        owner_password,
    };
    let refused = match accounts::sign_up_brand_on_web(&state.db, sign_up, state.clock.now()).await {
        Ok(begun) => return Ok(login::enter(&state, begun)),
        Err(SignUpError::SlugTaken) => ("slug", "Another brand uses this address; choose another."),
        // The API says so too (409 `email_taken`): one e-mail is one brand account.
        Err(SignUpError::EmailTaken) => (
            "email",
            "A brand account with this e-mail already exists: sign in, or reset its password.",
        ),
        Err(SignUpError::Raced) => {
            let raced = Some("The address or e-mail was taken at the same moment; try again.");
            return Ok(form(&state, &req, StatusCode::CONFLICT, &typed, raced, &errors));
        }
        Err(err) => return Err(PageError::internal(err)),
    };
    errors.add(refused.0, refused.1);
    Ok(form(&state, &req, StatusCode::CONFLICT, &typed, None, &errors))
}
