//! The answer to a staff member whom a use case refused ([`ForbiddenRole`]): a 403 page
//! that says who may do it. Pages never check the role themselves; they call the use
//! case and map its refusal here, so the console refuses exactly what the API refuses.
//!
//! [`ForbiddenRole`]: crate::service::auth::ForbiddenRole

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use super::Frame;
use crate::web::pages::notice::Notice;

/// 403: "Only an owner of the brand can {what}." inside the console's frame, with a way
/// back to the settings.
pub fn refused(frame: &Frame, what: &str) -> HttpResponse {
    let message = format!("Only an owner of the brand can {what}. Ask one of the brand's owners if it needs doing.");
    Notice {
        console: true,
        current: frame.current,
        csrf: &frame.csrf,
        title: "Only an owner can do this",
        message: &message,
        back: "/console/settings",
        back_label: "Back to the settings",
    }
    .answer(StatusCode::FORBIDDEN)
}
