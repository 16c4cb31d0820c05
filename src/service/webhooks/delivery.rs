//! Deliveries of outbox events to the brands' webhook endpoints.
//!
//! The dispatcher ([`crate::service::events::dispatch`]) fans each new outbox event out
//! into one delivery per enabled endpoint that wants its type ([`fan_out`]); a pass then
//! makes the attempts that are due ([`attempt_due`]). An attempt
//! is taken with a lease, so with several instances on one database each attempt is made
//! by one of them, and an instance killed mid-attempt lets the delivery go when the lease
//! ends: delivery is at least once, with the same `webhook-id` every time. The order of
//! deliveries to one endpoint is not guaranteed.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::QueryResult;
use serde_json::Value;

use super::schedule::{self, Next};
use super::{EndpointError, signing_secrets};
use crate::auth::sealing::Sealer;
use crate::auth::standard_webhooks;
use crate::clock::Clock;
use crate::outbound::{Outbound, SendError};
use crate::service::auth::BrandActor;
use crate::service::events::attempts;
use crate::service::mail::{Postbox, compose};
use crate::service::paging::{PageRequest, Paged};
use crate::store::ids::{OutboxEventId, WebhookDeliveryId, WebhookEndpointId};
use crate::store::mail::MailKind;
use crate::store::outbox::{self, OutboxEventRow};
use crate::store::webhooks::{self, AttemptOutcome, DeliveryRow, DeliveryStatus, EndpointChanges, EndpointRow};
use crate::store::{Db, DbConn, StoreError, brands, time, users};

/// How long a worker holds a delivery: longer than a request may take.
const LEASE_SECS: i64 = 60;
/// Attempts made per pass at most.
const PASS_LIMIT: i64 = 100;
/// An endpoint that has not succeeded for this long is disabled.
const DISABLE_AFTER_DAYS: i64 = 5;

/// What sends deliveries: the HTTP client, the key that opens the secrets, the schedule,
/// the postbox that tells the brand's owner of an endpoint disabled, and the clock each
/// attempt reads when it claims and when it records the answer.
#[derive(Debug, Clone)]
pub struct Sender {
    pub outbound: Outbound,
    pub sealer: Sealer,
    pub schedule: Vec<u64>,
    pub postbox: Postbox,
    pub clock: Arc<dyn Clock>,
}

/// A delivery as its brand sees it.
#[derive(Debug, Clone)]
pub struct DeliveryInfo {
    pub id: WebhookDeliveryId,
    pub event_id: OutboxEventId,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_latency_ms: Option<i64>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<DeliveryRow> for DeliveryInfo {
    fn from(row: DeliveryRow) -> Self {
        Self {
            id: row.id,
            event_id: row.event_id,
            event_type: row.event_type,
            status: row.status,
            attempts: row.attempts,
            last_status: row.last_status,
            last_latency_ms: row.last_latency_ms,
            last_error: row.last_error,
            next_attempt_at: row.next_attempt_at.map(time::from_db),
            created_at: time::from_db(row.created_at),
        }
    }
}

/// Makes the attempts due at `now`; how many were made.
pub async fn attempt_due(db: &Db, sender: &Sender, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let at = time::to_db(now);
    let due = db
        .read_latest(move |conn| Ok::<_, StoreError>(webhooks::due_deliveries(conn, at, PASS_LIMIT)?))
        .await?;
    attempts::each(due, |id| async move { Ok(attempt(db, sender, id).await?.is_some()) }).await
}

/// One delivery of `event` per enabled endpoint that wants it and existed when it
/// happened, inside the dispatcher's transaction; a second dispatcher's inserts are
/// no-ops (one delivery per endpoint and event). How many were made.
pub fn fan_out(conn: &mut DbConn, event: &OutboxEventRow, now: NaiveDateTime) -> QueryResult<usize> {
    let mut made = 0;
    for endpoint in webhooks::enabled_endpoints(conn, event.brand_id)? {
        // An endpoint gets what happened since it was made, not the history before.
        if endpoint.wants(&event.event_type)
            && endpoint.created_at <= event.created_at
            && webhooks::insert_delivery(conn, &new_delivery(&endpoint, event, now))?
        {
            made += 1;
        }
    }
    Ok(made)
}

fn new_delivery(endpoint: &EndpointRow, event: &OutboxEventRow, now: NaiveDateTime) -> DeliveryRow {
    DeliveryRow {
        id: WebhookDeliveryId::generate(),
        endpoint_id: endpoint.id,
        brand_id: endpoint.brand_id,
        event_id: event.id,
        event_type: event.event_type.clone(),
        status: DeliveryStatus::Pending,
        attempts: 0,
        next_attempt_at: Some(now),
        locked_until: None,
        last_status: None,
        last_latency_ms: None,
        last_error: None,
        created_at: now,
        updated_at: now,
    }
}

/// Makes one attempt of a due delivery, if no other worker holds it.
pub async fn attempt(db: &Db, sender: &Sender, id: WebhookDeliveryId) -> Result<Option<DeliveryInfo>, StoreError> {
    let at = time::to_db(sender.clock.now());
    let until = at + Duration::seconds(LEASE_SECS);
    if !db
        .write(move |conn| Ok::<_, StoreError>(webhooks::claim_delivery(conn, id, at, until)?))
        .await?
    {
        return Ok(None);
    }
    let loaded = db
        .read_latest(move |conn| -> Result<_, StoreError> {
            let Some(delivery) = webhooks::get_delivery(conn, id)? else {
                return Ok(None);
            };
            let endpoint = webhooks::get_endpoint(conn, delivery.endpoint_id)?;
            let event = outbox::get(conn, delivery.event_id)?;
            Ok(Some((delivery, endpoint, event)))
        })
        .await?;
    let Some((delivery, Some(endpoint), Some(event))) = loaded else {
        return Ok(None);
    };
    let result = if endpoint.enabled {
        send(sender, &endpoint, &event, at).await
    } else {
        Err(SendError::Failed("the endpoint is disabled".to_owned()))
    };
    let (status, latency, retry_after, error) = match &result {
        Ok(answer) => (
            Some(answer.status),
            Some(answer.latency_ms),
            answer.retry_after_secs,
            None,
        ),
        Err(err) => (None, None, None, Some(err.to_string())),
    };
    // The outcome is dated when the answer came: a retry waits its delay from then.
    let at = time::to_db(sender.clock.now());
    // The claim counted this attempt already.
    let attempts = delivery.attempts;
    let next = if endpoint.enabled {
        schedule::next(&sender.schedule, attempts, status, retry_after)
    } else {
        Next::Failed
    };
    let outcome = AttemptOutcome {
        status: match next {
            Next::Succeeded => DeliveryStatus::Succeeded,
            Next::RetryIn(_) => DeliveryStatus::Pending,
            Next::Gone | Next::Failed => DeliveryStatus::Failed,
        },
        next_attempt_at: match next {
            Next::RetryIn(secs) => Some(at + Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 2))),
            _ => None,
        },
        locked_until: None,
        last_status: status.map(i32::from),
        last_latency_ms: latency,
        last_error: match (status, error) {
            (_, Some(error)) => Some(error),
            (Some(code), None) if !(200..300).contains(&code) => Some(format!("answered {code}")),
            _ => None,
        },
        updated_at: at,
    };
    let endpoint_changes = endpoint_after(&endpoint, next, at);
    let postbox = sender.postbox.clone();
    let row = db
        .write(move |conn| -> Result<_, StoreError> {
            webhooks::finish_attempt(conn, id, &outcome)?;
            if let Some(changes) = &endpoint_changes {
                webhooks::update_endpoint(conn, endpoint.id, changes)?;
                if let (Some(false), Some(Some(reason))) = (changes.enabled, &changes.disabled_reason) {
                    tell_owner(conn, &postbox, &endpoint, reason, at)?;
                }
            }
            Ok(webhooks::get_delivery(conn, id)?)
        })
        .await?;
    Ok(row.map(DeliveryInfo::from))
}

/// Writes the brand owner's notice of an endpoint reftrack disabled, in the attempt's
/// transaction.
fn tell_owner(
    conn: &mut DbConn,
    postbox: &Postbox,
    endpoint: &EndpointRow,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if !postbox.is_open() {
        return Ok(());
    }
    let (Some(owner), Some(brand)) = (
        users::owner_of(conn, endpoint.brand_id)?,
        brands::find(conn, endpoint.brand_id)?,
    ) else {
        return Ok(());
    };
    let letter = compose::endpoint_disabled(&owner.email, &brand.name, &endpoint.url, reason, postbox.public_url());
    postbox.post(conn, MailKind::EndpointDisabled, Some(brand.id), None, &letter, now)?;
    Ok(())
}

/// The endpoint's standing after an attempt: a success ends a failure streak; 410 or
/// five days without a success disable it.
fn endpoint_after(endpoint: &EndpointRow, next: Next, now: NaiveDateTime) -> Option<EndpointChanges> {
    let disable = |reason: &str| EndpointChanges {
        enabled: Some(false),
        disabled_reason: Some(Some(reason.to_owned())),
        updated_at: Some(now),
        ..EndpointChanges::default()
    };
    // A disabled endpoint's standing stays as the brand (or the rule) left it.
    if !endpoint.enabled {
        return None;
    }
    match next {
        Next::Succeeded => endpoint.failing_since.is_some().then(|| EndpointChanges {
            failing_since: Some(None),
            ..EndpointChanges::default()
        }),
        Next::Gone => Some(disable("the receiver answered 410 Gone")),
        Next::RetryIn(_) | Next::Failed => match endpoint.failing_since {
            None => Some(EndpointChanges {
                failing_since: Some(Some(now)),
                ..EndpointChanges::default()
            }),
            Some(since) if now - since >= Duration::days(DISABLE_AFTER_DAYS) => {
                Some(disable("no successful delivery for 5 days"))
            }
            Some(_) => None,
        },
    }
}

/// One signed request: `{"type", "timestamp", "data"}` with the Standard Webhooks headers.
async fn send(
    sender: &Sender,
    endpoint: &EndpointRow,
    event: &OutboxEventRow,
    now: NaiveDateTime,
) -> Result<crate::outbound::Answer, SendError> {
    let url = url::Url::parse(&endpoint.url).map_err(|_| SendError::Failed("the URL does not parse".to_owned()))?;
    let data: Value = serde_json::from_str(&event.data).unwrap_or(Value::Null);
    let body = serde_json::json!({
        "type": event.event_type,
        "timestamp": time::from_db(event.created_at),
        "data": data,
    })
    .to_string()
    .into_bytes();
    let id = event.id.to_string();
    let timestamp = time::from_db(now).timestamp();
    let secrets = signing_secrets(&sender.sealer, endpoint, now);
    if secrets.is_empty() {
        // Never send unsigned: the receiver would have to refuse it anyway.
        return Err(SendError::Failed(
            "the endpoint's secret does not open with this instance's key".to_owned(),
        ));
    }
    let headers = [
        ("webhook-id", id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        (
            "webhook-signature",
            standard_webhooks::header(&secrets, &id, timestamp, &body),
        ),
    ];
    sender.outbound.post_json(&url, &headers, body).await
}

/// The endpoint's deliveries, newest first.
pub async fn list(
    db: &Db,
    actor: &BrandActor,
    endpoint: WebhookEndpointId,
    page: PageRequest<WebhookDeliveryId>,
) -> Result<Paged<DeliveryInfo, WebhookDeliveryId>, EndpointError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    db.read(move |conn| {
        webhooks::find_endpoint(conn, brand, endpoint)?.ok_or(EndpointError::NotFound)?;
        let rows = webhooks::list_deliveries(conn, brand, endpoint, page.after, page.fetch())?;
        Ok(Paged::from_rows(rows, page.limit, |row| row.id).map(DeliveryInfo::from))
    })
    .await
}

/// Attempts one delivery again now, whatever it came to before; answers what it came to.
pub async fn retry(
    db: &Db,
    sender: &Sender,
    actor: &BrandActor,
    endpoint: WebhookEndpointId,
    id: WebhookDeliveryId,
    now: DateTime<Utc>,
) -> Result<DeliveryInfo, EndpointError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let at = time::to_db(now);
    let requeued = db
        .write(move |conn| -> Result<bool, EndpointError> {
            webhooks::find_endpoint(conn, brand, endpoint)?.ok_or(EndpointError::NotFound)?;
            webhooks::find_delivery(conn, brand, endpoint, id)?.ok_or(EndpointError::DeliveryNotFound)?;
            Ok(webhooks::requeue_delivery(conn, id, at)?)
        })
        .await?;
    // While another worker is making an attempt, that attempt is the retry.
    if requeued {
        attempt(db, sender, id).await?;
    }
    let row = db
        .read_latest(move |conn| -> Result<_, EndpointError> {
            Ok(webhooks::find_delivery(conn, brand, endpoint, id)?)
        })
        .await?;
    row.map(DeliveryInfo::from).ok_or(EndpointError::DeliveryNotFound)
}

/// A `webhook.test` event for this endpoint only, attempted now.
pub async fn send_test(
    db: &Db,
    sender: &Sender,
    actor: &BrandActor,
    endpoint: WebhookEndpointId,
    now: DateTime<Utc>,
) -> Result<DeliveryInfo, EndpointError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let at = time::to_db(now);
    let id = db
        .write(move |conn| -> Result<_, EndpointError> {
            let row = webhooks::find_endpoint(conn, brand, endpoint)?.ok_or(EndpointError::NotFound)?;
            let event = OutboxEventRow {
                id: OutboxEventId::generate(),
                brand_id: brand,
                event_type: "webhook.test".to_owned(),
                data: serde_json::json!({ "endpoint_id": endpoint }).to_string(),
                created_at: at,
                // Dispatched already: it goes to this endpoint and no other.
                dispatched_at: Some(at),
            };
            outbox::insert(conn, &event)?;
            let delivery = new_delivery(&row, &event, at);
            webhooks::insert_delivery(conn, &delivery)?;
            Ok(delivery.id)
        })
        .await?;
    attempt(db, sender, id).await?;
    let row = db
        .read_latest(move |conn| -> Result<_, EndpointError> {
            Ok(webhooks::find_delivery(conn, brand, endpoint, id)?)
        })
        .await?;
    row.map(DeliveryInfo::from).ok_or(EndpointError::DeliveryNotFound)
}
