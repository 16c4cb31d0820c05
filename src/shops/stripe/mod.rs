//! Stripe events as reftrack commands: a paid Checkout Session is an order, a refunded
//! charge refunds it. <https://docs.stripe.com/checkout/fulfillment>
//!
//! A session paid by a delayed method (bank debits, vouchers) completes `unpaid` and is
//! paid later by `checkout.session.async_payment_succeeded`; both events carry the same
//! session, so either records the same `stripe:{session}` order.

mod checkout;
mod payload;
#[cfg(test)]
mod tests;

use payload::{Charge, Envelope, Event, Session, expect_object};

use super::{MappingError, OrderRef, RefundAmount, RefundFacts, ShopCommand};
use crate::domain::money::bounded_amount;

/// The command one event (`id`, `type`, `data.object`) asks for.
pub fn map(body: &[u8]) -> Result<ShopCommand, MappingError> {
    let envelope: Envelope = super::parse_body(body, "a Stripe event")?;
    match envelope.kind.as_str() {
        "checkout.session.completed" => {
            let event: Event<Session> = super::parse_body(body, "a Stripe event")?;
            let session = &event.data.object;
            expect_object(session.object.as_deref(), "checkout.session")?;
            match session.payment_status.as_deref().unwrap_or("") {
                "paid" => Ok(ShopCommand::Record(checkout::facts(session, event.created)?)),
                "unpaid" => Ok(ignore(
                    "checkout completed before payment (payment_status unpaid); waiting for async_payment_succeeded",
                )),
                "no_payment_required" => Ok(ignore(
                    "checkout completed without a payment (payment_status no_payment_required); there is no sale to record",
                )),
                "" => Err(MappingError::new("data.object.payment_status: missing")),
                other => Ok(ignore(&format!(
                    "checkout completed with payment_status {other}; reftrack records a paid session"
                ))),
            }
        }
        // Sent only once the delayed payment is in, whatever the session still says.
        "checkout.session.async_payment_succeeded" => {
            let event: Event<Session> = super::parse_body(body, "a Stripe event")?;
            expect_object(event.data.object.object.as_deref(), "checkout.session")?;
            Ok(ShopCommand::Record(checkout::facts(&event.data.object, event.created)?))
        }
        "charge.refunded" => {
            let event: Event<Charge> = super::parse_body(body, "a Stripe event")?;
            refund(&event.data.object)
        }
        other => Ok(ignore(&format!("event type {other} is not used by reftrack"))),
    }
}

/// The event's `id` (`evt_…`): Stripe may deliver one event more than once.
pub fn event_id(body: &[u8]) -> Option<String> {
    let envelope: Envelope = serde_json::from_slice(body).ok()?;
    let id = envelope.id.trim();
    (!id.is_empty()).then(|| id.to_owned())
}

/// The event's `type`, shown to the brand as the delivery's topic.
pub fn event_type(body: &[u8]) -> Option<String> {
    let envelope: Envelope = serde_json::from_slice(body).ok()?;
    let kind = envelope.kind.trim();
    (!kind.is_empty()).then(|| kind.to_owned())
}

/// A charge's refunds as one running total: Stripe reports `amount_refunded` so far, so
/// the refund id carries that total (each new refund raises it) and the service applies
/// only what is above what it has recorded. The charge names its payment intent, which
/// the session's order carries as an alias.
fn refund(charge: &Charge) -> Result<ShopCommand, MappingError> {
    expect_object(charge.object.as_deref(), "charge")?;
    let Some(intent) = charge
        .payment_intent
        .as_deref()
        .map(str::trim)
        .filter(|i| !i.is_empty())
    else {
        return Ok(ignore(&format!(
            "charge {} has no payment_intent; reftrack finds a Checkout order by its payment intent",
            charge.id
        )));
    };
    let refunded = bounded_amount(charge.amount_refunded)
        .map_err(|err| MappingError::new(format!("data.object.amount_refunded: {err}")))?;
    Ok(ShopCommand::Refund(RefundFacts {
        order: OrderRef::Alias(checkout::payment_intent_alias(intent)),
        refund_id: format!("stripe:{}:{refunded}", charge.id),
        amount: RefundAmount::CumulativeGross(refunded),
    }))
}

fn ignore(reason: &str) -> ShopCommand {
    ShopCommand::Ignore {
        reason: reason.to_owned(),
    }
}
