//! When webhooks go out: a pass every [`INTERVAL`] inside `serve` (new events fanned out
//! to the endpoints, due attempts made), and once for `reftrack jobs run-once`.

use std::time::Duration;

use crate::service::webhooks::delivery::{self, PassReport, Sender};
use crate::store::{Db, StoreError};

/// Time between passes: an event reaches its endpoints within about this long. An idle
/// pass is two indexed reads (nothing to fan out, nothing due), so it can be short.
pub const INTERVAL: Duration = Duration::from_millis(250);

/// Passes on an interval, forever. A failed pass is logged and retried on the next tick.
pub async fn run_every(db: Db, sender: Sender) {
    let mut ticks = actix_web::rt::time::interval(INTERVAL);
    loop {
        ticks.tick().await;
        match delivery::run_pass(&db, &sender, chrono::Utc::now()).await {
            Ok(report) if report.fanned_out + report.attempted > 0 => {
                tracing::info!(
                    fanned_out = report.fanned_out,
                    attempted = report.attempted,
                    "webhook pass"
                );
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = format!("{err:#}"), "webhook pass failed"),
        }
    }
}

/// One pass, now.
pub async fn run_once(db: &Db, sender: &Sender) -> Result<PassReport, StoreError> {
    delivery::run_pass(db, sender, chrono::Utc::now()).await
}
