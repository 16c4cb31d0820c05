//! When the running totals are compacted: once an hour inside `serve` (the first pass
//! at start), and once for `reftrack jobs run-once`. What a pass does is the use case
//! [`crate::service::totals::compact`]; this module only schedules and reports it.

use std::time::Duration;

use crate::service::totals::{self, Compaction};
use crate::store::{Db, StoreError};

/// Time between passes: a day is folded within an hour of becoming "before yesterday".
pub const INTERVAL: Duration = Duration::from_secs(3600);

/// Passes on an interval, forever. A failed pass is logged and retried on the next tick;
/// a pass folds only what is still loose, so it can stop anywhere.
pub async fn run_every(db: Db) {
    let mut ticks = actix_web::rt::time::interval(INTERVAL);
    loop {
        ticks.tick().await;
        if let Err(err) = run_once(&db).await {
            tracing::error!(error = format!("{err:#}"), "totals compaction failed");
        }
    }
}

/// One pass, now.
pub async fn run_once(db: &Db) -> Result<Compaction, StoreError> {
    let done = totals::compact(db, chrono::Utc::now()).await?;
    if done.days > 0 {
        tracing::info!(days = done.days, keys = done.keys, "totals compacted");
    }
    Ok(done)
}
