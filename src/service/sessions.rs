//! Sessions: log in, refresh, log out. A session is an access token (a 15-minute JWT)
//! beside a refresh token; both are issued at sign-up and login.
//!
//! Each login starts a refresh-token family. Refreshing spends the presented token and
//! issues the next one in the same family. Presenting a spent token means it was copied:
//! the whole family is revoked, so both the thief and the owner must log in again
//! (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).

use chrono::{DateTime, Duration, Utc};
use diesel::QueryResult;

use crate::auth::secrets::{random_token, sha256_hex};
use crate::auth::{JwtKeys, password};
use crate::domain::Email;
use crate::store::ids::{RefreshTokenId, TokenFamilyId};
use crate::store::refresh_tokens::{self, AccountKind, NewRefreshToken};
use crate::store::{Db, DbConn, StoreError, UnitError, influencers, time, users};

pub const REFRESH_TOKEN_TTL_DAYS: i64 = 30;

/// Who a session belongs to.
#[derive(Debug, Clone)]
pub struct Subject {
    pub account: AccountKind,
    pub id: String,
}

/// What a client keeps for a session.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Unknown e-mail or wrong password: one answer for both.
    #[error("e-mail or password is wrong")]
    InvalidCredentials,
    /// A spent refresh token came back; its whole family is now revoked.
    #[error("the refresh token was already used")]
    RefreshTokenReused,
    #[error("the refresh token is unknown or expired")]
    InvalidRefreshToken,
    #[error("could not sign the access token")]
    Token(#[from] jsonwebtoken::errors::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for SessionError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for SessionError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// A login attempt. `email` is as typed; it is trimmed and lower-cased here.
#[derive(Debug, Clone)]
pub struct Login {
    pub email: String,
    pub password: String,
    pub account: AccountKind,
}

/// The e-mail a login looks up: trimmed and lower-cased, as sign-up stores it. The
/// door keys its rate limit by the same form.
pub fn login_email(typed: &str) -> String {
    typed.trim().to_lowercase()
}

/// Checks the password and starts a session. A wrong password and an unknown e-mail
/// take the same time and give the same answer.
pub async fn login(db: &Db, keys: &JwtKeys, login: Login, now: DateTime<Utc>) -> Result<Tokens, SessionError> {
    let subject = authenticate(db, login).await?;
    let for_unit = subject.clone();
    let refresh = db
        .write(move |conn| -> Result<_, SessionError> { Ok(start(conn, &for_unit, now)?) })
        .await?;
    Ok(tokens(keys, &subject, refresh, now)?)
}

/// Who the e-mail and password name, checked with argon2id: the one check behind every
/// sign-in (the API's tokens, the web portal's session). A wrong password and an unknown
/// e-mail take the same time and give the same answer.
pub async fn authenticate(db: &Db, login: Login) -> Result<Subject, SessionError> {
    let Login {
        email,
        password: given,
        account,
    } = login;
    // An address that cannot be an account (PostgreSQL would even refuse one with a
    // NUL byte) is not looked up; it still costs one verification below. The lookup
    // form accepts invisible characters that sign-up now refuses, so accounts made
    // before that rule still sign in.
    let lookup = Email::parse_lookup(&login_email(&email)).ok();
    let found: Option<(String, String)> = db
        .read(move |conn| -> Result<_, SessionError> {
            let Some(email) = lookup else { return Ok(None) };
            let email = email.as_str();
            Ok(match account {
                AccountKind::Brand => users::find_by_email(conn, email)?.map(|u| (u.id.to_string(), u.password_hash)),
                AccountKind::Influencer => {
                    influencers::find_by_email(conn, email)?.map(|i| (i.id.to_string(), i.password_hash))
                }
            })
        })
        .await?;
    let (subject_id, stored) = match found {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let ok = crate::store::blocking(move || password::verify(&given, stored.as_deref())).await?;
    let (true, Some(id)) = (ok, subject_id) else {
        return Err(SessionError::InvalidCredentials);
    };
    Ok(Subject { account, id })
}

/// Spends the refresh token and returns a new pair. Presenting a spent token revokes
/// its whole family and answers [`SessionError::RefreshTokenReused`].
pub async fn refresh(db: &Db, keys: &JwtKeys, presented: String, now: DateTime<Utc>) -> Result<Tokens, SessionError> {
    // The revocation of a reused family must commit, so the unit returns the outcome
    // as a value and it becomes an error only after the transaction.
    let rotation = db
        .write(move |conn| -> Result<_, SessionError> { Ok(rotate(conn, &presented, now)?) })
        .await?;
    match rotation {
        Rotation::Rotated { subject, refresh_token } => Ok(tokens(keys, &subject, refresh_token, now)?),
        Rotation::Reused => Err(SessionError::RefreshTokenReused),
        Rotation::Invalid => Err(SessionError::InvalidRefreshToken),
    }
}

/// Ends the session the token belongs to (its whole family). Unknown tokens are
/// ignored: logging out twice is not an error.
pub async fn logout(db: &Db, presented: String, now: DateTime<Utc>) -> Result<(), SessionError> {
    db.write(move |conn| -> Result<_, SessionError> { Ok(end(conn, &presented, now)?) })
        .await
}

/// A fresh access token for `subject` beside its refresh token.
pub fn tokens(
    keys: &JwtKeys,
    subject: &Subject,
    refresh_token: String,
    now: DateTime<Utc>,
) -> Result<Tokens, jsonwebtoken::errors::Error> {
    let access = keys.issue(subject.account, &subject.id, now)?;
    Ok(Tokens {
        access_token: access.token,
        refresh_token,
        expires_in: access.expires_in,
    })
}

/// Issues the first refresh token of a new family, inside the caller's unit (sign-up
/// starts the session in the transaction that creates the account); returns the secret
/// to hand out.
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
enum Rotation {
    /// The token was live: here is its successor.
    Rotated { subject: Subject, refresh_token: String },
    /// The token was already spent or revoked; its family is now revoked.
    Reused,
    /// Unknown or expired.
    Invalid,
}

fn rotate(conn: &mut DbConn, presented: &str, now: DateTime<Utc>) -> QueryResult<Rotation> {
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

fn end(conn: &mut DbConn, presented: &str, now: DateTime<Utc>) -> QueryResult<()> {
    if let Some(row) = refresh_tokens::find_by_hash(conn, &sha256_hex(presented))? {
        refresh_tokens::revoke_family(conn, row.family_id, time::to_db(now))?;
    }
    Ok(())
}
