//! Orders from the shop's checkout (brand API key): record, refund, cancel.
//!
//! The handlers parse the request into a command, call [`crate::service::orders`] or
//! [`crate::service::refunds`], and send the answer the service stored (or replays).

mod record;
mod refund;
mod view;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

pub use record::{RecordOrderRequest, record_order};
pub use refund::{RefundLineRequest, RefundRequest, RefundResponse, cancel_order, refund_order};
pub use view::{AttributionView, CommissionView, OrderResponse, candidates_of};

use crate::service::orders::{Answer, Answered, RenderError};

/// Renders `view` as the JSON body of a 201 answer.
pub(crate) fn created(view: &impl serde::Serialize) -> Result<Answer, RenderError> {
    Ok(Answer {
        status: StatusCode::CREATED.as_u16(),
        body: serde_json::to_string(view)?,
    })
}

/// The answer just given, or the first answer replayed.
pub(crate) fn respond(answered: Answered) -> HttpResponse {
    let (answer, replayed) = match answered {
        Answered::Fresh(answer) => (answer, false),
        Answered::Replayed(answer) => (answer, true),
    };
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response.content_type("application/json");
    if replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.body(answer.body)
}
