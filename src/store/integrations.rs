//! Shop integrations: a brand's shop that sends its order webhooks to reftrack, with
//! its signing secret sealed (see `auth::sealing`). Deleted integrations keep their row
//! (their events name it) and answer nothing.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, IntegrationId, text_enum};
use super::schema::integrations;

text_enum!(
    /// The shop platform an integration receives from.
    Platform { Shopify => "shopify", Woocommerce => "woocommerce", Stripe => "stripe" }
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = integrations)]
pub struct IntegrationRow {
    pub id: IntegrationId,
    pub brand_id: BrandId,
    pub platform: Platform,
    pub name: String,
    /// `None` until the brand gives the shop's secret.
    pub secret_sealed: Option<String>,
    pub previous_secret_sealed: Option<String>,
    pub previous_secret_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, row: &IntegrationRow) -> QueryResult<()> {
    diesel::insert_into(integrations::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The brand's live integrations, oldest first.
pub fn list(conn: &mut DbConn, brand: BrandId) -> QueryResult<Vec<IntegrationRow>> {
    integrations::table
        .filter(integrations::brand_id.eq(brand))
        .filter(integrations::deleted_at.is_null())
        .order(integrations::id.asc())
        .select(IntegrationRow::as_select())
        .load(conn)
}

/// How many live integrations the brand has.
pub fn count(conn: &mut DbConn, brand: BrandId) -> QueryResult<i64> {
    integrations::table
        .filter(integrations::brand_id.eq(brand))
        .filter(integrations::deleted_at.is_null())
        .count()
        .get_result(conn)
}

/// One live integration of this brand.
pub fn find(conn: &mut DbConn, brand: BrandId, id: IntegrationId) -> QueryResult<Option<IntegrationRow>> {
    integrations::table
        .find(id)
        .filter(integrations::brand_id.eq(brand))
        .filter(integrations::deleted_at.is_null())
        .select(IntegrationRow::as_select())
        .first(conn)
        .optional()
}

/// One live integration by id alone: a delivery names only the integration.
pub fn find_live(conn: &mut DbConn, id: IntegrationId) -> QueryResult<Option<IntegrationRow>> {
    integrations::table
        .find(id)
        .filter(integrations::deleted_at.is_null())
        .select(IntegrationRow::as_select())
        .first(conn)
        .optional()
}

/// Renames an integration of this brand.
pub fn rename(conn: &mut DbConn, brand: BrandId, id: IntegrationId, name: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(integrations::table.find(id).filter(integrations::brand_id.eq(brand)))
        .set((integrations::name.eq(name), integrations::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

/// Replaces the secret; the one it replaces keeps verifying until `previous_until`.
pub fn rotate_secret(
    conn: &mut DbConn,
    brand: BrandId,
    id: IntegrationId,
    sealed: &str,
    previous_sealed: Option<&str>,
    previous_until: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(integrations::table.find(id).filter(integrations::brand_id.eq(brand)))
        .set((
            integrations::secret_sealed.eq(sealed),
            integrations::previous_secret_sealed.eq(previous_sealed),
            integrations::previous_secret_until.eq(previous_until),
            integrations::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Deletes a live integration of this brand; false when it has none by this id.
pub fn delete(conn: &mut DbConn, brand: BrandId, id: IntegrationId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        integrations::table
            .find(id)
            .filter(integrations::brand_id.eq(brand))
            .filter(integrations::deleted_at.is_null()),
    )
    .set(integrations::deleted_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}
