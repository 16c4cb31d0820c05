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
use crate::store::portable::{wide_i64, wide_sum};
use crate::store::status_sql::{entry_has_status, sum_in_status};

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

/// The earliest `available_at` of a pending entry that adds money, as `next_payable_at`.
fn next_payable() -> String {
    format!(
        "MIN(CASE WHEN {} AND e.amount > 0 THEN e.available_at END) AS next_payable_at",
        entry_has_status("e", EntryStatus::Pending)
    )
}

/// All-time totals per (membership, currency) from the ledger, by
/// [`EntryStatus`]: its three states are disjoint and cover every entry.
pub fn ledger_totals(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
) -> QueryResult<Vec<LedgerTotals>> {
    let of_kind = |kind: EntryKind, alias: &str| {
        wide_sum(
            &format!("CASE WHEN e.kind = '{}' THEN e.amount ELSE 0 END", kind.as_str()),
            alias,
        )
    };
    Statement::new(&format!(
        "SELECT e.membership_id, e.currency, {}, {}, {}, {}, {}, {}, {}, {}, {}, {} \
         FROM ledger_entries e WHERE e.membership_id IN ",
        sum_in_status("e", EntryStatus::Pending, "pending"),
        sum_in_status("e", EntryStatus::Approved, "approved"),
        sum_in_status("e", EntryStatus::Paid, "paid"),
        wide_sum("CASE WHEN e.kind = 'reversal' THEN -e.amount ELSE 0 END", "reversed"),
        next_payable(),
        of_kind(EntryKind::Commission, "commissions"),
        of_kind(EntryKind::Adjustment, "adjustments"),
        of_kind(EntryKind::Bonus, "bonuses"),
        of_kind(EntryKind::FlatFee, "flat_fees"),
        of_kind(EntryKind::Override, "overrides"),
    ))
    .memberships_of(influencer, brand)
    .sql(" GROUP BY e.membership_id, e.currency")
    .query
    .load(conn)
}

/// Clicks in the period per code and UTC day.
pub fn clicks_by_day(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
    period: Period,
) -> QueryResult<Vec<ClicksByDay>> {
    Statement::new(
        "SELECT c.code_id, CAST(DATE(c.created_at) AS TEXT) AS day, CAST(COUNT(*) AS BIGINT) AS clicks \
         FROM clicks c WHERE c.membership_id IN ",
    )
    .memberships_of(influencer, brand)
    .sql(" AND c.created_at >= ")
    .param::<Timestamp, _>(period.start())
    .sql(" AND c.created_at < ")
    .param::<Timestamp, _>(period.end())
    .sql(" GROUP BY c.code_id, CAST(DATE(c.created_at) AS TEXT)")
    .query
    .load(conn)
}

/// Orders placed in the period per code, currency and UTC day, with their refunds and
/// ledger entries (whenever those happened) netted in. The refunds and entries of each
/// order are read through their `order_id` indexes rather than by grouping whole tables.
pub fn orders_by_day(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
    period: Period,
) -> QueryResult<Vec<OrdersByDay>> {
    Statement::new(&format!(
        "SELECT x.membership_id, x.code_id, x.currency, x.day, \
           CAST(COUNT(*) AS BIGINT) AS orders, {}, {} \
         FROM (SELECT o.membership_id, o.code_id, o.currency, CAST(DATE(o.placed_at) AS TEXT) AS day, o.net_amount, \
                 COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS refunded, \
                 COALESCE((SELECT SUM(e.amount) FROM ledger_entries e WHERE e.order_id = o.id), 0) AS earned \
               FROM orders o WHERE o.membership_id IN ",
        wide_sum("x.net_amount - x.refunded", "net_sales"),
        wide_sum("x.earned", "commission"),
    ))
    .memberships_of(influencer, brand)
    .sql(" AND o.placed_at >= ")
    .param::<Timestamp, _>(period.start())
    .sql(" AND o.placed_at < ")
    .param::<Timestamp, _>(period.end())
    .sql(") x GROUP BY x.membership_id, x.code_id, x.currency, x.day")
    .query
    .load(conn)
}

/// [`crate::store::rewards::qualifying`] for every membership in one statement: orders
/// attributed to the membership, commission approved, not fully refunded, no flag, no
/// review;
/// (count, Σ net − refunds). Keep the two rules the same (a test compares them).
pub fn qualifying_by_membership(
    conn: &mut DbConn,
    influencer: InfluencerId,
    brand: Option<BrandId>,
) -> QueryResult<Vec<Qualifying>> {
    Statement::new(&format!(
        "SELECT x.membership_id, CAST(COUNT(*) AS BIGINT) AS orders, {} \
         FROM (SELECT o.membership_id, o.net_amount, \
                 COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id), 0) AS refunded \
               FROM orders o \
               JOIN ledger_entries e ON e.order_id = o.id AND e.membership_id = o.membership_id \
                 AND e.kind = 'commission' AND e.approved_at IS NOT NULL \
               WHERE o.flags = '[]' AND o.review IS NULL AND o.membership_id IN ",
        wide_sum("x.net_amount - x.refunded", "amount"),
    ))
    .memberships_of(influencer, brand)
    .sql(") x WHERE x.net_amount > x.refunded GROUP BY x.membership_id")
    .query
    .load(conn)
}
