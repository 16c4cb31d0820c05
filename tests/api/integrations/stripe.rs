//! Stripe Checkout: a paid session records one line at its subtotal; `charge.refunded`
//! carries the running total refunded, and only what is above the recorded total is new.

use serde_json::json;

use super::{STRIPE_SECRET, fixture, refunded};
use crate::helpers::spawn_app;

const SESSION: &str = "stripe:cs_test_a1Kq8ZtR3mW7xN2pLbV5cY9dF4gH6jS0uE1wQ3rT5yU7iO9pA2sD4fG6hJ8k";

#[tokio::test]
async fn a_paid_session_is_an_order_and_refunds_add_up_to_its_net() {
    let app = spawn_app().await;
    let (program, shop) = app.shop_with_ana10("stripe-shop", "stripe", STRIPE_SECRET).await;
    let token = &program.brand.access_token;

    let reply = app
        .deliver_stripe(&shop, &fixture("stripe/checkout_session_completed.json"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events[0]["status"], "processed", "{events:?}");
    assert_eq!(events[0]["order_id"], SESSION);
    assert_eq!(events[0]["topic"], "checkout.session.completed");

    let order = app.brand_order(token, SESSION).await;
    assert_eq!(order["code"], "ANA10");
    assert_eq!(order["subtotal"], 7400);
    assert_eq!(order["discount_total"], 740);
    assert_eq!(order["shipping_total"], 500);
    assert_eq!(order["tax_total"], 590);
    let net = order["net_amount"].as_i64().unwrap();
    assert_eq!(net, 6660);
    // 10 % of the net, tax and shipping earn nothing.
    assert_eq!(order["commission"]["amount"], 666);

    // 10.00 of the 77.50 charged back: its share of the net, 1000 × 6660 ÷ 7750 = 859.35.
    let partial = fixture("stripe/charge_refunded_partial.json");
    assert_eq!(app.deliver_stripe(&shop, &partial).await.status, 200);
    // Stripe sends it again: the same event, stored once.
    assert_eq!(app.deliver_stripe(&shop, &partial).await.body["status"], "duplicate");
    app.settled_events(token, &shop.id).await;
    let order = app.brand_order(token, SESSION).await;
    assert_eq!(refunded(&order), 859);

    // Then everything: what is left of the net, exactly.
    assert_eq!(
        app.deliver_stripe(&shop, &fixture("stripe/charge_refunded_full.json"))
            .await
            .status,
        200
    );
    let events = app.settled_events(token, &shop.id).await;
    assert!(events.iter().all(|e| e["status"] == "processed"), "{events:?}");
    let order = app.brand_order(token, SESSION).await;
    assert_eq!(refunded(&order), net);
    let reversed: i64 = order["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reversal"].as_i64().unwrap())
        .sum();
    assert_eq!(reversed, 666);
}

#[tokio::test]
async fn a_refund_before_its_order_waits_and_is_applied_when_the_order_arrives() {
    let app = spawn_app().await;
    let (program, shop) = app.shop_with_ana10("stripe-early", "stripe", STRIPE_SECRET).await;
    let token = &program.brand.access_token;
    app.deliver_stripe(&shop, &fixture("stripe/charge_refunded_partial.json"))
        .await;
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events[0]["status"], "waiting_for_order", "{events:?}");
    assert_eq!(app.count("refunds"), 0);

    app.deliver_stripe(&shop, &fixture("stripe/checkout_session_completed.json"))
        .await;
    let events = app.settled_events(token, &shop.id).await;
    assert!(events.iter().all(|e| e["status"] == "processed"), "{events:?}");
    let order = app.brand_order(token, SESSION).await;
    assert_eq!(refunded(&order), 859);
}

#[tokio::test]
async fn a_stripe_promotion_code_attributes_through_its_twin() {
    let app = spawn_app().await;
    let (program, shop) = app.shop_with_ana10("stripe-promo", "stripe", STRIPE_SECRET).await;
    let token = &program.brand.access_token;
    let twin = app.vanity_code(token, &program.membership_id, "SPRING").await;
    let patched = app
        .patch(
            &format!("/v1/brand/codes/{twin}"),
            Some(token),
            &json!({"stripe_promotion_code": "promo_1QhVa2LkdIwHu7ixKm8Np3Qr"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["stripe_promotion_code"], "promo_1QhVa2LkdIwHu7ixKm8Np3Qr");
    // One promotion code has one twin in a brand.
    let other = app.vanity_code(token, &program.membership_id, "SUMMER").await;
    app.patch(
        &format!("/v1/brand/codes/{other}"),
        Some(token),
        &json!({"stripe_promotion_code": "promo_1QhVa2LkdIwHu7ixKm8Np3Qr"}),
    )
    .await
    .assert_problem(409, "code_taken");

    app.deliver_stripe(&shop, &fixture("stripe/checkout_session_promotion.json"))
        .await;
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events[0]["status"], "processed", "{events:?}");
    let order_id = events[0]["order_id"].as_str().unwrap();
    let order = app.brand_order(token, order_id).await;
    assert_eq!(order["code"], "SPRING");
}

#[tokio::test]
async fn an_unpaid_session_is_ignored_with_its_reason_and_a_retry_runs_it_again() {
    let app = spawn_app().await;
    let (program, shop) = app.shop_with_ana10("stripe-unpaid", "stripe", STRIPE_SECRET).await;
    let token = &program.brand.access_token;
    app.deliver_stripe(&shop, &fixture("stripe/checkout_session_completed_unpaid.json"))
        .await;
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events[0]["status"], "ignored", "{events:?}");
    assert!(events[0]["detail"].as_str().unwrap().contains("unpaid"), "{events:?}");
    let retry = app
        .post(
            &format!(
                "/v1/brand/integrations/{}/events/{}/retry",
                shop.id,
                events[0]["id"].as_str().unwrap()
            ),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.body["status"], "ignored");
    assert_eq!(retry.body["attempts"], 2);
    assert_eq!(app.count("orders"), 0);
    // Another brand cannot retry it.
    let other = app.sign_up_brand("stripe-intruder").await;
    app.post(
        &format!(
            "/v1/brand/integrations/{}/events/{}/retry",
            shop.id,
            events[0]["id"].as_str().unwrap()
        ),
        Some(&other.access_token),
        &json!({}),
    )
    .await
    .assert_problem(404, "integration_not_found");
}

#[tokio::test]
async fn a_yen_session_is_recorded_in_whole_yen() {
    let app = spawn_app().await;
    let mut body = crate::helpers::brand_body("yen-shop", "owner@yen-shop.example");
    body["currency"] = "JPY".into();
    let brand = app.post("/v1/brands", None, &body).await;
    assert_eq!(brand.status, 201, "{}", brand.text);
    let token = brand.body["access_token"].as_str().unwrap().to_owned();
    let program_id = app.create_program(&token, &crate::helpers::program_body()).await;
    let influencer = app.sign_up_influencer("kenji@yen-shop.example").await;
    let membership = app
        .join(&token, &program_id, "kenji@yen-shop.example", &influencer.access_token)
        .await;
    app.vanity_code(&token, membership["id"].as_str().unwrap(), "KENJI5")
        .await;
    let shop = app.connect(&token, "stripe", Some(STRIPE_SECRET)).await;

    app.deliver_stripe(&shop, &fixture("stripe/checkout_session_jpy.json"))
        .await;
    let events = app.settled_events(&token, &shop.id).await;
    assert_eq!(events[0]["status"], "processed", "{events:?}");
    let order = app
        .brand_order(
            &token,
            "stripe:cs_test_c3Ms0BvT5oY9zP4rNdX7eA1fH6iJ8lU2wG3yS5tV7aW9kQ1rC4uF6hI8jL0n",
        )
        .await;
    // ¥3,000 of goods, ¥800 shipping, ¥380 tax: 10 % of ¥3,000, in whole yen.
    assert_eq!(order["currency"], "JPY");
    assert_eq!(order["code"], "KENJI5");
    assert_eq!(order["subtotal"], 3000);
    assert_eq!(order["shipping_total"], 800);
    assert_eq!(order["tax_total"], 380);
    assert_eq!(order["commission"]["amount"], 300);
}
