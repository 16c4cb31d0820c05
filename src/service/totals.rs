//! The running totals against the ledger: `reftrack verify` and `reftrack verify
//! --repair` (see [`crate::store::totals`]). Verifying reads every source table once in
//! one snapshot; repairing rewrites the total tables only, in one write transaction
//! that keeps other writers waiting until it commits (readers go on).

use chrono::{DateTime, Utc};

use crate::store::totals::{self, Difference};
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
