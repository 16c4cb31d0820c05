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

use serde::de::DeserializeOwned;

use super::{MappingError, OrderRef, ShopCommand};

/// The command for one delivery: `topic` is its `X-Shopify-Topic` header, `body` its
/// verified bytes.
pub fn map(topic: &str, body: &[u8]) -> Result<ShopCommand, MappingError> {
    let topic = topic.trim();
    match topic {
        "orders/paid" | "orders/create" | "orders/updated" => order::record(topic, &parse(body, "order")?),
        "orders/cancelled" => {
            let cancelled: payload::OrderId = parse(body, "order")?;
            let id = values::id(&cancelled.id, "id")?;
            Ok(ShopCommand::Cancel {
                order: OrderRef::Id(format!("shopify:{id}")),
            })
        }
        "refunds/create" => refund::refund(&parse(body, "refund")?),
        other => Ok(ShopCommand::Ignore {
            reason: format!("topic {other} is not used by reftrack"),
        }),
    }
}

/// The body as Shopify's `what`, or why not, naming the field that did not fit.
fn parse<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, MappingError> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let refused = |reason: String| MappingError::new(format!("body is not a Shopify {what}: {reason}"));
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
