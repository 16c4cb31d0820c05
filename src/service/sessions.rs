//! Sessions: refresh tokens issued at sign-up and login, rotated on every refresh.
//!
//! Each login starts a token family. Refreshing spends the presented token and issues
//! the next one in the same family. Presenting a spent token means it was copied:
//! the whole family is revoked, so both the thief and the owner must log in again
//! (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).

use chrono::{DateTime, Duration, Utc};
use diesel::QueryResult;

use crate::auth::secrets::{random_token, sha256_hex};
use crate::store::DbConn;
use crate::store::ids::{RefreshTokenId, TokenFamilyId};
use crate::store::refresh_tokens::{self, AccountKind, NewRefreshToken};
use crate::store::time;

pub const REFRESH_TOKEN_TTL_DAYS: i64 = 30;

/// Who a session belongs to.
#[derive(Debug, Clone)]
pub struct Subject {
    pub account: AccountKind,
    pub id: String,
}

/// Issues the first refresh token of a new family; returns the secret to hand out.
pub fn start(conn: &mut DbConn, subject: &Subject, now: DateTime<Utc>) -> QueryResult<String> {
    issue(conn, subject, TokenFamilyId::generate(), now)
}

fn issue(conn: &mut DbConn, subject: &Subject, family: TokenFamilyId, now: DateTime<Utc>) -> QueryResult<String> {
    let secret = random_token();
    let hash = sha256_hex(&secret);
    refresh_tokens::insert(
        conn,
        &NewRefreshToken {
            id: RefreshTokenId::generate(),
            family_id: family,
            account: subject.account,
            subject_id: &subject.id,
            token_hash: &hash,
            created_at: time::to_db(now),
            expires_at: time::to_db(now + Duration::days(REFRESH_TOKEN_TTL_DAYS)),
        },
    )?;
    Ok(secret)
}

#[derive(Debug)]
pub enum Rotation {
    /// The token was live: here is its successor.
    Rotated { subject: Subject, refresh_token: String },
    /// The token was already spent or revoked; its family is now revoked.
    Reused,
    /// Unknown or expired.
    Invalid,
}

pub fn rotate(conn: &mut DbConn, presented: &str, now: DateTime<Utc>) -> QueryResult<Rotation> {
    let Some(row) = refresh_tokens::find_by_hash(conn, &sha256_hex(presented))? else {
        return Ok(Rotation::Invalid);
    };
    let now_db = time::to_db(now);
    if refresh_tokens::spend(conn, row.id, now_db)? {
        let subject = Subject {
            account: row.account,
            id: row.subject_id,
        };
        let refresh_token = issue(conn, &subject, row.family_id, now)?;
        return Ok(Rotation::Rotated { subject, refresh_token });
    }
    if row.used_at.is_some() || row.revoked_at.is_some() {
        refresh_tokens::revoke_family(conn, row.family_id, now_db)?;
        return Ok(Rotation::Reused);
    }
    // Not spent, not revoked, yet not spendable: a concurrent rotation won the race
    // between our read and our update, which is reuse too.
    if row.expires_at > now_db {
        refresh_tokens::revoke_family(conn, row.family_id, now_db)?;
        return Ok(Rotation::Reused);
    }
    Ok(Rotation::Invalid)
}

/// Ends the session the token belongs to. Unknown tokens are ignored: logging out
/// twice is not an error.
pub fn end(conn: &mut DbConn, presented: &str, now: DateTime<Utc>) -> QueryResult<()> {
    if let Some(row) = refresh_tokens::find_by_hash(conn, &sha256_hex(presented))? {
        refresh_tokens::revoke_family(conn, row.family_id, time::to_db(now))?;
    }
    Ok(())
}
