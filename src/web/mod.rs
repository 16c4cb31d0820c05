//! The web portal, served by the same binary at `/`: server-rendered pages (askama
//! templates in `templates/web/`, escaped by default) over the service layer, exactly as
//! the JSON handlers are. A page handler parses its request, calls one service function
//! and renders the outcome; it never touches the store.
//!
//! Every page answer carries a Content-Security-Policy without inline script,
//! `frame-ancestors 'none'` and a same-origin referrer policy ([`page`]); every form
//! that changes something carries a CSRF token that is checked ([`csrf`]); sign-in is a
//! server-side session in a `HttpOnly`, `SameSite=Lax` cookie ([`session`]).

pub mod assets;
pub mod chart;
pub mod console;
pub mod csrf;
pub mod deal_lines;
pub mod form;
pub mod pages;
pub mod session;
pub mod words;

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use askama::Template;

/// What every page may load: its own stylesheet and scripts, images and inline SVG
/// (charts, QR codes); nothing inline runs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The portal's and the console's routes (not part of the JSON API or its spec).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::landing::show))
        .route("/login", web::get().to(pages::login::show))
        .route("/login", web::post().to(pages::login::submit))
        .route("/logout", web::post().to(pages::login::sign_out))
        .route("/signup", web::get().to(pages::signup::show))
        .route("/signup", web::post().to(pages::signup::submit))
        .route("/password/forgot", web::get().to(pages::password::forgot))
        .route("/password/forgot", web::post().to(pages::password::ask))
        .route("/password/reset", web::get().to(pages::password::reset))
        .route("/password/reset", web::post().to(pages::password::set))
        .route("/join/{brand_slug}/{code}", web::get().to(pages::join::show))
        .route("/join/{brand_slug}/{code}", web::post().to(pages::join::join))
        .route("/app", web::get().to(pages::overview::show))
        .route("/app/brands/{id}", web::get().to(pages::brand::show))
        .route("/app/codes", web::get().to(pages::codes::show))
        .route("/app/orders", web::get().to(pages::orders::show))
        .route("/app/orders/{id}", web::get().to(pages::order::show))
        .route("/app/rewards", web::get().to(pages::rewards::show))
        .route("/app/rewards/{id}/claim", web::get().to(pages::rewards::claim_form))
        .route("/app/rewards/{id}/claim", web::post().to(pages::rewards::claim))
        .route("/app/profile", web::get().to(pages::profile::show))
        .route("/app/profile", web::post().to(pages::profile::save))
        .route("/app/profile/password", web::post().to(pages::profile::change_password))
        .route("/app/earnings.csv", web::get().to(pages::profile::download_earnings))
        .route("/app/deals", web::get().to(pages::deals::show))
        .route("/app/deals/{id}", web::get().to(pages::deal::show))
        .route(
            &format!("/app/deals/{{id}}/{{answer:{}}}", pages::deal_forms::ANSWERS),
            web::post().to(pages::deal_forms::respond),
        )
        .route(
            "/app/deals/{id}/deliverables/{deliverable}/proofs",
            web::post().to(pages::deal_forms::submit_proof),
        )
        .route("/app/invitations", web::get().to(pages::invitations::show))
        .route(
            "/app/invitations/{id}/accept",
            web::post().to(pages::invitations::accept),
        )
        .route(
            "/app/invitations/{id}/decline",
            web::post().to(pages::invitations::decline),
        )
        .route("/assets/{name}", web::get().to(assets::serve))
        .configure(console::configure);
}

/// A rendered page with the portal's headers.
pub fn page(status: StatusCode, template: &impl Template) -> HttpResponse {
    match template.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type(ContentType::html())
            .insert_header(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
            .insert_header(("Referrer-Policy", "same-origin"))
            .insert_header(("X-Frame-Options", "DENY"))
            .body(html),
        Err(err) => {
            tracing::error!(error = %err, "a page did not render");
            HttpResponse::InternalServerError()
                .content_type(ContentType::plaintext())
                .body("Something went wrong on our side.")
        }
    }
}

/// `303 See Other` to `location` (after a form, or to the sign-in page).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header(("Location", location)).finish()
}
