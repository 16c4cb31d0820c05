//! Stored first answers of checkout requests, replayed on retries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::BrandId;
use super::schema::idempotency_keys;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
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

pub fn insert(conn: &mut DbConn, row: &StoredResponse) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values(row)
        .execute(conn)
        .map(drop)
}
