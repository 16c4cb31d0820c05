//! Brand staff accounts. An e-mail address belongs to at most one brand, so a login
//! names exactly one tenant.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, BrandUserId, text_enum};
use super::schema::brand_users;

text_enum!(
    /// What a brand user may do; the sign-up creates the `owner`.
    BrandRole { Owner => "owner", Staff => "staff" }
);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = brand_users)]
pub struct BrandUserRow {
    pub id: BrandUserId,
    pub brand_id: BrandId,
    pub email: String,
    pub password_hash: String,
    pub role: BrandRole,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = brand_users)]
pub struct NewBrandUser<'a> {
    pub id: BrandUserId,
    pub brand_id: BrandId,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: BrandRole,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, user: &NewBrandUser<'_>) -> QueryResult<()> {
    diesel::insert_into(brand_users::table)
        .values(user)
        .execute(conn)
        .map(drop)
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<BrandUserRow>> {
    brand_users::table
        .filter(brand_users::email.eq(email))
        .select(BrandUserRow::as_select())
        .first(conn)
        .optional()
}

pub fn email_exists(conn: &mut DbConn, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        brand_users::table.filter(brand_users::email.eq(email)),
    ))
    .get_result(conn)
}

/// The user's brand and role, when the user still exists.
pub fn find_brand_of(conn: &mut DbConn, id: BrandUserId) -> QueryResult<Option<(BrandId, BrandRole)>> {
    brand_users::table
        .find(id)
        .select((brand_users::brand_id, brand_users::role))
        .first(conn)
        .optional()
}

/// Sets a brand user's password hash; false when the user no longer exists.
pub fn set_password(conn: &mut DbConn, id: BrandUserId, password_hash: &str) -> QueryResult<bool> {
    let changed = diesel::update(brand_users::table.find(id))
        .set(brand_users::password_hash.eq(password_hash))
        .execute(conn)?;
    Ok(changed == 1)
}

/// The brand's owner (the first owner, when there are several), to tell of what needs them.
pub fn owner_of(conn: &mut DbConn, brand: BrandId) -> QueryResult<Option<BrandUserRow>> {
    brand_users::table
        .filter(brand_users::brand_id.eq(brand))
        .filter(brand_users::role.eq(BrandRole::Owner))
        .order(brand_users::created_at.asc())
        .select(BrandUserRow::as_select())
        .first(conn)
        .optional()
}

/// A brand user's e-mail, while the user exists.
pub fn find_email(conn: &mut DbConn, id: BrandUserId) -> QueryResult<Option<String>> {
    brand_users::table
        .find(id)
        .select(brand_users::email)
        .first(conn)
        .optional()
}
