//! The portal's stylesheets, embedded in the binary: Pico CSS (vendored from the npm
//! registry, MIT, `assets/vendor/`) and reftrack's few additions.

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};

const PICO: &str = include_str!("../../assets/vendor/pico-2.1.1.min.css");
const APP: &str = include_str!("../../assets/app.css");

/// `GET /assets/{name}`; names carry a version, so they may be cached for a year.
pub async fn serve(name: web::Path<String>) -> HttpResponse {
    let body = match name.as_str() {
        "pico-2.1.1.min.css" => PICO,
        "app-2.css" => APP,
        _ => {
            return HttpResponse::NotFound()
                .content_type(ContentType::plaintext())
                .body("Not found.");
        }
    };
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
        .body(body)
}
