//! The `data` of each event type, built from the rows the use case just wrote.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::store::ids::{
    BrandUserId, InfluencerId, InvitationId, LedgerEntryId, MembershipId, OrderId, PayoutId, ProgramId, RefundId,
    RewardId,
};
use crate::store::invitations::InvitationRow;
use crate::store::ledger::LedgerEntryRow;
use crate::store::memberships::MembershipRow;
use crate::store::orders::OrderRow;
use crate::store::payouts::PayoutRow;
use crate::store::refunds::RefundRow;
use crate::store::reviews::ReviewRow;
use crate::store::rewards::RewardRow;
use crate::store::time;

/// An order as events name it.
#[derive(Debug, Clone, Serialize)]
pub struct OrderRef {
    pub id: OrderId,
    /// The shop's order id.
    pub order_id: String,
    pub currency: String,
    pub subtotal: i64,
    pub discount_total: i64,
    pub net_amount: i64,
    pub shipping_total: i64,
    pub tax_total: i64,
    pub placed_at: DateTime<Utc>,
}

impl From<&OrderRow> for OrderRef {
    fn from(order: &OrderRow) -> Self {
        Self {
            id: order.id,
            order_id: order.order_id.clone(),
            currency: order.currency.clone(),
            subtotal: order.subtotal,
            discount_total: order.discount_total,
            net_amount: order.net_amount,
            shipping_total: order.shipping_total,
            tax_total: order.tax_total,
            placed_at: time::from_db(order.placed_at),
        }
    }
}

/// A ledger entry as events name it.
#[derive(Debug, Clone, Serialize)]
pub struct EntryRef {
    pub id: LedgerEntryId,
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub available_at: DateTime<Utc>,
}

impl From<&LedgerEntryRow> for EntryRef {
    fn from(entry: &LedgerEntryRow) -> Self {
        Self {
            id: entry.id,
            kind: entry.kind.as_str().to_owned(),
            amount: entry.amount,
            currency: entry.currency.clone(),
            available_at: time::from_db(entry.available_at),
        }
    }
}

/// `order.recorded`
#[derive(Debug, Clone, Serialize)]
pub struct OrderRecorded {
    pub order: OrderRef,
    pub attributed: bool,
    pub ambassador_id: Option<MembershipId>,
    pub program_id: Option<ProgramId>,
    /// The code the order was attributed to.
    pub code: Option<String>,
    /// The commission entry, when the order earned one.
    pub commission: Option<EntryRef>,
}

impl OrderRecorded {
    pub fn new(order: &OrderRow, code: Option<String>, commission: Option<&LedgerEntryRow>) -> Self {
        Self {
            order: order.into(),
            attributed: order.membership_id.is_some(),
            ambassador_id: order.membership_id,
            program_id: order.program_id,
            code,
            commission: commission.map(EntryRef::from),
        }
    }
}

/// `order.refunded` and `order.cancelled`
#[derive(Debug, Clone, Serialize)]
pub struct OrderRefunded {
    pub order: OrderRef,
    pub ambassador_id: Option<MembershipId>,
    pub refund: RefundRef,
    /// Merchandise refunded so far, this refund included.
    pub refunded_total: i64,
    /// Commission reversed so far, this refund included.
    pub reversed_total: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RefundRef {
    pub id: RefundId,
    /// The shop's refund id (`cancel:…` for a cancellation).
    pub refund_id: String,
    /// Merchandise refunded, net of the order discount.
    pub amount: i64,
    /// Commission reversed by this refund.
    pub reversal: i64,
    pub created_at: DateTime<Utc>,
}

impl OrderRefunded {
    pub fn new(order: &OrderRow, refund: &RefundRow, refunded_total: i64, reversed_total: i64) -> Self {
        Self {
            order: order.into(),
            ambassador_id: order.membership_id,
            refund: RefundRef {
                id: refund.id,
                refund_id: refund.refund_id.clone(),
                amount: refund.amount,
                reversal: refund.reversal,
                created_at: time::from_db(refund.created_at),
            },
            refunded_total,
            reversed_total,
        }
    }
}

/// `commission.approved`
#[derive(Debug, Clone, Serialize)]
pub struct CommissionApproved {
    pub entry: EntryRef,
    pub ambassador_id: MembershipId,
    pub order_id: Option<OrderId>,
    pub approved_at: DateTime<Utc>,
}

impl CommissionApproved {
    pub fn new(entry: &LedgerEntryRow, approved_at: chrono::NaiveDateTime) -> Self {
        Self {
            entry: entry.into(),
            ambassador_id: entry.membership_id,
            order_id: entry.order_id,
            approved_at: time::from_db(approved_at),
        }
    }
}

/// `commission.rejected`: the brand rejected an order's commission; the rest of it is
/// reversed by `reversal`.
#[derive(Debug, Clone, Serialize)]
pub struct CommissionRejected {
    pub order: OrderRef,
    pub ambassador_id: MembershipId,
    pub reversal: EntryRef,
    pub reason: Option<String>,
    /// The brand user who rejected it.
    pub rejected_by: Option<BrandUserId>,
    pub rejected_at: DateTime<Utc>,
}

impl CommissionRejected {
    pub fn new(order: &OrderRow, reversal: &LedgerEntryRow, review: &ReviewRow) -> Self {
        Self {
            order: order.into(),
            ambassador_id: reversal.membership_id,
            reversal: reversal.into(),
            reason: review.reason.clone(),
            rejected_by: review.acted_by,
            rejected_at: time::from_db(review.created_at),
        }
    }
}

/// `adjustment.created`: an adjustment or a bonus (`entry.kind`) a brand owner added.
#[derive(Debug, Clone, Serialize)]
pub struct AdjustmentCreated {
    pub entry: EntryRef,
    pub ambassador_id: MembershipId,
    pub reason: Option<String>,
    pub created_by: Option<BrandUserId>,
    pub created_at: DateTime<Utc>,
}

impl AdjustmentCreated {
    pub fn new(entry: &LedgerEntryRow) -> Self {
        Self {
            entry: entry.into(),
            ambassador_id: entry.membership_id,
            reason: entry.reason.clone(),
            created_by: entry.created_by,
            created_at: time::from_db(entry.created_at),
        }
    }
}

/// `reward.granted`
#[derive(Debug, Clone, Serialize)]
pub struct RewardGranted {
    pub reward_id: RewardId,
    pub ambassador_id: MembershipId,
    pub sku: String,
    pub description: String,
    /// 1 for the first reward of its rule, 2 for the second…
    pub sequence: i32,
    pub earned_at: DateTime<Utc>,
}

impl From<&RewardRow> for RewardGranted {
    fn from(reward: &RewardRow) -> Self {
        Self {
            reward_id: reward.id,
            ambassador_id: reward.membership_id,
            sku: reward.sku.clone(),
            description: reward.description.clone(),
            sequence: reward.sequence,
            earned_at: time::from_db(reward.earned_at),
        }
    }
}

/// `payout.created` and `payout.paid`
#[derive(Debug, Clone, Serialize)]
pub struct PayoutChanged {
    pub payout_id: PayoutId,
    pub currency: String,
    pub total: i64,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
}

impl From<&PayoutRow> for PayoutChanged {
    fn from(payout: &PayoutRow) -> Self {
        Self {
            payout_id: payout.id,
            currency: payout.currency.clone(),
            total: payout.total,
            status: payout.status.as_str().to_owned(),
            created_at: time::from_db(payout.created_at),
            paid_at: payout.paid_at.map(time::from_db),
        }
    }
}

/// `ambassador.joined`
#[derive(Debug, Clone, Serialize)]
pub struct AmbassadorJoined {
    pub ambassador_id: MembershipId,
    pub program_id: ProgramId,
    pub influencer_id: InfluencerId,
    /// The brand's invitation accepted; `None` when they joined through another
    /// ambassador's invitation link.
    pub invitation_id: Option<InvitationId>,
    /// The ambassador whose invitation link they joined through (two tiers).
    pub recruited_by: Option<MembershipId>,
    pub joined_at: DateTime<Utc>,
}

/// `invitation.created`: the brand's own invitee's address is the brand's data.
#[derive(Debug, Clone, Serialize)]
pub struct InvitationCreated {
    pub invitation_id: InvitationId,
    pub program_id: ProgramId,
    pub email: String,
    pub expires_at: DateTime<Utc>,
}

impl From<&InvitationRow> for InvitationCreated {
    fn from(invitation: &InvitationRow) -> Self {
        Self {
            invitation_id: invitation.id,
            program_id: invitation.program_id,
            email: invitation.email.clone(),
            expires_at: time::from_db(invitation.expires_at),
        }
    }
}

/// `invitation.declined`: the invitee declined it from their inbox; it can no longer
/// be accepted. Only what `invitation.created` told, and when.
#[derive(Debug, Clone, Serialize)]
pub struct InvitationDeclined {
    pub invitation_id: InvitationId,
    pub program_id: ProgramId,
    pub email: String,
    pub declined_at: DateTime<Utc>,
}

impl AmbassadorJoined {
    pub fn new(membership: &MembershipRow, invitation: InvitationId) -> Self {
        Self {
            ambassador_id: membership.id,
            program_id: membership.program_id,
            influencer_id: membership.influencer_id,
            invitation_id: Some(invitation),
            recruited_by: None,
            joined_at: time::from_db(membership.created_at),
        }
    }

    /// Joined through `membership.recruited_by`'s invitation link.
    pub fn recruited(membership: &MembershipRow) -> Self {
        Self {
            ambassador_id: membership.id,
            program_id: membership.program_id,
            influencer_id: membership.influencer_id,
            invitation_id: None,
            recruited_by: membership.recruited_by,
            joined_at: time::from_db(membership.created_at),
        }
    }
}
