//! Refresh tokens: opaque, stored as SHA-256, rotated on every use. Tokens issued from
//! one login form a family; presenting a spent token revokes the whole family.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{RefreshTokenId, TokenFamilyId, text_enum};
use super::schema::refresh_tokens;

text_enum!(
    /// Which kind of account a token belongs to; also the JWT audience.
    AccountKind { Brand => "brand", Influencer => "influencer" }
);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: RefreshTokenId,
    pub family_id: TokenFamilyId,
    pub account: AccountKind,
    pub subject_id: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken<'a> {
    pub id: RefreshTokenId,
    pub family_id: TokenFamilyId,
    pub account: AccountKind,
    pub subject_id: &'a str,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, token: &NewRefreshToken<'_>) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(token)
        .execute(conn)
        .map(drop)
}

pub fn find_by_hash(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<RefreshTokenRow>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a live token as spent. Returns false when it was already spent, revoked or
/// expired. The condition sits in the UPDATE itself, so of two concurrent rotations of
/// one token exactly one wins on both backends, without a row lock.
pub fn spend(conn: &mut DbConn, id: RefreshTokenId, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null())
            .filter(refresh_tokens::expires_at.gt(now)),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Revokes every live token of the family; returns how many were revoked.
pub fn revoke_family(conn: &mut DbConn, family: TokenFamilyId, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
}

/// Revokes every live token of an account: all its sessions end (a password reset).
pub fn revoke_account(
    conn: &mut DbConn,
    account: AccountKind,
    subject_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::account.eq(account))
            .filter(refresh_tokens::subject_id.eq(subject_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
}
