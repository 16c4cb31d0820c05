//! E-mail through a real SMTP server on a local port: invitations, password resets,
//! sale and payout notifications with one-click unsubscribe, retries, and the owner's
//! notice of a disabled webhook endpoint.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod invitations;
mod notifications;
mod password_reset;
mod sending;

use crate::helpers::smtp_sink::{Mail, SmtpSink, wait_until};
use crate::helpers::{TestApp, spawn_app_with};

/// An app that sends mail to a fresh sink, and the sink.
pub async fn app_with_mail() -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = spawn_app_with(|config| {
        config.smtp_url = Some(url);
        config.mail_from = Some("Rewards <rewards@reftrack.example>".to_owned());
    })
    .await;
    (app, sink)
}

impl TestApp {
    /// Dispatcher passes (fan-out, webhooks, mail) until `check` holds of the sink, for
    /// up to 10 s (a reset's e-mail is written by a task that runs after the answer).
    pub async fn mail_until(&self, sink: &SmtpSink, check: impl Fn(&[Mail]) -> bool) -> Vec<Mail> {
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(10) {
            self.dispatch_pass().await;
            let mail = sink.received();
            if check(&mail) {
                return mail;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        wait_until(sink, check).await
    }
}
