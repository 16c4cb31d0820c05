//! Shopify webhooks (REST Admin API bodies) as reftrack commands: `orders/paid`,
//! `orders/create` and `orders/updated` record a paid order, `refunds/create` refunds
//! it, `orders/cancelled` cancels it; every other topic is ignored.
//!
//! Orders are read in the shop currency (`currency` and the `price` strings), never in
//! the customer's presentment currency, so that every delivery about one order speaks
//! the same money. <https://shopify.dev/docs/api/admin-rest/latest/resources/order>

mod click;
mod lines;
mod order;
mod payload;
mod refund;
mod values;

#[cfg(test)]
mod tests;

use super::{MappingError, OrderRef, ShopCommand, parse_body};

/// The command for one delivery: `topic` is its `X-Shopify-Topic` header, `body` its
/// verified bytes.
pub fn map(topic: &str, body: &[u8]) -> Result<ShopCommand, MappingError> {
    let topic = topic.trim();
    match topic {
        "orders/paid" | "orders/create" | "orders/updated" => {
            order::record(topic, &parse_body(body, "a Shopify order")?)
        }
        "orders/cancelled" => {
            let cancelled: payload::OrderId = parse_body(body, "a Shopify order")?;
            let id = values::id(&cancelled.id, "id")?;
            Ok(ShopCommand::Cancel {
                order: OrderRef::Id(format!("shopify:{id}")),
            })
        }
        "refunds/create" => refund::refund(&parse_body(body, "a Shopify refund")?),
        other => Ok(ShopCommand::Ignore {
            reason: format!("topic {other} is not used by reftrack"),
        }),
    }
}
