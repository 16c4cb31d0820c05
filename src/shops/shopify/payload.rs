//! The parts of Shopify's webhook bodies reftrack reads (REST Admin API shapes: an order
//! for `orders/*`, a refund for `refunds/create`). Every other field is ignored.
//!
//! Shopify writes `null` for many absent values (`sku`, `variant_id`, `landing_site`,
//! `email`), so lists and flags read `null` as empty. Amounts and ids stay
//! [`serde_json::Value`] until [`super::values`] reads them: Shopify writes money as
//! strings ("25.00") but some fields and relays use numbers, and with serde_json's
//! `arbitrary_precision` a number keeps its exact text either way.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `null` read as the type's default (an empty list, `false`).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// Only an order's id: all `orders/cancelled` needs, so that a field reftrack does not
/// use cannot stop a cancellation.
#[derive(Debug, Deserialize)]
pub struct OrderId {
    pub id: Value,
}

/// An order, as `orders/create`, `orders/updated`, `orders/paid` and `orders/cancelled`
/// send it.
#[derive(Debug, Deserialize)]
pub struct Order {
    /// Shopify's numeric order id (not `order_number`, not `name`).
    pub id: Value,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub processed_at: Option<String>,
    #[serde(default)]
    pub cancelled_at: Option<String>,
    /// The shop currency, which every `price` string is in.
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub financial_status: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub taxes_included: bool,
    #[serde(default)]
    pub total_tax: Option<Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub discount_codes: Vec<DiscountCode>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub note_attributes: Vec<NoteAttribute>,
    #[serde(default)]
    pub landing_site: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub line_items: Vec<LineItem>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub shipping_lines: Vec<ShippingLine>,
}

#[derive(Debug, Deserialize)]
pub struct DiscountCode {
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NoteAttribute {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub value: Option<Value>,
}

/// A line of an order, also carried whole inside each refund line.
#[derive(Debug, Deserialize)]
pub struct LineItem {
    #[serde(default)]
    pub id: Option<Value>,
    #[serde(default)]
    pub variant_id: Option<Value>,
    #[serde(default)]
    pub sku: Option<String>,
    /// Required on an order line: a line whose units are unknown cannot be valued.
    #[serde(default)]
    pub quantity: Option<i64>,
    /// Unit price in the shop currency (not `price_set`'s presentment money).
    #[serde(default)]
    pub price: Option<Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub gift_card: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tax_lines: Vec<TaxLine>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub discount_allocations: Vec<DiscountAllocation>,
}

#[derive(Debug, Deserialize)]
pub struct TaxLine {
    /// The tax on the whole line (all units), shop currency.
    pub price: Value,
}

#[derive(Debug, Deserialize)]
pub struct DiscountAllocation {
    /// The discount on the whole line (all units), shop currency.
    pub amount: Value,
}

#[derive(Debug, Deserialize)]
pub struct ShippingLine {
    pub price: Value,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tax_lines: Vec<TaxLine>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub discount_allocations: Vec<DiscountAllocation>,
}

/// A refund, as `refunds/create` sends it.
#[derive(Debug, Deserialize)]
pub struct Refund {
    pub id: Value,
    pub order_id: Value,
    #[serde(default, deserialize_with = "null_as_default")]
    pub refund_line_items: Vec<RefundLineItem>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub transactions: Vec<Transaction>,
    /// Always present in current API versions; its shop money names the shop currency,
    /// which a transaction's `currency` may not be on a multi-currency shop.
    #[serde(default)]
    pub total_duties_set: Option<MoneySet>,
}

#[derive(Debug, Deserialize)]
pub struct RefundLineItem {
    #[serde(default)]
    pub quantity: Option<i64>,
    #[serde(default)]
    pub line_item: Option<LineItem>,
}

#[derive(Debug, Deserialize)]
pub struct Transaction {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub amount: Option<Value>,
    #[serde(default)]
    pub currency: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct MoneySet {
    #[serde(default)]
    pub shop_money: Option<Money>,
}

#[derive(Debug, Deserialize)]
pub struct Money {
    #[serde(default)]
    pub currency_code: Option<String>,
}
