//! The running totals against the ledger: `reftrack verify` and `reftrack verify
//! --repair` (see [`crate::store::totals`]). Verifying reads every source table once in
//! one snapshot; repairing rewrites the total tables only, in one write transaction
//! that keeps other writers waiting until it commits (readers go on).

use chrono::{DateTime, Utc};

use crate::store::totals::{self, Difference, compact};
use crate::store::{Db, StoreError};

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    /// How many total tables were compared.
    pub tables: usize,
    pub differences: Vec<Difference>,
}

impl Verification {
    pub fn is_clean(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Recomputes every total from the ledger, orders, refunds and clicks and compares.
pub async fn verify(db: &Db) -> Result<Verification, StoreError> {
    let differences = db
        .read(|conn| totals::differences(conn).map_err(StoreError::from))
        .await?;
    Ok(Verification {
        tables: totals::ROLLUPS.len(),
        differences,
    })
}

/// Rewrites every total from the source tables, then verifies: the answer is what a
/// `verify` right after finds (clean unless a writer bypassed the triggers meanwhile).
pub async fn repair(db: &Db, now: DateTime<Utc>) -> Result<Verification, StoreError> {
    db.write(move |conn| totals::rebuild(conn, now).map_err(StoreError::from))
        .await?;
    verify(db).await
}

/// One difference as a line: the table, the key, and each figure that differs.
pub fn describe(difference: &Difference) -> String {
    let figure = |figures: &Option<Vec<i128>>, i: usize| figures.as_ref().map_or(0, |f| f.get(i).copied().unwrap_or(0));
    let changed: Vec<String> = difference
        .figures
        .iter()
        .enumerate()
        .filter(|(i, _)| figure(&difference.expected, *i) != figure(&difference.found, *i))
        .map(|(i, name)| {
            format!(
                "{name} is {} where the source says {}",
                figure(&difference.found, i),
                figure(&difference.expected, i)
            )
        })
        .collect();
    format!("{} [{}]: {}", difference.table, difference.key, changed.join("; "))
}

/// What a compaction pass folded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Compaction {
    /// Table-days folded (each in its own short write transaction).
    pub days: usize,
    /// Keys written to shard `0`.
    pub keys: usize,
}

/// Days looked up per query of a compaction pass.
const DAYS_PER_READ: i64 = 64;

/// Folds the shards of every day before yesterday (UTC) into one row per key (see
/// [`crate::store::totals::compact`]): the one-year dashboard and the brand's
/// statistics then add one row per key and day instead of up to sixteen. Each day of
/// each table is one short write unit, so checkout never waits long behind a pass.
pub async fn compact(db: &Db, now: DateTime<Utc>) -> Result<Compaction, StoreError> {
    let before = (now.date_naive() - chrono::Duration::days(1)).to_string();
    let mut done = Compaction::default();
    for table in compact::DAY_TABLES {
        let mut after = String::new();
        loop {
            let (from, to) = (after.clone(), before.clone());
            let days = db
                .read_latest(move |conn| Ok::<_, StoreError>(table.loose_days(conn, &from, &to, DAYS_PER_READ)?))
                .await?;
            let Some(last) = days.last().cloned() else {
                break;
            };
            for day in days {
                done.keys += db
                    .write(move |conn| Ok::<_, StoreError>(table.fold_day(conn, &day)?))
                    .await?;
                done.days += 1;
            }
            after = last;
        }
    }
    Ok(done)
}
