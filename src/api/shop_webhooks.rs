//! `POST /v1/integrations/{id}/webhook`: where a shop sends its order webhooks.
//!
//! No `Authorization`: the platform's signature over the raw body is the credential.
//! Bodies up to 1 MiB (real orders pass the API's 64 KiB), any content type (WooCommerce
//! pings with a form body). A verified delivery is stored, answered 200 at once, and
//! processed right after; the worker in `serve` picks up whatever this does not finish.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::Serialize;

use super::extract::BodyReadTimeout;
use super::{ApiError, ErrorCode};
use crate::api::AppState;
use crate::service::shop_inbox::{self, Delivery, MAX_DELIVERY_BYTES, ReceiveError, Received, ShopHeaders};
use crate::store::ids::{IntegrationId, ShopEventId};

impl From<ReceiveError> for ApiError {
    fn from(err: ReceiveError) -> Self {
        match err {
            ReceiveError::NotFound => ApiError::not_found(ErrorCode::IntegrationNotFound, "No such integration."),
            ReceiveError::Unauthenticated(why) => {
                ApiError::unauthorized(ErrorCode::InvalidSignature, format!("Delivery refused: {why}."))
            }
            ReceiveError::NotText => ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedJson,
                "The delivery's body is not UTF-8 text.",
            ),
            ReceiveError::Store(err) => err.into(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DeliveryResponse {
    /// `stored`, `duplicate` (stored before, processed once) or `ping`.
    pub status: &'static str,
    pub event_id: Option<ShopEventId>,
}

/// `POST /v1/integrations/{id}/webhook`
pub async fn receive_delivery(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<IntegrationId>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let timeout = req
        .app_data::<BodyReadTimeout>()
        .map_or(Duration::from_secs(crate::config::DEFAULT_BODY_TIMEOUT_SECS), |t| t.0);
    let body = read_limited(payload, timeout).await?;
    let delivery = Delivery {
        integration_id: id.into_inner(),
        headers: shop_headers(req.headers()),
        body,
        now: state.clock.now(),
    };
    let (status, event_id) = match shop_inbox::receive(&state.db, &state.sealer, delivery).await? {
        Received::New(event) => {
            let (db, pepper, now) = (state.db.clone(), state.pepper.clone(), state.clock.now());
            actix_web::rt::spawn(async move {
                if let Err(err) = shop_inbox::process_event(&db, &pepper, event, now).await {
                    // The event stays `received`; the worker's next pass runs it again.
                    tracing::warn!(event = %event, error = %err, "shop event left for the worker");
                }
            });
            ("stored", Some(event))
        }
        Received::Duplicate(event) => ("duplicate", Some(event)),
        Received::Ping => ("ping", None),
    };
    Ok(HttpResponse::Ok().json(DeliveryResponse { status, event_id }))
}

fn shop_headers(headers: &HeaderMap) -> ShopHeaders {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    ShopHeaders {
        shopify_hmac: get("x-shopify-hmac-sha256"),
        shopify_topic: get("x-shopify-topic"),
        shopify_event_id: get("x-shopify-event-id").or_else(|| get("x-shopify-webhook-id")),
        wc_signature: get("x-wc-webhook-signature"),
        wc_topic: get("x-wc-webhook-topic"),
        wc_source: get("x-wc-webhook-source"),
        stripe_signature: get("stripe-signature"),
    }
}

/// The whole body, at most [`MAX_DELIVERY_BYTES`] (413 past it), within `timeout` (408).
async fn read_limited(mut payload: web::Payload, timeout: Duration) -> Result<Vec<u8>, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("A delivery is at most {MAX_DELIVERY_BYTES} bytes."),
        )
    };
    let read = async {
        let mut body = Vec::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| ApiError::malformed_json("The request body could not be read."))?;
            if body.len() + chunk.len() > MAX_DELIVERY_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    };
    actix_web::rt::time::timeout(timeout, read)
        .await
        .map_err(|_| ApiError::request_timeout())?
}
