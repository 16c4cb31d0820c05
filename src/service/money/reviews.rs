//! The review of an order's commission: hold it (it does not mature until released),
//! release it, or reject it (the rest of it is reversed). Each action is a row of
//! `commission_reviews` with the brand user and the reason, and the order's `review`
//! says where the review stands. Staff and owners alike may review.
//!
//! Rules:
//! - only a commission still in its hold period (not approved) can be held; a held
//!   commission and its reversals stay pending past their date until released, and
//!   mature on the next maturation pass after that;
//! - a commission can be rejected until it is paid, but not while a pending payout
//!   batch holds it (cancel the batch first, or it would pay what was rejected). The
//!   rest of it (commission − what refunds reversed) is reversed by a new entry with the
//!   reason, and every entry of the order is approved at once, so the commission and its
//!   reversal settle together and net to zero; a refund afterwards reverses nothing.
//! - a rejected order never counts toward free-item rewards (nor does a held one, until
//!   it is released and approved).

use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::{MoneyError, Refusal};
use crate::domain::adjustment::Reason;
use crate::service::auth::BrandActor;
use crate::service::events::{self, EventType};
use crate::service::orders::replay::{self, Answer, Answered, Keyed, RenderError};
use crate::service::overrides;
use crate::service::reports::{self, BrandOrderDetail};
use crate::store::ids::{CommissionReviewId, LedgerEntryId, OrderId};
use crate::store::ledger::{self, EntryKind, LedgerEntryRow};
use crate::store::orders::OrderRow;
use crate::store::reviews::{self, Review, ReviewAction, ReviewRow};
use crate::store::{Db, DbConn, payouts, time};

/// A review action on one of the brand's orders, as the door parsed it.
#[derive(Debug, Clone)]
pub struct ReviewCommand {
    pub order: OrderId,
    /// Required to hold and to reject; optional to release.
    pub reason: Option<Reason>,
}

type Render = dyn Fn(&BrandOrderDetail) -> Result<Answer, RenderError> + Send + Sync;

/// The three review actions (a reassignment, also kept in the review history, is
/// [`super::reassign`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewAct {
    /// Hold the commission for review: it does not mature until released.
    Hold,
    /// Release a held commission: it matures on the next pass once its date has come.
    Release,
    /// Reject the commission: what refunds left of it is reversed, with the reason.
    Reject,
}

impl ReviewAct {
    pub fn action(self) -> ReviewAction {
        match self {
            Self::Hold => ReviewAction::Hold,
            Self::Release => ReviewAction::Release,
            Self::Reject => ReviewAction::Reject,
        }
    }

    /// A reason is required to hold and to reject, optional to release: every door
    /// asks this before it calls [`review`].
    pub fn requires_reason(self) -> bool {
        self != Self::Release
    }
}

/// Does `act` on the order's commission; answers the order as it now stands.
pub async fn review(
    db: &Db,
    actor: &BrandActor,
    act: ReviewAct,
    command: ReviewCommand,
    keyed: Option<Keyed>,
    now: DateTime<Utc>,
    render: impl Fn(&BrandOrderDetail) -> Result<Answer, RenderError> + Send + Sync + 'static,
) -> Result<Answered, MoneyError> {
    let render: Arc<Render> = Arc::new(render);
    act_on(db, actor, act, command, keyed, now, render).await
}

async fn act_on(
    db: &Db,
    actor: &BrandActor,
    act: ReviewAct,
    command: ReviewCommand,
    keyed: Option<Keyed>,
    now: DateTime<Utc>,
    render: Arc<Render>,
) -> Result<Answered, MoneyError> {
    let actor = *actor;
    let now = time::to_db(now);
    // Scoped to the action and the order: the order is in the path, not the hashed body.
    let keyed = keyed.map(|k| Keyed {
        key: format!("{}:{}:{}", act.action().as_str(), command.order, k.key),
        request_hash: k.request_hash,
    });
    db.write_retrying(move |conn| {
        let brand = actor.brand_id;
        let order = super::locked_order(conn, brand, command.order)?;
        replay::once(
            conn,
            brand,
            keyed.as_ref(),
            now,
            || MoneyError::IdempotencyKeyReused,
            |conn| {
                let row = ReviewRow {
                    id: CommissionReviewId::generate(),
                    brand_id: brand,
                    order_id: order.id,
                    action: act.action(),
                    reason: command.reason.as_ref().map(|r| r.as_str().to_owned()),
                    acted_by: Some(actor.user_id),
                    from_membership_id: None,
                    to_membership_id: None,
                    created_at: now,
                };
                match act {
                    ReviewAct::Hold => do_hold(conn, &order, &row)?,
                    ReviewAct::Release => do_release(conn, &order, &row)?,
                    ReviewAct::Reject => do_reject(conn, &order, &row, now)?,
                }
                let detail = reports::brand_order_in(conn, brand, order.id)?;
                Ok(render(&detail)?)
            },
        )
    })
    .await
}

/// The order's commission entry and the order's other entries of the same ambassador.
fn commission_entries(
    conn: &mut DbConn,
    order: &OrderRow,
) -> Result<(LedgerEntryRow, Vec<LedgerEntryRow>), MoneyError> {
    let membership = order.membership_id.ok_or(Refusal::NoCommission)?;
    let entries = ledger::of_order_for(conn, order.id, membership)?;
    let commission = entries
        .iter()
        .find(|e| e.kind == EntryKind::Commission)
        .cloned()
        .ok_or(Refusal::NoCommission)?;
    Ok((commission, entries))
}

fn do_hold(conn: &mut DbConn, order: &OrderRow, row: &ReviewRow) -> Result<(), MoneyError> {
    let (commission, _) = commission_entries(conn, order)?;
    match order.review {
        Some(Review::Rejected) => return Err(Refusal::AlreadyRejected.into()),
        Some(Review::Held) => return Err(Refusal::AlreadyHeld.into()),
        None if commission.approved_at.is_some() => return Err(Refusal::NotPending.into()),
        None => {}
    }
    reviews::record(conn, row, Some(Review::Held))?;
    Ok(())
}

fn do_release(conn: &mut DbConn, order: &OrderRow, row: &ReviewRow) -> Result<(), MoneyError> {
    commission_entries(conn, order)?;
    if order.review != Some(Review::Held) {
        return Err(Refusal::NotHeld.into());
    }
    reviews::record(conn, row, None)?;
    Ok(())
}

fn do_reject(conn: &mut DbConn, order: &OrderRow, row: &ReviewRow, now: NaiveDateTime) -> Result<(), MoneyError> {
    let (commission, entries) = commission_entries(conn, order)?;
    if order.review == Some(Review::Rejected) {
        return Err(Refusal::AlreadyRejected.into());
    }
    if commission.paid_out_in.is_some() {
        return Err(Refusal::Paid.into());
    }
    if payouts::in_live_batch(conn, commission.id)? {
        return Err(Refusal::InPayout.into());
    }
    let reversed: i64 = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Reversal)
        .map(|e| -e.amount)
        .sum();
    let rest = commission.amount - reversed;
    if rest <= 0 {
        return Err(Refusal::FullyReversed.into());
    }
    let unapproved: Vec<LedgerEntryId> = entries
        .iter()
        .filter(|e| e.approved_at.is_none())
        .map(|e| e.id)
        .collect();
    ledger::approve(conn, &unapproved, now)?;
    let reversal = LedgerEntryRow {
        id: LedgerEntryId::generate(),
        brand_id: order.brand_id,
        membership_id: commission.membership_id,
        order_id: Some(order.id),
        refund_id: None,
        kind: EntryKind::Reversal,
        amount: -rest,
        currency: commission.currency.clone(),
        available_at: now,
        approved_at: Some(now),
        paid_out_in: None,
        created_at: now,
        reason: row.reason.clone(),
        created_by: row.acted_by,
    };
    ledger::append(conn, &reversal)?;
    // The recruiter's override on it goes with it (two tiers).
    let rest = overrides::Rest {
        reason: row.reason.clone(),
        acted_by: row.acted_by,
        at_once: true,
    };
    overrides::reverse_rest(conn, order.id, &rest, now)?;
    reviews::record(conn, row, Some(Review::Rejected))?;
    let told = events::CommissionRejected::new(order, &reversal, row);
    events::emit(conn, order.brand_id, EventType::CommissionRejected, &told, now)?;
    Ok(())
}
