//! One-click unsubscribe from notification e-mails (RFC 8058). Mail apps `POST` the
//! address of the `List-Unsubscribe` header; a person who opens it in a browser gets a
//! page asking to confirm (a `GET` changes nothing, so link scanners cannot unsubscribe
//! anyone). The token in the address is the authorisation.

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::service::mail::unsubscribe::{self, UnsubscribeError};

impl From<UnsubscribeError> for ApiError {
    fn from(err: UnsubscribeError) -> Self {
        match err {
            UnsubscribeError::InvalidToken => ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidUnsubscribeToken,
                "This unsubscribe link is not valid.",
            ),
            UnsubscribeError::Store(err) => err.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnsubscribeQuery {
    pub token: String,
}

#[derive(Template)]
#[template(path = "mail/unsubscribe.html")]
struct UnsubscribePage<'a> {
    done: bool,
    described: &'a str,
    action: &'a str,
}

fn page(page: &UnsubscribePage<'_>) -> HttpResponse {
    // The page is static text and one escaped value; rendering cannot fail.
    let html = page.render().unwrap_or_default();
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(html)
}

/// `GET /v1/notifications/unsubscribe?token=…`: asks to confirm.
pub async fn confirm_page(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    let topic = unsubscribe::topic_of(&state.pepper, &query.token)?;
    let action = format!("?token={}", query.token);
    Ok(page(&UnsubscribePage {
        done: false,
        described: topic.described(),
        action: &action,
    }))
}

/// `POST /v1/notifications/unsubscribe?token=…`: switches the notification off (the
/// body, `List-Unsubscribe=One-Click` from a mail app, is not needed).
pub async fn unsubscribe(
    state: web::Data<AppState>,
    query: web::Query<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    let topic = unsubscribe::apply(&state.db, &state.pepper, &query.token, state.clock.now()).await?;
    Ok(page(&UnsubscribePage {
        done: true,
        described: topic.described(),
        action: "",
    }))
}
