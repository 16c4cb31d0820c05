//! The parts of a Stripe event reftrack reads: the envelope
//! (<https://docs.stripe.com/api/events/object>), a Checkout Session
//! (<https://docs.stripe.com/api/checkout/sessions/object>) and a Charge
//! (<https://docs.stripe.com/api/charges/object>). Stripe writes `null` for what is not
//! set; every such field is an `Option`. Other fields are not read.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::shops::MappingError;

/// The envelope, read first to learn which object `data.object` is.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct Event<T> {
    /// Unix seconds.
    pub created: i64,
    pub data: Data<T>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Data<T> {
    pub object: T,
}

#[derive(Debug, Deserialize)]
pub(super) struct Session {
    pub id: String,
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub amount_subtotal: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub payment_status: Option<String>,
    #[serde(default)]
    pub payment_intent: Option<String>,
    #[serde(default)]
    pub client_reference_id: Option<String>,
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub discounts: Option<Vec<Discount>>,
    #[serde(default)]
    pub total_details: Option<TotalDetails>,
    #[serde(default)]
    pub customer_details: Option<CustomerDetails>,
    #[serde(default)]
    pub customer_email: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Discount {
    #[serde(default)]
    pub promotion_code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct TotalDetails {
    #[serde(default)]
    pub amount_discount: Option<i64>,
    #[serde(default)]
    pub amount_shipping: Option<i64>,
    #[serde(default)]
    pub amount_tax: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub(super) struct CustomerDetails {
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Charge {
    pub id: String,
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub payment_intent: Option<String>,
    /// Everything refunded so far, not this refund alone.
    pub amount_refunded: i64,
}

/// `data.object` must be the object the event type promises (Stripe always names it).
pub(super) fn expect_object(found: Option<&str>, wanted: &str) -> Result<(), MappingError> {
    match found {
        Some(found) if found != wanted => Err(MappingError::new(format!(
            "data.object.object: expected a {wanted}, found a {found}"
        ))),
        _ => Ok(()),
    }
}
