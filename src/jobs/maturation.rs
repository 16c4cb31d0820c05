//! When the maturation pass runs: on an interval inside `serve`, and once for
//! `reftrack jobs run-once`. What a pass does is the use case
//! [`crate::service::maturation::run_pass`]; this module only schedules it, times it
//! and reports it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::metrics::Metrics;
use crate::service::maturation::{self, PassReport};
use crate::store::{Db, StoreError};

/// The pass on an interval. A failed pass is logged and retried on the next tick;
/// passes are idempotent.
pub async fn run_every(db: Db, metrics: Arc<Metrics>, every: Duration) {
    let mut ticks = actix_web::rt::time::interval(every);
    loop {
        ticks.tick().await;
        let started = Instant::now();
        match metrics.timed_pass(maturation::run_pass(&db, chrono::Utc::now())).await {
            Ok(report) => {
                metrics.count_job_failures(report.failures);
                tracing::info!(
                    approved = report.approved,
                    rewards_granted = report.rewards_granted,
                    skipped_memberships = report.failures,
                    millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                    "maturation pass"
                );
            }
            Err(err) => tracing::error!(error = format!("{err:#}"), "maturation pass failed"),
        }
    }
}

/// One pass, now.
pub async fn run_once(db: &Db) -> Result<PassReport, StoreError> {
    let report = maturation::run_pass(db, chrono::Utc::now()).await?;
    tracing::info!(
        approved = report.approved,
        rewards_granted = report.rewards_granted,
        skipped_memberships = report.failures,
        "maturation pass"
    );
    Ok(report)
}
