//! When the shop inbox is worked: every [`INTERVAL`] inside `serve` (a delivery is
//! processed as it arrives; this pass picks up what that missed: an instance killed
//! mid-event, a retry left over, a refund whose order came later), and once for
//! `reftrack jobs run-once`. Once an hour (and in `run-once`) raw bodies past their 30
//! days are pruned, and refunds waiting for an order recorded since are put back.

use std::time::Duration;

use crate::auth::pepper::Pepper;
use crate::service::shop_inbox;
use crate::store::{Db, StoreError};

/// Time between passes: an event the request did not finish is processed within it
/// (after its lease of `shop_inbox::LEASE_SECS` when its worker died).
pub const INTERVAL: Duration = Duration::from_secs(2);
/// Passes between prunes (an hour).
const PRUNE_EVERY: u32 = 1800;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InboxReport {
    pub processed: usize,
    pub pruned: usize,
}

/// Passes on an interval, forever. A failed pass is logged and retried on the next tick.
pub async fn run_every(db: Db, pepper: Pepper) {
    let mut ticks = actix_web::rt::time::interval(INTERVAL);
    let mut count: u32 = 0;
    loop {
        ticks.tick().await;
        let prune = count % PRUNE_EVERY == 0;
        count = count.wrapping_add(1);
        match pass(&db, &pepper, prune).await {
            Ok(report) if report.processed + report.pruned > 0 => {
                tracing::info!(processed = report.processed, pruned = report.pruned, "shop inbox pass");
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = format!("{err:#}"), "shop inbox pass failed"),
        }
    }
}

/// One pass, now, with a prune.
pub async fn run_once(db: &Db, pepper: &Pepper) -> Result<InboxReport, StoreError> {
    pass(db, pepper, true).await
}

async fn pass(db: &Db, pepper: &Pepper, prune: bool) -> Result<InboxReport, StoreError> {
    let now = chrono::Utc::now();
    if prune {
        shop_inbox::requeue_resolved(db).await?;
    }
    let processed = shop_inbox::process_due(db, pepper, now).await?;
    let pruned = if prune { shop_inbox::prune(db, now).await? } else { 0 };
    Ok(InboxReport { processed, pruned })
}
