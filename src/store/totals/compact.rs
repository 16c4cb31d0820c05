//! Folding the shards of past days into one row per key.
//!
//! The triggers add each write to one of 16 shards of its day's row, so concurrent
//! orders through one code do not queue on one row lock on PostgreSQL. Once a day is
//! over nothing contends for its rows, but a year of a busy ambassador's days would stay
//! up to 16 × 365 rows for the dashboard to add. The compaction pass folds the days
//! before yesterday (UTC) into shard `0`: per table and day, the rows outside shard `0`
//! are deleted and their sums added to shard `0` in one write transaction. A key's sum
//! over its shards is unchanged, which is what every reader and `reftrack verify` see;
//! a late write to an old day (a refund, a commission maturing) lands in a shard again
//! and is folded by the next pass.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::{ROLLUPS, Rollup};
use crate::store::DbConn;

/// A total table keyed by day, and its primary key without the shard (the conflict
/// target of the fold; `click_days` carries its brand beside the key).
#[derive(Debug, Clone, Copy)]
pub struct DayTable {
    pub table: &'static str,
    primary: &'static [&'static str],
}

/// Every total table keyed by day (a partial index on each finds its loose rows).
pub const DAY_TABLES: [DayTable; 4] = [
    DayTable {
        table: "order_days",
        primary: &["membership_id", "day", "code_id", "currency", "brand_id"],
    },
    DayTable {
        table: "brand_days",
        primary: &["brand_id", "currency", "day"],
    },
    DayTable {
        table: "click_days",
        primary: &["membership_id", "day", "code_id"],
    },
    DayTable {
        table: "brand_click_days",
        primary: &["brand_id", "day"],
    },
];

#[derive(QueryableByName)]
struct Day {
    #[diesel(sql_type = Text)]
    day: String,
}

impl DayTable {
    fn rollup(&self) -> Option<&'static Rollup> {
        ROLLUPS.iter().find(|r| r.table == self.table)
    }

    /// Days after `after` and before `before` (`YYYY-MM-DD`) with rows outside shard
    /// `0`, oldest first, at most `limit`.
    pub fn loose_days(&self, conn: &mut DbConn, after: &str, before: &str, limit: i64) -> QueryResult<Vec<String>> {
        let days: Vec<Day> = diesel::sql_query(format!(
            "SELECT DISTINCT day FROM {} WHERE shard <> '0' AND day > $1 AND day < $2 ORDER BY day LIMIT $3",
            self.table
        ))
        .bind::<Text, _>(after)
        .bind::<Text, _>(before)
        .bind::<BigInt, _>(limit)
        .load(conn)?;
        Ok(days.into_iter().map(|d| d.day).collect())
    }

    /// Folds one day into shard `0`: the rows outside it are deleted and their sums
    /// added to shard `0`. Returns how many keys were written to shard `0`. Run in a
    /// write transaction.
    pub fn fold_day(&self, conn: &mut DbConn, day: &str) -> QueryResult<usize> {
        let Some(rollup) = self.rollup() else {
            return Ok(0);
        };
        let keys = rollup.keys.join(", ");
        let columns = rollup.columns();
        let sums: Vec<String> = columns.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT)")).collect();
        let add: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} = {}.{c} + excluded.{c}", self.table))
            .collect();
        let upsert = format!(
            "INSERT INTO {table} ({keys}, {columns}, shard) SELECT {keys}, {sums}, '0' FROM {{source}} WHERE TRUE \
             GROUP BY {keys} ON CONFLICT ({primary}, shard) DO UPDATE SET {add}",
            table = self.table,
            columns = columns.join(", "),
            sums = sums.join(", "),
            primary = self.primary.join(", "),
            add = add.join(", "),
        );
        let loose = format!("FROM {} WHERE day = $1 AND shard <> '0'", self.table);
        match conn {
            // One statement folds exactly the rows it deletes: a trigger that updates a
            // loose row concurrently either commits first (its sum is deleted and
            // folded) or waits for this transaction (and then writes a new loose row).
            DbConn::Pg(_) => {
                let sql = format!(
                    "WITH gone AS (DELETE {loose} RETURNING *) {}",
                    upsert.replace("{source}", "gone")
                );
                diesel::sql_query(sql).bind::<Text, _>(day).execute(conn)
            }
            // SQLite's one writer is alone inside the transaction: add, then delete.
            DbConn::Sqlite(_) => {
                let source = format!("(SELECT * {loose}) loose");
                let keys = diesel::sql_query(upsert.replace("{source}", &source))
                    .bind::<Text, _>(day)
                    .execute(conn)?;
                diesel::sql_query(format!("DELETE {loose}"))
                    .bind::<Text, _>(day)
                    .execute(conn)?;
                Ok(keys)
            }
        }
    }
}
