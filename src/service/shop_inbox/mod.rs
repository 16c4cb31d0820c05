//! The shop inbox: a platform's webhook delivery is verified, stored and answered at
//! once ([`receive`]); a worker turns it into the same `orders::record`,
//! `refunds::apply` and `orders::cancel` calls the JSON API makes ([`process`]).
//!
//! A delivery is authenticated by the platform's signature over its raw bytes alone.
//! Platforms retry until answered 2xx, so everything after the signature is the
//! worker's business: a delivery reftrack cannot use is stored and shown to the brand
//! as `ignored` or `failed`, never refused. Retries of one delivery (same dedupe key)
//! are stored once.

mod apply;
mod events;
mod process;

pub use events::{EventInfo, RetryError, list_events, retry};
pub use process::{LEASE_SECS, process_due, process_event, prune, requeue_resolved};

use chrono::{DateTime, Utc};

use crate::auth::sealing::Sealer;
use crate::auth::secrets::sha256_hex;
use crate::auth::webhook_signature::{self, StripeRefusal};
use crate::service::integrations::verifying_secrets;
use crate::shops;
use crate::store::ids::{IntegrationId, ShopEventId};
use crate::store::integrations::{self, IntegrationRow, Platform};
use crate::store::shop_events::{self, EventStatus, ShopEventRow, Stored};
use crate::store::{Db, StoreError, UnitError, time};

/// Largest delivery taken: real orders with many lines pass the API's 64 KiB.
pub const MAX_DELIVERY_BYTES: usize = 1024 * 1024;

/// The headers a platform signs and names its deliveries with (absent ones `None`).
#[derive(Debug, Clone, Default)]
pub struct ShopHeaders {
    /// `X-Shopify-Hmac-Sha256`
    pub shopify_hmac: Option<String>,
    /// `X-Shopify-Topic`
    pub shopify_topic: Option<String>,
    /// `X-Shopify-Event-Id` (or, from older API versions, `X-Shopify-Webhook-Id`)
    pub shopify_event_id: Option<String>,
    /// `X-WC-Webhook-Signature`
    pub wc_signature: Option<String>,
    /// `X-WC-Webhook-Topic`
    pub wc_topic: Option<String>,
    /// `X-WC-Webhook-Source`: the shop's URL
    pub wc_source: Option<String>,
    /// `Stripe-Signature`
    pub stripe_signature: Option<String>,
}

pub struct Delivery {
    pub integration_id: IntegrationId,
    pub headers: ShopHeaders,
    pub body: Vec<u8>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Stored; process it.
    New(ShopEventId),
    /// Stored before; nothing more to do.
    Duplicate(ShopEventId),
    /// WooCommerce checking that the URL answers; nothing stored.
    Ping,
}

#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// No live integration has this id (never made, or deleted).
    #[error("no such integration")]
    NotFound,
    /// The signature is missing, malformed, stale or made with another secret.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Signed, but not text: no platform sends that.
    #[error("the body is not UTF-8 text")]
    NotText,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ReceiveError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for ReceiveError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// Verifies a delivery and stores it once.
pub async fn receive(db: &Db, sealer: &Sealer, delivery: Delivery) -> Result<Received, ReceiveError> {
    let id = delivery.integration_id;
    let integration = db
        .read(move |conn| -> Result<_, ReceiveError> { Ok(integrations::find_live(conn, id)?) })
        .await?
        .ok_or(ReceiveError::NotFound)?;
    if is_woocommerce_ping(&integration, &delivery) {
        return Ok(Received::Ping);
    }
    verify(sealer, &integration, &delivery)?;
    let body = String::from_utf8(delivery.body).map_err(|_| ReceiveError::NotText)?;
    let (topic, dedupe_key) = name_of(integration.platform, &delivery.headers, &body);
    let source = match integration.platform {
        Platform::Woocommerce => delivery
            .headers
            .wc_source
            .as_deref()
            .and_then(shops::woocommerce::source_host),
        Platform::Shopify | Platform::Stripe => None,
    };
    let row = ShopEventRow {
        id: ShopEventId::generate(),
        integration_id: integration.id,
        brand_id: integration.brand_id,
        topic,
        dedupe_key,
        body: Some(body),
        source,
        received_at: time::to_db(delivery.now),
        status: EventStatus::Received,
        detail: None,
        order_id: None,
        waiting_for: None,
        gross_refunded: 0,
        attempts: 0,
        locked_until: None,
        processed_at: None,
    };
    let stored = db
        .write(move |conn| -> Result<_, ReceiveError> { Ok(shop_events::insert_once(conn, &row)?) })
        .await?;
    Ok(match stored {
        Stored::New(id) => Received::New(id),
        Stored::Duplicate(id) => Received::Duplicate(id),
    })
}

/// WooCommerce's first request to a new webhook: a form body `webhook_id=<n>`, unsigned.
fn is_woocommerce_ping(integration: &IntegrationRow, delivery: &Delivery) -> bool {
    integration.platform == Platform::Woocommerce
        && delivery.headers.wc_signature.is_none()
        && delivery.body.starts_with(b"webhook_id=")
        && delivery.body.len() <= 64
}

fn verify(sealer: &Sealer, integration: &IntegrationRow, delivery: &Delivery) -> Result<(), ReceiveError> {
    let headers = &delivery.headers;
    let header = match integration.platform {
        Platform::Shopify => headers.shopify_hmac.as_deref(),
        Platform::Woocommerce => headers.wc_signature.as_deref(),
        Platform::Stripe => headers.stripe_signature.as_deref(),
    }
    .ok_or(ReceiveError::Unauthenticated(
        "the delivery carries no signature header",
    ))?;
    let secrets = verifying_secrets(sealer, integration, delivery.now);
    if integration.secret_sealed.is_none() {
        return Err(ReceiveError::Unauthenticated(
            "the integration has no signing secret yet: give it the one the shop shows (PATCH the integration)",
        ));
    }
    let mut refusal = "the signature does not match this integration's secret";
    for secret in &secrets {
        let verified = match integration.platform {
            Platform::Shopify | Platform::Woocommerce => {
                webhook_signature::verify_base64_hmac(secret.as_bytes(), &delivery.body, header)
            }
            Platform::Stripe => {
                match webhook_signature::verify_stripe(secret.as_bytes(), &delivery.body, header, delivery.now) {
                    Ok(()) => true,
                    Err(StripeRefusal::Malformed) => {
                        refusal = "the Stripe-Signature header is malformed";
                        false
                    }
                    Err(StripeRefusal::OutsideTolerance) => {
                        refusal = "the Stripe-Signature timestamp is more than 300 seconds from now";
                        false
                    }
                    Err(StripeRefusal::Mismatch) => false,
                }
            }
        };
        if verified {
            return Ok(());
        }
    }
    Err(ReceiveError::Unauthenticated(refusal))
}

/// The topic shown to the brand, and the key under which a platform's retry of the same
/// delivery is recognised: Shopify's event id, Stripe's event id, WooCommerce's order id
/// and modification time; the body's SHA-256 where those are missing.
fn name_of(platform: Platform, headers: &ShopHeaders, body: &str) -> (String, String) {
    let fallback = || format!("sha256:{}", sha256_hex(body));
    let bounded = |text: &str| text.chars().take(200).collect::<String>();
    match platform {
        Platform::Shopify => (
            headers.shopify_topic.as_deref().map_or_else(String::new, bounded),
            headers.shopify_event_id.as_deref().map_or_else(fallback, bounded),
        ),
        Platform::Woocommerce => (
            headers.wc_topic.as_deref().map_or_else(String::new, bounded),
            shops::woocommerce::dedupe_key(body.as_bytes()).map_or_else(fallback, |key| bounded(&key)),
        ),
        Platform::Stripe => (
            shops::stripe::event_type(body.as_bytes()).map_or_else(String::new, |t| bounded(&t)),
            shops::stripe::event_id(body.as_bytes()).map_or_else(fallback, |id| bounded(&id)),
        ),
    }
}
