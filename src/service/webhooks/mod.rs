//! Webhooks to a brand's systems: its endpoints (a URL, the event types it wants, a
//! Standard Webhooks signing secret shown once), and the deliveries of outbox events to
//! them ([`delivery`]). Every use case a brand calls here is for the brand's owners: an
//! endpoint receives the brand's data, signed with a secret only it holds.

pub mod delivery;
pub mod schedule;

use chrono::{DateTime, Duration, Utc};

use super::auth::{BrandActor, ForbiddenRole};
use crate::auth::sealing::{Rotated, Sealer};
use crate::auth::standard_webhooks;
use crate::domain::text::{Lines, refuse_invisible};
use crate::domain::url::LandingUrl;
use crate::service::events::EventType;
use crate::store::ids::WebhookEndpointId;
use crate::store::webhooks::{self, EndpointChanges, EndpointRow};
use crate::store::{Db, StoreError, UnitError, portable, time};

/// Most live endpoints one brand may hold.
pub const MAX_ENDPOINTS_PER_BRAND: i64 = 20;
/// How long a replaced secret still signs deliveries (both signatures are sent).
pub const ROTATION_GRACE_HOURS: i64 = 24;

/// An endpoint as its brand sees it, without the secret.
#[derive(Debug, Clone)]
pub struct EndpointInfo {
    pub id: WebhookEndpointId,
    pub url: String,
    pub description: String,
    /// The event types it gets; empty means all.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why reftrack disabled it, when it did.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&EndpointRow> for EndpointInfo {
    fn from(row: &EndpointRow) -> Self {
        Self {
            id: row.id,
            url: row.url.clone(),
            description: row.description.clone(),
            events: row.types(),
            enabled: row.enabled,
            disabled_reason: row.disabled_reason.clone(),
            created_at: time::from_db(row.created_at),
            updated_at: time::from_db(row.updated_at),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("the brand holds {MAX_ENDPOINTS_PER_BRAND} webhook endpoints already")]
    TooMany,
    #[error("no such webhook endpoint")]
    NotFound,
    #[error("no such delivery")]
    DeliveryNotFound,
    #[error(transparent)]
    Forbidden(#[from] ForbiddenRole),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for EndpointError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for EndpointError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// Longest description of an endpoint, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 200;

/// An endpoint URL: absolute http(s), a host, no credentials (the landing-URL rules).
/// Where it points is checked when connecting, not here (see `outbound`).
pub fn parse_url(value: &str) -> Result<String, String> {
    LandingUrl::parse(value).map(|url| url.as_str().to_owned())
}

/// An endpoint's description: plain text on one line, trimmed, at most
/// [`MAX_DESCRIPTION_CHARS`]; empty is none.
pub fn parse_description(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.chars().count() > MAX_DESCRIPTION_CHARS || refuse_invisible(value, Lines::One).is_err() {
        return Err(format!(
            "must be at most {MAX_DESCRIPTION_CHARS} characters of plain text"
        ));
    }
    Ok(value.to_owned())
}

/// Event types, checked: every name must be one reftrack sends.
pub fn parse_event_types(names: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        if EventType::parse(name).is_none() {
            let known: Vec<&str> = EventType::ALL.iter().map(EventType::as_str).collect();
            return Err(format!("`{name}` is not an event type; one of {}", known.join(", ")));
        }
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    Ok(out)
}

pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub now: DateTime<Utc>,
}

/// An endpoint just made, with its secret, shown this once.
pub struct CreatedEndpoint {
    pub endpoint: EndpointInfo,
    pub secret: String,
}

pub async fn create(
    db: &Db,
    sealer: &Sealer,
    actor: &BrandActor,
    new: NewEndpoint,
) -> Result<CreatedEndpoint, EndpointError> {
    actor.require_owner()?;
    let id = WebhookEndpointId::generate();
    let secret = standard_webhooks::new_secret();
    let now = time::to_db(new.now);
    let row = EndpointRow {
        id,
        brand_id: actor.brand_id,
        url: new.url,
        description: new.description,
        event_types: serde_json::to_string(&new.events).unwrap_or_else(|_| "[]".to_owned()),
        enabled: true,
        disabled_reason: None,
        secret_sealed: sealer.seal(&secret, &id.to_string()),
        previous_secret_sealed: None,
        previous_secret_until: None,
        failing_since: None,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let stored = row.clone();
    db.write(move |conn| {
        portable::lock_brand(conn, stored.brand_id)?;
        if webhooks::count_endpoints(conn, stored.brand_id)? >= MAX_ENDPOINTS_PER_BRAND {
            return Err(EndpointError::TooMany);
        }
        webhooks::insert_endpoint(conn, &stored)?;
        Ok(())
    })
    .await?;
    Ok(CreatedEndpoint {
        endpoint: EndpointInfo::from(&row),
        secret,
    })
}

pub async fn list(db: &Db, actor: &BrandActor) -> Result<Vec<EndpointInfo>, EndpointError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    db.read(move |conn| -> Result<_, EndpointError> {
        Ok(webhooks::list_endpoints(conn, brand)?
            .iter()
            .map(EndpointInfo::from)
            .collect())
    })
    .await
}

pub async fn get(db: &Db, actor: &BrandActor, id: WebhookEndpointId) -> Result<EndpointInfo, EndpointError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    db.read(move |conn| {
        webhooks::find_endpoint(conn, brand, id)?
            .as_ref()
            .map(EndpointInfo::from)
            .ok_or(EndpointError::NotFound)
    })
    .await
}

/// What a `PATCH` changes; absent fields stay. Enabling an endpoint clears why it was
/// disabled and its failure streak.
#[derive(Debug, Default)]
pub struct EndpointUpdate {
    pub url: Option<String>,
    pub description: Option<String>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

pub async fn update(
    db: &Db,
    actor: &BrandActor,
    id: WebhookEndpointId,
    update: EndpointUpdate,
    now: DateTime<Utc>,
) -> Result<EndpointInfo, EndpointError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let now = time::to_db(now);
    db.write(move |conn| {
        webhooks::find_endpoint(conn, brand, id)?.ok_or(EndpointError::NotFound)?;
        let enabling = update.enabled == Some(true);
        let changes = EndpointChanges {
            url: update.url,
            description: update.description,
            event_types: update
                .events
                .map(|events| serde_json::to_string(&events).unwrap_or_else(|_| "[]".to_owned())),
            enabled: update.enabled,
            disabled_reason: enabling.then_some(None),
            failing_since: enabling.then_some(None),
            updated_at: Some(now),
            ..EndpointChanges::default()
        };
        webhooks::update_endpoint(conn, id, &changes)?;
        let row = webhooks::find_endpoint(conn, brand, id)?.ok_or(EndpointError::NotFound)?;
        Ok(EndpointInfo::from(&row))
    })
    .await
}

pub async fn delete(
    db: &Db,
    actor: &BrandActor,
    id: WebhookEndpointId,
    now: DateTime<Utc>,
) -> Result<(), EndpointError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let now = time::to_db(now);
    let deleted = db
        .write(move |conn| -> Result<_, EndpointError> { Ok(webhooks::delete_endpoint(conn, brand, id, now)?) })
        .await?;
    if deleted { Ok(()) } else { Err(EndpointError::NotFound) }
}

/// A new secret; the old one keeps signing (a second signature) for
/// [`ROTATION_GRACE_HOURS`]. Returns the endpoint and the new secret, shown this once.
pub async fn rotate_secret(
    db: &Db,
    sealer: &Sealer,
    actor: &BrandActor,
    id: WebhookEndpointId,
    now: DateTime<Utc>,
) -> Result<CreatedEndpoint, EndpointError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let secret = standard_webhooks::new_secret();
    let sealed = sealer.seal(&secret, &id.to_string());
    let now = time::to_db(now);
    let row = db
        .write(move |conn| {
            let row = webhooks::find_endpoint(conn, brand, id)?.ok_or(EndpointError::NotFound)?;
            let changes = EndpointChanges {
                secret_sealed: Some(sealed),
                previous_secret_sealed: Some(Some(row.secret_sealed.clone())),
                previous_secret_until: Some(Some(now + Duration::hours(ROTATION_GRACE_HOURS))),
                updated_at: Some(now),
                ..EndpointChanges::default()
            };
            webhooks::update_endpoint(conn, id, &changes)?;
            webhooks::find_endpoint(conn, brand, id)?.ok_or(EndpointError::NotFound)
        })
        .await?;
    Ok(CreatedEndpoint {
        endpoint: EndpointInfo::from(&row),
        secret,
    })
}

/// The secrets that sign a delivery to `row` at `now`, the newest first.
pub fn signing_secrets(sealer: &Sealer, row: &EndpointRow, now: chrono::NaiveDateTime) -> Vec<String> {
    let bound_to = row.id.to_string();
    let sealed = Rotated {
        bound_to: &bound_to,
        current: Some(&row.secret_sealed),
        previous: row.previous_secret_sealed.as_deref(),
        previous_until: row.previous_secret_until,
    };
    sealer.in_force(sealed, now)
}
