//! The dispatcher: fans each new outbox event out, in one transaction, into a delivery
//! per webhook endpoint that wants it and the notification e-mails it calls for, and
//! marks it dispatched. A second dispatcher (another instance) finds the deliveries and
//! messages made (each unique per event and recipient) and the event marked.
//!
//! Old history is pruned: finished webhook deliveries and dispatched events after
//! [`KEEP_DELIVERIES_DAYS`], finished e-mails after [`KEEP_MAIL_DAYS`] (a sent message's
//! text is emptied at once), expired reset tokens after a day.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use crate::service::mail::delivery::{self as mail_delivery, Mailer};
use crate::service::mail::{Postbox, notify};
use crate::service::webhooks::delivery::{self, Sender};
use crate::store::outbox;
use crate::store::{Db, DbConn, StoreError, mail, password_resets, time, webhooks};

/// Events fanned out per pass at most.
const PASS_LIMIT: i64 = 100;
/// How long a brand can look back at its webhook deliveries.
pub const KEEP_DELIVERIES_DAYS: i64 = 30;
/// How long a finished e-mail's record (kind, status, attempts, last error) is kept.
pub const KEEP_MAIL_DAYS: i64 = 7;

/// Everything that tells: the webhook sender and the mailer, each with the postbox.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    pub webhooks: Sender,
    pub mailer: Mailer,
}

impl Dispatcher {
    pub fn postbox(&self) -> &Postbox {
        &self.mailer.postbox
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Outbox events fanned out.
    pub fanned_out: usize,
    /// Webhook delivery attempts made.
    pub attempted: usize,
    /// E-mail attempts made.
    pub mailed: usize,
}

/// The webhook side of a pass: fans new events out, then makes the webhook attempts due.
/// `serve` runs it every 250 ms, and the mail side ([`mail_pass`]) beside it, so a slow
/// SMTP server does not hold webhooks back.
pub async fn webhook_pass(db: &Db, dispatcher: &Dispatcher, now: DateTime<Utc>) -> Result<PassReport, StoreError> {
    let fanned_out = fan_out(db, dispatcher.postbox(), now).await?;
    let attempted = delivery::attempt_due(db, &dispatcher.webhooks, now).await?;
    Ok(PassReport {
        fanned_out,
        attempted,
        mailed: 0,
    })
}

/// The mail side of a pass: the e-mail attempts due.
pub async fn mail_pass(db: &Db, dispatcher: &Dispatcher, now: DateTime<Utc>) -> Result<usize, StoreError> {
    mail_delivery::run_pass(db, &dispatcher.mailer, now).await
}

/// A whole pass, one side after the other (`reftrack jobs run-once`, tests).
pub async fn run_pass(db: &Db, dispatcher: &Dispatcher, now: DateTime<Utc>) -> Result<PassReport, StoreError> {
    let report = webhook_pass(db, dispatcher, now).await?;
    Ok(PassReport {
        mailed: mail_pass(db, dispatcher, now).await?,
        ..report
    })
}

/// Fans out the events waiting, if any; how many. An idle call only reads.
pub async fn fan_out(db: &Db, postbox: &Postbox, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let at = time::to_db(now);
    let waiting = db
        .read_latest(|conn| Ok::<_, StoreError>(!outbox::undispatched(conn, 1)?.is_empty()))
        .await?;
    if !waiting {
        return Ok(0);
    }
    let postbox = postbox.clone();
    db.write(move |conn| fan_out_in(conn, &postbox, at)).await
}

fn fan_out_in(conn: &mut DbConn, postbox: &Postbox, now: NaiveDateTime) -> Result<usize, StoreError> {
    let events = outbox::undispatched(conn, PASS_LIMIT)?;
    for event in &events {
        delivery::fan_out(conn, event, now)?;
        notify::fan_out(conn, postbox, event, now)?;
        outbox::mark_dispatched(conn, event.id, now)?;
    }
    Ok(events.len())
}

/// What a prune removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub deliveries: usize,
    pub events: usize,
    pub mail: usize,
    pub resets: usize,
}

/// Deletes the history past its keeping time.
pub async fn prune(db: &Db, now: DateTime<Utc>) -> Result<Pruned, StoreError> {
    let at = time::to_db(now);
    db.write(move |conn| {
        let before = at - Duration::days(KEEP_DELIVERIES_DAYS);
        let deliveries = webhooks::prune_deliveries(conn, before)?;
        let events = outbox::prune(conn, before)?;
        let mail = mail::prune(conn, at - Duration::days(KEEP_MAIL_DAYS))?;
        let resets = password_resets::prune(conn, at - Duration::days(1))?;
        Ok::<_, StoreError>(Pruned {
            deliveries,
            events,
            mail,
            resets,
        })
    })
    .await
}
