//! Two tiers: the override a recruiter earns on each commission of the ambassadors they
//! recruited ([`crate::service::recruits`]), in a program whose terms set
//! `override_rate`.
//!
//! An override is an `override` ledger entry of the recruiter, on the recruit's order,
//! worth `override_rate` % of the commission (rounded once, half away from zero) and
//! maturing with it (same `available_at`; a held order holds both, since maturation
//! skips every entry of a held order). It follows the commission: a refund reverses the
//! same share of it, a rejection or a reassignment what is left of it, each as a
//! negative `override` entry, so an ambassador's overrides net out by kind. One level:
//! only the recruit's own recruiter earns, never theirs.
//!
//! Rules: the recruiter earns while their own membership is active; a customer who is
//! the recruiter (their login e-mail) earns them nothing, as a self-referral would; a
//! recruit's self-referral earns no commission and so no override.

use chrono::NaiveDateTime;
use diesel::QueryResult;
use rust_decimal::Decimal;

use crate::domain::commission::override_of;
use crate::domain::refund::{RefundState, reversal_for};
use crate::store::batch::Sink;
use crate::store::ids::{BrandUserId, LedgerEntryId, MembershipId, OrderId, RefundId};
use crate::store::ledger::{self, EntryKind, LedgerEntryRow};
use crate::store::memberships::{self, MembershipStatus};
use crate::store::{DbConn, StoreError};

/// Who earns an override on a commission of `membership`, and at which rate: its
/// recruiter, when the program pays one, the recruiter is active, and the customer is
/// not the recruiter.
pub fn recruiter_of(
    conn: &mut DbConn,
    membership: &memberships::MembershipRow,
    rate: Option<Decimal>,
    customer_hash: Option<&str>,
    email_hash: &impl Fn(&str) -> String,
) -> QueryResult<Option<(MembershipId, Decimal)>> {
    let (Some(rate), Some(recruiter)) = (rate.filter(|r| *r > Decimal::ZERO), membership.recruited_by) else {
        return Ok(None);
    };
    let Some(found) = memberships::find_ambassador(conn, membership.brand_id, recruiter)? else {
        return Ok(None);
    };
    let buys_themselves = customer_hash.is_some_and(|hash| hash == email_hash(&found.email));
    Ok((found.membership.status == MembershipStatus::Active && !buys_themselves).then_some((recruiter, rate)))
}

/// The recruiter's override entry on `commission`, if it is worth anything.
pub fn entry_for(
    commission: &LedgerEntryRow,
    recruiter: (MembershipId, Decimal),
) -> Result<Option<LedgerEntryRow>, StoreError> {
    let (membership_id, rate) = recruiter;
    let amount = override_of(commission.amount, rate)
        .map_err(|e| StoreError::Corrupt(format!("override of entry {}: {e}", commission.id)))?;
    Ok((amount > 0).then(|| LedgerEntryRow {
        id: LedgerEntryId::generate(),
        membership_id,
        kind: EntryKind::Override,
        amount,
        reason: None,
        created_by: None,
        ..commission.clone()
    }))
}

/// One recruiter's override on an order: the entry that earned it and what is left.
struct Outstanding {
    earned: LedgerEntryRow,
    /// What negative override entries took back so far (positive).
    reversed: i64,
}

fn outstanding(conn: &mut DbConn, order: OrderId) -> QueryResult<Vec<Outstanding>> {
    let entries = ledger::overrides_of(conn, order)?;
    Ok(entries
        .iter()
        .filter(|e| e.amount > 0)
        .map(|earned| Outstanding {
            earned: earned.clone(),
            reversed: entries
                .iter()
                .filter(|e| e.amount < 0 && e.membership_id == earned.membership_id)
                .map(|e| -e.amount)
                .sum(),
        })
        .collect())
}

/// A negative override entry taking `amount` back from `earned`.
fn reversal(earned: &LedgerEntryRow, amount: i64, available_at: NaiveDateTime, now: NaiveDateTime) -> LedgerEntryRow {
    LedgerEntryRow {
        id: LedgerEntryId::generate(),
        amount: -amount,
        available_at,
        approved_at: earned.approved_at.map(|_| now),
        created_at: now,
        paid_out_in: None,
        reason: None,
        created_by: None,
        refund_id: None,
        ..earned.clone()
    }
}

/// A refund of `amount` from an order of `net` (`refunded` before it): each override
/// loses the share the commission loses, matured like the commission's reversal (at
/// once when the override is approved, else with it).
pub fn reverse_for_refund(
    conn: &mut DbConn,
    order: OrderId,
    refund: RefundId,
    (net, refunded, amount): (i64, i64, i64),
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    for o in outstanding(conn, order)? {
        let state = RefundState {
            net,
            commission: o.earned.amount,
            refunded,
            reversed: o.reversed.min(o.earned.amount),
        };
        let share = reversal_for(&state, amount)
            .map_err(|e| StoreError::Corrupt(format!("override reversal of order {order}: {e}")))?;
        if share > 0 {
            let mut entry = reversal(&o.earned, share, o.earned.available_at.max(now), now);
            entry.refund_id = Some(refund);
            ledger::append(conn, &entry)?;
        }
    }
    Ok(())
}

/// How what is left of an override is taken back.
#[derive(Debug, Clone)]
pub struct Rest {
    pub reason: Option<String>,
    pub acted_by: Option<BrandUserId>,
    /// A rejection settles at once, as the commission's does: the override and its
    /// reversal are both approved now, netting to zero. A reassignment's reversal
    /// matures with the override.
    pub at_once: bool,
}

/// The commission was rejected or moved to another ambassador: what is left of each
/// override on the order is taken back, with the brand's reason.
pub fn reverse_rest(conn: &mut DbConn, order: OrderId, rest: &Rest, now: NaiveDateTime) -> Result<(), StoreError> {
    for o in outstanding(conn, order)? {
        let left = o.earned.amount - o.reversed;
        if left <= 0 {
            continue;
        }
        let mut entry = if rest.at_once {
            let unapproved: Vec<LedgerEntryId> = ledger::overrides_of(conn, order)?
                .into_iter()
                .filter(|e| e.membership_id == o.earned.membership_id && e.approved_at.is_none())
                .map(|e| e.id)
                .collect();
            ledger::approve(conn, &unapproved, now)?;
            LedgerEntryRow {
                approved_at: Some(now),
                ..reversal(&o.earned, left, now, now)
            }
        } else {
            reversal(&o.earned, left, o.earned.available_at.max(now), now)
        };
        entry.reason.clone_from(&rest.reason);
        entry.created_by = rest.acted_by;
        ledger::append(conn, &entry)?;
    }
    Ok(())
}

/// A commission written after the order's refunds (a reassignment): the recruiter's
/// override on it, less the share of it those refunds (`refunded` of `net`) take back,
/// as the commission's own reversal does.
pub fn earn_after_refunds(
    conn: &mut DbConn,
    commission: &LedgerEntryRow,
    recruiter: (MembershipId, Decimal),
    (net, refunded): (i64, i64),
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let Some(earned) = entry_for(commission, recruiter)? else {
        return Ok(());
    };
    ledger::append(conn, &earned)?;
    if refunded > 0 {
        let state = RefundState {
            net,
            commission: earned.amount,
            refunded: 0,
            reversed: 0,
        };
        let share = reversal_for(&state, refunded.min(net))
            .map_err(|e| StoreError::Corrupt(format!("override reversal of entry {}: {e}", commission.id)))?;
        if share > 0 {
            let available_at = earned.available_at.max(now);
            let entry = LedgerEntryRow {
                approved_at: (available_at <= now).then_some(now),
                ..reversal(&earned, share, available_at, now)
            };
            ledger::append(conn, &entry)?;
        }
    }
    Ok(())
}

/// Appends an override entry (in a checkout's batch or a write transaction).
pub fn append(sink: &mut impl Sink, entry: &LedgerEntryRow) -> QueryResult<()> {
    ledger::append(sink, entry)
}
