//! What reftrack tells the brand's systems and people: each use case that changes
//! something worth telling writes an event to the outbox **in the transaction of the
//! change**, so an event exists exactly when its change committed (a rolled-back order
//! leaves none; under the SQLite group-commit writer, a unit's savepoint takes its event
//! with it). A dispatcher fans the events out to webhooks and e-mail afterwards.
//!
//! `data` is what a receiver gets: ids, amounts in minor units with their currency, and
//! the ambassador and order references it needs; never a customer's e-mail.

pub mod attempts;
mod deal_payloads;
pub mod dispatch;
mod payloads;

pub use deal_payloads::*;
pub use payloads::*;

use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde::Serialize;

use crate::store::batch::Sink;
use crate::store::ids::{BrandId, OutboxEventId, text_enum};
use crate::store::outbox::{self, OutboxEventRow};

text_enum!(
    /// The kinds of event, as receivers see them in `type`.
    EventType {
        OrderRecorded => "order.recorded",
        OrderRefunded => "order.refunded",
        OrderCancelled => "order.cancelled",
        CommissionApproved => "commission.approved",
        CommissionRejected => "commission.rejected",
        AdjustmentCreated => "adjustment.created",
        RewardGranted => "reward.granted",
        PayoutCreated => "payout.created",
        PayoutPaid => "payout.paid",
        AmbassadorJoined => "ambassador.joined",
        InvitationCreated => "invitation.created",
        InvitationDeclined => "invitation.declined",
        DealOffered => "deal.offered",
        DealAccepted => "deal.accepted",
        DeliverableSubmitted => "deliverable.submitted",
        DeliverableApproved => "deliverable.approved",
        DeliverableRejected => "deliverable.rejected",
    }
);

/// Writes an event of `brand` to the outbox, inside the caller's transaction.
pub fn emit(
    sink: &mut impl Sink,
    brand: BrandId,
    event_type: EventType,
    data: &impl Serialize,
    now: NaiveDateTime,
) -> QueryResult<()> {
    // The payloads are plain structs of strings and integers: serialising cannot fail.
    let data = serde_json::to_string(data).unwrap_or_else(|_| "{}".to_owned());
    outbox::insert(
        sink,
        &OutboxEventRow {
            id: OutboxEventId::generate(),
            brand_id: brand,
            event_type: event_type.as_str().to_owned(),
            data,
            created_at: now,
            dispatched_at: None,
        },
    )
}
