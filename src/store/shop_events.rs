//! The shop inbox: verified deliveries stored before they are answered, processed by a
//! worker after, and the aliases under which platforms name orders later.
//!
//! A worker takes an event with a lease (`locked_until`), so with several instances one
//! processes it, and an instance killed mid-event lets it go when the lease ends.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::ids::{BrandId, IntegrationId, ShopEventId, text_enum};
use super::schema::{shop_events, shop_order_aliases};
use super::{DbConn, is_unique_violation};

text_enum!(
    /// Where a delivery stands.
    EventStatus {
        Received => "received",
        Processed => "processed",
        Ignored => "ignored",
        WaitingForOrder => "waiting_for_order",
        Failed => "failed",
    }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = shop_events)]
pub struct ShopEventRow {
    pub id: ShopEventId,
    pub integration_id: IntegrationId,
    pub brand_id: BrandId,
    pub topic: String,
    pub dedupe_key: String,
    pub body: Option<String>,
    pub source: Option<String>,
    pub received_at: NaiveDateTime,
    pub status: EventStatus,
    pub detail: Option<String>,
    pub order_id: Option<String>,
    pub waiting_for: Option<String>,
    pub gross_refunded: i64,
    pub attempts: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub processed_at: Option<NaiveDateTime>,
}

/// What storing a delivery found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New(ShopEventId),
    /// The platform sent this delivery before; it was stored then.
    Duplicate(ShopEventId),
}

/// Stores a delivery once per (integration, dedupe key). The insert runs in a savepoint,
/// so a duplicate on PostgreSQL leaves the transaction usable.
pub fn insert_once(conn: &mut DbConn, row: &ShopEventRow) -> QueryResult<Stored> {
    let existing = |conn: &mut DbConn| {
        shop_events::table
            .filter(shop_events::integration_id.eq(row.integration_id))
            .filter(shop_events::dedupe_key.eq(&row.dedupe_key))
            .select(shop_events::id)
            .first::<ShopEventId>(conn)
            .optional()
    };
    if let Some(id) = existing(conn)? {
        return Ok(Stored::Duplicate(id));
    }
    match conn.transaction(|conn| diesel::insert_into(shop_events::table).values(row).execute(conn)) {
        Ok(_) => Ok(Stored::New(row.id)),
        Err(err) if is_unique_violation(&err) => existing(conn)?.map(Stored::Duplicate).ok_or(err),
        Err(err) => Err(err),
    }
}

/// One event of this brand's integration.
pub fn find(
    conn: &mut DbConn,
    brand: BrandId,
    integration: IntegrationId,
    id: ShopEventId,
) -> QueryResult<Option<ShopEventRow>> {
    shop_events::table
        .find(id)
        .filter(shop_events::brand_id.eq(brand))
        .filter(shop_events::integration_id.eq(integration))
        .select(ShopEventRow::as_select())
        .first(conn)
        .optional()
}

/// One event by id, for the worker.
pub fn get(conn: &mut DbConn, id: ShopEventId) -> QueryResult<Option<ShopEventRow>> {
    shop_events::table
        .find(id)
        .select(ShopEventRow::as_select())
        .first(conn)
        .optional()
}

/// The integration's events, newest first, `fetch` of them after `after`.
pub fn list(
    conn: &mut DbConn,
    brand: BrandId,
    integration: IntegrationId,
    after: Option<ShopEventId>,
    fetch: i64,
) -> QueryResult<Vec<ShopEventRow>> {
    let mut query = shop_events::table
        .filter(shop_events::brand_id.eq(brand))
        .filter(shop_events::integration_id.eq(integration))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(shop_events::id.lt(after));
    }
    query
        .order(shop_events::id.desc())
        .limit(fetch)
        .select(ShopEventRow::as_select())
        .load(conn)
}

/// Events waiting for a worker whose lease (if any) has ended, oldest first.
pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<ShopEventId>> {
    shop_events::table
        .filter(shop_events::status.eq(EventStatus::Received))
        .filter(
            shop_events::locked_until
                .is_null()
                .or(shop_events::locked_until.le(now)),
        )
        .order(shop_events::received_at.asc())
        .limit(limit)
        .select(shop_events::id)
        .load(conn)
}

/// Takes the event for a worker until `until`; false when it is processed, or another
/// worker holds it.
pub fn claim(conn: &mut DbConn, id: ShopEventId, now: NaiveDateTime, until: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        shop_events::table
            .find(id)
            .filter(shop_events::status.eq(EventStatus::Received))
            .filter(
                shop_events::locked_until
                    .is_null()
                    .or(shop_events::locked_until.le(now)),
            ),
    )
    .set((
        shop_events::locked_until.eq(until),
        shop_events::attempts.eq(shop_events::attempts + 1),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// What processing an event came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: EventStatus,
    pub detail: Option<String>,
    pub order_id: Option<String>,
    pub waiting_for: Option<String>,
    pub gross_refunded: i64,
}

/// Records the outcome and lets the event go.
pub fn finish(conn: &mut DbConn, id: ShopEventId, outcome: &Outcome, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(shop_events::table.find(id))
        .set((
            shop_events::status.eq(outcome.status),
            shop_events::detail.eq(&outcome.detail),
            shop_events::order_id.eq(&outcome.order_id),
            shop_events::waiting_for.eq(&outcome.waiting_for),
            shop_events::gross_refunded.eq(outcome.gross_refunded),
            shop_events::locked_until.eq(None::<NaiveDateTime>),
            shop_events::processed_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Puts an event back in the queue (a retry, or a refund whose order arrived).
pub fn requeue(conn: &mut DbConn, id: ShopEventId) -> QueryResult<()> {
    diesel::update(shop_events::table.find(id))
        .set((
            shop_events::status.eq(EventStatus::Received),
            shop_events::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(drop)
}

/// The brand's events waiting for an order known by one of `names`.
pub fn waiting_for(conn: &mut DbConn, brand: BrandId, names: &[String]) -> QueryResult<Vec<ShopEventId>> {
    shop_events::table
        .filter(shop_events::brand_id.eq(brand))
        .filter(shop_events::status.eq(EventStatus::WaitingForOrder))
        .filter(shop_events::waiting_for.eq_any(names))
        .select(shop_events::id)
        .load(conn)
}

/// Gross refunded so far by the brand's processed events on this order.
pub fn gross_refunded(conn: &mut DbConn, brand: BrandId, order_id: &str) -> QueryResult<i64> {
    let rows: Vec<i64> = shop_events::table
        .filter(shop_events::brand_id.eq(brand))
        .filter(shop_events::order_id.eq(order_id))
        .filter(shop_events::status.eq(EventStatus::Processed))
        .select(shop_events::gross_refunded)
        .load(conn)?;
    Ok(rows.into_iter().fold(0i64, i64::saturating_add))
}

/// Events waiting for an order that is now recorded (under its id or an alias): the
/// order came another way (the JSON API), or in a race with the event's own processing.
pub fn waiting_for_recorded_orders(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<ShopEventId>> {
    use super::schema::orders;
    let waiting: Vec<(ShopEventId, BrandId, Option<String>)> = shop_events::table
        .filter(shop_events::status.eq(EventStatus::WaitingForOrder))
        .order(shop_events::received_at.asc())
        .limit(limit)
        .select((shop_events::id, shop_events::brand_id, shop_events::waiting_for))
        .load(conn)?;
    let mut due = Vec::new();
    for (id, brand, name) in waiting {
        let Some(name) = name else { continue };
        let by_id = orders::table
            .filter(orders::brand_id.eq(brand))
            .filter(orders::order_id.eq(&name))
            .count()
            .get_result::<i64>(conn)?;
        if by_id > 0 || order_of_alias(conn, brand, &name)?.is_some() {
            due.push(id);
        }
    }
    Ok(due)
}

/// Drops the bodies of events received before `before`; returns how many.
pub fn prune_bodies(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        shop_events::table
            .filter(shop_events::received_at.lt(before))
            .filter(shop_events::body.is_not_null()),
    )
    .set(shop_events::body.eq(None::<String>))
    .execute(conn)
}

/// Remembers another name of an order; a name already known is left as it is.
pub fn add_alias(
    conn: &mut DbConn,
    brand: BrandId,
    alias: &str,
    order_id: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(shop_order_aliases::table)
            .values((
                shop_order_aliases::brand_id.eq(brand),
                shop_order_aliases::alias.eq(alias),
                shop_order_aliases::order_id.eq(order_id),
                shop_order_aliases::created_at.eq(now),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(()),
        Err(err) if is_unique_violation(&err) => Ok(()),
        Err(err) => Err(err),
    }
}

/// The order an alias names.
pub fn order_of_alias(conn: &mut DbConn, brand: BrandId, alias: &str) -> QueryResult<Option<String>> {
    shop_order_aliases::table
        .filter(shop_order_aliases::brand_id.eq(brand))
        .filter(shop_order_aliases::alias.eq(alias))
        .select(shop_order_aliases::order_id)
        .first(conn)
        .optional()
}
