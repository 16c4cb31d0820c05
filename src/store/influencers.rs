//! Influencer accounts: one login across every brand they work with.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::InfluencerId;
use super::schema::influencers;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = influencers)]
pub struct InfluencerRow {
    pub id: InfluencerId,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub payout_email: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// An e-mail for each sale attributed to them.
    pub notify_sales: bool,
    /// An e-mail for each payout a brand marks paid.
    pub notify_payouts: bool,
}

impl InfluencerRow {
    /// Where payouts go: the payout e-mail when set, else the login e-mail.
    pub fn effective_payout_email(&self) -> &str {
        self.payout_email.as_deref().unwrap_or(&self.email)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = influencers)]
pub struct NewInfluencer<'a> {
    pub id: InfluencerId,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub payout_email: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A change of the profile. `payout_email: Some(None)` clears it back to the login e-mail.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = influencers)]
pub struct InfluencerChanges<'a> {
    pub display_name: Option<&'a str>,
    pub payout_email: Option<Option<&'a str>>,
    pub password_hash: Option<&'a str>,
    pub notify_sales: Option<bool>,
    pub notify_payouts: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, influencer: &NewInfluencer<'_>) -> QueryResult<()> {
    diesel::insert_into(influencers::table)
        .values(influencer)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, id: InfluencerId) -> QueryResult<Option<InfluencerRow>> {
    influencers::table
        .find(id)
        .select(InfluencerRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<InfluencerRow>> {
    influencers::table
        .filter(influencers::email.eq(email))
        .select(InfluencerRow::as_select())
        .first(conn)
        .optional()
}

pub fn email_exists(conn: &mut DbConn, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        influencers::table.filter(influencers::email.eq(email)),
    ))
    .get_result(conn)
}

pub fn update(
    conn: &mut DbConn,
    id: InfluencerId,
    changes: &InfluencerChanges<'_>,
) -> QueryResult<Option<InfluencerRow>> {
    diesel::update(influencers::table.find(id)).set(changes).execute(conn)?;
    find(conn, id)
}
