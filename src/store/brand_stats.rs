//! The brand's statistics over time and what it owes: the period's totals per day or
//! ISO week (one grouped statement, summed as [`super::brand_reports::totals`] sums),
//! and the all-time commission of its ledger split by entry status and by kind.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::DbConn;
use super::brand_reports::{Totals, totals_sql};
use super::ids::BrandId;
use super::ledger::{EntryKind, KindTotals};
use super::portable::{day_bucket, wide_i64, wide_total};
use super::status_sql::sum_halves_in_status;
use crate::domain::period::{Interval, Period};
use crate::domain::status::EntryStatus;

/// The totals of one bucket that has orders.
#[derive(Debug, Clone, QueryableByName)]
pub struct BucketTotals {
    /// The bucket's first day, `YYYY-MM-DD`.
    #[diesel(sql_type = Text)]
    pub bucket: String,
    #[diesel(embed)]
    pub totals: Totals,
}

/// The buckets of the period that have orders in `currency`, in order; a bucket without
/// orders has no row.
pub fn series(
    conn: &mut DbConn,
    brand: BrandId,
    currency: &str,
    period: Period,
    interval: Interval,
) -> QueryResult<Vec<BucketTotals>> {
    let sql = totals_sql(Some(day_bucket(conn, interval)));
    diesel::sql_query(sql)
        .bind::<Text, _>(brand)
        .bind::<Text, _>(currency)
        .bind::<Text, _>(period.first_day())
        .bind::<Text, _>(period.last_day())
        .load(conn)
}

/// One ledger kind's share of the brand's ledger in one currency, by [`EntryStatus`].
#[derive(Debug, Clone, QueryableByName)]
struct OwedOfKind {
    #[diesel(sql_type = Text)]
    kind: EntryKind,
    #[diesel(sql_type = BigInt)]
    pending_hi: i64,
    #[diesel(sql_type = BigInt)]
    pending_lo: i64,
    #[diesel(sql_type = BigInt)]
    approved_hi: i64,
    #[diesel(sql_type = BigInt)]
    approved_lo: i64,
    #[diesel(sql_type = BigInt)]
    paid_hi: i64,
    #[diesel(sql_type = BigInt)]
    paid_lo: i64,
}

impl OwedOfKind {
    /// The wide halves of the kind's sum in `status`.
    fn halves(&self, status: EntryStatus) -> (i64, i64) {
        match status {
            EntryStatus::Pending => (self.pending_hi, self.pending_lo),
            EntryStatus::Approved => (self.approved_hi, self.approved_lo),
            EntryStatus::Paid => (self.paid_hi, self.paid_lo),
        }
    }
}

/// One figure of [`Owed`] and its parts by ledger kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwedFigure {
    /// `None` when no `i64` holds the total.
    pub total: Option<i64>,
    /// The total by [`EntryKind`]; the parts add up to it exactly. `None` when the total
    /// or one of its parts is beyond `i64`.
    pub by_kind: Option<KindTotals>,
}

/// The brand's ledger in one currency, all time, by [`EntryStatus`] (whose states are
/// disjoint and cover every entry, reversals included with their own status) and by
/// [`EntryKind`].
#[derive(Debug, Clone, Default)]
pub struct Owed(Vec<OwedOfKind>);

impl Owed {
    /// Every entry in `status`: pending (still in the hold), approved (not in a paid
    /// payout) or paid.
    pub fn in_status(&self, status: EntryStatus) -> OwedFigure {
        // Each kind's wide total is below 2^95 in magnitude, so six of them add up in
        // `i128` without overflow.
        let mut total = 0i128;
        let mut by_kind = Some(KindTotals::default());
        for row in &self.0 {
            let (hi, lo) = row.halves(status);
            total += wide_total(hi, lo);
            by_kind = by_kind.and_then(|mut kinds| {
                kinds.add(row.kind, wide_i64(hi, lo)?)?;
                Some(kinds)
            });
        }
        let total = i64::try_from(total).ok();
        OwedFigure {
            total,
            by_kind: by_kind.filter(|_| total.is_some()),
        }
    }
}

/// [`Owed`] in one statement over the brand's running totals
/// ([`super::totals`]): the status rule over each row's state, grouped by kind.
pub fn owed(conn: &mut DbConn, brand: BrandId, currency: &str) -> QueryResult<Owed> {
    diesel::sql_query(format!(
        "SELECT s.kind AS kind, {}, {}, {} FROM brand_ledger_sums s WHERE s.brand_id = $1 AND s.currency = $2 \
         GROUP BY s.kind",
        sum_halves_in_status("s", EntryStatus::Pending, "amount", "pending"),
        sum_halves_in_status("s", EntryStatus::Approved, "amount", "approved"),
        sum_halves_in_status("s", EntryStatus::Paid, "amount", "paid"),
    ))
    .bind::<Text, _>(brand)
    .bind::<Text, _>(currency)
    .load(conn)
    .map(Owed)
}
