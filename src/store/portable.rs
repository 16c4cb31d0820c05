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
use super::ids::{BrandId, MembershipId, OrderId};
use super::schema::{brands, memberships, orders};

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
