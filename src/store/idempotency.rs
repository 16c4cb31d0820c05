//! Stored first answers of checkout requests, replayed on retries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::batch::Sink;
use super::ids::BrandId;
use super::schema::idempotency_keys;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys, treat_none_as_default_value = false)]
pub struct StoredResponse {
    pub brand_id: BrandId,
    pub key: String,
    pub request_hash: String,
    pub status: i32,
    pub body: String,
    pub created_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConn, brand: BrandId, key: &str) -> QueryResult<Option<StoredResponse>> {
    idempotency_keys::table
        .filter(idempotency_keys::brand_id.eq(brand))
        .filter(idempotency_keys::key.eq(key))
        .select(StoredResponse::as_select())
        .first(conn)
        .optional()
}

pub fn insert(sink: &mut impl Sink, row: &StoredResponse) -> QueryResult<()> {
    sink.insert(diesel::insert_into(idempotency_keys::table).values(row.clone()))
}

/// The first answer stored under `key` and whether the brand already has an order
/// `order_id`, in one statement: one round trip, and both seen at the same moment (an
/// order and its stored answer are committed together).
pub fn find_with_order(
    conn: &mut DbConn,
    brand: BrandId,
    key: &str,
    order_id: &str,
) -> QueryResult<(Option<StoredResponse>, bool)> {
    use super::schema::orders;
    let stored = || {
        idempotency_keys::table
            .filter(idempotency_keys::brand_id.eq(brand))
            .filter(idempotency_keys::key.eq(key))
    };
    let order_exists = diesel::dsl::exists(
        orders::table
            .filter(orders::brand_id.eq(brand))
            .filter(orders::order_id.eq(order_id)),
    );
    let (exists, request_hash, status, body, created_at) = diesel::select((
        order_exists,
        stored().select(idempotency_keys::request_hash).single_value(),
        stored().select(idempotency_keys::status).single_value(),
        stored().select(idempotency_keys::body).single_value(),
        stored().select(idempotency_keys::created_at).single_value(),
    ))
    .get_result::<(bool, Option<String>, Option<i32>, Option<String>, Option<NaiveDateTime>)>(conn)?;
    let stored = match (request_hash, status, body, created_at) {
        (Some(request_hash), Some(status), Some(body), Some(created_at)) => Some(StoredResponse {
            brand_id: brand,
            key: key.to_owned(),
            request_hash,
            status,
            body,
            created_at,
        }),
        _ => None,
    };
    Ok((stored, exists))
}
