//! `orders/paid`, `orders/create` and `orders/updated`: a paid order becomes a
//! [`ShopCommand::Record`]; an order not paid yet is ignored, since `orders/paid` (or a
//! later update) will bring it once it is.

use chrono::{DateTime, Utc};

use crate::shops::{CodeRef, MappingError, OrderFacts, ShopCommand};

use super::payload::Order;
use super::{click, lines, values};

/// The command for an order sent under `topic`.
pub fn record(topic: &str, order: &Order) -> Result<ShopCommand, MappingError> {
    let order_id = format!("shopify:{}", values::id(&order.id, "id")?);
    if let Some(reason) = not_recordable(topic, order) {
        return Ok(ShopCommand::Ignore { reason });
    }
    let currency = values::currency(order.currency.as_deref(), "currency")?;
    let exponent = currency.exponent();
    let merchandise = lines::merchandise(&order.line_items, exponent, order.taxes_included)?;
    if merchandise.lines.is_empty() {
        return Ok(ShopCommand::Ignore {
            reason: format!("{topic} with no merchandise (only gift cards or removed lines)"),
        });
    }
    let (shipping_total, shipping_tax) = lines::shipping(&order.shipping_lines, exponent, order.taxes_included)?;
    let tax_total = if order.taxes_included {
        values::add(merchandise.tax_taken_out, shipping_tax, "tax_lines")?
    } else {
        let total_tax = order.total_tax.as_ref().unwrap_or(&serde_json::Value::Null);
        values::amount(total_tax, exponent, "total_tax")?
    };
    Ok(ShopCommand::Record(OrderFacts {
        order_id,
        aliases: Vec::new(),
        codes: codes(order),
        click_id: click::click_id(&order.note_attributes, order.landing_site.as_deref()),
        currency,
        lines: merchandise.lines,
        discount_total: merchandise.discount_total,
        shipping_total,
        tax_total,
        customer_email: customer_email(order),
        placed_at: placed_at(order)?,
    }))
}

/// Why an order sent under `topic` is not recorded, if it is not. `orders/paid` is a
/// payment whatever the status says by the time it is sent; the other topics carry
/// every change of an order, so only a paid one is recorded (again: a replay).
fn not_recordable(topic: &str, order: &Order) -> Option<String> {
    if let Some(at) = order.cancelled_at.as_deref().map(str::trim).filter(|at| !at.is_empty()) {
        return Some(format!("{topic} of a cancelled order (cancelled_at {at})"));
    }
    if topic == "orders/paid" {
        return None;
    }
    match order.financial_status.as_deref().map(str::trim).unwrap_or_default() {
        "paid" => None,
        "" => Some(format!("{topic} before payment (no financial_status)")),
        status @ ("partially_refunded" | "refunded") => Some(format!(
            "{topic} after a refund (financial_status {status}): orders/paid records the order, refunds/create its refunds"
        )),
        status @ ("pending" | "authorized" | "partially_paid") => {
            Some(format!("{topic} before payment (financial_status {status})"))
        }
        status => Some(format!(
            "{topic} of an order that is not paid (financial_status {status})"
        )),
    }
}

/// The discount codes as the customer typed them, in the order applied.
fn codes(order: &Order) -> Vec<CodeRef> {
    order
        .discount_codes
        .iter()
        .filter_map(|d| d.code.as_deref().map(str::trim))
        .filter(|code| !code.is_empty())
        .map(|code| CodeRef::Typed(code.to_owned()))
        .collect()
}

fn customer_email(order: &Order) -> Option<String> {
    [&order.email, &order.contact_email]
        .into_iter()
        .filter_map(|email| email.as_deref().map(str::trim))
        .find(|email| !email.is_empty())
        .map(str::to_owned)
}

/// When the order was paid for (`processed_at`; an imported order's is its original
/// date), else when Shopify created it.
fn placed_at(order: &Order) -> Result<DateTime<Utc>, MappingError> {
    let (field, text) = [("processed_at", &order.processed_at), ("created_at", &order.created_at)]
        .into_iter()
        .find_map(|(field, at)| Some((field, at.as_deref().map(str::trim).filter(|at| !at.is_empty())?)))
        .ok_or_else(|| MappingError::new("`processed_at` and `created_at` are both missing"))?;
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| MappingError::new(format!("`{field}`: `{text}` is not an RFC 3339 time")))
}
