//! Running totals: the figures the dashboard, the portal's overview and the brand's
//! statistics read, kept by triggers in the transaction of every write they depend on
//! (migration `2026-12-11-000001_running_totals`, where the tables are described).
//!
//! The ledger, orders, refunds and clicks stay the source of truth. Each total table
//! has a [`Rollup`] here: its key, its figures and the *reference* statement that
//! computes the same figures from the source tables. [`differences`] compares the two
//! sides (what `reftrack verify` reports) and [`rebuild`] replaces a table's rows by
//! the reference's (what `reftrack verify --repair` and the first start after the
//! migration do). Nothing here ever writes the ledger or the tables it is derived from.

pub mod compact;
mod reference;

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::DbConn;
use super::portable::wide_total;
pub use reference::ROLLUPS;

/// One total table and how it is derived.
#[derive(Debug)]
pub struct Rollup {
    pub table: &'static str,
    /// The key columns, shard left out (the shards of one key add up).
    pub keys: &'static [&'static str],
    /// Plain counts (orders, entries, clicks).
    pub counts: &'static [&'static str],
    /// Money figures, each stored as the columns `{name}_hi` and `{name}_lo`.
    pub money: &'static [&'static str],
    /// A statement over the source tables with one row per key, selecting every key
    /// column, count and money half under the table's own column names.
    pub reference: fn() -> String,
}

/// At most this many figures per row (order_days: orders, then three sums as halves).
const FIGURES: usize = 7;

/// One grouped row of either side, the key joined with `|`.
#[derive(Debug, QueryableByName)]
struct Grouped {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    v0: i64,
    #[diesel(sql_type = BigInt)]
    v1: i64,
    #[diesel(sql_type = BigInt)]
    v2: i64,
    #[diesel(sql_type = BigInt)]
    v3: i64,
    #[diesel(sql_type = BigInt)]
    v4: i64,
    #[diesel(sql_type = BigInt)]
    v5: i64,
    #[diesel(sql_type = BigInt)]
    v6: i64,
}

/// A key's figures: the counts, then each money sum (its halves joined exactly).
pub type Figures = Vec<i128>;

/// A key whose totals differ from what the source tables say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub table: &'static str,
    /// The key's columns and values, `column=value` joined with `, `.
    pub key: String,
    /// The figures' names, in the order of `expected` and `found`.
    pub figures: Vec<&'static str>,
    /// Recomputed from the source tables (`None`: nothing there).
    pub expected: Option<Figures>,
    /// Stored in the total table (`None`: no row, or only zeros).
    pub found: Option<Figures>,
}

impl Rollup {
    /// `CAST(k1 AS TEXT) || '|' || …` over the alias `t`.
    fn key_sql(&self) -> String {
        self.keys
            .iter()
            .map(|k| format!("CAST(t.{k} AS TEXT)"))
            .collect::<Vec<_>>()
            .join(" || '|' || ")
    }

    /// The figure columns in order, counts first, money as halves.
    fn columns(&self) -> Vec<String> {
        let mut columns: Vec<String> = self.counts.iter().map(|c| (*c).to_owned()).collect();
        for m in self.money {
            columns.push(format!("{m}_hi"));
            columns.push(format!("{m}_lo"));
        }
        columns
    }

    fn figure_names(&self) -> Vec<&'static str> {
        self.counts.iter().chain(self.money).copied().collect()
    }

    /// `SELECT key, v0..v6` over rows aliased `t`, each figure `wrap`ped (a SUM for the
    /// total table's shards, as is for the reference), the missing ones 0.
    fn grouped_sql(&self, wrap: impl Fn(&str) -> String, from: &str, group: bool) -> String {
        let mut select = vec![format!("{} AS key", self.key_sql())];
        let columns = self.columns();
        for i in 0..FIGURES {
            select.push(match columns.get(i) {
                Some(column) => format!("{} AS v{i}", wrap(&format!("t.{column}"))),
                None => format!("CAST(0 AS BIGINT) AS v{i}"),
            });
        }
        let group = if group {
            format!(
                " GROUP BY {}",
                self.keys
                    .iter()
                    .map(|k| format!("t.{k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        };
        format!("SELECT {} FROM {from}{group}", select.join(", "))
    }

    fn load(&self, conn: &mut DbConn, sql: &str) -> QueryResult<BTreeMap<String, Figures>> {
        let counts = self.counts.len();
        let rows: Vec<Grouped> = diesel::sql_query(sql).load(conn)?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let v = [row.v0, row.v1, row.v2, row.v3, row.v4, row.v5, row.v6];
                let mut figures: Figures = v[..counts].iter().map(|n| i128::from(*n)).collect();
                for m in 0..self.money.len() {
                    figures.push(wide_total(v[counts + 2 * m], v[counts + 2 * m + 1]));
                }
                (row.key, figures)
            })
            .filter(|(_, figures)| figures.iter().any(|f| *f != 0))
            .collect())
    }

    /// The keys where the table and the reference disagree.
    pub fn differences(&self, conn: &mut DbConn) -> QueryResult<Vec<Difference>> {
        let stored = self.load(
            conn,
            &self.grouped_sql(
                |c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT)"),
                &format!("{} t", self.table),
                true,
            ),
        )?;
        let expected = self.load(
            conn,
            &self.grouped_sql(|c| c.to_owned(), &format!("({}) t", (self.reference)()), false),
        )?;
        let mut keys: Vec<&String> = stored.keys().chain(expected.keys()).collect();
        keys.sort();
        keys.dedup();
        Ok(keys
            .into_iter()
            .filter(|key| stored.get(*key) != expected.get(*key))
            .map(|key| Difference {
                table: self.table,
                key: self
                    .keys
                    .iter()
                    .zip(key.split('|'))
                    .map(|(column, value)| format!("{column}={value}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                figures: self.figure_names(),
                expected: expected.get(key).cloned(),
                found: stored.get(key).cloned(),
            })
            .collect())
    }

    /// Replaces every row of the table by the reference's, in shard `0`. The caller
    /// runs it in a write transaction that keeps writers of the source tables out.
    pub fn rebuild(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::sql_query(format!("DELETE FROM {}", self.table)).execute(conn)?;
        let mut columns: Vec<String> = self.keys.iter().map(|k| (*k).to_owned()).collect();
        columns.extend(self.columns());
        let select: Vec<String> = columns.iter().map(|c| format!("t.{c}")).collect();
        diesel::sql_query(format!(
            "INSERT INTO {} ({}, shard) SELECT {}, '0' FROM ({}) t",
            self.table,
            columns.join(", "),
            select.join(", "),
            (self.reference)()
        ))
        .execute(conn)
        .map(drop)
    }
}

/// Every difference between the total tables and the source tables, read in one
/// snapshot (the caller's read transaction).
pub fn differences(conn: &mut DbConn) -> QueryResult<Vec<Difference>> {
    let mut all = Vec::new();
    for rollup in ROLLUPS {
        all.extend(rollup.differences(conn)?);
    }
    Ok(all)
}

/// The setting that says the totals were built once (after the migration that made
/// them, on a database that may already hold orders).
const BUILT: &str = "running_totals_built";

/// Keeps every writer of the source tables out until the transaction ends: PostgreSQL
/// takes a SHARE lock on them (reads go on); SQLite's writer is already alone.
fn exclude_writers(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Pg(_) => diesel::sql_query("LOCK TABLE orders, refunds, ledger_entries, clicks IN SHARE MODE")
            .execute(conn)
            .map(drop),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// Rebuilds every total table from the source tables, writers kept out meanwhile, and
/// records that the totals are built. Run inside one write transaction.
pub fn rebuild(conn: &mut DbConn, now: chrono::DateTime<chrono::Utc>) -> QueryResult<()> {
    exclude_writers(conn)?;
    for rollup in ROLLUPS {
        rollup.rebuild(conn)?;
    }
    super::settings::get_or_insert(conn, BUILT, "yes", now).map(drop)
}

/// True once [`rebuild`] ran on this database.
pub fn built(conn: &mut DbConn) -> QueryResult<bool> {
    Ok(super::settings::find(conn, BUILT)?.is_some())
}

/// Builds the totals once per database: on the first start after the migration that
/// made them, when the database may already hold orders. Later starts only read the
/// marker. Two instances starting together both wait for the lock and the second finds
/// the marker.
pub fn ensure_built(conn: &mut DbConn, now: chrono::DateTime<chrono::Utc>) -> QueryResult<bool> {
    if built(conn)? {
        return Ok(false);
    }
    conn.transaction(|conn| {
        exclude_writers(conn)?;
        if built(conn)? {
            return Ok(false);
        }
        rebuild(conn, now)?;
        Ok(true)
    })
}
