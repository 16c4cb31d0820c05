//! Answers that show a secret once (a new API key, a webhook endpoint's signing secret,
//! the secret reftrack made for a WooCommerce shop): rendered straight from the POST
//! that made it, never stored for a later page, and marked `no-store` so the browser
//! keeps no copy in its cache or back-forward history.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use askama::Template;

use crate::web::page;

/// The page, with `Cache-Control: no-store`.
pub fn shown_once(template: &impl Template) -> HttpResponse {
    let mut answer = page(StatusCode::OK, template);
    answer
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}
