//! A paid Checkout Session as reftrack's [`OrderFacts`].
//!
//! A session says how much, not what: its line items are not in the event (they take a
//! second API call), so the order is one line, `stripe:checkout`, at the session's
//! subtotal. Stripe amounts are integers in minor units already, JPY included.

use chrono::{DateTime, Utc};

use super::payload::Session;
use crate::domain::Currency;
use crate::domain::cart::CartLine;
use crate::domain::money::bounded_amount;
use crate::shops::{CodeRef, MappingError, OrderFacts};

/// The one line a session is recorded with.
pub(super) const CHECKOUT_SKU: &str = "stripe:checkout";
/// reftrack's checkout passes its click as `client_reference_id` = "rt_{click id}".
const CLICK_PREFIX: &str = "rt_";
/// Metadata a brand's own integration may set instead.
const CODE_METADATA: &str = "reftrack_code";
const CLICK_METADATA: &str = "reftrack_click_id";

/// The order name a refund uses: `charge.refunded` knows the payment intent, not the
/// session.
pub(super) fn payment_intent_alias(payment_intent: &str) -> String {
    format!("stripe:pi:{payment_intent}")
}

pub(super) fn facts(session: &Session, created: i64) -> Result<OrderFacts, MappingError> {
    let currency = session
        .currency
        .as_deref()
        .ok_or_else(|| MappingError::new("data.object.currency: missing"))?;
    let currency = Currency::parse(&currency.trim().to_ascii_uppercase())
        .map_err(|err| MappingError::new(format!("data.object.currency: {err}")))?;
    let subtotal = session
        .amount_subtotal
        .ok_or_else(|| MappingError::new("data.object.amount_subtotal: missing"))?;
    let details = session.total_details.as_ref();
    let placed_at = DateTime::<Utc>::from_timestamp(created, 0)
        .ok_or_else(|| MappingError::new(format!("created: {created} is not a time")))?;
    Ok(OrderFacts {
        order_id: format!("stripe:{}", session.id),
        aliases: session
            .payment_intent
            .as_deref()
            .and_then(non_blank)
            .map(|intent| payment_intent_alias(&intent))
            .into_iter()
            .collect(),
        codes: codes(session),
        click_id: click_id(session),
        currency,
        lines: vec![CartLine {
            sku: CHECKOUT_SKU.to_owned(),
            category: None,
            quantity: 1,
            unit_price: amount(Some(subtotal), "amount_subtotal")?,
        }],
        discount_total: amount(details.and_then(|d| d.amount_discount), "total_details.amount_discount")?,
        shipping_total: amount(details.and_then(|d| d.amount_shipping), "total_details.amount_shipping")?,
        tax_total: amount(details.and_then(|d| d.amount_tax), "total_details.amount_tax")?,
        customer_email: session
            .customer_details
            .as_ref()
            .and_then(|details| details.email.as_deref())
            .and_then(non_blank)
            .or_else(|| session.customer_email.as_deref().and_then(non_blank)),
        placed_at,
    })
}

/// The code reftrack's checkout put in metadata first (the one the buyer came with), then
/// each promotion code Stripe applied; a coupon applied without a promotion code has no
/// text a buyer typed and names no reftrack code.
fn codes(session: &Session) -> Vec<CodeRef> {
    let typed = metadata(session, CODE_METADATA).map(CodeRef::Typed);
    let promotions = session
        .discounts
        .iter()
        .flatten()
        .filter_map(|discount| discount.promotion_code.as_deref().and_then(non_blank))
        .map(CodeRef::StripePromotion);
    typed.into_iter().chain(promotions).collect()
}

/// The click from `client_reference_id` when reftrack's checkout set it; any other
/// reference belongs to the brand and is not a click.
fn click_id(session: &Session) -> Option<String> {
    session
        .client_reference_id
        .as_deref()
        .and_then(|reference| reference.trim().strip_prefix(CLICK_PREFIX))
        .and_then(non_blank)
        .or_else(|| metadata(session, CLICK_METADATA))
}

fn metadata(session: &Session, key: &str) -> Option<String> {
    session.metadata.as_ref()?.get(key).and_then(|value| non_blank(value))
}

/// A Stripe amount (missing is none), checked to be 0 to `MAX_AMOUNT`.
fn amount(value: Option<i64>, field: &str) -> Result<i64, MappingError> {
    bounded_amount(value.unwrap_or(0)).map_err(|err| MappingError::new(format!("data.object.{field}: {err}")))
}

fn non_blank(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
