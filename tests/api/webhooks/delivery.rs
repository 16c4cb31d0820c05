//! Deliveries: signed as Standard Webhooks, once per event, retried with the same id,
//! disabled by 410, not redirected, and never to a private address without the flag.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::Receiver;
use crate::helpers::{TestApp, spawn_app};
use crate::orders::order_body;

/// The signatures of a received request that verify with `secret`.
fn verifies(secret: &str, got: &super::Received) -> bool {
    let key = STANDARD.decode(secret.trim_start_matches("whsec_")).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(
        format!(
            "{}.{}.{}",
            got.header("webhook-id"),
            got.header("webhook-timestamp"),
            got.body
        )
        .as_bytes(),
    );
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    got.header("webhook-signature").split(' ').any(|s| s == expected)
}

async fn order(app: &TestApp, p: &crate::helpers::Program, id: &str) {
    let reply = app
        .post("/v1/checkout/orders", Some(&p.api_key), &order_body(id, Some(&p.code)))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

#[tokio::test]
async fn an_order_is_delivered_once_signed_with_the_endpoints_secret() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let receiver = Receiver::start();
    let (_, secret) = app
        .add_webhook(&p.brand.access_token, &receiver.url, &["order.recorded"])
        .await;
    order(&app, &p, "1001").await;
    app.webhook_pass().await;
    app.webhook_pass().await;
    let got = receiver.got();
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(verifies(&secret, &got[0]), "{got:?}");
    let body = got[0].json();
    assert_eq!(body["type"], "order.recorded");
    assert_eq!(body["data"]["order"]["order_id"], "1001");
    assert_eq!(body["data"]["commission"]["amount"], 595);
    assert!(!got[0].body.contains('@'));
    // Events of other types are not sent to an endpoint that did not ask for them.
    let refund = app
        .post(
            "/v1/checkout/orders/1001/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r-1", "amount": 100}),
        )
        .await;
    assert_eq!(refund.status, 201);
    app.webhook_pass().await;
    assert_eq!(receiver.got().len(), 1);
}

#[tokio::test]
async fn failures_are_retried_with_the_same_id_until_one_succeeds() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let receiver = Receiver::start();
    receiver.answer(&[500, 500]);
    // Made after the invitation and the joining: it gets what happens from now on.
    app.clock.advance(Duration::seconds(1));
    let (endpoint, secret) = app.add_webhook(&p.brand.access_token, &receiver.url, &[]).await;
    order(&app, &p, "1001").await;
    for _ in 0..4 {
        app.webhook_pass().await;
        app.clock.advance(Duration::seconds(1));
    }
    let got: Vec<_> = receiver
        .got()
        .into_iter()
        .filter(|r| r.json()["type"] == "order.recorded")
        .collect();
    let deliveries = app
        .get(
            &format!("/v1/brand/webhooks/{endpoint}/deliveries"),
            Some(&p.brand.access_token),
        )
        .await;
    assert_eq!(got.len(), 3, "{}", deliveries.text);
    assert!(
        got.iter()
            .all(|r| r.header("webhook-id") == got[0].header("webhook-id"))
    );
    assert!(got.iter().all(|r| verifies(&secret, r)));
    let list = app
        .get(
            &format!("/v1/brand/webhooks/{endpoint}/deliveries"),
            Some(&p.brand.access_token),
        )
        .await;
    let delivery = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["event_type"] == "order.recorded")
        .cloned()
        .unwrap();
    assert_eq!(
        (delivery["status"].clone(), delivery["attempts"].clone()),
        (json!("succeeded"), json!(3))
    );
    assert_eq!(delivery["last_status"], 200);
}

#[tokio::test]
async fn gone_disables_the_endpoint_and_a_redirect_is_a_failure() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let token = p.brand.access_token.clone();
    let gone = Receiver::start();
    gone.answer(&[410]);
    let (gone_id, _) = app.add_webhook(&token, &gone.url, &["order.recorded"]).await;
    let moved = Receiver::start();
    moved.answer(&[302, 302, 302]);
    let (moved_id, _) = app.add_webhook(&token, &moved.url, &["order.recorded"]).await;
    order(&app, &p, "1001").await;
    for _ in 0..4 {
        app.webhook_pass().await;
        app.clock.advance(Duration::seconds(1));
    }
    let endpoint = app.get(&format!("/v1/brand/webhooks/{gone_id}"), Some(&token)).await;
    assert_eq!(endpoint.body["enabled"], false, "{}", endpoint.text);
    assert!(endpoint.body["disabled_reason"].as_str().unwrap().contains("410"));
    assert_eq!(gone.got().len(), 1);
    // Three attempts (the first and two retries), each a 302 that was not followed.
    assert_eq!(moved.got().len(), 3);
    let deliveries = app
        .get(&format!("/v1/brand/webhooks/{moved_id}/deliveries"), Some(&token))
        .await;
    let delivery = &deliveries.body["items"][0];
    assert_eq!(
        (delivery["status"].clone(), delivery["last_status"].clone()),
        (json!("failed"), json!(302))
    );
}

#[tokio::test]
async fn a_private_address_is_refused_without_the_flag() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let receiver = Receiver::start();
    let (endpoint, _) = app.add_webhook(&p.brand.access_token, &receiver.url, &[]).await;
    let local_name = receiver.url.replace("127.0.0.1", "localhost");
    let (by_name, _) = app.add_webhook(&p.brand.access_token, &local_name, &[]).await;
    order(&app, &p, "1001").await;
    let now = reftrack::clock::Clock::now(app.clock.as_ref());
    reftrack::service::events::dispatch::webhook_pass(&app.db, &app.dispatcher_with(false), now)
        .await
        .unwrap();
    assert!(receiver.got().is_empty());
    for id in [endpoint, by_name] {
        let deliveries = app
            .get(
                &format!("/v1/brand/webhooks/{id}/deliveries"),
                Some(&p.brand.access_token),
            )
            .await;
        let errors: Vec<_> = deliveries.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["last_error"].as_str().unwrap_or("").to_owned())
            .collect();
        assert!(
            !errors.is_empty() && errors.iter().all(|e| e.contains("not a public address")),
            "{errors:?}"
        );
    }
}

#[tokio::test]
async fn a_test_event_is_sent_now_and_a_delivery_can_be_retried() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let token = brand.access_token.clone();
    let receiver = Receiver::start();
    let (endpoint, old_secret) = app.add_webhook(&token, &receiver.url, &[]).await;
    let rotated = app
        .post(
            &format!("/v1/brand/webhooks/{endpoint}/rotate-secret"),
            Some(&token),
            &json!({}),
        )
        .await;
    let new_secret = rotated.body["secret"].as_str().unwrap().to_owned();
    let sent = app
        .post(&format!("/v1/brand/webhooks/{endpoint}/test"), Some(&token), &json!({}))
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(sent.body["status"], "succeeded");
    let got = receiver.got();
    assert_eq!(got[0].json()["type"], "webhook.test");
    // Within a day of the rotation both secrets sign it.
    assert!(verifies(&new_secret, &got[0]) && verifies(&old_secret, &got[0]));
    let retried = app
        .post(
            &format!(
                "/v1/brand/webhooks/{endpoint}/deliveries/{}/retry",
                sent.body["id"].as_str().unwrap()
            ),
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(retried.status, 200, "{}", retried.text);
    assert_eq!(retried.body["attempts"], 2);
    assert_eq!(receiver.got().len(), 2);
    assert_eq!(receiver.got()[1].header("webhook-id"), got[0].header("webhook-id"));
}
