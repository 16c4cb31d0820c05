//! The dashboard's grouped figures: all-time ledger totals, clicks and orders per day,
//! and what counts toward rewards. Sums are wide ([`wide_sum`]): an impossible total
//! fails only its own membership, when the caller narrows it to `i64`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use super::sql::Statement;
use crate::domain::period::Period;
use crate::domain::status::EntryStatus;
use crate::store::DbConn;
use crate::store::ids::{BrandId, CodeId, InfluencerId, MembershipId};
use crate::store::ledger::{EntryKind, KindTotals};
use crate::store::portable::{sum_halves, wide_i64};
use crate::store::status_sql::{entry_is_pending, sum_halves_in_status};

/// All-time ledger figures of one membership in one currency, in minor units.
/// pending + approved + paid = Σ every entry.
#[derive(Debug, Clone, QueryableByName)]
pub struct LedgerTotals {
    #[diesel(sql_type = Text)]
    pub membership_id: MembershipId,
    #[diesel(sql_type = Text)]
    pub currency: String,
    /// Not approved yet (in its hold period).
    #[diesel(sql_type = BigInt)]
    pending_hi: i64,
    #[diesel(sql_type = BigInt)]
    pending_lo: i64,
    /// Approved and not in a paid payout.
    #[diesel(sql_type = BigInt)]
    approved_hi: i64,
    #[diesel(sql_type = BigInt)]
    approved_lo: i64,
    /// In a paid payout.
    #[diesel(sql_type = BigInt)]
    paid_hi: i64,
    #[diesel(sql_type = BigInt)]
    paid_lo: i64,
    /// −Σ reversal entries (a positive number).
    #[diesel(sql_type = BigInt)]
    reversed_hi: i64,
    #[diesel(sql_type = BigInt)]
    reversed_lo: i64,
    /// When the earliest pending (positive) entry becomes payable.
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub next_payable_at: Option<NaiveDateTime>,
    /// Σ amount of the commissions, adjustments, bonuses, flat fees and overrides
    /// (reversals are `reversed`).
    #[diesel(sql_type = BigInt)]
    commissions_hi: i64,
    #[diesel(sql_type = BigInt)]
    commissions_lo: i64,
    #[diesel(sql_type = BigInt)]
    adjustments_hi: i64,
    #[diesel(sql_type = BigInt)]
    adjustments_lo: i64,
    #[diesel(sql_type = BigInt)]
    bonuses_hi: i64,
    #[diesel(sql_type = BigInt)]
    bonuses_lo: i64,
    #[diesel(sql_type = BigInt)]
    flat_fees_hi: i64,
    #[diesel(sql_type = BigInt)]
    flat_fees_lo: i64,
    #[diesel(sql_type = BigInt)]
    overrides_hi: i64,
    #[diesel(sql_type = BigInt)]
    overrides_lo: i64,
}

/// [`LedgerTotals`] as `i64`s: (pending, approved, paid, reversed).
pub type Totals = (i64, i64, i64, i64);

impl LedgerTotals {
    /// The four totals, or `None` when one of them is beyond `i64` (amounts stored
    /// before the door bounds): an error for this membership alone.
    pub fn totals(&self) -> Option<Totals> {
        Some((
            wide_i64(self.pending_hi, self.pending_lo)?,
            wide_i64(self.approved_hi, self.approved_lo)?,
            wide_i64(self.paid_hi, self.paid_lo)?,
            wide_i64(self.reversed_hi, self.reversed_lo)?,
        ))
    }

    /// Every entry's amount by kind (they add up to pending + approved + paid), or
    /// `None` when one is beyond `i64`.
    pub fn by_kind(&self) -> Option<KindTotals> {
        let mut kinds = KindTotals::default();
        for (kind, hi, lo) in [
            (EntryKind::Commission, self.commissions_hi, self.commissions_lo),
            (EntryKind::Reversal, -self.reversed_hi, -self.reversed_lo),
            (EntryKind::Adjustment, self.adjustments_hi, self.adjustments_lo),
            (EntryKind::Bonus, self.bonuses_hi, self.bonuses_lo),
            (EntryKind::FlatFee, self.flat_fees_hi, self.flat_fees_lo),
            (EntryKind::Override, self.overrides_hi, self.overrides_lo),
        ] {
            kinds.add(kind, wide_i64(hi, lo)?)?;
        }
        Some(kinds)
    }
}

/// Clicks on one code on one UTC day.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClicksByDay {
    #[diesel(sql_type = Text)]
    pub code_id: CodeId,
    /// `YYYY-MM-DD`.
    #[diesel(sql_type = Text)]
    pub day: String,
    #[diesel(sql_type = BigInt)]
    pub clicks: i64,
}

/// Orders placed on one UTC day through one code in one currency.
#[derive(Debug, Clone, QueryableByName)]
pub struct OrdersByDay {
    #[diesel(sql_type = Text)]
    pub membership_id: MembershipId,
    #[diesel(sql_type = Nullable<Text>)]
    pub code_id: Option<CodeId>,
    #[diesel(sql_type = Text)]
    pub currency: String,
    /// `YYYY-MM-DD`.
    #[diesel(sql_type = Text)]
    pub day: String,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    /// Σ net merchandise − Σ refunds of these orders.
    #[diesel(sql_type = BigInt)]
    net_sales_hi: i64,
    #[diesel(sql_type = BigInt)]
    net_sales_lo: i64,
    /// Σ ledger entries of these orders: commission − reversals.
    #[diesel(sql_type = BigInt)]
    commission_hi: i64,
    #[diesel(sql_type = BigInt)]
    commission_lo: i64,
}

impl OrdersByDay {
    /// (net sales, commission), or `None` when either is beyond `i64`.
    pub fn sums(&self) -> Option<(i64, i64)> {
        Some((
            wide_i64(self.net_sales_hi, self.net_sales_lo)?,
            wide_i64(self.commission_hi, self.commission_lo)?,
        ))
    }
}

/// What counts toward rewards, per membership (see [`crate::store::rewards::qualifying`]).
#[derive(Debug, Clone, QueryableByName)]
pub struct Qualifying {
    #[diesel(sql_type = Text)]
    pub membership_id: MembershipId,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = BigInt)]
    amount_hi: i64,
    #[diesel(sql_type = BigInt)]
    amount_lo: i64,
}

impl Qualifying {
    /// Σ net − refunds of the qualifying orders, or `None` when it is beyond `i64`.
    pub fn amount(&self) -> Option<i64> {
        wide_i64(self.amount_hi, self.amount_lo)
    }
}

/// The earliest `available_at` of a pending entry that adds money, as
/// `next_payable_at`, for the running-total row aliased `s`: the first row of the
/// partial index `ledger_entries_next_payable`, which holds just those entries, so the
/// read does not grow with the entries still in their hold. `ORDER BY … LIMIT 1` rather
/// than `MIN`: PostgreSQL, guessing few pending entries per membership, otherwise
/// fetched them all to take the least.
fn next_payable() -> String {
    format!(
        "(SELECT p.available_at FROM ledger_entries p WHERE p.membership_id = s.membership_id \
           AND p.currency = s.currency AND {} AND p.amount > 0 \
           ORDER BY p.available_at LIMIT 1) AS next_payable_at",
        entry_is_pending("p")
    )
}

/// `Σ` of one money column's halves over the running-total rows `s` of one kind.
fn of_kind(kind: EntryKind, alias: &str) -> String {
    let only = |half: &str| format!("CASE WHEN s.kind = '{}' THEN s.amount_{half} ELSE 0 END", kind.as_str());
    sum_halves(&only("hi"), &only("lo"), alias)
}

/// All-time totals per (membership, currency) from the running totals
/// ([`crate::store::totals`]), by [`EntryStatus`]: its three states are disjoint and
/// cover every entry. A few dozen rows per membership, whatever its history.
pub fn ledger_totals(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
) -> QueryResult<Vec<LedgerTotals>> {
    let reversed = |half: &str| format!("CASE WHEN s.kind = 'reversal' THEN -s.amount_{half} ELSE 0 END");
    Statement::new(&format!(
        "SELECT s.membership_id, s.currency, {}, {}, {}, {}, {}, {}, {}, {}, {}, {} \
         FROM ledger_sums s WHERE s.membership_id IN ",
        sum_halves_in_status("s", EntryStatus::Pending, "amount", "pending"),
        sum_halves_in_status("s", EntryStatus::Approved, "amount", "approved"),
        sum_halves_in_status("s", EntryStatus::Paid, "amount", "paid"),
        sum_halves(&reversed("hi"), &reversed("lo"), "reversed"),
        next_payable(),
        of_kind(EntryKind::Commission, "commissions"),
        of_kind(EntryKind::Adjustment, "adjustments"),
        of_kind(EntryKind::Bonus, "bonuses"),
        of_kind(EntryKind::FlatFee, "flat_fees"),
        of_kind(EntryKind::Override, "overrides"),
    ))
    .memberships_of(influencer, brand)
    .sql(" GROUP BY s.membership_id, s.currency HAVING SUM(s.entries) > 0")
    .query
    .load(conn)
}

/// Clicks in the period per code and UTC day, from the running totals.
pub fn clicks_by_day(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
    period: Period,
) -> QueryResult<Vec<ClicksByDay>> {
    Statement::new(
        "SELECT c.code_id, c.day, CAST(SUM(c.clicks) AS BIGINT) AS clicks \
         FROM click_days c WHERE c.membership_id IN ",
    )
    .memberships_of(influencer, brand)
    .sql(" AND c.day >= ")
    .param::<Text, _>(period.first_day())
    .sql(" AND c.day <= ")
    .param::<Text, _>(period.last_day())
    .sql(" GROUP BY c.code_id, c.day HAVING SUM(c.clicks) > 0")
    .query
    .load(conn)
}

/// Orders placed in the period per code, currency and UTC day, with their refunds and
/// ledger entries (whenever those happened) netted in, from the running totals.
pub fn orders_by_day(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
    period: Period,
) -> QueryResult<Vec<OrdersByDay>> {
    Statement::new(&format!(
        "SELECT d.membership_id, NULLIF(d.code_id, '') AS code_id, d.currency, d.day, \
           CAST(SUM(d.orders) AS BIGINT) AS orders, {}, {} \
         FROM order_days d WHERE d.membership_id IN ",
        sum_halves("d.net_sales_hi", "d.net_sales_lo", "net_sales"),
        sum_halves("d.earned_hi", "d.earned_lo", "commission"),
    ))
    .memberships_of(influencer, brand)
    .sql(" AND d.day >= ")
    .param::<Text, _>(period.first_day())
    .sql(" AND d.day <= ")
    .param::<Text, _>(period.last_day())
    .sql(" GROUP BY d.membership_id, d.code_id, d.currency, d.day HAVING SUM(d.orders) > 0")
    .query
    .load(conn)
}

/// What counts toward rewards per membership, from the running totals: the rule of
/// [`crate::store::rewards::qualifying`] (a test holds the two equal).
pub fn qualifying_by_membership(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
) -> QueryResult<Vec<Qualifying>> {
    Statement::new(&format!(
        "SELECT q.membership_id, CAST(SUM(q.orders) AS BIGINT) AS orders, {} \
         FROM qualifying_sums q WHERE q.membership_id IN ",
        sum_halves("q.amount_hi", "q.amount_lo", "amount"),
    ))
    .memberships_of(influencer, brand)
    .sql(" GROUP BY q.membership_id HAVING SUM(q.orders) > 0")
    .query
    .load(conn)
}
