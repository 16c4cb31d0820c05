//! Sending the messages in `mail_messages` over SMTP. A pass takes the due messages one
//! by one with a lease, as webhook deliveries are taken: with several instances on one
//! database each attempt is made by one of them, and an instance killed mid-attempt
//! lets the message go when its lease ends (at least once). A permanent SMTP refusal
//! (5xx) fails the message at once; anything else is retried on the schedule.
//!
//! Nothing here logs an address: errors are logged with the message id, and an SMTP
//! answer is stored with every word holding an `@` blanked.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Letter, Postbox};
use crate::clock::Clock;
use crate::service::events::attempts;
use crate::store::ids::MailMessageId;
use crate::store::mail::{self, MailOutcome, MailStatus};
use crate::store::{Db, StoreError, time};

/// How long a worker holds a message: longer than an SMTP exchange may take.
const LEASE_SECS: i64 = 120;
/// Messages attempted per pass at most.
const PASS_LIMIT: i64 = 100;
/// The default delays before each retry of a message, in seconds: 1 min, 5 min, 30 min,
/// 2 h, 6 h (`REFTRACK_MAIL_RETRY_SCHEDULE` replaces it).
pub const DEFAULT_RETRY_SCHEDULE: [u64; 5] = [60, 300, 1800, 7200, 21_600];
/// Connecting longer than this fails the attempt (lettre's own timeout).
const SMTP_TIMEOUT_SECS: u64 = 30;
/// A whole SMTP exchange longer than this fails the attempt (a server that accepts the
/// connection and then stops answering); well within the lease.
const SEND_TIMEOUT_SECS: u64 = 60;

/// What sends mail: the postbox it reads, the SMTP transport and sender, the schedule.
#[derive(Clone)]
pub struct Mailer {
    pub postbox: Postbox,
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    schedule: Vec<u64>,
    /// Read by each attempt when it claims its message and when the server answers.
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("postbox", &self.postbox)
            .field("smtp", &self.smtp.is_some())
            .field("schedule", &self.schedule)
            .finish()
    }
}

/// `REFTRACK_SMTP_URL` or `REFTRACK_MAIL_FROM` that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("REFTRACK_SMTP_URL must look like smtp://user:password@host:587?tls=required, smtps://… or smtp://host:25")]
    Url,
    #[error(
        "REFTRACK_MAIL_FROM must be set with REFTRACK_SMTP_URL, as an address such as `Brand Rewards <rewards@example.com>`"
    )]
    From,
}

impl Mailer {
    /// A mailer sending through `smtp_url` as `from`; without a URL, one that sends
    /// nothing (and a postbox that takes nothing).
    pub fn new(
        postbox: Postbox,
        smtp_url: Option<&str>,
        from: Option<&str>,
        schedule: Vec<u64>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, MailSetupError> {
        let smtp = match smtp_url {
            None => None,
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|_| MailSetupError::Url)?
                    .timeout(Some(std::time::Duration::from_secs(SMTP_TIMEOUT_SECS)))
                    .build();
                let from: Mailbox = from.and_then(|f| f.parse().ok()).ok_or(MailSetupError::From)?;
                Some((transport, from))
            }
        };
        Ok(Self {
            postbox,
            smtp,
            schedule,
            clock,
        })
    }
}

/// `List-Unsubscribe`, with the one-click address.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(text.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// The message as it goes on the wire, or why it cannot go. Its `Message-ID` is made
/// of the message's id, the same on every attempt, so a mail system (or a person) can
/// tell a repeated delivery from a new message.
fn message(id: MailMessageId, from: &Mailbox, letter: &Letter) -> Result<Message, String> {
    let to: Mailbox = letter
        .to
        .parse()
        .map_err(|_| "the recipient address is not valid".to_owned())?;
    let mut builder = Message::builder()
        .message_id(Some(format!("<{id}@{}>", from.email.domain())))
        .from(from.clone())
        .to(to)
        .subject(letter.subject.clone());
    if let Some(url) = &letter.unsubscribe {
        builder = builder.header(ListUnsubscribe(url.clone())).header(ListUnsubscribePost);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            letter.text.clone(),
            letter.html.clone(),
        ))
        .map_err(|e| format!("the message cannot be built: {e}"))
}

/// An SMTP answer or error without the addresses it may quote.
fn without_addresses(text: &str) -> String {
    text.split(' ')
        .map(|word| if word.contains('@') { "<address>" } else { word })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Attempts the messages due at `now`; how many were attempted.
pub async fn run_pass(db: &Db, mailer: &Mailer, now: DateTime<Utc>) -> Result<usize, StoreError> {
    if mailer.smtp.is_none() {
        return Ok(0);
    }
    let at = time::to_db(now);
    let due = db
        .read_latest(move |conn| Ok::<_, StoreError>(mail::due(conn, at, PASS_LIMIT)?))
        .await?;
    attempts::each(due, |id| attempt(db, mailer, id)).await
}

/// Makes one attempt of a due message, if no other worker holds it.
async fn attempt(db: &Db, mailer: &Mailer, id: MailMessageId) -> Result<bool, StoreError> {
    let Some((transport, from)) = &mailer.smtp else {
        return Ok(false);
    };
    let at = time::to_db(mailer.clock.now());
    let until = at + Duration::seconds(LEASE_SECS);
    if !db
        .write(move |conn| Ok::<_, StoreError>(mail::claim(conn, id, at, until)?))
        .await?
    {
        return Ok(false);
    }
    let Some(row) = db
        .read_latest(move |conn| Ok::<_, StoreError>(mail::get(conn, id)?))
        .await?
    else {
        return Ok(false);
    };
    let built = mailer
        .postbox
        .open_letter(&row)
        .ok_or_else(|| "the message does not open with this instance's encryption key".to_owned())
        .and_then(|letter| message(id, from, &letter));
    // `Err((permanent, why))` when the message did not go.
    let result = match built {
        Err(why) => Err((true, why)),
        Ok(message) => {
            match tokio::time::timeout(
                std::time::Duration::from_secs(SEND_TIMEOUT_SECS),
                transport.send(message),
            )
            .await
            {
                Ok(sent) => sent
                    .map(drop)
                    .map_err(|err| (err.is_permanent(), without_addresses(&err.to_string()))),
                Err(_) => Err((
                    false,
                    format!("the SMTP server did not finish within {SEND_TIMEOUT_SECS} s"),
                )),
            }
        }
    };
    // Dated when the server answered: a retry waits its delay from then.
    let at = time::to_db(mailer.clock.now());
    let outcome = match &result {
        Ok(()) => MailOutcome {
            status: MailStatus::Sent,
            next_attempt_at: None,
            locked_until: None,
            last_error: None,
            updated_at: at,
        },
        Err((permanent, why)) => {
            let index = usize::try_from(row.attempts.saturating_sub(1)).unwrap_or(usize::MAX);
            let retry = if *permanent { None } else { mailer.schedule.get(index) };
            MailOutcome {
                status: if retry.is_some() {
                    MailStatus::Pending
                } else {
                    MailStatus::Failed
                },
                next_attempt_at: retry.map(|&secs| at + Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 2))),
                locked_until: None,
                last_error: Some(why.clone()),
                updated_at: at,
            }
        }
    };
    if let Err((_, why)) = &result {
        tracing::warn!(mail = %id, kind = row.kind.as_str(), attempts = row.attempts, error = %why, "an e-mail was not sent");
    }
    if !db
        .write(move |conn| Ok::<_, StoreError>(mail::finish(conn, id, until, &outcome)?))
        .await?
    {
        tracing::warn!(mail = %id, "an e-mail attempt outlived its lease; another worker's attempt stands");
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_answers_lose_their_addresses() {
        assert_eq!(
            without_addresses("permanent error (550): <ana@example.com> no such user"),
            "permanent error (550): <address> no such user"
        );
    }

    #[test]
    fn a_notification_carries_one_click_unsubscribe() {
        let from: Mailbox = "Rewards <rewards@example.com>"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        let letter = Letter {
            to: "ana@example.com".to_owned(),
            subject: "You earned $1.00".to_owned(),
            text: "text".to_owned(),
            html: "<p>html</p>".to_owned(),
            unsubscribe: Some("https://r.example/v1/notifications/unsubscribe?token=t".to_owned()),
        };
        let id = MailMessageId::generate();
        let wire = String::from_utf8(
            message(id, &from, &letter)
                .unwrap_or_else(|e| panic!("{e}"))
                .formatted(),
        )
        .unwrap_or_default();
        assert!(wire.contains(&format!("Message-ID: <{id}@example.com>")), "{wire}");
        assert!(wire.contains("List-Unsubscribe: <https://r.example/v1/notifications/unsubscribe?token=t>"));
        assert!(wire.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(wire.contains("multipart/alternative"));
        let bad = Letter {
            to: "not an address".to_owned(),
            ..letter
        };
        assert!(message(id, &from, &bad).is_err());
    }
}
