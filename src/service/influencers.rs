//! The signed-in influencer's own profile (`/v1/me`): read it, change the display name,
//! the payout e-mail or which notification e-mails they get, or change the password.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::auth::password;
use crate::domain::{DisplayName, Email, Password};
use crate::store::ids::{InfluencerId, WebSessionId};
use crate::store::influencers::{self, InfluencerChanges, InfluencerRow};
use crate::store::refresh_tokens::{self, AccountKind};
use crate::store::{Db, StoreError, UnitError, password_resets, time, web_sessions};

/// An influencer's profile, without the password hash.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: InfluencerId,
    pub email: String,
    pub display_name: String,
    /// Where payouts go: the payout e-mail when set, else the login e-mail.
    pub payout_email: String,
    pub notifications: Notifications,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Which notification e-mails an influencer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notifications {
    pub sales: bool,
    pub payouts: bool,
}

impl From<InfluencerRow> for Profile {
    fn from(row: InfluencerRow) -> Self {
        Self {
            id: row.id,
            payout_email: row.effective_payout_email().to_owned(),
            notifications: Notifications {
                sales: row.notify_sales,
                payouts: row.notify_payouts,
            },
            email: row.email,
            display_name: row.display_name,
            created_at: time::from_db(row.created_at),
            updated_at: time::from_db(row.updated_at),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The account of a still valid access token was deleted.
    #[error("the account no longer exists")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ProfileError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for ProfileError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// The caller's profile.
pub async fn get(db: &Db, influencer_id: InfluencerId) -> Result<Profile, ProfileError> {
    db.read(move |conn| {
        influencers::find(conn, influencer_id)?
            .map(Profile::from)
            .ok_or(ProfileError::NotFound)
    })
    .await
}

/// A PATCH of the profile: absent fields stay as they are; `payout_email: Some(None)`
/// goes back to paying out to the login e-mail.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub display_name: Option<DisplayName>,
    pub payout_email: Option<Option<Email>>,
    /// `None` keeps a switch as it is.
    pub notify_sales: Option<bool>,
    pub notify_payouts: Option<bool>,
}

pub async fn update(
    db: &Db,
    influencer_id: InfluencerId,
    update: ProfileUpdate,
    now: DateTime<Utc>,
) -> Result<Profile, ProfileError> {
    let now = time::to_db(now);
    db.write(move |conn| {
        let changes = InfluencerChanges {
            display_name: update.display_name.as_ref().map(DisplayName::as_str),
            payout_email: update.payout_email.as_ref().map(|e| e.as_ref().map(Email::as_str)),
            notify_sales: update.notify_sales,
            notify_payouts: update.notify_payouts,
            updated_at: Some(now),
            ..InfluencerChanges::default()
        };
        influencers::update(conn, influencer_id, &changes)?
            .map(Profile::from)
            .ok_or(ProfileError::NotFound)
    })
    .await
}

/// A password change, parsed at the door.
#[derive(Debug, Clone)]
pub struct PasswordChange {
    /// As typed: checked against the stored hash, never parsed (an old password may
    /// predate today's rules).
    pub current: String,
    pub new: Password,
    /// The portal session the change is made from: it stays signed in. `None` from the
    /// API, whose caller signs in again like every other device.
    pub keep_session: Option<WebSessionId>,
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    #[error("the current password is wrong")]
    WrongPassword,
    /// The door's budget of password attempts for this account is spent.
    #[error("too many password attempts")]
    TooManyAttempts(Duration),
    #[error("the account no longer exists")]
    NotFound,
    #[error(transparent)]
    Hash(#[from] password::HashError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for PasswordChangeError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

/// Changes the password after checking the current one, then ends every other session
/// of the account: each refresh token is revoked, each portal session but the one the
/// change is made from ends, and open reset codes are spent.
///
/// `attempts` is the door's login budget, spent with the account's login e-mail before
/// the argon2id check (`Err` holds the wait): a stolen session then guesses the
/// password no faster than the sign-in form would let it.
pub async fn change_password(
    db: &Db,
    influencer_id: InfluencerId,
    change: PasswordChange,
    attempts: impl FnOnce(&str) -> Result<(), Duration>,
    now: DateTime<Utc>,
) -> Result<(), PasswordChangeError> {
    let row = db
        .read_latest(move |conn| -> Result<_, PasswordChangeError> { Ok(influencers::find(conn, influencer_id)?) })
        .await?
        .ok_or(PasswordChangeError::NotFound)?;
    attempts(&row.email).map_err(PasswordChangeError::TooManyAttempts)?;
    let PasswordChange {
        current,
        new,
        keep_session,
    } = change;
    let checked = row.password_hash;
    let stored = checked.clone();
    let ok = crate::store::blocking(move || password::verify(&current, Some(&stored))).await?;
    if !ok {
        return Err(PasswordChangeError::WrongPassword);
    }
    let new_hash = crate::store::blocking(move || password::hash(new.expose())).await??;
    let at = time::to_db(now);
    db.write(move |conn| {
        // A change that landed between the check and now makes the checked password an
        // old one.
        let row = influencers::find(conn, influencer_id)?.ok_or(PasswordChangeError::NotFound)?;
        if row.password_hash != checked {
            return Err(PasswordChangeError::WrongPassword);
        }
        let changes = InfluencerChanges {
            password_hash: Some(&new_hash),
            updated_at: Some(at),
            ..InfluencerChanges::default()
        };
        influencers::update(conn, influencer_id, &changes)?;
        let subject = influencer_id.to_string();
        let account = AccountKind::Influencer;
        password_resets::spend_all_of(conn, account, &subject, at)?;
        refresh_tokens::revoke_account(conn, account, &subject, at)?;
        match keep_session {
            Some(keep) => web_sessions::revoke_others(conn, account, &subject, keep, at)?,
            None => web_sessions::revoke_account(conn, account, &subject, at)?,
        };
        Ok(())
    })
    .await
}
