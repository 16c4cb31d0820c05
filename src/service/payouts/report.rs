//! The payable report: what a batch created now would pay each ambassador, what is
//! still in its hold period, and why an ambassador would not be paid.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use chrono::{DateTime, Utc};

use super::PayoutError;
use super::balances::{Payee, Payees, balances};
use crate::domain::Currency;
use crate::store::ids::{BrandId, MembershipId};
use crate::store::ledger::KindTotals;
use crate::store::{Db, DbConn, brands, payouts, time};

/// Why a batch created now would not pay an ambassador.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotPayable {
    /// An approved balance above zero but below the program's `min_payout`: it carries
    /// forward until later commissions lift it.
    BelowMinPayout,
    /// Nothing approved yet: everything is still in its hold period.
    OnHold,
    /// Reversals exceed the approved commissions: later commissions net against it.
    NegativeBalance,
}

impl NotPayable {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BelowMinPayout => "below_min_payout",
            Self::OnHold => "on_hold",
            Self::NegativeBalance => "negative_balance",
        }
    }
}

/// An ambassador's standing in one currency: what a batch created now would pay, and
/// what is still in its hold period.
#[derive(Debug, Clone)]
pub struct Standing {
    pub membership_id: MembershipId,
    pub display_name: String,
    pub payout_email: String,
    pub min_payout: i64,
    /// Approved and in no live batch.
    pub payable: i64,
    /// `payable` by what moved the money.
    pub payable_by_kind: KindTotals,
    pub payable_entries: usize,
    /// Not approved yet (commissions and reversals in their hold period).
    pub pending: i64,
    pub pending_entries: usize,
    /// When the earliest pending entry's hold ends.
    pub next_available_at: Option<DateTime<Utc>>,
}

impl Standing {
    fn new(membership_id: MembershipId, payee: Payee) -> Self {
        Self {
            membership_id,
            display_name: payee.display_name,
            payout_email: payee.payout_email,
            min_payout: payee.min_payout,
            payable: 0,
            payable_by_kind: KindTotals::default(),
            payable_entries: 0,
            pending: 0,
            pending_entries: 0,
            next_available_at: None,
        }
    }

    pub fn reaches_minimum(&self) -> bool {
        self.payable > 0 && self.payable >= self.min_payout
    }

    /// `None` when a batch created now pays this ambassador.
    pub fn not_payable(&self) -> Option<NotPayable> {
        if self.reaches_minimum() {
            None
        } else if self.payable < 0 {
            Some(NotPayable::NegativeBalance)
        } else if self.payable > 0 {
            Some(NotPayable::BelowMinPayout)
        } else {
            Some(NotPayable::OnHold)
        }
    }
}

/// The report of one currency.
#[derive(Debug, Clone)]
pub struct PayableReport {
    pub currency: String,
    /// Σ of the balances a batch created now would pay.
    pub payable_total: i64,
    /// Σ of what is still in its hold period.
    pub pending_total: i64,
    /// The earliest end of a hold among pending entries.
    pub next_available_at: Option<DateTime<Utc>>,
    /// By membership id.
    pub standings: Vec<Standing>,
}

/// Every ambassador of the brand with a payable balance other than zero or with money
/// on hold, in `currency` (the brand's own when `None`). An ambassador whose program's
/// terms do not read back is left out (see [`Payees::get`]).
pub async fn report(db: &Db, brand: BrandId, currency: Option<Currency>) -> Result<PayableReport, PayoutError> {
    let (currency, standings) = db
        .read(move |conn| {
            let currency = match currency {
                Some(c) => c.code().to_owned(),
                None => brands::find(conn, brand)?.ok_or(PayoutError::BrandNotFound)?.currency,
            };
            let standings = standings(conn, brand, &currency)?;
            Ok::<_, PayoutError>((currency, standings))
        })
        .await?;
    let payable_total = standings
        .iter()
        .filter(|s| s.reaches_minimum())
        .fold(0i64, |sum, s| sum.saturating_add(s.payable));
    let pending_total = standings.iter().fold(0i64, |sum, s| sum.saturating_add(s.pending));
    let next_available_at = standings.iter().filter_map(|s| s.next_available_at).min();
    Ok(PayableReport {
        currency,
        payable_total,
        pending_total,
        next_available_at,
        standings,
    })
}

fn standings(conn: &mut DbConn, brand: BrandId, currency: &str) -> Result<Vec<Standing>, PayoutError> {
    let mut payees = Payees::new(brand, currency);
    let mut by_membership: BTreeMap<MembershipId, Standing> = balances(conn, &mut payees)?
        .into_iter()
        .filter(|b| b.amount != 0)
        .map(|b| {
            let standing = Standing {
                payable: b.amount,
                payable_by_kind: b.by_kind,
                payable_entries: b.entries.len(),
                ..Standing::new(b.membership_id, b.payee)
            };
            (b.membership_id, standing)
        })
        .collect();
    for entry in payouts::held_entries(conn, brand, currency)? {
        let standing = match by_membership.entry(entry.membership_id) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => match payees.get(conn, entry.membership_id)? {
                Some(payee) => v.insert(Standing::new(entry.membership_id, payee)),
                None => continue,
            },
        };
        standing.pending = standing
            .pending
            .checked_add(entry.amount)
            .ok_or(PayoutError::Overflow)?;
        standing.pending_entries += 1;
        let available_at = time::from_db(entry.available_at);
        standing.next_available_at = Some(
            standing
                .next_available_at
                .map_or(available_at, |at| at.min(available_at)),
        );
    }
    Ok(by_membership.into_values().collect())
}
