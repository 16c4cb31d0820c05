//! WooCommerce order webhooks (`order.created`, `order.updated`) as reftrack commands.
//!
//! WooCommerce sends the whole order on every change, so one delivery says everything at
//! once: the order is paid (record it), it lists refunds (apply each; refund ids make a
//! second application a no-op), or it was cancelled. WooCommerce has no order id that is
//! unique across shops, so the shop's host (from `X-WC-Webhook-Source`) is part of every
//! id reftrack keeps: `woocommerce:{host}:{id}`.
//! <https://woocommerce.com/document/webhooks/>

mod order;
mod payload;
#[cfg(test)]
mod tests;

use payload::{Order, Revision};

use super::{MappingError, OrderRef, ShopCommand};

/// The commands one delivery of `topic` (`X-WC-Webhook-Topic`) from the shop at `host`
/// asks for, in order: a paid order (`processing`, `completed`) is recorded, then each of
/// its refunds applied; a `refunded` order only has its refunds applied (it is not a sale
/// to record any more); a `cancelled` or `failed` order is cancelled; any other status
/// (`pending`, `on-hold`, `checkout-draft`, …) is ignored until it is paid.
pub fn map(topic: &str, host: &str, body: &[u8]) -> Result<Vec<ShopCommand>, MappingError> {
    if !matches!(topic, "order.created" | "order.updated") {
        return Ok(vec![ignore(format!("topic {topic} is not used by reftrack"))]);
    }
    if host.is_empty() {
        return Err(MappingError::new(
            "the delivery does not say which shop sent it (X-WC-Webhook-Source)",
        ));
    }
    let order: Order = super::parse_body(body, "a WooCommerce order")?;
    let order_id = format!("woocommerce:{host}:{}", order.id);
    let status = order.status.trim();
    let commands = match status {
        "processing" | "completed" => {
            if order.line_items.is_empty() {
                return Ok(vec![ignore(format!(
                    "order {} has no line items; there is no merchandise to attribute",
                    order.id
                ))]);
            }
            let mut commands = vec![ShopCommand::Record(order::facts(&order, &order_id)?)];
            commands.extend(order::refunds(&order, host, &order_id)?);
            commands
        }
        "refunded" => {
            let refunds = order::refunds(&order, host, &order_id)?;
            if refunds.is_empty() {
                vec![ignore(
                    "order status refunded, but the order lists no refund".to_owned(),
                )]
            } else {
                refunds
            }
        }
        "cancelled" | "failed" => vec![ShopCommand::Cancel {
            order: OrderRef::Id(order_id),
        }],
        "" => return Err(MappingError::new("status: missing")),
        other => vec![ignore(format!(
            "order status {other}; reftrack records an order once it is processing or completed"
        ))],
    };
    Ok(commands)
}

/// What identifies one revision of an order, "{order id}:{date_modified_gmt}": WooCommerce
/// may deliver the same revision twice (a retry, `order.created` and `order.updated` for
/// one save), and a new revision always has a new modification time.
pub fn dedupe_key(body: &[u8]) -> Option<String> {
    let revision: Revision = serde_json::from_slice(body).ok()?;
    let modified = revision.date_modified_gmt?;
    let modified = modified.trim();
    (!modified.is_empty()).then(|| format!("{}:{modified}", revision.id))
}

/// The host, lower-cased and with its port if it has one, of the `X-WC-Webhook-Source`
/// URL ("https://Shop.Example.com/" gives "shop.example.com"); `None` when it is not an
/// http(s) URL with a host.
pub fn source_host(source_header: &str) -> Option<String> {
    let url = url::Url::parse(source_header.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

fn ignore(reason: String) -> ShopCommand {
    ShopCommand::Ignore { reason }
}
