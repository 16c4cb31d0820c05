//! Payable balances: per ambassador, the approved ledger entries in one currency that no
//! live batch holds, with who to pay and the minimum that applies.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;

use super::PayoutError;
use crate::store::ids::{BrandId, LedgerEntryId, MembershipId, ProgramId};
use crate::store::ledger::KindTotals;
use crate::store::payouts::{self, PayableEntry};
use crate::store::{DbConn, StoreError, memberships, programs};

/// What a batch created now would pay one ambassador.
#[derive(Debug, Clone)]
pub(super) struct Balance {
    pub membership_id: MembershipId,
    pub payee: Payee,
    pub amount: i64,
    /// `amount` by what moved the money.
    pub by_kind: KindTotals,
    pub entries: Vec<LedgerEntryId>,
    pub period_start: NaiveDateTime,
    pub period_end: NaiveDateTime,
}

impl Balance {
    pub fn reaches_minimum(&self) -> bool {
        self.amount > 0 && self.amount >= self.payee.min_payout
    }

    /// The sum of `entries` (at least one, by id); `None` when a running sum leaves i64.
    fn of(membership_id: MembershipId, payee: Payee, entries: &[PayableEntry]) -> Option<Self> {
        let first = entries.first()?;
        let mut balance = Self {
            membership_id,
            payee,
            amount: 0,
            by_kind: KindTotals::default(),
            entries: Vec::with_capacity(entries.len()),
            period_start: first.created_at,
            period_end: first.created_at,
        };
        for entry in entries {
            balance.amount = balance.amount.checked_add(entry.amount)?;
            balance.by_kind.add(entry.kind, entry.amount)?;
            balance.entries.push(entry.id);
            balance.period_start = balance.period_start.min(entry.created_at);
            balance.period_end = balance.period_end.max(entry.created_at);
        }
        Some(balance)
    }
}

/// Who is paid, and the minimum below which their balance carries forward.
#[derive(Debug, Clone)]
pub(super) struct Payee {
    pub display_name: String,
    pub payout_email: String,
    pub min_payout: i64,
}

/// The brand's payees in one currency, read on first use and once per use case; each
/// program's terms are read once.
pub(super) struct Payees {
    brand: BrandId,
    currency: String,
    by_membership: Option<HashMap<MembershipId, (ProgramId, String, String)>>,
    /// `None` for a program whose terms do not read back.
    minimums: HashMap<ProgramId, Option<i64>>,
}

impl Payees {
    pub fn new(brand: BrandId, currency: &str) -> Self {
        Self {
            brand,
            currency: currency.to_owned(),
            by_membership: None,
            minimums: HashMap::new(),
        }
    }

    pub fn brand(&self) -> BrandId {
        self.brand
    }

    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// The payee of a membership; `None` when its program's terms do not read back
    /// (logged by [`programs::read_terms`]): without its minimum nobody knows whether
    /// the balance is payable, so that ambassador is left out and the others go on.
    pub fn get(&mut self, conn: &mut DbConn, membership: MembershipId) -> Result<Option<Payee>, PayoutError> {
        let by_membership = match &mut self.by_membership {
            Some(loaded) => loaded,
            unloaded => unloaded.insert(
                memberships::payees(conn, self.brand)?
                    .into_iter()
                    .map(|(id, program, name, email)| (id, (program, name, email)))
                    .collect(),
            ),
        };
        // The foreign key from ledger entries makes a missing membership impossible.
        let (program, display_name, payout_email) = by_membership.get(&membership).cloned().ok_or_else(|| {
            StoreError::Corrupt(format!(
                "ledger entries of membership {membership}, which does not exist"
            ))
        })?;
        let min_payout = match self.minimums.get(&program) {
            Some(min) => *min,
            None => {
                let min = min_payout_of(conn, self.brand, program, &self.currency)?;
                self.minimums.insert(program, min);
                min
            }
        };
        Ok(min_payout.map(|min_payout| Payee {
            display_name,
            payout_email,
            min_payout,
        }))
    }
}

/// The program's minimum payout, which is in the program's currency: it applies only to
/// balances in that currency (a balance left from an earlier program in another
/// currency has no minimum). `None` when the terms do not read back.
fn min_payout_of(
    conn: &mut DbConn,
    brand: BrandId,
    program: ProgramId,
    currency: &str,
) -> Result<Option<i64>, PayoutError> {
    Ok(match programs::find(conn, brand, program)? {
        Some(row) if row.currency == currency => programs::read_terms(program, &row.terms)
            .ok()
            .map(|terms| terms.min_payout),
        _ => Some(0),
    })
}

/// Every ambassador with payable entries in the payees' currency, by membership id.
/// A balance no i64 holds (amounts stored before the doors were bounded) is that
/// ambassador's problem alone: left out, logged, and the others are paid.
pub(super) fn balances(conn: &mut DbConn, payees: &mut Payees) -> Result<Vec<Balance>, PayoutError> {
    let mut by_membership: BTreeMap<MembershipId, Vec<PayableEntry>> = BTreeMap::new();
    for entry in payouts::payable_entries(conn, payees.brand(), payees.currency())? {
        by_membership.entry(entry.membership_id).or_default().push(entry);
    }
    let mut balances = Vec::with_capacity(by_membership.len());
    for (membership, entries) in by_membership {
        let Some(payee) = payees.get(conn, membership)? else {
            continue;
        };
        match Balance::of(membership, payee, &entries) {
            Some(balance) => balances.push(balance),
            None => tracing::error!(
                membership = %membership,
                "a payable balance is beyond any representable amount; left out of payouts"
            ),
        }
    }
    Ok(balances)
}
