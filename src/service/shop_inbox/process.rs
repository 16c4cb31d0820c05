//! The inbox worker's side: take a stored delivery, run it, record what became of it.
//!
//! A worker takes an event with a lease of [`LEASE_SECS`]; an instance killed mid-event
//! leaves the lease to run out, and the next pass takes the event again. Running an event
//! twice is harmless: recording an order, a refund or a cancellation is idempotent.

use chrono::{DateTime, Duration, Utc};

use super::apply;
use crate::auth::pepper::Pepper;
use crate::shops::{self, MappingError, ShopCommand};
use crate::store::ids::ShopEventId;
use crate::store::integrations::Platform;
use crate::store::schema::integrations;
use crate::store::shop_events::{self, EventStatus, Outcome, ShopEventRow};
use crate::store::{Db, StoreError, time};

/// How long a worker holds an event before another may take it.
pub const LEASE_SECS: i64 = 30;
/// How long raw bodies are kept.
pub const KEEP_BODIES_DAYS: i64 = 30;
/// Most events one pass takes.
const PASS_LIMIT: i64 = 100;

/// Processes one event if no other worker holds it, then the refunds that were waiting
/// for an order it recorded. `Ok(None)`: another worker holds it, or it is done.
pub async fn process_event(
    db: &Db,
    pepper: &Pepper,
    id: ShopEventId,
    now: DateTime<Utc>,
) -> Result<Option<Outcome>, StoreError> {
    let mut first = None;
    let mut queue = vec![id];
    while let Some(next) = queue.pop() {
        if let Some((outcome, woken)) = process_one(db, pepper, next, now).await? {
            first.get_or_insert(outcome);
            queue.extend(woken);
        }
    }
    Ok(first)
}

async fn process_one(
    db: &Db,
    pepper: &Pepper,
    id: ShopEventId,
    now: DateTime<Utc>,
) -> Result<Option<(Outcome, Vec<ShopEventId>)>, StoreError> {
    let at = time::to_db(now);
    let until = at + Duration::seconds(LEASE_SECS);
    if !db
        .write(move |conn| Ok::<_, StoreError>(shop_events::claim(conn, id, at, until)?))
        .await?
    {
        return Ok(None);
    }
    let found = db
        .read_latest(move |conn| -> Result<_, StoreError> {
            use diesel::prelude::*;
            let Some(event) = shop_events::get(conn, id)? else {
                return Ok(None);
            };
            let platform: Platform = integrations::table
                .find(event.integration_id)
                .select(integrations::platform)
                .first(conn)?;
            Ok(Some((event, platform)))
        })
        .await?;
    let Some((event, platform)) = found else {
        return Ok(None);
    };
    let (outcome, woken) = match commands_of(&event, platform) {
        Ok(commands) => apply::run(db, pepper, &event, commands, now).await?,
        Err(err) => (failed(err.to_string()), Vec::new()),
    };
    let finished = outcome.clone();
    db.write(move |conn| Ok::<_, StoreError>(shop_events::finish(conn, id, &finished, at)?))
        .await?;
    tracing::info!(event = %id, status = %outcome.status, order_id = ?outcome.order_id, "shop event processed");
    Ok(Some((outcome, woken)))
}

/// Processes the events waiting for a worker, oldest first, at most [`PASS_LIMIT`].
/// Returns how many it processed.
pub async fn process_due(db: &Db, pepper: &Pepper, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let at = time::to_db(now);
    let due = db
        .read_latest(move |conn| Ok::<_, StoreError>(shop_events::due(conn, at, PASS_LIMIT)?))
        .await?;
    let mut processed = 0;
    for id in due {
        if process_event(db, pepper, id, now).await?.is_some() {
            processed += 1;
        }
    }
    Ok(processed)
}

/// Drops raw bodies older than [`KEEP_BODIES_DAYS`]; the events themselves stay.
pub async fn prune(db: &Db, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let before = time::to_db(now - Duration::days(KEEP_BODIES_DAYS));
    db.write(move |conn| Ok::<_, StoreError>(shop_events::prune_bodies(conn, before)?))
        .await
}

/// Puts back in the queue the refunds that wait for an order recorded since (through
/// the JSON API, or while they were being processed); at most [`PASS_LIMIT`] looked at.
pub async fn requeue_resolved(db: &Db) -> Result<usize, StoreError> {
    db.write(move |conn| {
        let due = shop_events::waiting_for_recorded_orders(conn, PASS_LIMIT)?;
        for id in &due {
            shop_events::requeue(conn, *id)?;
        }
        Ok::<_, StoreError>(due.len())
    })
    .await
}

/// The platform's payload as commands: the mapping is pure and never sees the database.
fn commands_of(event: &ShopEventRow, platform: Platform) -> Result<Vec<ShopCommand>, MappingError> {
    let body = event
        .body
        .as_deref()
        .ok_or_else(|| MappingError::new("the body was pruned after 30 days; it cannot be processed again"))?
        .as_bytes();
    match platform {
        Platform::Shopify => shops::shopify::map(&event.topic, body).map(|command| vec![command]),
        Platform::Woocommerce => {
            let host = event
                .source
                .as_deref()
                .ok_or_else(|| MappingError::new("the delivery had no X-WC-Webhook-Source header naming the shop"))?;
            shops::woocommerce::map(&event.topic, host, body)
        }
        Platform::Stripe => shops::stripe::map(body).map(|command| vec![command]),
    }
}

pub(super) fn failed(detail: String) -> Outcome {
    Outcome {
        status: EventStatus::Failed,
        detail: Some(detail),
        order_id: None,
        waiting_for: None,
        gross_refunded: 0,
    }
}
