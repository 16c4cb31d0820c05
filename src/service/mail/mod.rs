//! E-mail to people: invitations, password resets, sale and payout notifications to
//! influencers, and a word to the brand's owner when reftrack disables a webhook
//! endpoint.
//!
//! A message is composed when its cause happens and written to `mail_messages` in that
//! transaction (a use case's own message) or in the dispatcher's fan-out of an outbox
//! event (notifications), so it exists exactly when its cause committed. Workers send it
//! afterwards with leases and retries ([`delivery`]), as webhook deliveries are sent.
//! The message is kept sealed (a reset token is a secret) and emptied once sent.
//!
//! Without `REFTRACK_SMTP_URL` the [`Postbox`] is closed: nothing is written, nothing is
//! sent, and every answer of the API is what it was without e-mail.

pub mod compose;
pub mod delivery;
pub mod notify;
pub mod unsubscribe;

use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde::{Deserialize, Serialize};

use crate::auth::pepper::Pepper;
use crate::auth::sealing::Sealer;
use crate::store::DbConn;
use crate::store::ids::{BrandId, InfluencerId, MailMessageId};
use crate::store::mail::{self, MailKind, MailRow, MailStatus};

/// One message as it will be sent; sealed at rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letter {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The one-click unsubscribe address of a notification (RFC 8058).
    pub unsubscribe: Option<String>,
}

/// Where messages are written for sending: open when SMTP is configured.
#[derive(Clone)]
pub struct Postbox {
    sealer: Sealer,
    /// Signs unsubscribe links.
    pepper: Pepper,
    public_url: String,
    open: bool,
}

impl std::fmt::Debug for Postbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postbox")
            .field("public_url", &self.public_url)
            .field("open", &self.open)
            .finish_non_exhaustive()
    }
}

impl Postbox {
    /// `public_url` without a trailing slash; `open` when mail can be sent.
    pub fn new(sealer: Sealer, pepper: Pepper, public_url: &str, open: bool) -> Self {
        Self {
            sealer,
            pepper,
            public_url: public_url.trim_end_matches('/').to_owned(),
            open,
        }
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The base of links in messages (`REFTRACK_PUBLIC_URL`).
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The one-click unsubscribe address of `topic` for `influencer`.
    pub fn unsubscribe_url(&self, influencer: InfluencerId, topic: unsubscribe::Topic) -> String {
        format!(
            "{}/v1/notifications/unsubscribe?token={}",
            self.public_url,
            unsubscribe::token(&self.pepper, influencer, topic)
        )
    }

    /// Writes a message to send, inside the caller's transaction; nothing when the
    /// postbox is closed. `dedupe_key` makes a second write of the same message a no-op.
    pub fn post(
        &self,
        conn: &mut DbConn,
        kind: MailKind,
        brand: Option<BrandId>,
        dedupe_key: Option<String>,
        letter: &Letter,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        if !self.open {
            return Ok(false);
        }
        let id = MailMessageId::generate();
        // A letter is strings only: serialising cannot fail.
        let plain = serde_json::to_string(letter).unwrap_or_default();
        mail::insert(
            conn,
            &MailRow {
                id,
                kind,
                brand_id: brand,
                dedupe_key,
                message_sealed: self.sealer.seal(&plain, &id.to_string()),
                status: MailStatus::Pending,
                attempts: 0,
                next_attempt_at: Some(now),
                locked_until: None,
                last_error: None,
                created_at: now,
                updated_at: now,
            },
        )
    }

    /// The letter sealed in a row.
    pub fn open_letter(&self, row: &MailRow) -> Option<Letter> {
        let plain = self.sealer.open(&row.message_sealed, &row.id.to_string()).ok()?;
        serde_json::from_str(&plain).ok()
    }
}
