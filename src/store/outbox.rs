//! The transactional outbox: events written in the transaction of the change they tell
//! of, read by the dispatcher afterwards.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::batch::Sink;
use super::ids::{BrandId, OutboxEventId};
use super::schema::{outbox_events, webhook_deliveries};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox_events, treat_none_as_default_value = false)]
pub struct OutboxEventRow {
    pub id: OutboxEventId,
    pub brand_id: BrandId,
    pub event_type: String,
    pub data: String,
    pub created_at: NaiveDateTime,
    pub dispatched_at: Option<NaiveDateTime>,
}

pub fn insert(sink: &mut impl Sink, row: &OutboxEventRow) -> QueryResult<()> {
    sink.insert(diesel::insert_into(outbox_events::table).values(row.clone()))
}

/// Events not fanned out yet, oldest first.
pub fn undispatched(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<OutboxEventRow>> {
    outbox_events::table
        .filter(outbox_events::dispatched_at.is_null())
        .order((outbox_events::created_at.asc(), outbox_events::id.asc()))
        .limit(limit)
        .select(OutboxEventRow::as_select())
        .load(conn)
}

/// Marks an event fanned out; false when another dispatcher did it first.
pub fn mark_dispatched(conn: &mut DbConn, id: OutboxEventId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        outbox_events::table
            .find(id)
            .filter(outbox_events::dispatched_at.is_null()),
    )
    .set(outbox_events::dispatched_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}

/// One event by id.
pub fn get(conn: &mut DbConn, id: OutboxEventId) -> QueryResult<Option<OutboxEventRow>> {
    outbox_events::table
        .find(id)
        .select(OutboxEventRow::as_select())
        .first(conn)
        .optional()
}

/// Deletes events dispatched before `before` that no delivery refers to any more; how many.
pub fn prune(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    let delivered = webhook_deliveries::table.select(webhook_deliveries::event_id);
    diesel::delete(
        outbox_events::table
            .filter(outbox_events::dispatched_at.lt(before))
            .filter(outbox_events::id.ne_all(delivered)),
    )
    .execute(conn)
}
