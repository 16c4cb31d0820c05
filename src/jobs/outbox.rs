//! Telling the brand's systems and people: inside `serve`, one loop fans new outbox
//! events out and makes the webhook attempts due, and another sends the e-mail due, each
//! every [`INTERVAL`] (two loops, so a slow SMTP server does not hold webhooks back; a
//! fan-out wakes the mail loop at once, so a notification does not wait a tick); once an
//! hour old history is pruned. `reftrack jobs run-once` makes one whole pass.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::service::events::dispatch::{self, Dispatcher, PassReport};
use crate::store::{Db, StoreError};

/// Time between passes: an event reaches its endpoints within about this long. An idle
/// pass is a few indexed reads (nothing to fan out, nothing due), so it can be short.
pub const INTERVAL: Duration = Duration::from_millis(250);
/// Passes between prunes: about an hour.
const PASSES_PER_PRUNE: u64 = 4 * 60 * 60;

/// Starts both loops on the current (actix) runtime.
pub fn spawn(db: Db, dispatcher: Dispatcher) {
    let wake = Arc::new(Notify::new());
    actix_web::rt::spawn(run_webhooks_every(db.clone(), dispatcher.clone(), wake.clone()));
    actix_web::rt::spawn(run_mail_every(db, dispatcher, wake));
}

/// Fan-out and webhook passes on an interval, forever, with an hourly prune. A failed
/// pass is logged and retried on the next tick.
async fn run_webhooks_every(db: Db, dispatcher: Dispatcher, wake_mail: Arc<Notify>) {
    let mut ticks = actix_web::rt::time::interval(INTERVAL);
    let mut passes: u64 = 0;
    loop {
        ticks.tick().await;
        let now = chrono::Utc::now();
        match dispatch::webhook_pass(&db, &dispatcher, now).await {
            Ok(report) if report.fanned_out + report.attempted > 0 => {
                if report.fanned_out > 0 {
                    wake_mail.notify_one();
                }
                tracing::info!(
                    fanned_out = report.fanned_out,
                    attempted = report.attempted,
                    "webhook pass"
                );
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = format!("{err:#}"), "webhook pass failed"),
        }
        if passes % PASSES_PER_PRUNE == 0 {
            match dispatch::prune(&db, now).await {
                Ok(pruned) => tracing::info!(
                    deliveries = pruned.deliveries,
                    events = pruned.events,
                    mail = pruned.mail,
                    resets = pruned.resets,
                    "pruned old events, deliveries, e-mails and reset tokens"
                ),
                Err(err) => tracing::error!(error = format!("{err:#}"), "prune failed"),
            }
        }
        passes = passes.wrapping_add(1);
    }
}

/// Mail passes on an interval (or when a fan-out wakes it), forever.
async fn run_mail_every(db: Db, dispatcher: Dispatcher, wake: Arc<Notify>) {
    let mut ticks = actix_web::rt::time::interval(INTERVAL);
    loop {
        let tick = ticks.tick();
        let woken = wake.notified();
        futures_util::future::select(Box::pin(tick), Box::pin(woken)).await;
        match dispatch::mail_pass(&db, &dispatcher, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(mailed) => tracing::info!(mailed, "mail pass"),
            Err(err) => tracing::error!(error = format!("{err:#}"), "mail pass failed"),
        }
    }
}

/// One whole pass, now.
pub async fn run_once(db: &Db, dispatcher: &Dispatcher) -> Result<PassReport, StoreError> {
    dispatch::run_pass(db, dispatcher, chrono::Utc::now()).await
}
