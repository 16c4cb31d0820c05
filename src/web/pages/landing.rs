//! `GET /`: what reftrack is, for visitors; the signed-in go to their overview.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::web::session::SignedIn;
use crate::web::{page, see_other};

#[derive(Template)]
#[template(path = "web/landing.html")]
struct Landing;

pub async fn show(signed_in: Option<SignedIn>) -> HttpResponse {
    if let Some(signed_in) = signed_in {
        return see_other(signed_in.home());
    }
    page(StatusCode::OK, &Landing)
}
