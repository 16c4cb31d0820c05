//! A short page inside the signed-in frame (the portal's or the console's) that says why a request was not served (a
//! filter value the page does not know, a reward already claimed) and links back, for
//! the refusals a person can act on; a plain 404 stays [`PageError::NotFound`].
//!
//! [`PageError::NotFound`]: crate::web::session::PageError::NotFound

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::web::page;

#[derive(Template)]
#[template(path = "web/notice.html")]
pub struct Notice<'a> {
    /// Whether the page is the brand console's (its navigation) or the portal's.
    pub console: bool,
    /// The nav entry the page belongs to.
    pub current: &'a str,
    pub csrf: &'a str,
    pub title: &'a str,
    pub message: &'a str,
    pub back: &'a str,
    pub back_label: &'a str,
}

impl Notice<'_> {
    pub fn answer(&self, status: StatusCode) -> HttpResponse {
        page(status, self)
    }
}
