//! Brands: the tenants of reftrack.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::BrandId;
use super::schema::brands;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = brands)]
pub struct BrandRow {
    pub id: BrandId,
    pub name: String,
    pub slug: String,
    pub landing_url: String,
    pub currency: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = brands)]
pub struct NewBrand<'a> {
    pub id: BrandId,
    pub name: &'a str,
    pub slug: &'a str,
    pub landing_url: &'a str,
    pub currency: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = brands)]
pub struct BrandChanges<'a> {
    pub name: Option<&'a str>,
    pub landing_url: Option<&'a str>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, brand: &NewBrand<'_>) -> QueryResult<()> {
    diesel::insert_into(brands::table).values(brand).execute(conn).map(drop)
}

pub fn find(conn: &mut DbConn, id: BrandId) -> QueryResult<Option<BrandRow>> {
    brands::table
        .find(id)
        .select(BrandRow::as_select())
        .first(conn)
        .optional()
}

pub fn slug_exists(conn: &mut DbConn, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(brands::table.filter(brands::slug.eq(slug)))).get_result(conn)
}

pub fn update(conn: &mut DbConn, id: BrandId, changes: &BrandChanges<'_>) -> QueryResult<Option<BrandRow>> {
    diesel::update(brands::table.find(id)).set(changes).execute(conn)?;
    find(conn, id)
}

pub fn find_by_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<BrandRow>> {
    brands::table
        .filter(brands::slug.eq(slug))
        .select(BrandRow::as_select())
        .first(conn)
        .optional()
}
