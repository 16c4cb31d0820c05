//! Clicks on referral links, one row per visitor and code per 30-minute window.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, ClickId, CodeId, MembershipId};
use super::schema::clicks;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = clicks, treat_none_as_default_value = false)]
pub struct ClickRow {
    pub id: ClickId,
    pub brand_id: BrandId,
    pub code_id: CodeId,
    pub membership_id: MembershipId,
    pub ip_hash: String,
    pub ua_hash: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, row: &ClickRow) -> QueryResult<()> {
    diesel::insert_into(clicks::table).values(row).execute(conn).map(drop)
}

/// The newest click by this visitor on this code since `since`, if any.
pub fn find_recent(
    conn: &mut DbConn,
    code: CodeId,
    ip_hash: &str,
    ua_hash: &str,
    since: NaiveDateTime,
) -> QueryResult<Option<ClickId>> {
    clicks::table
        .filter(clicks::code_id.eq(code))
        .filter(clicks::ip_hash.eq(ip_hash))
        .filter(clicks::ua_hash.eq(ua_hash))
        .filter(clicks::created_at.gt(since))
        .order(clicks::created_at.desc())
        .select(clicks::id)
        .first(conn)
        .optional()
}

/// The brand's click with this id.
pub fn find(conn: &mut DbConn, brand: BrandId, id: ClickId) -> QueryResult<Option<ClickRow>> {
    clicks::table
        .find(id)
        .filter(clicks::brand_id.eq(brand))
        .select(ClickRow::as_select())
        .first(conn)
        .optional()
}

pub fn count_for_code(conn: &mut DbConn, code: CodeId) -> QueryResult<i64> {
    clicks::table.filter(clicks::code_id.eq(code)).count().get_result(conn)
}
