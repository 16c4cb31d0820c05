//! The portal's sign-in: the session cookie and the extractor of a signed-in request.
//!
//! The cookie is `HttpOnly` and `SameSite=Lax`; when `REFTRACK_PUBLIC_URL` is https it is
//! also `Secure` and named with the `__Host-` prefix (no `Domain`, path `/`), so no other
//! host or path can set it. It holds a random token; the session behind it is kept
//! server-side and ends at sign-out, at a password reset, or after idleness.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpRequest, HttpResponse, ResponseError, web};

use super::see_other;
use crate::api::AppState;
use crate::service::auth::{self, BrandActor};
use crate::service::web_sessions::{self, WebSession};
use crate::store::ids::InfluencerId;
use crate::store::refresh_tokens::AccountKind;

/// The session cookie's name.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-reftrack_session"
    } else {
        "reftrack_session"
    }
}

/// Whether cookies are `Secure` (the public URL is https).
pub fn secure(state: &AppState) -> bool {
    state.public_url.to_ascii_lowercase().starts_with("https://")
}

/// The cookie of a session just begun.
pub fn cookie(secure: bool, token: String) -> Cookie<'static> {
    Cookie::build(cookie_name(secure), token)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .finish()
}

/// A signed-in request: its session and the cookie's token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: WebSession,
    pub token: String,
}

impl SignedIn {
    /// Whether a form sent with this session carries its CSRF token; `Csrf` (403) if not.
    pub fn check_form(&self, sent: &str) -> Result<(), PageError> {
        if super::csrf::session_form_holds(&self.session.csrf_token, sent) {
            Ok(())
        } else {
            Err(PageError::Csrf)
        }
    }

    /// The influencer signed in; a brand user is sent to the console.
    pub fn influencer(&self) -> Result<InfluencerId, PageError> {
        match self.session.subject.account {
            AccountKind::Influencer => self.session.subject.id.parse().map_err(|_| PageError::SignIn),
            AccountKind::Brand => Err(PageError::Elsewhere(home(AccountKind::Brand))),
        }
    }

    /// The brand user signed in, with their brand and role as they are now (a removed
    /// user's session no longer signs in; a changed role applies at once); an
    /// influencer is sent to their portal.
    pub async fn brand(&self, state: &AppState) -> Result<BrandActor, PageError> {
        if self.session.subject.account != AccountKind::Brand {
            return Err(PageError::Elsewhere(home(AccountKind::Influencer)));
        }
        let user = self.session.subject.id.parse().map_err(|_| PageError::SignIn)?;
        auth::brand_actor(&state.db, user)
            .await
            .map_err(PageError::internal)?
            .ok_or(PageError::SignIn)
    }

    /// This session's start page.
    pub fn home(&self) -> &'static str {
        home(self.session.subject.account)
    }
}

/// The start page of an account kind: the influencer's portal or the brand's console.
pub fn home(account: AccountKind) -> &'static str {
    match account {
        AccountKind::Influencer => "/app",
        AccountKind::Brand => "/console",
    }
}

/// Why a page cannot be shown to this request.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("not signed in")]
    SignIn,
    /// The page is not for this account; its own page is there.
    #[error("not for this account")]
    Elsewhere(&'static str),
    /// A form whose CSRF token is not its session's.
    #[error("the form had expired")]
    Csrf,
    /// Another account's object, or none: the API's 404.
    #[error("not found")]
    NotFound,
    /// A query the page cannot answer (a filter or period that is not one it offers).
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("the page could not be read: {0}")]
    Internal(String),
}

impl PageError {
    /// A failure of ours, with its cause for the log.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        Self::Internal(format!("{err:#}"))
    }
}

impl ResponseError for PageError {
    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignIn => see_other("/login"),
            Self::Elsewhere(location) => see_other(location),
            Self::Csrf => HttpResponse::Forbidden()
                .content_type(actix_web::http::header::ContentType::plaintext())
                .body("The form had expired; reload the page and try again."),
            Self::NotFound => HttpResponse::NotFound()
                .content_type(actix_web::http::header::ContentType::plaintext())
                .body("Not found."),
            Self::BadRequest(message) => HttpResponse::BadRequest()
                .content_type(actix_web::http::header::ContentType::plaintext())
                .body(message.clone()),
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "a page failed");
                HttpResponse::InternalServerError()
                    .content_type(actix_web::http::header::ContentType::plaintext())
                    .body("Something went wrong on our side.")
            }
        }
    }
}

impl FromRequest for SignedIn {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = state
            .as_ref()
            .and_then(|state| req.cookie(cookie_name(secure(state))))
            .map(|cookie| cookie.value().to_owned());
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Err(PageError::SignIn);
            };
            let session = web_sessions::find(&state.db, &token, state.clock.now())
                .await
                .map_err(|err| PageError::Internal(format!("{err:#}")))?
                .ok_or(PageError::SignIn)?;
            Ok(Self { session, token })
        })
    }
}

/// Middleware: a page that sends the visitor elsewhere ([`PageError::SignIn`],
/// [`PageError::Elsewhere`]) answers through an error value, which the request log
/// would report as a failure; such an answer leaves here as a plain redirect.
pub async fn quiet_redirects<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, Error> {
    let answer = next.call(req).await?;
    if !(answer.status().is_redirection() && answer.response().error().is_some()) {
        return Ok(answer);
    }
    let (req, response) = answer.into_parts();
    let (head, body) = response.into_parts();
    let mut plain = HttpResponse::with_body(head.status(), body);
    *plain.headers_mut() = head.headers().clone();
    Ok(ServiceResponse::new(req, plain))
}
