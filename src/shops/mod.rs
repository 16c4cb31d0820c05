//! Shop platforms' webhook bodies, translated into reftrack commands.
//!
//! Pure functions: a platform's payload (already verified and stored by the inbox) in,
//! a [`ShopCommand`] out. They never see the database; what needs it (which of several
//! discount codes is a usable reftrack code, a Stripe promotion code's twin, the
//! recorded order a refund belongs to, converting a gross refund into merchandise) is
//! the inbox service's job, with the same `orders::record`, `refunds::apply` and
//! `orders::cancel` use cases the JSON API calls.

pub mod shopify;
pub mod stripe;
pub mod woocommerce;

use chrono::{DateTime, Utc};

use crate::domain::Currency;
use crate::domain::cart::CartLine;

/// What one delivery asks reftrack to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopCommand {
    /// Record a paid order (a platform that sends one order several times sends the
    /// same `order_id`; recording it again is a replay).
    Record(OrderFacts),
    /// Refund part or all of a recorded order.
    Refund(RefundFacts),
    /// Cancel a recorded order: everything not refunded yet is reversed.
    Cancel { order: OrderRef },
    /// Nothing to do, and why (shown to the brand on the delivery).
    Ignore { reason: String },
}

/// A paid order as the shop reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFacts {
    /// reftrack's `order_id`: `shopify:{id}`, `woocommerce:{host}:{id}`, `stripe:{session}`.
    pub order_id: String,
    /// Other names the platform uses for this order in later deliveries (Stripe's
    /// `payment_intent`, which its `charge.refunded` names instead of the session).
    pub aliases: Vec<String>,
    /// Codes in the order the customer applied them; the first usable reftrack code
    /// attributes, the others are kept as candidates.
    pub codes: Vec<CodeRef>,
    pub click_id: Option<String>,
    pub currency: Currency,
    /// Merchandise lines, before the order discount, tax excluded.
    pub lines: Vec<CartLine>,
    pub discount_total: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub customer_email: Option<String>,
    pub placed_at: DateTime<Utc>,
}

/// A code as a platform names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRef {
    /// The code text the customer typed (any case).
    Typed(String),
    /// A Stripe promotion code id (`promo_…`); a reftrack code may carry it as its twin.
    StripePromotion(String),
}

/// How a refund names its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRef {
    /// reftrack's `order_id`.
    Id(String),
    /// One of the order's aliases (see [`OrderFacts::aliases`]).
    Alias(String),
}

/// A refund as the shop reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundFacts {
    pub order: OrderRef,
    /// reftrack's `refund_id`, unique within the order.
    pub refund_id: String,
    pub amount: RefundAmount,
}

/// What the platform says was refunded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundAmount {
    /// Units of lines, by sku (as the order was recorded).
    Lines(Vec<(String, i64)>),
    /// Money given back, gross (merchandise, shipping and tax as the platform mixes
    /// them), minor units; the service turns it into merchandise by the order's share.
    Gross(i64),
    /// The platform's running total of money given back for the order, gross (Stripe's
    /// `amount_refunded`); only the part above what is recorded is new.
    CumulativeGross(i64),
}

/// The cart lines for `quantity` units of `sku` worth `value` in all (minor units,
/// `quantity` ≥ 1, `value` ≥ 0). When the value divides into whole minor units per unit,
/// one line; otherwise (a tax-inclusive price with the tax taken out, a price with more
/// decimals than the currency) two lines of the same sku: `quantity − 1` units at the
/// value's floor share and one unit with the rest. The value stays exact and so does the
/// unit count, so a later refund of some units refunds those units (the refund takes
/// units from an sku's lines in order).
pub(crate) fn lines_of(sku: String, quantity: i64, value: i64) -> Vec<CartLine> {
    let line = |sku: String, quantity: i64, unit_price: i64| CartLine {
        sku,
        category: None,
        quantity,
        unit_price,
    };
    if quantity <= 1 || value % quantity == 0 {
        let unit_price = if quantity <= 1 { value } else { value / quantity };
        return vec![line(sku, quantity.max(1), unit_price)];
    }
    let share = value.div_euclid(quantity);
    let rest = value - share * (quantity - 1);
    vec![line(sku.clone(), quantity - 1, share), line(sku, 1, rest)]
}

/// `body` as `T`, or an error for the brand saying what it is not (`what`: "a Stripe
/// event") and naming the field that did not fit. Trailing bytes after the document
/// are refused too.
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, MappingError> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let refused = |reason: String| MappingError::new(format!("body is not {what}: {reason}"));
    let value = serde_path_to_error::deserialize(&mut json).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        refused(if path == "." {
            inner.to_string()
        } else {
            format!("`{path}`: {inner}")
        })
    })?;
    json.end().map_err(|err| refused(err.to_string()))?;
    Ok(value)
}

/// Why a body could not be read as the platform's payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MappingError(pub String);

impl MappingError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(lines: &[CartLine]) -> Vec<(i64, i64)> {
        lines.iter().map(|l| (l.quantity, l.unit_price)).collect()
    }

    #[test]
    fn a_value_that_does_not_divide_is_two_lines_keeping_value_and_units() {
        assert_eq!(units(&lines_of("A".into(), 3, 4500)), [(3, 1500)]);
        assert_eq!(units(&lines_of("A".into(), 3, 4132)), [(2, 1377), (1, 1378)]);
        assert_eq!(units(&lines_of("A".into(), 1, 4132)), [(1, 4132)]);
        assert_eq!(units(&lines_of("A".into(), 2, 1)), [(1, 0), (1, 1)]);
        assert_eq!(units(&lines_of("A".into(), 4, 0)), [(4, 0)]);
    }

    proptest::proptest! {
        #[test]
        fn split_lines_sum_to_the_value_and_the_quantity(quantity in 1i64..=1_000_000, value in 0i64..=1_000_000_000_000) {
            let lines = lines_of("A".into(), quantity, value);
            proptest::prop_assert_eq!(lines.iter().map(|l| l.quantity * l.unit_price).sum::<i64>(), value);
            proptest::prop_assert_eq!(lines.iter().map(|l| l.quantity).sum::<i64>(), quantity);
            proptest::prop_assert!(lines.iter().all(|l| l.unit_price >= 0 && l.quantity >= 1));
        }
    }
}
