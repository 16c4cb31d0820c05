//! Sessions of the web portal. Signing in checks the password exactly as the API's login
//! does ([`sessions::authenticate`]); the browser keeps a random cookie, stored here as
//! SHA-256. A session ends when its owner signs out, when the account's password is
//! reset or changed (a change keeps the session it was made from), after [`IDLE_DAYS`]
//! without a request, and [`MAX_DAYS`] after it began.

use chrono::{DateTime, Duration, Utc};
use diesel::QueryResult;

use super::sessions::{self, Login, SessionError, Subject};
use crate::auth::secrets::{random_token, sha256_hex};
use crate::store::ids::WebSessionId;
use crate::store::refresh_tokens::AccountKind;
use crate::store::web_sessions::{self, WebSessionRow};
use crate::store::{Db, DbConn, StoreError, time};

/// Days without a request after which a session ends.
pub const IDLE_DAYS: i64 = 3;
/// Days after which a session ends however busy.
pub const MAX_DAYS: i64 = 30;
/// `last_seen_at` is written at most this often, so reading pages stays reading.
const TOUCH_EVERY_MINUTES: i64 = 5;

/// A session just begun: the cookie value (shown to the browser only) and when it ends.
#[derive(Debug, Clone)]
pub struct Begun {
    pub token: String,
    /// Whose session: the portal sends each kind of account to its own start page.
    pub account: AccountKind,
    pub expires_at: DateTime<Utc>,
}

/// A live session, as a request sees it.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub id: WebSessionId,
    pub subject: Subject,
    /// The token every state-changing form of this session carries.
    pub csrf_token: String,
}

/// Checks the e-mail and password and begins a session.
pub async fn sign_in(db: &Db, login: Login, now: DateTime<Utc>) -> Result<Begun, SessionError> {
    let subject = sessions::authenticate(db, login).await?;
    Ok(db
        .write(move |conn| Ok::<_, StoreError>(begin(conn, subject, now)?))
        .await?)
}

/// Begins a session of `subject` inside the caller's unit: the one way a portal session
/// starts, after a sign-in or with the account a sign-up creates.
pub fn begin(conn: &mut DbConn, subject: Subject, now: DateTime<Utc>) -> QueryResult<Begun> {
    let token = random_token();
    let account = subject.account;
    let at = time::to_db(now);
    let expires_at = now + Duration::days(MAX_DAYS);
    let row = WebSessionRow {
        id: WebSessionId::generate(),
        token_hash: sha256_hex(&token),
        account: subject.account,
        subject_id: subject.id,
        csrf_token: random_token(),
        created_at: at,
        last_seen_at: at,
        expires_at: time::to_db(expires_at),
        revoked_at: None,
    };
    web_sessions::insert(conn, &row)?;
    Ok(Begun {
        token,
        account,
        expires_at,
    })
}

/// The live session of a cookie, if any; its idle clock restarts.
pub async fn find(db: &Db, token: &str, now: DateTime<Utc>) -> Result<Option<WebSession>, StoreError> {
    let hash = sha256_hex(token);
    let at = time::to_db(now);
    let Some(row) = db
        .read_latest(move |conn| Ok::<_, StoreError>(web_sessions::find_live(conn, &hash)?))
        .await?
    else {
        return Ok(None);
    };
    if at >= row.expires_at || at - row.last_seen_at >= Duration::days(IDLE_DAYS) {
        return Ok(None);
    }
    if at - row.last_seen_at >= Duration::minutes(TOUCH_EVERY_MINUTES) {
        let id = row.id;
        db.write(move |conn| Ok::<_, StoreError>(web_sessions::touch(conn, id, at)?))
            .await?;
    }
    Ok(Some(WebSession {
        id: row.id,
        subject: Subject {
            account: row.account,
            id: row.subject_id,
        },
        csrf_token: row.csrf_token,
    }))
}

/// Ends the session of a cookie (sign-out); nothing when it had ended.
pub async fn sign_out(db: &Db, token: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let hash = sha256_hex(token);
    let at = time::to_db(now);
    db.write(move |conn| Ok::<_, StoreError>(web_sessions::revoke(conn, &hash, at)?))
        .await?;
    Ok(())
}
