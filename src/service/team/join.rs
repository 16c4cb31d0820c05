//! Joining a brand's team with the token of an invitation e-mail: look at the offer
//! first (the console's join page shows "Join <brand> as staff"), then accept it with a
//! password, which creates the brand user with the invited role and signs them in, as a
//! brand sign-up does (API tokens, or a portal session for the console).
//!
//! The token is the invitee's proof of the address, so it is not bound to any session;
//! it works once, for [`super::INVITATION_TTL_DAYS`] days, and not after the brand
//! revoked it.

use chrono::{DateTime, Utc};

use super::Member;
use crate::auth::secrets::sha256_hex;
use crate::auth::{JwtKeys, password};
use crate::domain::Password;
use crate::domain::invitation::TeamInvitationStatus;
use crate::service::brands::Brand;
use crate::service::sessions::{self, Subject, Tokens};
use crate::service::web_sessions;
use crate::store::ids::BrandUserId;
use crate::store::refresh_tokens::AccountKind;
use crate::store::team::{self, TeamInvitationRow};
use crate::store::users::{self, BrandRole, NewBrandUser};
use crate::store::{Db, DbConn, StoreError, UnitError, brands, is_unique_violation, time};

#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    #[error("no invitation has this token")]
    UnknownToken,
    #[error("the invitation was accepted already")]
    Used,
    #[error("the invitation was revoked")]
    Revoked,
    #[error("the invitation has expired")]
    Expired,
    /// The address became a brand account since the invitation was sent (one e-mail is
    /// one brand account).
    #[error("the e-mail already belongs to a brand account")]
    EmailTaken,
    #[error(transparent)]
    Hash(#[from] password::HashError),
    #[error("could not sign the access token")]
    Token(#[from] jsonwebtoken::errors::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for JoinError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for JoinError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// What a pending invitation offers, for the page that asks for the password.
#[derive(Debug, Clone)]
pub struct JoinOffer {
    pub brand_name: String,
    pub email: String,
    pub role: BrandRole,
    pub expires_at: DateTime<Utc>,
}

/// The pending invitation with this token, without spending it; every other state is
/// its [`JoinError`].
pub async fn offer(db: &Db, token: &str, now: DateTime<Utc>) -> Result<JoinOffer, JoinError> {
    let hash = sha256_hex(token);
    let at = time::to_db(now);
    db.read_latest(move |conn| {
        let row = pending(conn, &hash, at)?;
        let brand_name = brands::find(conn, row.brand_id)?.map(|b| b.name).unwrap_or_default();
        Ok(JoinOffer {
            brand_name,
            email: row.email,
            role: row.role,
            expires_at: time::from_db(row.expires_at),
        })
    })
    .await
}

/// An acceptance, parsed at the door.
#[derive(Clone)]
pub struct Join {
    pub token: String,
    pub password: Password,
}

/// The token joins a team: it is never printed.
impl std::fmt::Debug for Join {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Join").finish_non_exhaustive()
    }
}

/// The new member, their brand, and their session.
#[derive(Debug, Clone)]
pub struct Joined {
    pub brand: Brand,
    pub member: Member,
    pub tokens: Tokens,
}

/// Accepts the invitation: creates the brand user (the invited address and role, the
/// password hashed with argon2id), spends the invitation and starts a session with API
/// tokens, in one transaction.
pub async fn accept(db: &Db, keys: &JwtKeys, join: Join, now: DateTime<Utc>) -> Result<Joined, JoinError> {
    let (brand, member, subject, refresh) = admit(db, join, now, move |conn, subject| {
        Ok(sessions::start(conn, subject, now)?)
    })
    .await?;
    Ok(Joined {
        brand,
        member,
        tokens: sessions::tokens(keys, &subject, refresh, now)?,
    })
}

/// The console's acceptance: the same account as [`accept`], signed in with a portal
/// session instead of API tokens.
pub async fn accept_on_web(db: &Db, join: Join, now: DateTime<Utc>) -> Result<web_sessions::Begun, JoinError> {
    let (.., begun) = admit(db, join, now, move |conn, subject| {
        Ok(web_sessions::begin(conn, subject.clone(), now)?)
    })
    .await?;
    Ok(begun)
}

/// The one way in for both doors: checks the token, hashes the password, then creates
/// the member and begins a session with `begin` in one transaction.
async fn admit<S: Send + 'static>(
    db: &Db,
    join: Join,
    now: DateTime<Utc>,
    begin: impl FnOnce(&mut DbConn, &Subject) -> Result<S, JoinError> + Send + 'static,
) -> Result<(Brand, Member, Subject, S), JoinError> {
    let Join { token, password } = join;
    let hash = sha256_hex(&token);
    let at = time::to_db(now);
    // A cheap look first, so a wrong or spent token costs no password hashing.
    let probe = hash.clone();
    db.read_latest(move |conn| pending(conn, &probe, at).map(drop)).await?;
    let password_hash = crate::store::blocking(move || password::hash(password.expose())).await??;
    db.write(move |conn| {
        let invitation = pending(conn, &hash, at)?;
        if users::email_exists(conn, &invitation.email)? {
            return Err(JoinError::EmailTaken);
        }
        if !team::mark_accepted(conn, invitation.id, at)? {
            // Taken by a concurrent acceptance between the read and this update.
            return Err(JoinError::Used);
        }
        let id = BrandUserId::generate();
        users::insert(
            conn,
            &NewBrandUser {
                id,
                brand_id: invitation.brand_id,
                email: &invitation.email,
                password_hash: &password_hash,
                role: invitation.role,
                created_at: at,
            },
        )
        .map_err(|err| {
            // The address became an account at the same moment (a sign-up, or another
            // brand's invitation accepted).
            if is_unique_violation(&err) {
                JoinError::EmailTaken
            } else {
                err.into()
            }
        })?;
        let brand = brands::find(conn, invitation.brand_id)?
            .ok_or_else(|| StoreError::Corrupt(format!("brand {} of an invitation is missing", invitation.brand_id)))?;
        let member = Member {
            id,
            email: invitation.email,
            role: invitation.role,
            created_at: time::from_db(at),
        };
        let subject = Subject {
            account: AccountKind::Brand,
            id: id.to_string(),
        };
        let session = begin(conn, &subject)?;
        Ok((Brand::from(brand), member, subject, session))
    })
    .await
}

/// The invitation with this token hash if it is pending at `at`; otherwise why not.
fn pending(conn: &mut DbConn, hash: &str, at: chrono::NaiveDateTime) -> Result<TeamInvitationRow, JoinError> {
    let row = team::find_invitation_by_hash(conn, hash)?.ok_or(JoinError::UnknownToken)?;
    match TeamInvitationStatus::of(row.accepted_at, row.revoked_at, row.expires_at, at) {
        TeamInvitationStatus::Pending => Ok(row),
        TeamInvitationStatus::Accepted => Err(JoinError::Used),
        TeamInvitationStatus::Revoked => Err(JoinError::Revoked),
        TeamInvitationStatus::Expired => Err(JoinError::Expired),
    }
}
