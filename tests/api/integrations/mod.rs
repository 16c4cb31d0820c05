//! Shop integrations: connecting a shop, its signed deliveries, and each platform's
//! orders and refunds arriving through the inbox.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod crud;
mod deliveries;
mod shopify;
mod stripe;
mod woocommerce;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use reftrack::clock::Clock;

use crate::helpers::{Reply, TestApp};

pub const SHOPIFY_SECRET: &str = "shpss_test_signing_key_1";
pub const STRIPE_SECRET: &str = "whsec_test_endpoint_secret";

fn hmac(secret: &str, message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Shopify's and WooCommerce's signature: base64 HMAC-SHA256 of the body.
pub fn base64_signature(secret: &str, body: &[u8]) -> String {
    STANDARD.encode(hmac(secret, body))
}

/// Stripe's `Stripe-Signature` for a body sent at `t`.
pub fn stripe_signature(secret: &str, body: &[u8], t: i64) -> String {
    let mut message = format!("{t}.").into_bytes();
    message.extend_from_slice(body);
    format!("t={t},v1={}", hex::encode(hmac(secret, &message)))
}

/// A connected shop: the integration's id and the path its shop posts to.
pub struct Connected {
    pub id: String,
    pub path: String,
    pub secret: String,
}

impl TestApp {
    /// Connects a shop of `platform` with `secret` (WooCommerce: reftrack makes one).
    pub async fn connect(&self, brand_token: &str, platform: &str, secret: Option<&str>) -> Connected {
        let mut body = json!({"platform": platform, "name": format!("My {platform} shop")});
        if let Some(secret) = secret {
            body["signing_secret"] = json!(secret);
        }
        let reply = self.post("/v1/brand/integrations", Some(brand_token), &body).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        let id = reply.body["id"].as_str().unwrap().to_owned();
        let secret = secret
            .map(str::to_owned)
            .or_else(|| reply.body["signing_secret"].as_str().map(str::to_owned))
            .unwrap();
        Connected {
            path: format!("/v1/integrations/{id}/webhook"),
            id,
            secret,
        }
    }

    /// Posts a delivery with these headers and raw body.
    pub async fn deliver(&self, path: &str, headers: &[(&str, String)], body: impl Into<reqwest::Body>) -> Reply {
        let mut req = self
            .client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        crate::helpers::read(req.send().await.expect("request sent")).await
    }

    /// A Shopify delivery of `topic`, signed with `secret`.
    pub async fn deliver_shopify(&self, shop: &Connected, topic: &str, event_id: &str, body: &[u8]) -> Reply {
        let headers = [
            ("x-shopify-topic", topic.to_owned()),
            ("x-shopify-event-id", event_id.to_owned()),
            ("x-shopify-hmac-sha256", base64_signature(&shop.secret, body)),
        ];
        self.deliver(&shop.path, &headers, body.to_vec()).await
    }

    /// A WooCommerce delivery of `topic` from `https://shop.example.com/`.
    pub async fn deliver_woocommerce(&self, shop: &Connected, topic: &str, body: &[u8]) -> Reply {
        let headers = [
            ("x-wc-webhook-topic", topic.to_owned()),
            ("x-wc-webhook-source", "https://shop.example.com/".to_owned()),
            ("x-wc-webhook-signature", base64_signature(&shop.secret, body)),
        ];
        self.deliver(&shop.path, &headers, body.to_vec()).await
    }

    /// A Stripe delivery signed now (by the app's clock).
    pub async fn deliver_stripe(&self, shop: &Connected, body: &[u8]) -> Reply {
        let t = self.clock.now().timestamp();
        let headers = [("stripe-signature", stripe_signature(&shop.secret, body, t))];
        self.deliver(&shop.path, &headers, body.to_vec()).await
    }

    /// The integration's events, newest first, once none is still waiting for a worker.
    pub async fn settled_events(&self, brand_token: &str, integration: &str) -> Vec<Value> {
        let path = format!("/v1/brand/integrations/{integration}/events");
        for _ in 0..200 {
            let reply = self.get(&path, Some(brand_token)).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            let items = reply.body["items"].as_array().cloned().unwrap_or_default();
            if items.iter().all(|e| e["status"] != "received") {
                return items;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("events of {integration} were not processed within 10 seconds");
    }
}

/// A fixture body as the platform sends it.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

impl TestApp {
    /// The brand's order with this `order_id`, in full (lines, refunds, ledger entries).
    pub async fn brand_order(&self, brand_token: &str, order_id: &str) -> Value {
        let list = self.get("/v1/brand/orders?limit=200", Some(brand_token)).await;
        assert_eq!(list.status, 200, "{}", list.text);
        let found = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["order_id"] == order_id)
            .unwrap_or_else(|| panic!("no order {order_id} in {}", list.text));
        let detail = self
            .get(
                &format!("/v1/brand/orders/{}", found["id"].as_str().unwrap()),
                Some(brand_token),
            )
            .await;
        assert_eq!(detail.status, 200, "{}", detail.text);
        detail.body
    }

    /// A brand with a program, its ambassador holding the code `ANA10` (as the fixtures
    /// type it), and a connected shop of `platform` with `secret`.
    pub async fn shop_with_ana10(
        &self,
        slug: &str,
        platform: &str,
        secret: &str,
    ) -> (crate::helpers::Program, Connected) {
        let program = self.program_with_ambassador(slug).await;
        let token = &program.brand.access_token;
        self.vanity_code(token, &program.membership_id, "ANA10").await;
        let shop = self.connect(token, platform, Some(secret)).await;
        (program, shop)
    }

    /// Adds the vanity code `code` to the ambassador; returns its id.
    pub async fn vanity_code(&self, brand_token: &str, membership_id: &str, code: &str) -> String {
        let reply = self
            .post(
                &format!("/v1/brand/ambassadors/{membership_id}/codes"),
                Some(brand_token),
                &json!({"code": code}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.body["id"].as_str().unwrap().to_owned()
    }
}

/// The sum of the order's refunds.
pub fn refunded(order: &Value) -> i64 {
    order["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"].as_i64().unwrap())
        .sum()
}
