//! The parts of a WooCommerce order webhook body reftrack reads.
//!
//! The body is the order as the REST API (`/wp-json/wc/v3/orders/<id>`) renders it:
//! <https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties>. Fields
//! WooCommerce leaves out or sends as `null` fall back to nothing; other fields are not
//! read.

use serde::{Deserialize, Deserializer};

#[derive(Debug, Deserialize)]
pub(super) struct Order {
    pub id: u64,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub currency: String,
    /// "2026-11-30T10:15:00": UTC, without a zone.
    #[serde(default)]
    pub date_created_gmt: Option<String>,
    /// `null` until the order is paid.
    #[serde(default)]
    pub date_paid_gmt: Option<String>,
    #[serde(default, deserialize_with = "amount_text")]
    pub shipping_total: Option<String>,
    /// Tax of the lines and of the shipping together.
    #[serde(default, deserialize_with = "amount_text")]
    pub total_tax: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub billing: Billing,
    #[serde(default, deserialize_with = "null_as_default")]
    pub meta_data: Vec<Meta>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub line_items: Vec<LineItem>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub coupon_lines: Vec<CouponLine>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub refunds: Vec<RefundLine>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Billing {
    #[serde(default)]
    pub email: Option<String>,
}

/// A custom field of the order; plugins store any JSON in `value`.
#[derive(Debug, Deserialize)]
pub(super) struct Meta {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: serde_json::Value,
}

#[derive(Debug, Deserialize)]
pub(super) struct LineItem {
    #[serde(default)]
    pub product_id: u64,
    #[serde(default)]
    pub sku: Option<String>,
    pub quantity: i64,
    /// The line before discounts, tax excluded.
    #[serde(deserialize_with = "required_amount_text")]
    pub subtotal: String,
    /// The line after discounts, tax excluded.
    #[serde(deserialize_with = "required_amount_text")]
    pub total: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct CouponLine {
    #[serde(default)]
    pub code: String,
}

/// A refund as the order lists it (the full refund is a resource of its own).
#[derive(Debug, Deserialize)]
pub(super) struct RefundLine {
    pub id: u64,
    /// Money given back, written negative ("-10.00").
    #[serde(deserialize_with = "required_amount_text")]
    pub total: String,
}

/// What [`super::dedupe_key`] needs, read leniently.
#[derive(Debug, Deserialize)]
pub(super) struct Revision {
    pub id: u64,
    #[serde(default)]
    pub date_modified_gmt: Option<String>,
}

/// An amount as WooCommerce writes it: a decimal string ("12.50"). A JSON number is taken
/// too, by its text (serde_json keeps it with `arbitrary_precision`), never as a float.
fn amount_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(text) => Ok(Some(text)),
        serde_json::Value::Number(number) => Ok(Some(number.to_string())),
        serde_json::Value::Bool(_) => Err(D::Error::custom("expected a decimal amount, found a boolean")),
        serde_json::Value::Array(_) => Err(D::Error::custom("expected a decimal amount, found a list")),
        serde_json::Value::Object(_) => Err(D::Error::custom("expected a decimal amount, found an object")),
    }
}

fn required_amount_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    use serde::de::Error;
    amount_text(deserializer)?.ok_or_else(|| D::Error::custom("expected a decimal amount, found null"))
}

/// WooCommerce sends `null` for some lists and objects it has nothing in.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
