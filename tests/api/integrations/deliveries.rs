//! A delivery is authenticated by the platform's signature alone; anything refused
//! stores nothing; a retried delivery is stored once.

use chrono::Duration;
use serde_json::json;

use super::{SHOPIFY_SECRET, STRIPE_SECRET, base64_signature, stripe_signature};
use crate::helpers::spawn_app;

const BODY: &[u8] = br#"{"id": 820982911946154508, "financial_status": "pending"}"#;

#[tokio::test]
async fn only_a_signature_made_with_this_integrations_secret_is_taken() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("sig-shop").await;
    let other = app.sign_up_brand("sig-other").await;
    let shop = app.connect(&brand.access_token, "shopify", Some(SHOPIFY_SECRET)).await;
    let theirs = app
        .connect(&other.access_token, "shopify", Some("their_own_secret"))
        .await;
    let topic = ("x-shopify-topic", "orders/create".to_owned());

    // No signature, a wrong one, one of another body, and a bearer token instead: 401.
    let refused = [
        vec![topic.clone()],
        vec![
            topic.clone(),
            ("x-shopify-hmac-sha256", base64_signature("wrong", BODY)),
        ],
        vec![
            topic.clone(),
            ("x-shopify-hmac-sha256", base64_signature(SHOPIFY_SECRET, b"{}")),
        ],
        vec![topic.clone(), ("x-shopify-hmac-sha256", "not base64!".to_owned())],
        vec![
            topic.clone(),
            ("authorization", format!("Bearer {}", brand.access_token)),
        ],
    ];
    for headers in refused {
        app.deliver(&shop.path, &headers, BODY.to_vec())
            .await
            .assert_problem(401, "invalid_signature");
    }
    // A body validly signed for one brand's integration, sent to another brand's: 401.
    let signed_for_mine = [
        topic.clone(),
        ("x-shopify-hmac-sha256", base64_signature(SHOPIFY_SECRET, BODY)),
    ];
    app.deliver(&theirs.path, &signed_for_mine, BODY.to_vec())
        .await
        .assert_problem(401, "invalid_signature");
    assert_eq!(app.count("shop_events"), 0);

    let ok = app.deliver_shopify(&shop, "orders/create", "evt-1", BODY).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["status"], "stored");
    assert_eq!(app.count("shop_events"), 1);

    // An unknown integration and a deleted one: 404.
    let unknown = "/v1/integrations/0190a8a0-0000-7000-8000-000000000000/webhook";
    app.deliver(unknown, &signed_for_mine, BODY.to_vec())
        .await
        .assert_problem(404, "integration_not_found");
    let path = format!("/v1/brand/integrations/{}", shop.id);
    assert_eq!(app.delete(&path, Some(&brand.access_token)).await.status, 204);
    app.deliver_shopify(&shop, "orders/create", "evt-2", BODY)
        .await
        .assert_problem(404, "integration_not_found");
    assert_eq!(app.count("shop_events"), 1);
}

#[tokio::test]
async fn a_retried_delivery_is_stored_once() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("dup-shop").await;
    let shop = app.connect(&brand.access_token, "shopify", Some(SHOPIFY_SECRET)).await;
    let first = app.deliver_shopify(&shop, "orders/create", "evt-dup", BODY).await;
    let again = app.deliver_shopify(&shop, "orders/create", "evt-dup", BODY).await;
    assert_eq!((first.status, again.status), (200, 200));
    assert_eq!(again.body["status"], "duplicate");
    assert_eq!(again.body["event_id"], first.body["event_id"]);
    assert_eq!(app.count("shop_events"), 1);
    let events = app.settled_events(&brand.access_token, &shop.id).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["attempts"], 1);
}

#[tokio::test]
async fn woocommerce_pings_a_new_webhook_unsigned_and_nothing_is_stored() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("ping-shop").await;
    let shop = app.connect(&brand.access_token, "woocommerce", None).await;
    let reply = app
        .client
        .post(app.url(&shop.path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("webhook_id=17")
        .send()
        .await
        .unwrap();
    let reply = crate::helpers::read(reply).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["status"], "ping");
    assert_eq!(app.count("shop_events"), 0);
    // Anything else unsigned is refused.
    app.deliver(&shop.path, &[], br#"{"id": 1}"#.to_vec())
        .await
        .assert_problem(401, "invalid_signature");
}

#[tokio::test]
async fn deliveries_up_to_one_mebibyte_are_taken_and_larger_ones_refused() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("size-shop").await;
    let shop = app.connect(&brand.access_token, "shopify", Some(SHOPIFY_SECRET)).await;
    // 200 KiB: over the API's 64 KiB, well within a delivery's limit.
    let padding = "x".repeat(200 * 1024);
    let big = json!({"id": 1, "note": padding}).to_string().into_bytes();
    let reply = app.deliver_shopify(&shop, "orders/create", "evt-big", &big).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let huge = json!({"id": 2, "note": "y".repeat(1024 * 1024)})
        .to_string()
        .into_bytes();
    app.deliver_shopify(&shop, "orders/create", "evt-huge", &huge)
        .await
        .assert_problem(413, "payload_too_large");
    assert_eq!(app.count("shop_events"), 1);
}

#[tokio::test]
async fn stripe_signatures_older_than_five_minutes_are_refused() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("stale-shop").await;
    let shop = app.connect(&brand.access_token, "stripe", Some(STRIPE_SECRET)).await;
    let body = br#"{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {}}}"#;
    let t = {
        use reftrack::clock::Clock;
        app.clock.now().timestamp()
    };
    for stale in [t - 301, t + 301] {
        let headers = [("stripe-signature", stripe_signature(STRIPE_SECRET, body, stale))];
        app.deliver(&shop.path, &headers, body.to_vec())
            .await
            .assert_problem(401, "invalid_signature");
    }
    let headers = [("stripe-signature", stripe_signature(STRIPE_SECRET, body, t - 299))];
    let ok = app.deliver(&shop.path, &headers, body.to_vec()).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    // A header with another v1 that matches is taken too (Stripe sends one per secret).
    let both = format!(
        "{},v1={}",
        stripe_signature("whsec_other", body, t),
        stripe_signature(STRIPE_SECRET, body, t).split("v1=").nth(1).unwrap()
    );
    let ok = app
        .deliver(&shop.path, &[("stripe-signature", both)], body.to_vec())
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
}

#[tokio::test]
async fn after_a_rotation_the_old_secret_verifies_for_24_hours() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("rotate-shop").await;
    let mut shop = app.connect(&brand.access_token, "shopify", Some("old_secret")).await;
    let path = format!("/v1/brand/integrations/{}", shop.id);
    let rotated = app
        .patch(
            &path,
            Some(&brand.access_token),
            &json!({"signing_secret": "new_secret"}),
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    for (secret, event) in [("old_secret", "e1"), ("new_secret", "e2")] {
        shop.secret = secret.to_owned();
        let reply = app.deliver_shopify(&shop, "orders/create", event, BODY).await;
        assert_eq!(reply.status, 200, "{secret}: {}", reply.text);
    }
    app.clock.advance(Duration::hours(24) + Duration::seconds(1));
    shop.secret = "old_secret".to_owned();
    app.deliver_shopify(&shop, "orders/create", "e3", BODY)
        .await
        .assert_problem(401, "invalid_signature");
    shop.secret = "new_secret".to_owned();
    let reply = app.deliver_shopify(&shop, "orders/create", "e4", BODY).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn bodies_are_pruned_after_30_days_and_then_cannot_be_retried() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("prune-shop").await;
    let shop = app.connect(&brand.access_token, "shopify", Some(SHOPIFY_SECRET)).await;
    app.deliver_shopify(&shop, "orders/create", "evt-old", BODY).await;
    let events = app.settled_events(&brand.access_token, &shop.id).await;
    assert_eq!(events[0]["body_kept"], true);
    let now = {
        use reftrack::clock::Clock;
        app.clock.now()
    };
    let pruned = reftrack::service::shop_inbox::prune(&app.db, now + Duration::days(29))
        .await
        .unwrap();
    assert_eq!(pruned, 0);
    let pruned = reftrack::service::shop_inbox::prune(&app.db, now + Duration::days(31))
        .await
        .unwrap();
    assert_eq!(pruned, 1);
    let events = app.settled_events(&brand.access_token, &shop.id).await;
    assert_eq!(events[0]["body_kept"], false);
    let id = events[0]["id"].as_str().unwrap();
    app.post(
        &format!("/v1/brand/integrations/{}/events/{id}/retry", shop.id),
        Some(&brand.access_token),
        &json!({}),
    )
    .await
    .assert_problem(422, "event_body_pruned");
}

#[tokio::test]
async fn an_integration_waiting_for_its_secret_refuses_deliveries_until_it_is_given() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("later-shop").await;
    let token = Some(brand.access_token.as_str());
    let made = app
        .post(
            "/v1/brand/integrations",
            token,
            &json!({"platform": "shopify", "name": "Secret later"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let id = made.body["id"].as_str().unwrap();
    let mut shop = super::Connected {
        id: id.to_owned(),
        path: format!("/v1/integrations/{id}/webhook"),
        secret: SHOPIFY_SECRET.to_owned(),
    };
    let refused = app.deliver_shopify(&shop, "orders/create", "e1", BODY).await;
    refused.assert_problem(401, "invalid_signature");
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("no signing secret yet")
    );
    let given = app
        .patch(
            &format!("/v1/brand/integrations/{id}"),
            token,
            &json!({"signing_secret": SHOPIFY_SECRET}),
        )
        .await;
    assert_eq!(given.status, 200, "{}", given.text);
    assert_eq!(given.body["signing_secret_set"], true);
    // A first secret replaces nothing: no grace period to report.
    assert_eq!(given.body["previous_secret_valid_until"], serde_json::Value::Null);
    let ok = app.deliver_shopify(&shop, "orders/create", "e2", BODY).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    shop.secret = "anything".to_owned();
    app.deliver_shopify(&shop, "orders/create", "e3", BODY)
        .await
        .assert_problem(401, "invalid_signature");
}
