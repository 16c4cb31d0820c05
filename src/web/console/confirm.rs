//! The page that asks before something cannot be undone (revoking an API key, deleting
//! an integration or a webhook endpoint, removing a team member): what will happen, in
//! words, and one button that posts the form. It works without script, and a phone gets
//! a whole page rather than a dialog.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::Frame;
use crate::web::page;

#[derive(Template)]
#[template(path = "console/settings_confirm.html")]
pub struct Confirm<'a> {
    pub frame: Frame,
    pub title: &'a str,
    /// What happens, said plainly.
    pub message: &'a str,
    /// Where the form posts.
    pub action: &'a str,
    pub button: &'a str,
    /// Where "Cancel" leads.
    pub back: &'a str,
}

impl Confirm<'_> {
    pub fn answer(&self) -> HttpResponse {
        page(StatusCode::OK, self)
    }
}
