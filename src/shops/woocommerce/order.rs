//! A paid WooCommerce order as reftrack's [`OrderFacts`], and the refunds it lists.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::payload::{LineItem, Meta, Order};
use crate::domain::Currency;
use crate::domain::cart::CartLine;
use crate::domain::money::{bounded_amount, parse_minor};
use crate::shops::{CodeRef, MappingError, OrderFacts, OrderRef, RefundAmount, RefundFacts, ShopCommand, lines_of};

/// The custom field a brand's checkout sets to the click that brought the buyer.
const CLICK_META: &str = "reftrack_click_id";
/// WooCommerce's order attribution (8.5+) keeps the landing URL's `utm_content` here;
/// reftrack's referral links put the ambassador's code in `utm_content`.
const UTM_CONTENT_META: &str = "_wc_order_attribution_utm_content";

/// The order as recorded: lines before discounts, tax excluded, and the order's codes.
pub(super) fn facts(order: &Order, order_id: &str) -> Result<OrderFacts, MappingError> {
    let currency = currency(order)?;
    let exponent = currency.exponent();
    let mut lines = Vec::with_capacity(order.line_items.len());
    let mut subtotal: i64 = 0;
    let mut total: i64 = 0;
    for (index, item) in order.line_items.iter().enumerate() {
        let (item_lines, line_subtotal, line_total) = cart_line(item, index, exponent)?;
        lines.extend(item_lines);
        subtotal = subtotal.checked_add(line_subtotal).ok_or_else(too_large)?;
        total = total.checked_add(line_total).ok_or_else(too_large)?;
    }
    // WooCommerce's own `discount_total` is rounded per coupon and may include discounts
    // of fees; the lines' difference is exactly what came off the merchandise.
    let discount_total = bounded_amount(subtotal - total).map_err(|_| {
        MappingError::new("line_items: the lines' totals after discounts exceed their subtotals before discounts")
    })?;
    Ok(OrderFacts {
        order_id: order_id.to_owned(),
        aliases: Vec::new(),
        codes: codes(order),
        click_id: meta_text(&order.meta_data, CLICK_META),
        currency,
        lines,
        discount_total,
        shipping_total: optional_amount(order.shipping_total.as_deref(), exponent, "shipping_total")?,
        tax_total: optional_amount(order.total_tax.as_deref(), exponent, "total_tax")?,
        customer_email: order.billing.email.as_deref().and_then(non_blank),
        placed_at: placed_at(order)?,
    })
}

/// One `Refund` per refund the order lists; a refund of nothing (WooCommerce allows one
/// that only restocks) gives no money back and is left out.
pub(super) fn refunds(order: &Order, host: &str, order_id: &str) -> Result<Vec<ShopCommand>, MappingError> {
    if order.refunds.is_empty() {
        return Ok(Vec::new());
    }
    let exponent = currency(order)?.exponent();
    let mut commands = Vec::with_capacity(order.refunds.len());
    for (index, refund) in order.refunds.iter().enumerate() {
        let field = format!("refunds[{index}].total");
        // WooCommerce writes refunds negative; the sign carries no information here.
        let signed =
            parse_minor(&refund.total, exponent).map_err(|err| MappingError::new(format!("{field}: {err}")))?;
        let amount = signed
            .checked_abs()
            .and_then(|value| bounded_amount(value).ok())
            .ok_or_else(|| MappingError::new(format!("{field}: {}", out_of_bounds())))?;
        if amount == 0 {
            continue;
        }
        commands.push(ShopCommand::Refund(RefundFacts {
            order: OrderRef::Id(order_id.to_owned()),
            refund_id: format!("woocommerce:{host}:{}", refund.id),
            amount: RefundAmount::Gross(amount),
        }));
    }
    Ok(commands)
}

fn currency(order: &Order) -> Result<Currency, MappingError> {
    Currency::parse(&order.currency.trim().to_ascii_uppercase())
        .map_err(|err| MappingError::new(format!("currency: {err}")))
}

/// The line's cart lines (see [`lines_of`]: two when the subtotal does not divide by the
/// quantity), with its subtotal and total in minor units; the recorded merchandise is
/// exactly what the buyer was charged.
fn cart_line(item: &LineItem, index: usize, exponent: u32) -> Result<(Vec<CartLine>, i64, i64), MappingError> {
    if item.quantity <= 0 {
        return Err(MappingError::new(format!(
            "line_items[{index}].quantity: must be positive"
        )));
    }
    let subtotal = amount(&item.subtotal, exponent, &format!("line_items[{index}].subtotal"))?;
    let total = amount(&item.total, exponent, &format!("line_items[{index}].total"))?;
    let sku = item
        .sku
        .as_deref()
        .and_then(non_blank)
        .unwrap_or_else(|| format!("product:{}", item.product_id));
    Ok((lines_of(sku, item.quantity, subtotal), subtotal, total))
}

/// Coupons in the order WooCommerce applied them, then the code the referral link carried
/// in `utm_content` unless a coupon already names it.
fn codes(order: &Order) -> Vec<CodeRef> {
    let mut typed: Vec<String> = order
        .coupon_lines
        .iter()
        .filter(|coupon| !coupon.code.trim().is_empty())
        .map(|coupon| coupon.code.clone())
        .collect();
    let linked = meta_text(&order.meta_data, UTM_CONTENT_META)
        .filter(|linked| !typed.iter().any(|code| code.trim().eq_ignore_ascii_case(linked)));
    typed.extend(linked);
    typed.into_iter().map(CodeRef::Typed).collect()
}

/// The first non-blank text value of the custom field `key`, trimmed.
fn meta_text(meta: &[Meta], key: &str) -> Option<String> {
    meta.iter()
        .filter(|entry| entry.key == key)
        .find_map(|entry| match &entry.value {
            serde_json::Value::String(text) => non_blank(text),
            serde_json::Value::Number(number) => Some(number.to_string()),
            _ => None,
        })
}

/// When the order was paid, else created (an order paid offline has no payment date).
fn placed_at(order: &Order) -> Result<DateTime<Utc>, MappingError> {
    let paid = order.date_paid_gmt.as_deref().and_then(non_blank);
    let (field, text) = match paid {
        Some(text) => ("date_paid_gmt", text),
        None => (
            "date_created_gmt",
            order
                .date_created_gmt
                .as_deref()
                .and_then(non_blank)
                .ok_or_else(|| MappingError::new("date_created_gmt: missing"))?,
        ),
    };
    gmt_time(&text).ok_or_else(|| MappingError::new(format!("{field}: `{text}` is not a date and time")))
}

/// WooCommerce's `*_gmt` dates are UTC written without a zone ("2026-11-30T10:15:00");
/// one with a zone is read as written.
fn gmt_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(zoned) = DateTime::parse_from_rfc3339(text) {
        return Some(zoned.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

fn optional_amount(text: Option<&str>, exponent: u32, field: &str) -> Result<i64, MappingError> {
    match text {
        Some(text) if !text.trim().is_empty() => amount(text, exponent, field),
        _ => Ok(0),
    }
}

fn amount(text: &str, exponent: u32, field: &str) -> Result<i64, MappingError> {
    let minor = parse_minor(text, exponent).map_err(|err| MappingError::new(format!("{field}: {err}")))?;
    bounded_amount(minor).map_err(|err| MappingError::new(format!("{field}: `{text}` {err}")))
}

fn non_blank(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn too_large() -> MappingError {
    MappingError::new(format!("line_items: {}", out_of_bounds()))
}

fn out_of_bounds() -> String {
    format!("amounts must be 0 to {} minor units", crate::domain::money::MAX_AMOUNT)
}
