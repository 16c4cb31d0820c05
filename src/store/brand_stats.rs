//! The brand's statistics over time and what it owes: the period's totals per day or
//! ISO week (one grouped statement, summed as [`super::brand_reports::totals`] sums),
//! and the all-time commission of its ledger split by entry status.

use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};

use super::DbConn;
use super::brand_reports::{Totals, totals_sql};
use super::ids::BrandId;
use super::portable::{placed_bucket, wide_i64};
use super::status_sql::sum_in_status;
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
    let sql = totals_sql(Some(placed_bucket(conn, interval)));
    diesel::sql_query(sql)
        .bind::<Text, _>(brand)
        .bind::<Text, _>(currency)
        .bind::<Timestamp, _>(period.start())
        .bind::<Timestamp, _>(period.end())
        .load(conn)
}

/// The brand's ledger in one currency, all time, by [`EntryStatus`] (whose states are
/// disjoint and cover every entry, reversals included with their own status).
#[derive(Debug, Clone, Default, QueryableByName)]
pub struct Owed {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pending_hi: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pending_lo: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    approved_hi: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    approved_lo: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    paid_hi: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    paid_lo: i64,
}

impl Owed {
    /// Still in the hold; `None` when no `i64` holds the total.
    pub fn pending(&self) -> Option<i64> {
        wide_i64(self.pending_hi, self.pending_lo)
    }

    /// Approved and not in a paid payout.
    pub fn approved(&self) -> Option<i64> {
        wide_i64(self.approved_hi, self.approved_lo)
    }

    /// In a paid payout.
    pub fn paid(&self) -> Option<i64> {
        wide_i64(self.paid_hi, self.paid_lo)
    }
}

pub fn owed(conn: &mut DbConn, brand: BrandId, currency: &str) -> QueryResult<Owed> {
    diesel::sql_query(format!(
        "SELECT {}, {}, {} FROM ledger_entries e WHERE e.brand_id = $1 AND e.currency = $2",
        sum_in_status("e", EntryStatus::Pending, "pending"),
        sum_in_status("e", EntryStatus::Approved, "approved"),
        sum_in_status("e", EntryStatus::Paid, "paid"),
    ))
    .bind::<Text, _>(brand)
    .bind::<Text, _>(currency)
    .get_result(conn)
}
