//! Team seats: inviting teammates by e-mail, joining with the e-mailed token, the roles
//! the service enforces (staff may not touch API keys, integrations, webhooks, the team
//! or mark a payout batch paid), the last-owner rule, and removal.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod joining;
mod members;
mod roles;

use serde_json::json;

use crate::helpers::smtp_sink::SmtpSink;
use crate::helpers::{Reply, TestApp};

/// The password invitees choose in these tests.
const TEAM_PASSWORD: &str = "a teammate's passphrase";

/// A member who joined: their id and session.
struct Seated {
    id: String,
    email: String,
    access_token: String,
    refresh_token: String,
}

impl TestApp {
    async fn invite_member(&self, owner_token: &str, email: &str, role: &str) -> Reply {
        self.post(
            "/v1/brand/users",
            Some(owner_token),
            &json!({"email": email, "role": role}),
        )
        .await
    }

    /// The token of the newest team invitation e-mail to `email`, once it has arrived.
    async fn team_token(&self, sink: &SmtpSink, email: &str, before: usize) -> String {
        let mail = self
            .mail_until(sink, |m| m.iter().filter(|m| m.envelope_to == [email]).count() > before)
            .await;
        let letter = mail.iter().rev().find(|m| m.envelope_to == [email]).unwrap();
        letter.code_after("Your invitation code")
    }

    /// Invites `email` with `role` and returns the e-mailed token.
    async fn invited(&self, sink: &SmtpSink, owner_token: &str, email: &str, role: &str) -> String {
        let before = sink.to(email).len();
        let reply = self.invite_member(owner_token, email, role).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        self.team_token(sink, email, before).await
    }

    async fn accept_member(&self, token: &str, password: &str) -> Reply {
        self.post(
            "/v1/brand/users/accept",
            None,
            &json!({"token": token, "password": password}),
        )
        .await
    }

    /// Invites `email` with `role` and joins with the e-mailed token.
    async fn seat(&self, sink: &SmtpSink, owner_token: &str, email: &str, role: &str) -> Seated {
        let token = self.invited(sink, owner_token, email, role).await;
        let joined = self.accept_member(&token, TEAM_PASSWORD).await;
        assert_eq!(joined.status, 201, "{}", joined.text);
        Seated {
            id: joined.body["user"]["id"].as_str().unwrap().to_owned(),
            email: email.to_owned(),
            access_token: joined.body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: joined.body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    /// The brand's team as its owner reads it.
    async fn team(&self, owner_token: &str) -> Reply {
        let reply = self.get("/v1/brand/users", Some(owner_token)).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply
    }

    /// The id of the member with this e-mail.
    async fn member_id(&self, owner_token: &str, email: &str) -> String {
        let team = self.team(owner_token).await;
        team.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["email"] == email)
            .and_then(|m| m["id"].as_str())
            .unwrap_or_else(|| panic!("{email} is not a member: {}", team.text))
            .to_owned()
    }

    async fn sign_in_member(&self, email: &str, password: &str) -> Reply {
        self.post(
            "/v1/auth/login",
            None,
            &json!({"email": email, "password": password, "account": "brand"}),
        )
        .await
    }
}
