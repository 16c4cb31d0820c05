//! Deals through the JSON API: the offer and its counter-offers, proof and the flat fee
//! on the ledger, every refusal with its status and code, roles and tenants, the
//! outbox events and the brand's list of deliverables due.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod edges;
mod invitations;
mod lifecycle;
mod proofs;
mod refusals;
mod roles;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::smtp_sink::SmtpSink;
use crate::helpers::{Program, Reply, TestApp};

pub const TITLE: &str = "Autumn blend launch";
/// The fee per item the brand offers, minor units.
pub const FEE: i64 = 5_000;
/// A due date after the test clock's start (2026-11-02).
pub const DUE: &str = "2026-11-20";

/// An offer to `ambassador`: one Instagram post kept up `keep_up_days`, and a gift of
/// two kilos of beans at 24.00.
pub fn offer_body(ambassador: &str, fee: i64, count: i64, keep_up_days: i64) -> Value {
    json!({
        "ambassador_id": ambassador,
        "title": TITLE,
        "fee": fee,
        "terms": "Tag @acme.",
        "deliverables": [{"platform": "instagram", "kind": "post", "count": count, "due_on": DUE,
                          "keep_up_days": keep_up_days, "requirements": "#acmecoffee in the caption"}],
        "gifts": [{"sku": "BEANS-1KG", "description": "A kilo of beans", "quantity": 2, "unit_value": 2_400}],
    })
}

pub fn proof_body(url: &str, published_at: DateTime<Utc>) -> Value {
    json!({"url": url, "published_at": published_at, "views": 1_200, "likes": 80})
}

impl TestApp {
    /// The owner offers `body`; asserts 201 and returns the deal.
    pub async fn offer_deal(&self, owner: &str, body: &Value) -> Value {
        let reply = self.post("/v1/brand/deals", Some(owner), body).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.body
    }

    /// The standard offer (fee 50.00, one post kept up 30 days) to the program's ambassador.
    pub async fn standard_deal(&self, p: &Program) -> String {
        let deal = self
            .offer_deal(&p.brand.access_token, &offer_body(&p.membership_id, FEE, 1, 30))
            .await;
        deal["id"].as_str().unwrap().to_owned()
    }

    /// An influencer's step on the deal: `accept`, `decline`, `counter`.
    pub async fn my_step(&self, token: &str, deal: &str, step: &str, body: &Value) -> Reply {
        self.post(&format!("/v1/me/deals/{deal}/{step}"), Some(token), body)
            .await
    }

    /// A brand's step on the deal: `withdraw`, `counter/accept`, `counter/decline`, `cancel`.
    pub async fn brand_step(&self, token: &str, deal: &str, step: &str) -> Reply {
        self.post(&format!("/v1/brand/deals/{deal}/{step}"), Some(token), &json!({}))
            .await
    }

    /// A standard deal, accepted; returns (deal id, deliverable id).
    pub async fn accepted_deal(&self, p: &Program, body: &Value) -> (String, String) {
        let deal = self.offer_deal(&p.brand.access_token, body).await;
        let id = deal["id"].as_str().unwrap().to_owned();
        let accepted = self
            .my_step(&p.influencer.access_token, &id, "accept", &json!({}))
            .await;
        assert_eq!(accepted.status, 200, "{}", accepted.text);
        assert_eq!(accepted.body["status"], "accepted", "{}", accepted.text);
        let item = deal["deliverables"][0]["id"].as_str().unwrap().to_owned();
        (id, item)
    }

    /// Submits proof of one item published `ago` before now.
    pub async fn submit_proof(&self, token: &str, deal: &str, item: &str, url: &str, ago: Duration) -> Reply {
        let now = reftrack::clock::Clock::now(self.clock.as_ref());
        self.post(
            &format!("/v1/me/deals/{deal}/deliverables/{item}/proofs"),
            Some(token),
            &proof_body(url, now - ago),
        )
        .await
    }

    /// A brand's decision on a proof: `approve`, `reject`, `removed`.
    pub async fn decide_proof(&self, token: &str, proof: &str, step: &str, body: &Value) -> Reply {
        self.post(&format!("/v1/brand/proofs/{proof}/{step}"), Some(token), body)
            .await
    }

    /// The outbox's event types, oldest first.
    pub async fn event_types(&self) -> Vec<String> {
        self.db
            .read(|conn| Ok::<_, reftrack::store::StoreError>(reftrack::store::outbox::undispatched(conn, 1000)?))
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.event_type)
            .collect()
    }

    /// A staff member of the program's brand, seated through the e-mailed team
    /// invitation; returns their access token. Needs an app with mail.
    pub async fn staff_token(&self, sink: &SmtpSink, owner: &str, email: &str) -> String {
        let invited = self
            .post(
                "/v1/brand/users",
                Some(owner),
                &json!({"email": email, "role": "staff"}),
            )
            .await;
        assert_eq!(invited.status, 201, "{}", invited.text);
        let mail = self
            .mail_until(sink, |m| m.iter().any(|m| m.envelope_to == [email]))
            .await;
        let letter = mail.iter().rev().find(|m| m.envelope_to == [email]).unwrap();
        let token = letter.code_after("Your invitation code");
        let joined = self
            .post(
                "/v1/brand/users/accept",
                None,
                &json!({"token": token, "password": "a teammate's passphrase"}),
            )
            .await;
        assert_eq!(joined.status, 201, "{}", joined.text);
        joined.body["access_token"].as_str().unwrap().to_owned()
    }
}

/// The proof ids of the deal's first deliverable, oldest first.
pub fn proof_ids(deal: &Value) -> Vec<String> {
    deal["deliverables"][0]["proofs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}
