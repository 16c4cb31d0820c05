//! The few statements that differ between the backends, each with the reason.
//!
//! SQLite serialises every write transaction (`BEGIN IMMEDIATE` on one writer), so row
//! locks and advisory locks are no-ops there. PostgreSQL runs writers concurrently, so
//! read-modify-write units lock what they read. Without the lock PostgreSQL lost
//! updates that SQLite can never show, which is why the concurrency tests run on both.

use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::DbConn;
use super::ids::{BrandId, DealId, MembershipId, OrderId};
use super::schema::{brands, deals, memberships, orders};
use crate::domain::period::Interval;

/// An exact integer sum: `CAST(COALESCE(SUM(expr), 0) AS BIGINT)`.
///
/// diesel's `sum()` goes through `Numeric`, which SQLite hands back as a float; this
/// stays an integer on both backends, is exact above 2^53, and an overflow is an error
/// on both (never a wrapped or rounded figure). `expr` must be a trusted column
/// expression, never input.
pub fn sum_bigint(expr: &'static str) -> SqlLiteral<BigInt> {
    diesel::dsl::sql::<BigInt>(match expr {
        "net_amount" => "CAST(COALESCE(SUM(net_amount), 0) AS BIGINT)",
        "amount" => "CAST(COALESCE(SUM(amount), 0) AS BIGINT)",
        "line_value" => "CAST(COALESCE(SUM(line_value), 0) AS BIGINT)",
        "reversal" => "CAST(COALESCE(SUM(reversal), 0) AS BIGINT)",
        "commission" => "CAST(COALESCE(SUM(commission), 0) AS BIGINT)",
        _ => "CAST(NULL AS BIGINT)",
    })
}

/// An exact sum over any number of rows that cannot overflow in the database: the
/// select-list columns `{alias}_hi` = Σ(expr >> 32) and `{alias}_lo` = Σ(expr & (2³²−1)),
/// both BIGINT. Each row adds less than 2³² in magnitude to either half, so neither
/// overflows before 2³¹ rows, and [`wide_total`] joins them exactly in `i128`. A plain
/// `SUM` raises an error on overflow (SQLite `integer overflow`, PostgreSQL `bigint out
/// of range` at the cast), which would fail every row of the statement, the honest
/// ones included; with the halves, an impossible total fails only its own row set, when
/// the caller narrows it to `i64`. `>>` is arithmetic and `&` two's complement on both
/// backends, so negative amounts (reversals) split and join exactly; `expr` is cast to
/// BIGINT first because PostgreSQL's `SUM` of a subquery is NUMERIC, which has no
/// shift. `expr` must be a trusted column expression, never input.
pub fn wide_sum(expr: &str, alias: &str) -> String {
    format!(
        "CAST(COALESCE(SUM(CAST(({expr}) AS BIGINT) >> 32), 0) AS BIGINT) AS {alias}_hi, \
         CAST(COALESCE(SUM(CAST(({expr}) AS BIGINT) & 4294967295), 0) AS BIGINT) AS {alias}_lo"
    )
}

/// The columns `{alias}_hi` = Σ hi and `{alias}_lo` = Σ lo over halves stored as a
/// [`wide_sum`] splits them (the running totals keep money so): the sums of halves add
/// up as exactly as the halves of a sum. `hi` and `lo` are trusted expressions.
pub fn sum_halves(hi: &str, lo: &str, alias: &str) -> String {
    format!(
        "CAST(COALESCE(SUM({hi}), 0) AS BIGINT) AS {alias}_hi, CAST(COALESCE(SUM({lo}), 0) AS BIGINT) AS {alias}_lo"
    )
}

/// [`wide_sum`] as two typed select expressions, for diesel's query builder.
pub fn wide_sum_columns(expr: &str) -> (SqlLiteral<BigInt>, SqlLiteral<BigInt>) {
    (
        diesel::dsl::sql::<BigInt>(&format!(
            "CAST(COALESCE(SUM(CAST(({expr}) AS BIGINT) >> 32), 0) AS BIGINT)"
        )),
        diesel::dsl::sql::<BigInt>(&format!(
            "CAST(COALESCE(SUM(CAST(({expr}) AS BIGINT) & 4294967295), 0) AS BIGINT)"
        )),
    )
}

/// The exact total of a [`wide_sum`]'s halves.
pub fn wide_total(hi: i64, lo: i64) -> i128 {
    (i128::from(hi) << 32) + i128::from(lo)
}

/// The total of a [`wide_sum`] as `i64`, or `None` when no `i64` holds it.
pub fn wide_i64(hi: i64, lo: i64) -> Option<i64> {
    i64::try_from(wide_total(hi, lo)).ok()
}

/// The first day of the bucket of the running-total day `b.day` (`YYYY-MM-DD`): the
/// day, or the Monday of its ISO week ([`crate::domain::period::Interval::bucket_of`]).
/// SQLite has no week truncation: `weekday 0` moves a date on to its Sunday (a Sunday
/// stays), six days back is the Monday; PostgreSQL's `date_trunc('week', …)` is the ISO
/// week's Monday.
pub fn day_bucket(conn: &DbConn, interval: Interval) -> &'static str {
    match (interval, conn) {
        (Interval::Day, _) => "b.day",
        (Interval::Week, DbConn::Pg(_)) => "CAST(CAST(DATE_TRUNC('week', CAST(b.day AS DATE)) AS DATE) AS TEXT)",
        (Interval::Week, DbConn::Sqlite(_)) => "DATE(b.day, 'weekday 0', '-6 days')",
    }
}

/// Locks the order row until the transaction ends, so concurrent refunds of one order
/// are applied one after the other. `.for_update()` does not compile through the
/// `MultiConnection`, so the query is built per backend.
pub fn lock_order(conn: &mut DbConn, id: OrderId) -> QueryResult<()> {
    match conn {
        DbConn::Pg(pg) => orders::table
            .find(id)
            .select(orders::id)
            .for_update()
            .first::<OrderId>(pg)
            .map(drop),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// Locks the deal row until the transaction ends, so two steps on one deal (an
/// acceptance and a withdrawal, two approvals of its last item) run one after the
/// other, the second seeing what the first wrote. SQLite's writer is already serial.
pub fn lock_deal(conn: &mut DbConn, id: DealId) -> QueryResult<()> {
    match conn {
        DbConn::Pg(pg) => deals::table
            .find(id)
            .select(deals::id)
            .for_no_key_update()
            .first::<DealId>(pg)
            .map(drop),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// Locks the membership row until the transaction ends, so concurrent orders of one
/// ambassador on volume tiers read their month-to-date sales one after the other (each
/// sees the orders committed before it), and concurrent code creations and
/// reactivations count the active codes one after the other. `FOR NO KEY UPDATE` does not block the
/// foreign-key checks of other inserts. SQLite's writer is already serial.
pub fn lock_membership(conn: &mut DbConn, id: MembershipId) -> QueryResult<()> {
    match conn {
        DbConn::Pg(pg) => memberships::table
            .find(id)
            .select(memberships::id)
            .for_no_key_update()
            .first::<MembershipId>(pg)
            .map(drop),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// Locks the brand row until the transaction ends, so concurrent creations of API keys
/// count the brand's live keys one after the other and the cap holds. `FOR NO KEY
/// UPDATE` does not block the foreign-key checks of inserts (orders, keys) that
/// reference the brand. SQLite's writer is already serial.
pub fn lock_brand(conn: &mut DbConn, id: BrandId) -> QueryResult<()> {
    match conn {
        DbConn::Pg(pg) => brands::table
            .find(id)
            .select(brands::id)
            .for_no_key_update()
            .first::<BrandId>(pg)
            .map(drop),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// Serialises maturation passes across processes for the rest of the transaction.
pub fn lock_maturation(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        // Any constant shared by every reftrack process: "rftk" in ASCII.
        DbConn::Pg(pg) => diesel::sql_query("SELECT pg_advisory_xact_lock(1919317099)")
            .execute(pg)
            .map(drop),
        DbConn::Sqlite(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The halves as the database computes them, per row.
    fn split(x: i64) -> (i64, i64) {
        (x >> 32, x & 4_294_967_295)
    }

    #[test]
    fn halves_join_to_totals_beyond_i64() {
        let rows = [i64::MAX, i64::MAX, -5, 1];
        let (hi, lo) = rows.iter().fold((0i64, 0i64), |(h, l), x| {
            let (a, b) = split(*x);
            (h + a, l + b)
        });
        assert_eq!(wide_total(hi, lo), 2 * i128::from(i64::MAX) - 4);
        assert_eq!(wide_i64(hi, lo), None);
        let (hi, lo) = split(-5);
        assert_eq!(wide_i64(hi, lo), Some(-5));
    }

    proptest! {
        #[test]
        fn halves_sum_exactly(rows in proptest::collection::vec(any::<i64>(), 0..50)) {
            let (mut hi, mut lo) = (0i64, 0i64);
            for x in &rows {
                let (a, b) = split(*x);
                hi = hi.checked_add(a).unwrap_or_else(|| panic!("hi overflow"));
                lo = lo.checked_add(b).unwrap_or_else(|| panic!("lo overflow"));
            }
            let exact: i128 = rows.iter().map(|x| i128::from(*x)).sum();
            prop_assert_eq!(wide_total(hi, lo), exact);
        }
    }
}
