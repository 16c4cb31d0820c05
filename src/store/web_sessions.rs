//! Sessions of the web portal: the cookie's SHA-256, whose account, the CSRF token of
//! its forms, and when it ends.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::WebSessionId;
use super::refresh_tokens::AccountKind;
use super::schema::web_sessions;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = web_sessions)]
pub struct WebSessionRow {
    pub id: WebSessionId,
    pub token_hash: String,
    pub account: AccountKind,
    pub subject_id: String,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConn, row: &WebSessionRow) -> QueryResult<()> {
    diesel::insert_into(web_sessions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The live session with this cookie hash (not revoked; its ends are the caller's to check).
pub fn find_live(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<WebSessionRow>> {
    web_sessions::table
        .filter(web_sessions::token_hash.eq(token_hash))
        .filter(web_sessions::revoked_at.is_null())
        .select(WebSessionRow::as_select())
        .first(conn)
        .optional()
}

pub fn touch(conn: &mut DbConn, id: WebSessionId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(web_sessions::table.find(id))
        .set(web_sessions::last_seen_at.eq(now))
        .execute(conn)
        .map(drop)
}

/// Ends the session with this cookie hash; false when there was none live.
pub fn revoke(conn: &mut DbConn, token_hash: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        web_sessions::table
            .filter(web_sessions::token_hash.eq(token_hash))
            .filter(web_sessions::revoked_at.is_null()),
    )
    .set(web_sessions::revoked_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Ends every session of an account (a password reset).
pub fn revoke_account(
    conn: &mut DbConn,
    account: AccountKind,
    subject_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        web_sessions::table
            .filter(web_sessions::account.eq(account))
            .filter(web_sessions::subject_id.eq(subject_id))
            .filter(web_sessions::revoked_at.is_null()),
    )
    .set(web_sessions::revoked_at.eq(now))
    .execute(conn)
}

/// Ends every session of an account but `keep` (a password change, made from `keep`).
pub fn revoke_others(
    conn: &mut DbConn,
    account: AccountKind,
    subject_id: &str,
    keep: WebSessionId,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        web_sessions::table
            .filter(web_sessions::account.eq(account))
            .filter(web_sessions::subject_id.eq(subject_id))
            .filter(web_sessions::id.ne(keep))
            .filter(web_sessions::revoked_at.is_null()),
    )
    .set(web_sessions::revoked_at.eq(now))
    .execute(conn)
}
