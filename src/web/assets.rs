//! The portal's stylesheets and its one script, embedded in the binary: Pico CSS
//! (vendored from the npm registry, MIT, `assets/vendor/`), reftrack's few additions,
//! and the copy buttons. Names carry a version that is raised whenever the file
//! changes, since browsers keep them for a year.

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};

const PICO: &str = include_str!("../../assets/vendor/pico-2.1.1.min.css");
const APP: &str = include_str!("../../assets/app.css");
const COPY: &str = include_str!("../../assets/copy.js");

/// `GET /assets/{name}`; names carry a version, so they may be cached for a year.
pub async fn serve(name: web::Path<String>) -> HttpResponse {
    let (body, kind) = match name.as_str() {
        "pico-2.1.1.min.css" => (PICO, "text/css; charset=utf-8"),
        "app-4.css" => (APP, "text/css; charset=utf-8"),
        "copy-1.js" => (COPY, "text/javascript; charset=utf-8"),
        _ => {
            return HttpResponse::NotFound()
                .content_type(ContentType::plaintext())
                .body("Not found.");
        }
    };
    HttpResponse::Ok()
        .content_type(kind)
        .insert_header(("Cache-Control", "public, max-age=31536000, immutable"))
        .body(body)
}
