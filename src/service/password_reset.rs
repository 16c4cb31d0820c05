//! Password resets for brand users and influencers: a random token, stored as SHA-256,
//! sent by e-mail, valid for an hour and once. A reset ends every session of the account
//! (each refresh-token family is revoked) and spends the account's other open tokens.
//!
//! Asking for a reset says nothing about whether the account exists: the door answers
//! before this work runs, and an unknown address (or a closed postbox) simply gets no
//! e-mail.

use chrono::{DateTime, Duration, Utc};

use super::mail::{Postbox, compose};
use super::sessions::login_email;
use crate::auth::password;
use crate::auth::secrets::{random_token, sha256_hex};
use crate::domain::{Email, Password};
use crate::store::ids::{BrandUserId, InfluencerId, PasswordResetId};
use crate::store::influencers::{self, InfluencerChanges};
use crate::store::mail::MailKind;
use crate::store::password_resets::{self, PasswordResetRow};
use crate::store::refresh_tokens::{self, AccountKind};
use crate::store::{Db, StoreError, UnitError, time, users, web_sessions};

/// How long a reset token works.
pub const RESET_TTL_MINUTES: i64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// Unknown, spent or expired: one answer for all three.
    #[error("the reset token is unknown, used or expired")]
    InvalidToken,
    #[error("could not hash the password")]
    Hash(#[from] password::HashError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ResetError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for ResetError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// Writes a reset token and its e-mail for the account with this address, when there is
/// one and mail is configured; otherwise does nothing.
pub async fn request(
    db: &Db,
    postbox: &Postbox,
    account: AccountKind,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if !postbox.is_open() {
        return Ok(());
    }
    let Ok(email) = Email::parse_lookup(&login_email(email)) else {
        return Ok(());
    };
    let token = random_token();
    let token_hash = sha256_hex(&token);
    let expires_at = now + Duration::minutes(RESET_TTL_MINUTES);
    let postbox = postbox.clone();
    db.write(move |conn| {
        let found = match account {
            AccountKind::Brand => users::find_by_email(conn, email.as_str())?.map(|u| (u.id.to_string(), u.email)),
            AccountKind::Influencer => {
                influencers::find_by_email(conn, email.as_str())?.map(|i| (i.id.to_string(), i.email))
            }
        };
        let Some((subject_id, address)) = found else {
            return Ok(());
        };
        let at = time::to_db(now);
        password_resets::insert(
            conn,
            &PasswordResetRow {
                id: PasswordResetId::generate(),
                account,
                subject_id,
                token_hash,
                created_at: at,
                expires_at: time::to_db(expires_at),
                used_at: None,
            },
        )?;
        let letter = compose::password_reset(&address, &token, expires_at, postbox.public_url());
        postbox.post(conn, MailKind::PasswordReset, None, None, &letter, at)?;
        Ok::<_, StoreError>(())
    })
    .await
}

/// Whether a reset token would set a password now (known, unspent, unexpired): the
/// portal asks before showing its form, so a stale link says so at once.
pub async fn is_usable(db: &Db, token: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let hash = sha256_hex(token);
    let at = time::to_db(now);
    db.read_latest(move |conn| {
        Ok(password_resets::find_by_hash(conn, &hash)?.is_some_and(|row| row.used_at.is_none() && row.expires_at > at))
    })
    .await
}

/// Sets a new password with a reset token: spends the token (and the account's other
/// open ones) and revokes every session of the account, in one transaction.
pub async fn confirm(db: &Db, token: &str, new_password: Password, now: DateTime<Utc>) -> Result<(), ResetError> {
    // A cheap look first, so a wrong token costs no password hashing.
    if !is_usable(db, token, now).await? {
        return Err(ResetError::InvalidToken);
    }
    let hash = sha256_hex(token);
    let at = time::to_db(now);
    let password_hash = crate::store::blocking(move || password::hash(new_password.expose())).await??;
    db.write(move |conn| {
        let row = password_resets::find_by_hash(conn, &hash)?.ok_or(ResetError::InvalidToken)?;
        if !password_resets::spend(conn, row.id, at)? {
            return Err(ResetError::InvalidToken);
        }
        let changed = match row.account {
            AccountKind::Brand => {
                let id: BrandUserId = row.subject_id.parse().map_err(|_| ResetError::InvalidToken)?;
                users::set_password(conn, id, &password_hash)?
            }
            AccountKind::Influencer => {
                let id: InfluencerId = row.subject_id.parse().map_err(|_| ResetError::InvalidToken)?;
                let changes = InfluencerChanges {
                    password_hash: Some(&password_hash),
                    updated_at: Some(at),
                    ..InfluencerChanges::default()
                };
                influencers::update(conn, id, &changes)?.is_some()
            }
        };
        if !changed {
            return Err(ResetError::InvalidToken);
        }
        password_resets::spend_all_of(conn, row.account, &row.subject_id, at)?;
        refresh_tokens::revoke_account(conn, row.account, &row.subject_id, at)?;
        web_sessions::revoke_account(conn, row.account, &row.subject_id, at)?;
        Ok(())
    })
    .await
}
