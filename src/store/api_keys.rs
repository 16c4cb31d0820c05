//! Brand API keys for the checkout endpoints, stored as SHA-256 of the secret.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{ApiKeyId, BrandId};
use super::schema::api_keys;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    pub id: ApiKeyId,
    pub brand_id: BrandId,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey<'a> {
    pub id: ApiKeyId,
    pub brand_id: BrandId,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, key: &NewApiKey<'_>) -> QueryResult<()> {
    diesel::insert_into(api_keys::table).values(key).execute(conn).map(drop)
}

/// The brand's keys that are not revoked, oldest first.
pub fn list_active_for_brand(conn: &mut DbConn, brand: BrandId) -> QueryResult<Vec<ApiKeyRow>> {
    api_keys::table
        .filter(api_keys::brand_id.eq(brand))
        .filter(api_keys::revoked_at.is_null())
        .order(api_keys::id.asc())
        .select(ApiKeyRow::as_select())
        .load(conn)
}

/// One key of this brand, revoked or not.
pub fn find(conn: &mut DbConn, brand: BrandId, id: ApiKeyId) -> QueryResult<Option<ApiKeyRow>> {
    api_keys::table
        .find(id)
        .filter(api_keys::brand_id.eq(brand))
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()
}

/// The live key with this hash: one indexed read on the checkout hot path.
pub fn find_active_by_hash(conn: &mut DbConn, key_hash: &str) -> QueryResult<Option<ApiKeyRow>> {
    api_keys::table
        .filter(api_keys::key_hash.eq(key_hash))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()
}

/// Revokes a key of this brand. Returns false when the brand has no such live key, so
/// another brand's key id answers exactly like an unknown one.
pub fn revoke(conn: &mut DbConn, brand: BrandId, id: ApiKeyId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        api_keys::table
            .find(id)
            .filter(api_keys::brand_id.eq(brand))
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Records use, at most once per `min_gap` per key, so a busy checkout does not turn
/// every request into a write.
pub fn touch(conn: &mut DbConn, id: ApiKeyId, now: NaiveDateTime, stale_before: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        api_keys::table.find(id).filter(
            api_keys::last_used_at
                .is_null()
                .or(api_keys::last_used_at.lt(stale_before)),
        ),
    )
    .set(api_keys::last_used_at.eq(now))
    .execute(conn)
    .map(drop)
}
