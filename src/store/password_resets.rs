//! Password-reset tokens: random, stored as SHA-256, single use, valid for an hour.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::PasswordResetId;
use super::refresh_tokens::AccountKind;
use super::schema::password_resets;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = password_resets)]
pub struct PasswordResetRow {
    pub id: PasswordResetId,
    pub account: AccountKind,
    pub subject_id: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, row: &PasswordResetRow) -> QueryResult<()> {
    diesel::insert_into(password_resets::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find_by_hash(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<PasswordResetRow>> {
    password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .select(PasswordResetRow::as_select())
        .first(conn)
        .optional()
}

/// Spends an unused, unexpired token; false when it was spent first or has expired.
pub fn spend(conn: &mut DbConn, id: PasswordResetId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        password_resets::table
            .find(id)
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(now)),
    )
    .set(password_resets::used_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Spends every other open token of the account: after a reset, an older link no longer works.
pub fn spend_all_of(
    conn: &mut DbConn,
    account: AccountKind,
    subject_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        password_resets::table
            .filter(password_resets::account.eq(account))
            .filter(password_resets::subject_id.eq(subject_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(now))
    .execute(conn)
}

/// Deletes tokens that expired before `before`.
pub fn prune(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(password_resets::table.filter(password_resets::expires_at.lt(before))).execute(conn)
}
