//! What a brand sees of its deliveries: each with its status, the reason when it was
//! ignored or failed, and the order it touched; and a retry of one. Both are for the
//! brand's owners, as the integrations themselves are.

use chrono::{DateTime, Utc};

use crate::auth::pepper::Pepper;
use crate::service::auth::BrandActor;
use crate::service::integrations::IntegrationError;
use crate::service::paging::{PageRequest, Paged};
use crate::store::ids::{IntegrationId, ShopEventId};
use crate::store::shop_events::{self, EventStatus, ShopEventRow};
use crate::store::{Db, integrations, time};

#[derive(Debug, Clone)]
pub struct EventInfo {
    pub id: ShopEventId,
    pub topic: String,
    pub status: EventStatus,
    /// Why it was ignored or failed, or what a refund waits for.
    pub detail: Option<String>,
    pub order_id: Option<String>,
    pub attempts: i32,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
    /// Whether the raw body is still kept (30 days), so a retry can run it.
    pub body_kept: bool,
}

impl From<ShopEventRow> for EventInfo {
    fn from(row: ShopEventRow) -> Self {
        Self {
            id: row.id,
            topic: row.topic,
            status: row.status,
            detail: row.detail,
            order_id: row.order_id,
            attempts: row.attempts,
            received_at: time::from_db(row.received_at),
            processed_at: row.processed_at.map(time::from_db),
            body_kept: row.body.is_some(),
        }
    }
}

/// The integration's deliveries, newest first.
pub async fn list_events(
    db: &Db,
    actor: &BrandActor,
    integration: IntegrationId,
    page: PageRequest<ShopEventId>,
) -> Result<Paged<EventInfo, ShopEventId>, IntegrationError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    db.read(move |conn| {
        if integrations::find(conn, brand, integration)?.is_none() {
            return Err(IntegrationError::NotFound);
        }
        let rows = shop_events::list(conn, brand, integration, page.after, page.fetch())?;
        Ok(Paged::from_rows(rows, page.limit, |row| row.id).map(EventInfo::from))
    })
    .await
}

#[derive(Debug, thiserror::Error)]
pub enum RetryError {
    #[error(transparent)]
    Integration(#[from] IntegrationError),
    /// No such event under this brand's integration.
    #[error("no such event")]
    NotFound,
    /// Its body was pruned; nothing is left to run.
    #[error("the event's body was pruned")]
    BodyPruned,
}

impl From<crate::store::StoreError> for RetryError {
    fn from(err: crate::store::StoreError) -> Self {
        Self::Integration(err.into())
    }
}

impl From<diesel::result::Error> for RetryError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Integration(err.into())
    }
}

impl crate::store::UnitError for RetryError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Integration(err) if err.is_conflict())
    }
}

/// Processes one event again, now, whatever it came to before, and answers what it came
/// to this time. Recording is idempotent, so retrying a processed event changes nothing.
pub async fn retry(
    db: &Db,
    pepper: &Pepper,
    actor: &BrandActor,
    integration: IntegrationId,
    id: ShopEventId,
    now: DateTime<Utc>,
) -> Result<EventInfo, RetryError> {
    actor.require_owner().map_err(IntegrationError::from)?;
    let brand = actor.brand_id;
    db.write(move |conn| {
        if integrations::find(conn, brand, integration)?.is_none() {
            return Err(RetryError::Integration(IntegrationError::NotFound));
        }
        let event = shop_events::find(conn, brand, integration, id)?.ok_or(RetryError::NotFound)?;
        if event.body.is_none() {
            return Err(RetryError::BodyPruned);
        }
        shop_events::requeue(conn, id)?;
        Ok(())
    })
    .await?;
    super::process_event(db, pepper, id, now).await?;
    let row = db
        .read_latest(move |conn| -> Result<_, RetryError> { Ok(shop_events::find(conn, brand, integration, id)?) })
        .await?
        .ok_or(RetryError::NotFound)?;
    Ok(row.into())
}
