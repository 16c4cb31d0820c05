//! Refunds and cancellations: the refunded share of the net, and the proportional
//! reversal of the commission as a new, negative ledger entry.
//!
//! Idempotent on the shop's `refund_id` (scoped to the order): the first answer is
//! stored in the refund's transaction and answered again to the same request.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::fx;
use crate::domain::refund::{self, RefundError, RefundState};
use crate::domain::shop_id::may_be_shop_id;
use crate::service::events::{self, EventType};
use crate::service::orders::replay::{self, Answer, Answered, RenderError, Stored};
use crate::service::overrides;
use crate::store::ids::{BrandId, LedgerEntryId, RefundId};
use crate::store::ledger::{self, EntryKind, LedgerEntryRow};
use crate::store::orders::{self, OrderRow};
use crate::store::refunds::{self, RefundRow};
use crate::store::{Db, DbConn, StoreError, UnitError, portable, time};

/// What the shop refunds.
#[derive(Debug, Clone)]
pub enum RefundKind {
    /// An amount of merchandise, net of the order discount, in minor units.
    Amount(i64),
    /// Units of lines; worth the lines' share of the net.
    Lines(Vec<RefundedLine>),
    /// Everything not refunded yet (a cancellation).
    Rest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundedLine {
    pub sku: String,
    pub quantity: i64,
}

/// A refund as the shop reported it, parsed at the door.
#[derive(Debug, Clone)]
pub struct ApplyRefund {
    pub brand_id: BrandId,
    /// The shop's `order_id` of the refunded order.
    pub order_id: String,
    pub refund_id: String,
    pub kind: RefundKind,
    /// Hash of the request body: the same `refund_id` with another body is refused.
    pub request_hash: String,
    pub now: DateTime<Utc>,
}

/// A refund just applied, as handed to the renderer.
#[derive(Debug, Clone)]
pub struct RefundApplied {
    pub id: RefundId,
    pub refund_id: String,
    /// The shop's `order_id`.
    pub order_id: String,
    /// Merchandise refunded by this refund, net of the order discount.
    pub amount: i64,
    /// Commission reversed by this refund.
    pub reversal: i64,
    pub refunded_total: i64,
    pub net_amount: i64,
    pub commission: i64,
    pub reversed_total: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug)]
pub struct Refunded {
    pub refund: RefundRow,
    pub refunded_total: i64,
    pub reversed_total: i64,
    pub entry: Option<LedgerEntryRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum RefundFailure {
    #[error("no order with this order_id")]
    OrderNotFound,
    #[error("the idempotency key was used with a different request body")]
    IdempotencyKeyReused,
    #[error("the order is already fully refunded")]
    AlreadyRefunded,
    #[error("refund of {requested} exceeds the {refundable} left of the net")]
    ExceedsNet { requested: i64, refundable: i64 },
    #[error("lines[{index}]: the order has no line with this sku")]
    UnknownSku { index: usize },
    #[error("lines[{index}]: only {left} units are left to refund")]
    TooManyUnits { index: usize, left: i64 },
    #[error("the refund is worth nothing")]
    Nothing,
    #[error("refund arithmetic: {0}")]
    Domain(RefundError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A database error while refunding: a unique violation is a lost race, run again.
impl From<diesel::result::Error> for RefundFailure {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(StoreError::retryable(err))
    }
}

impl UnitError for RefundFailure {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// Applies a refund (or, with [`RefundKind::Rest`], a cancellation) under an
/// idempotency key scoped to the order, or answers the first answer again.
///
/// `render` turns the applied refund into the answer the caller sends; it runs inside
/// the refund's transaction, and what it returns is stored for replays.
pub async fn apply(
    db: &Db,
    command: ApplyRefund,
    render: impl Fn(&RefundApplied) -> Result<Answer, RenderError> + Send + Sync + 'static,
) -> Result<Answered, RefundFailure> {
    if !may_be_shop_id(&command.order_id) {
        return Err(RefundFailure::OrderNotFound);
    }
    let render = Arc::new(render);
    let now = time::to_db(command.now);
    db.write_retrying(move |conn| {
        let ApplyRefund {
            brand_id: brand,
            order_id,
            refund_id,
            kind,
            request_hash: hash,
            ..
        } = command.clone();
        let order = orders::find_by_shop_id(conn, brand, &order_id)?.ok_or(RefundFailure::OrderNotFound)?;
        portable::lock_order(conn, order.id)?;
        // A cancellation has its own key, so a shop refund that happens to be named
        // "cancel" can never collide with it.
        let cancellation = matches!(kind, RefundKind::Rest);
        let (stored_key, refund_id) = if cancellation {
            (
                format!("cancel:{}", order.id),
                format!("cancel:{}", RefundId::generate()),
            )
        } else {
            (format!("refund:{}:{refund_id}", order.id), refund_id)
        };
        match replay::find(conn, brand, &stored_key, &hash)? {
            Stored::Same(answer) => return Ok(Answered::Replayed(answer)),
            Stored::Other => return Err(RefundFailure::IdempotencyKeyReused),
            Stored::Nothing => {}
        }
        if cancellation && refunds::totals(conn, order.id)?.0 >= order.net_amount {
            return Err(RefundFailure::AlreadyRefunded);
        }
        let Refunded {
            refund,
            refunded_total,
            reversed_total,
            ..
        } = self::refund(conn, &order, &refund_id, kind, &hash, now)?;
        let answer = render(&RefundApplied {
            id: refund.id,
            refund_id: refund.refund_id,
            order_id: order.order_id.clone(),
            amount: refund.amount,
            reversal: refund.reversal,
            refunded_total,
            net_amount: order.net_amount,
            commission: order.commission,
            reversed_total,
            created_at: time::from_db(refund.created_at),
        })?;
        replay::store(conn, brand, stored_key, hash, &answer, now)?;
        Ok(Answered::Fresh(answer))
    })
    .await
}

/// Units of each sku refunded by earlier line refunds.
fn refunded_units(earlier: &[RefundRow]) -> HashMap<String, i64> {
    let mut units = HashMap::new();
    for row in earlier {
        let lines: Vec<RefundedLine> = row
            .lines
            .as_deref()
            .and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or_default();
        for line in lines {
            *units.entry(line.sku).or_insert(0) += line.quantity;
        }
    }
    units
}

/// Σ quantity × unit_price of the refunded units, taking units from the order's lines
/// with that sku in order, after the units refunded before.
fn line_value(
    order_lines: &[orders::OrderLineRow],
    earlier: &[RefundRow],
    wanted: &[RefundedLine],
) -> Result<i64, RefundFailure> {
    let mut already = refunded_units(earlier);
    let mut total = 0i64;
    for (index, line) in wanted.iter().enumerate() {
        let of_sku: Vec<_> = order_lines.iter().filter(|l| l.sku == line.sku).collect();
        if of_sku.is_empty() {
            return Err(RefundFailure::UnknownSku { index });
        }
        let ordered: i64 = of_sku.iter().map(|l| l.quantity).sum();
        let skip = already.entry(line.sku.clone()).or_insert(0);
        let left = ordered - *skip;
        if line.quantity > left {
            return Err(RefundFailure::TooManyUnits { index, left });
        }
        let (mut to_skip, mut to_take) = (*skip, line.quantity);
        for l in of_sku {
            let skipped = to_skip.min(l.quantity);
            to_skip -= skipped;
            let taken = to_take.min(l.quantity - skipped);
            to_take -= taken;
            total = taken
                .checked_mul(l.unit_price)
                .and_then(|v| total.checked_add(v))
                .ok_or(RefundFailure::Domain(RefundError::Overflow))?;
        }
        *skip += line.quantity;
    }
    Ok(total)
}

/// Applies a refund to a locked order.
pub fn refund(
    conn: &mut DbConn,
    order: &OrderRow,
    refund_id: &str,
    kind: RefundKind,
    request_hash: &str,
    now: NaiveDateTime,
) -> Result<Refunded, RefundFailure> {
    let earlier = refunds::list_for_order(conn, order.id)?;
    let refunded: i64 = earlier.iter().map(|r| r.amount).sum();
    // What is reversed of the commission so far: by refunds, and all of it when the
    // brand rejected the commission (so a later refund reverses nothing more).
    let reversed: i64 = match order.membership_id {
        Some(membership) => ledger::of_order_for(conn, order.id, membership)?
            .iter()
            .filter(|e| e.kind == EntryKind::Reversal)
            .map(|e| -e.amount)
            .sum(),
        None => 0,
    };
    let earlier_line_value: i64 = earlier.iter().map(|r| r.line_value).sum();
    let refundable = order.net_amount - refunded;

    let (amount, line_value_now, lines_json) = match &kind {
        RefundKind::Amount(amount) => (*amount, 0, None),
        RefundKind::Rest => (refundable, 0, None),
        RefundKind::Lines(wanted) => {
            let order_lines = orders::lines(conn, order.id)?;
            let value = line_value(&order_lines, &earlier, wanted)?;
            let worth =
                |v: i64| refund::line_refund_value(v, order.subtotal, order.net_amount).map_err(RefundFailure::Domain);
            let before = worth(earlier_line_value)?;
            let after = worth(
                earlier_line_value
                    .checked_add(value)
                    .ok_or(RefundFailure::Domain(RefundError::Overflow))?,
            )?;
            (after - before, value, serde_json::to_string(wanted).ok())
        }
    };
    if amount <= 0 {
        return Err(RefundFailure::Nothing);
    }
    if amount > refundable {
        return Err(RefundFailure::ExceedsNet {
            requested: amount,
            refundable,
        });
    }
    let state = RefundState {
        net: order.net_amount,
        commission: order.commission,
        refunded,
        reversed,
    };
    let reversal = refund::reversal_for(&state, amount).map_err(RefundFailure::Domain)?;
    // A converted order's refund in the program's currency: its share of the converted
    // net (`fx::refund_share`), so refunds adding up to the net take back exactly it.
    let fx_amount = match order.fx_net {
        Some(converted) => Some(
            fx::refund_share(converted, order.net_amount, refunded, refunded + amount)
                .ok_or(RefundFailure::Domain(RefundError::Overflow))?,
        ),
        None => None,
    };
    let row = RefundRow {
        id: RefundId::generate(),
        order_id: order.id,
        refund_id: refund_id.to_owned(),
        amount,
        line_value: line_value_now,
        lines: lines_json,
        reversal,
        request_hash: request_hash.to_owned(),
        created_at: now,
        fx_amount,
    };
    refunds::insert(conn, &row)?;
    let mut entry = None;
    if reversal > 0
        && let Some(membership) = order.membership_id
        && let Some(commission) = ledger::commission_of(conn, order.id, membership)?
    {
        // A reversal of an approved commission nets against the payable balance at once
        // (approved now, not on the next job pass, so no payout batch in between can pay
        // the refunded part). A commission not approved yet (in its hold period, or held
        // for review past it) takes its reversal along: both mature together, and a held
        // commission's reversal never lowers the payable balance while the commission
        // itself is not in it.
        let available_at = commission.available_at.max(now);
        let reversal_entry = LedgerEntryRow {
            id: LedgerEntryId::generate(),
            brand_id: order.brand_id,
            membership_id: commission.membership_id,
            order_id: Some(order.id),
            refund_id: Some(row.id),
            kind: EntryKind::Reversal,
            amount: -reversal,
            currency: commission.currency.clone(),
            available_at,
            approved_at: commission.approved_at.map(|_| now),
            paid_out_in: None,
            created_at: now,
            reason: None,
            created_by: None,
        };
        ledger::append(conn, &reversal_entry)?;
        entry = Some(reversal_entry);
    }
    // A recruiter's override on the commission loses the same share (two tiers).
    overrides::reverse_for_refund(conn, order.id, row.id, (order.net_amount, refunded, amount), now)?;
    let (refunded_total, reversed_total) = (refunded + amount, reversed + reversal);
    let event_type = match kind {
        RefundKind::Rest => EventType::OrderCancelled,
        RefundKind::Amount(_) | RefundKind::Lines(_) => EventType::OrderRefunded,
    };
    let told = events::OrderRefunded::new(order, &row, refunded_total, reversed_total);
    events::emit(conn, order.brand_id, event_type, &told, now)?;
    Ok(Refunded {
        refunded_total,
        reversed_total,
        refund: row,
        entry,
    })
}
