//! Payable balances and payout batches.
//!
//! An ambassador's payable balance in a currency is the sum of their approved ledger
//! entries that no live batch holds. A batch takes, atomically, every ambassador whose
//! balance is positive and reaches their program's `min_payout`; smaller and negative
//! balances carry forward untouched. The report beside it also shows what is still in
//! its hold period, and why an ambassador is not payable.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::domain::terms::Terms;
use crate::store::DbConn;
use crate::store::ids::{BrandId, LedgerEntryId, MembershipId, PayoutId, ProgramId};
use crate::store::payouts::{self, PayoutItemRow, PayoutRow, PayoutStatus};
use crate::store::{memberships, programs};

#[derive(Debug, Clone)]
pub struct Balance {
    pub membership_id: MembershipId,
    pub display_name: String,
    pub payout_email: String,
    pub amount: i64,
    pub entries: Vec<LedgerEntryId>,
    pub period_start: NaiveDateTime,
    pub period_end: NaiveDateTime,
    pub min_payout: i64,
}

impl Balance {
    pub fn reaches_minimum(&self) -> bool {
        self.amount > 0 && self.amount >= self.min_payout
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PayoutError {
    #[error("an ambassador's balance does not fit in 64 bits")]
    Overflow,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Names, payout e-mails and minimums of a brand's ambassadors, read once per report.
struct Payees {
    by_membership: HashMap<MembershipId, (ProgramId, String, String)>,
    minimums: HashMap<ProgramId, i64>,
}

impl Payees {
    fn load(conn: &mut DbConn, brand: BrandId) -> QueryResult<Self> {
        let by_membership = memberships::payees(conn, brand)?
            .into_iter()
            .map(|(id, program, name, email)| (id, (program, name, email)))
            .collect();
        Ok(Self {
            by_membership,
            minimums: HashMap::new(),
        })
    }

    /// (display name, payout e-mail, min_payout in `currency`) of a membership.
    fn get(
        &mut self,
        conn: &mut DbConn,
        brand: BrandId,
        membership: MembershipId,
        currency: &str,
    ) -> QueryResult<(String, String, i64)> {
        // The foreign key makes a missing membership impossible.
        let (program, name, email) = self
            .by_membership
            .get(&membership)
            .cloned()
            .ok_or(diesel::result::Error::NotFound)?;
        let min_payout = match self.minimums.get(&program) {
            Some(min) => *min,
            None => {
                let min = min_payout_of(conn, brand, program, currency)?;
                self.minimums.insert(program, min);
                min
            }
        };
        Ok((name, email, min_payout))
    }
}

/// Every ambassador with payable entries in `currency`, by membership id.
pub fn balances(conn: &mut DbConn, brand: BrandId, currency: &str) -> Result<Vec<Balance>, PayoutError> {
    let entries = payouts::payable_entries(conn, brand, currency)?;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let mut payees = Payees::load(conn, brand)?;
    let mut by_membership: BTreeMap<MembershipId, Balance> = BTreeMap::new();
    let mut overflowed: BTreeSet<MembershipId> = BTreeSet::new();
    for entry in entries {
        let balance = match by_membership.entry(entry.membership_id) {
            std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => {
                let (display_name, payout_email, min_payout) =
                    payees.get(conn, brand, entry.membership_id, currency)?;
                v.insert(Balance {
                    membership_id: entry.membership_id,
                    display_name,
                    payout_email,
                    amount: 0,
                    entries: Vec::new(),
                    period_start: entry.created_at,
                    period_end: entry.created_at,
                    min_payout,
                })
            }
        };
        let Some(amount) = balance.amount.checked_add(entry.amount) else {
            overflowed.insert(entry.membership_id);
            continue;
        };
        balance.amount = amount;
        balance.entries.push(entry.id);
        balance.period_start = balance.period_start.min(entry.created_at);
        balance.period_end = balance.period_end.max(entry.created_at);
    }
    // A balance no i64 holds (amounts stored before the door bounds) is that
    // ambassador's problem alone: left out, logged, and the others are paid.
    for membership in overflowed {
        tracing::error!(membership = %membership, "a payable balance is beyond any representable amount; left out of payouts");
        by_membership.remove(&membership);
    }
    Ok(by_membership.into_values().collect())
}

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
    pub payable_entries: usize,
    /// Not approved yet (commissions and reversals in their hold period).
    pub pending: i64,
    pub pending_entries: usize,
    /// When the earliest pending entry's hold ends.
    pub next_available_at: Option<NaiveDateTime>,
}

impl Standing {
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

/// Every ambassador with a payable balance other than zero or with entries on hold in
/// `currency`, by membership id.
pub fn standings(conn: &mut DbConn, brand: BrandId, currency: &str) -> Result<Vec<Standing>, PayoutError> {
    let mut by_membership: BTreeMap<MembershipId, Standing> = balances(conn, brand, currency)?
        .into_iter()
        .filter(|b| b.amount != 0)
        .map(|b| {
            let standing = Standing {
                membership_id: b.membership_id,
                display_name: b.display_name,
                payout_email: b.payout_email,
                min_payout: b.min_payout,
                payable: b.amount,
                payable_entries: b.entries.len(),
                pending: 0,
                pending_entries: 0,
                next_available_at: None,
            };
            (b.membership_id, standing)
        })
        .collect();
    let held = payouts::held_entries(conn, brand, currency)?;
    if held.is_empty() {
        return Ok(by_membership.into_values().collect());
    }
    let mut payees = Payees::load(conn, brand)?;
    for entry in held {
        let standing = match by_membership.entry(entry.membership_id) {
            std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => {
                let (display_name, payout_email, min_payout) =
                    payees.get(conn, brand, entry.membership_id, currency)?;
                v.insert(Standing {
                    membership_id: entry.membership_id,
                    display_name,
                    payout_email,
                    min_payout,
                    payable: 0,
                    payable_entries: 0,
                    pending: 0,
                    pending_entries: 0,
                    next_available_at: None,
                })
            }
        };
        standing.pending = standing
            .pending
            .checked_add(entry.amount)
            .ok_or(PayoutError::Overflow)?;
        standing.pending_entries += 1;
        standing.next_available_at = Some(
            standing
                .next_available_at
                .map_or(entry.available_at, |at| at.min(entry.available_at)),
        );
    }
    Ok(by_membership.into_values().collect())
}

/// The program's minimum payout, which is in the program's currency: it applies only
/// to balances in that currency (a balance left from an earlier program in another
/// currency has no minimum).
fn min_payout_of(conn: &mut DbConn, brand: BrandId, program: ProgramId, currency: &str) -> QueryResult<i64> {
    Ok(programs::find(conn, brand, program)?
        .filter(|p| p.currency == currency)
        .and_then(|p| Terms::from_stored(&p.terms).ok())
        .map_or(0, |t| t.min_payout))
}

/// Creates a batch of every balance that reaches its minimum; `None` when nobody is
/// payable.
pub fn create_batch(
    conn: &mut DbConn,
    brand: BrandId,
    currency: &str,
    now: NaiveDateTime,
) -> Result<Option<(PayoutRow, Vec<PayoutItemRow>)>, PayoutError> {
    // Balances join the batch while its total fits an i64; any left wait for the next
    // batch (only possible with amounts stored before the door bounds).
    let mut total = 0i64;
    let payable: Vec<Balance> = balances(conn, brand, currency)?
        .into_iter()
        .filter(Balance::reaches_minimum)
        .filter(|b| match total.checked_add(b.amount) {
            Some(sum) => {
                total = sum;
                true
            }
            None => false,
        })
        .collect();
    if payable.is_empty() {
        return Ok(None);
    }
    let id = PayoutId::generate();
    let payout = PayoutRow {
        id,
        brand_id: brand,
        currency: currency.to_owned(),
        status: PayoutStatus::Pending,
        total,
        created_at: now,
        paid_at: None,
        cancelled_at: None,
    };
    let items: Vec<PayoutItemRow> = payable
        .iter()
        .map(|b| PayoutItemRow {
            payout_id: id,
            membership_id: b.membership_id,
            amount: b.amount,
            entries: i32::try_from(b.entries.len()).unwrap_or(i32::MAX),
            payout_email: b.payout_email.clone(),
            display_name: b.display_name.clone(),
            period_start: b.period_start,
            period_end: b.period_end,
        })
        .collect();
    let entries: Vec<LedgerEntryId> = payable.into_iter().flat_map(|b| b.entries).collect();
    payouts::insert(conn, &payout, &items, &entries)?;
    Ok(Some((payout, items)))
}
