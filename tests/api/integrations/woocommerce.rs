//! WooCommerce: an order is recorded once it is processing or completed, each new entry
//! of `refunds[]` is a refund, and a cancelled order is cancelled.

use super::{fixture, refunded};
use crate::helpers::spawn_app;

const ORDER: &str = "woocommerce:shop.example.com:4217";

#[tokio::test]
async fn a_processing_order_is_recorded_and_its_refunds_follow_in_later_updates() {
    let app = spawn_app().await;
    let program = app.program_with_ambassador("woo-shop").await;
    let token = &program.brand.access_token;
    app.vanity_code(token, &program.membership_id, "ANA10").await;
    let shop = app.connect(token, "woocommerce", None).await;

    let created = app
        .deliver_woocommerce(&shop, "order.created", &fixture("woocommerce/order_processing.json"))
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events[0]["status"], "processed", "{events:?}");
    let order = app.brand_order(token, ORDER).await;
    // The coupon typed in lower case is the ambassador's code.
    assert_eq!(order["code"], "ANA10");
    assert_eq!(order["subtotal"], 7400);
    assert_eq!(order["discount_total"], 740);
    assert_eq!(order["tax_total"], 590);
    let skus: Vec<_> = order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["sku"].clone())
        .collect();
    // 3 tees for 50.00: 2 at 16.66 and 1 at 16.68, the value and the units exact.
    assert_eq!(skus, ["TEE-BLACK-M", "TEE-BLACK-M", "product:88"]);

    // The same order again with a refund of 10.00 gross: the order is a replay, the
    // refund is its share of the net: 1000 × 6660 ÷ 7750.
    app.deliver_woocommerce(
        &shop,
        "order.updated",
        &fixture("woocommerce/order_refunded_partial.json"),
    )
    .await;
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events[0]["status"], "processed", "{events:?}");
    let order = app.brand_order(token, ORDER).await;
    assert_eq!(refunded(&order), 859);
    assert_eq!(app.count("orders"), 1);
}

#[tokio::test]
async fn pending_and_never_recorded_cancelled_orders_are_ignored_with_a_reason() {
    let app = spawn_app().await;
    let program = app.program_with_ambassador("woo-pending").await;
    let token = &program.brand.access_token;
    let shop = app.connect(token, "woocommerce", None).await;
    app.deliver_woocommerce(&shop, "order.created", &fixture("woocommerce/order_pending.json"))
        .await;
    app.deliver_woocommerce(&shop, "order.updated", &fixture("woocommerce/order_cancelled.json"))
        .await;
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events.len(), 2);
    for event in &events {
        assert_eq!(event["status"], "ignored", "{events:?}");
        assert!(event["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    assert_eq!(app.count("orders"), 0);
}

#[tokio::test]
async fn a_recorded_order_cancelled_later_is_cancelled() {
    let app = spawn_app().await;
    let program = app.program_with_ambassador("woo-cancel").await;
    let token = &program.brand.access_token;
    app.vanity_code(token, &program.membership_id, "ANA10").await;
    let shop = app.connect(token, "woocommerce", None).await;
    let body = fixture("woocommerce/order_processing.json");
    app.deliver_woocommerce(&shop, "order.created", &body).await;
    app.settled_events(token, &shop.id).await;
    let mut cancelled: serde_json::Value = serde_json::from_slice(&body).unwrap();
    cancelled["status"] = "cancelled".into();
    cancelled["date_modified_gmt"] = "2026-12-01T08:00:00".into();
    app.deliver_woocommerce(&shop, "order.updated", cancelled.to_string().as_bytes())
        .await;
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events[0]["status"], "processed", "{events:?}");
    let order = app.brand_order(token, ORDER).await;
    assert_eq!(refunded(&order), order["net_amount"].as_i64().unwrap());
}
