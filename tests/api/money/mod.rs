//! The brand's control over money: adjustments and bonuses, and the review of a
//! commission (hold, release, reject), each appended, idempotent and refused alike.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod adjustments;
mod fraud_review;
mod identities;
mod reassign;
mod reviews;
mod two_tier;

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{Program, Reply, TestApp};

/// An order of 10,000 net at the test program's 10 %: a commission of 1,000.
fn sale(order_id: &str, code: Option<&str>) -> Value {
    json!({"order_id": order_id, "code": code, "currency": "USD", "discount_total": 0,
           "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 10_000}]})
}

impl TestApp {
    /// Records a 10,000 sale through the code; returns our order id.
    async fn sale(&self, p: &Program, order_id: &str) -> String {
        let reply = self
            .post("/v1/checkout/orders", Some(&p.api_key), &sale(order_id, Some(&p.code)))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.body["commission"]["amount"], 1_000, "{}", reply.text);
        reply.body["id"].as_str().unwrap().to_owned()
    }

    /// POSTs a review action (`hold`, `release`, `reject`) on the order.
    async fn review(&self, token: &str, order: &str, action: &str, body: &Value, key: Option<&str>) -> Reply {
        self.post_keyed(&format!("/v1/brand/orders/{order}/{action}"), token, key, body)
            .await
    }

    /// The influencer's all-time totals at the brand, from the dashboard.
    async fn totals(&self, p: &Program) -> Value {
        let token = self
            .login(&format!("ana@{}.example", brand_slug(p)), "influencer")
            .await;
        let reply = self.get("/v1/me/dashboard", Some(&token)).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.body["brands"][0]["totals"].clone()
    }
}

/// The slug the fixtures gave the brand (its owner is `owner@<slug>.example`).
fn brand_slug(p: &Program) -> String {
    p.brand
        .email
        .split('@')
        .nth(1)
        .unwrap()
        .trim_end_matches(".example")
        .to_owned()
}

/// Past the 30-day hold of everything recorded so far.
fn past_the_hold(app: &TestApp) {
    app.clock.advance(Duration::days(30) + Duration::minutes(1));
}
