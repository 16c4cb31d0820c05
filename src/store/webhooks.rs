//! Webhook endpoints of a brand's systems, and their deliveries: one per endpoint and
//! outbox event, with its attempts. A worker takes a due delivery with a lease, so with
//! several instances one makes each attempt, and a worker killed mid-attempt lets the
//! delivery go when its lease ends (at least once).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::ids::{BrandId, OutboxEventId, WebhookDeliveryId, WebhookEndpointId, text_enum};
use super::schema::{webhook_deliveries, webhook_endpoints};
use super::{DbConn, is_unique_violation};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointRow {
    pub id: WebhookEndpointId,
    pub brand_id: BrandId,
    pub url: String,
    pub description: String,
    /// JSON array of event types; empty means all.
    pub event_types: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub secret_sealed: String,
    pub previous_secret_sealed: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
    pub failing_since: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

impl EndpointRow {
    /// The event types it asked for; empty means all.
    pub fn types(&self) -> Vec<String> {
        serde_json::from_str(&self.event_types).unwrap_or_default()
    }

    pub fn wants(&self, event_type: &str) -> bool {
        let types = self.types();
        types.is_empty() || types.iter().any(|t| t == event_type)
    }
}

/// What a `PATCH` or a worker changes on an endpoint; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<String>,
    pub enabled: Option<bool>,
    pub disabled_reason: Option<Option<String>>,
    pub secret_sealed: Option<String>,
    pub previous_secret_sealed: Option<Option<String>>,
    pub previous_secret_until: Option<Option<NaiveDateTime>>,
    pub failing_since: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert_endpoint(conn: &mut DbConn, row: &EndpointRow) -> QueryResult<()> {
    diesel::insert_into(webhook_endpoints::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The brand's live endpoints, oldest first.
pub fn list_endpoints(conn: &mut DbConn, brand: BrandId) -> QueryResult<Vec<EndpointRow>> {
    webhook_endpoints::table
        .filter(webhook_endpoints::brand_id.eq(brand))
        .filter(webhook_endpoints::deleted_at.is_null())
        .order(webhook_endpoints::id.asc())
        .select(EndpointRow::as_select())
        .load(conn)
}

pub fn count_endpoints(conn: &mut DbConn, brand: BrandId) -> QueryResult<i64> {
    webhook_endpoints::table
        .filter(webhook_endpoints::brand_id.eq(brand))
        .filter(webhook_endpoints::deleted_at.is_null())
        .count()
        .get_result(conn)
}

/// One live endpoint of this brand.
pub fn find_endpoint(conn: &mut DbConn, brand: BrandId, id: WebhookEndpointId) -> QueryResult<Option<EndpointRow>> {
    webhook_endpoints::table
        .find(id)
        .filter(webhook_endpoints::brand_id.eq(brand))
        .filter(webhook_endpoints::deleted_at.is_null())
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()
}

/// An endpoint by id alone, deleted or not (a worker holding one of its deliveries).
pub fn get_endpoint(conn: &mut DbConn, id: WebhookEndpointId) -> QueryResult<Option<EndpointRow>> {
    webhook_endpoints::table
        .find(id)
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()
}

pub fn update_endpoint(conn: &mut DbConn, id: WebhookEndpointId, changes: &EndpointChanges) -> QueryResult<()> {
    diesel::update(webhook_endpoints::table.find(id))
        .set(changes)
        .execute(conn)
        .map(drop)
}

/// Deletes a live endpoint of this brand; false when it has none by this id.
pub fn delete_endpoint(
    conn: &mut DbConn,
    brand: BrandId,
    id: WebhookEndpointId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        webhook_endpoints::table
            .find(id)
            .filter(webhook_endpoints::brand_id.eq(brand))
            .filter(webhook_endpoints::deleted_at.is_null()),
    )
    .set((
        webhook_endpoints::deleted_at.eq(now),
        webhook_endpoints::enabled.eq(false),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The brand's enabled endpoints, to fan an event out to.
pub fn enabled_endpoints(conn: &mut DbConn, brand: BrandId) -> QueryResult<Vec<EndpointRow>> {
    webhook_endpoints::table
        .filter(webhook_endpoints::brand_id.eq(brand))
        .filter(webhook_endpoints::deleted_at.is_null())
        .filter(webhook_endpoints::enabled.eq(true))
        .select(EndpointRow::as_select())
        .load(conn)
}

text_enum!(
    /// Where a delivery stands.
    DeliveryStatus { Pending => "pending", Succeeded => "succeeded", Failed => "failed" }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: WebhookDeliveryId,
    pub endpoint_id: WebhookEndpointId,
    pub brand_id: BrandId,
    pub event_id: OutboxEventId,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_status: Option<i32>,
    pub last_latency_ms: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Adds a delivery; one per endpoint and event, so a second dispatcher's insert is a no-op.
pub fn insert_delivery(conn: &mut DbConn, row: &DeliveryRow) -> QueryResult<bool> {
    match conn.transaction(|conn| diesel::insert_into(webhook_deliveries::table).values(row).execute(conn)) {
        Ok(_) => Ok(true),
        Err(err) if is_unique_violation(&err) => Ok(false),
        Err(err) => Err(err),
    }
}

/// Pending deliveries due by `now` whose lease (if any) has ended, oldest due first.
pub fn due_deliveries(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<WebhookDeliveryId>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::locked_until
                .is_null()
                .or(webhook_deliveries::locked_until.le(now)),
        )
        .order(webhook_deliveries::next_attempt_at.asc())
        .limit(limit)
        .select(webhook_deliveries::id)
        .load(conn)
}

/// Takes a due delivery for one attempt until `until`; false when another worker has it,
/// or has made an attempt since the delivery was listed as due (it is not due now).
pub fn claim_delivery(
    conn: &mut DbConn,
    id: WebhookDeliveryId,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
            .filter(webhook_deliveries::next_attempt_at.le(now))
            .filter(
                webhook_deliveries::locked_until
                    .is_null()
                    .or(webhook_deliveries::locked_until.le(now)),
            ),
    )
    .set((
        webhook_deliveries::locked_until.eq(until),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn get_delivery(conn: &mut DbConn, id: WebhookDeliveryId) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

/// What one attempt came to.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = webhook_deliveries, treat_none_as_null = true)]
pub struct AttemptOutcome {
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_status: Option<i32>,
    pub last_latency_ms: Option<i64>,
    pub last_error: Option<String>,
    pub updated_at: NaiveDateTime,
}

pub fn finish_attempt(conn: &mut DbConn, id: WebhookDeliveryId, outcome: &AttemptOutcome) -> QueryResult<()> {
    diesel::update(webhook_deliveries::table.find(id))
        .set(outcome)
        .execute(conn)
        .map(drop)
}

/// The endpoint's deliveries, newest first, `fetch` of them after `after`.
pub fn list_deliveries(
    conn: &mut DbConn,
    brand: BrandId,
    endpoint: WebhookEndpointId,
    after: Option<WebhookDeliveryId>,
    fetch: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::brand_id.eq(brand))
        .filter(webhook_deliveries::endpoint_id.eq(endpoint))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(webhook_deliveries::id.lt(after));
    }
    query
        .order(webhook_deliveries::id.desc())
        .limit(fetch)
        .select(DeliveryRow::as_select())
        .load(conn)
}

/// One delivery of this brand's endpoint.
pub fn find_delivery(
    conn: &mut DbConn,
    brand: BrandId,
    endpoint: WebhookEndpointId,
    id: WebhookDeliveryId,
) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .find(id)
        .filter(webhook_deliveries::brand_id.eq(brand))
        .filter(webhook_deliveries::endpoint_id.eq(endpoint))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

/// Makes a delivery due again now (a retry the brand asked for), whatever its status,
/// unless a worker holds it now; false then.
pub fn requeue_delivery(conn: &mut DbConn, id: WebhookDeliveryId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        webhook_deliveries::table.find(id).filter(
            webhook_deliveries::locked_until
                .is_null()
                .or(webhook_deliveries::locked_until.le(now)),
        ),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Pending),
        webhook_deliveries::next_attempt_at.eq(now),
        webhook_deliveries::locked_until.eq(None::<NaiveDateTime>),
        webhook_deliveries::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Deletes deliveries finished (succeeded or failed) before `before`; how many.
pub fn prune_deliveries(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::status.ne(DeliveryStatus::Pending))
            .filter(webhook_deliveries::updated_at.lt(before)),
    )
    .execute(conn)
}
