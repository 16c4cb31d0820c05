//! Shopify: `orders/paid` records, `refunds/create` refunds by lines or by amount,
//! `orders/cancelled` cancels; stacked discount codes attribute to the first usable one.

use super::{SHOPIFY_SECRET, fixture, refunded};
use crate::helpers::spawn_app;

const ORDER: &str = "shopify:5123456789012";

#[tokio::test]
async fn a_paid_order_refunded_by_lines_then_cancelled_reverses_exactly_its_commission() {
    let app = spawn_app().await;
    let (program, shop) = app.shop_with_ana10("shopify-shop", "shopify", SHOPIFY_SECRET).await;
    let token = &program.brand.access_token;

    // Created before payment: stored and ignored; paid: recorded.
    app.deliver_shopify(
        &shop,
        "orders/create",
        "e-create",
        &fixture("shopify/orders_create_pending.json"),
    )
    .await;
    app.deliver_shopify(&shop, "orders/paid", "e-paid", &fixture("shopify/orders_paid.json"))
        .await;
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(
        events.iter().map(|e| e["status"].as_str().unwrap()).collect::<Vec<_>>(),
        ["processed", "ignored"],
        "{events:?}"
    );
    assert!(events[1]["detail"].as_str().unwrap().contains("before payment"));
    let order = app.brand_order(token, ORDER).await;
    assert_eq!(order["code"], "ANA10");
    assert_eq!(order["subtotal"], 6800);
    assert_eq!(order["discount_total"], 680);
    assert_eq!(order["shipping_total"], 600);
    assert_eq!(order["tax_total"], 490);
    assert_eq!(order["net_amount"], 6120);
    assert_eq!(order["commission"]["amount"], 612);
    let skus: Vec<_> = order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["sku"].clone())
        .collect();
    assert_eq!(skus, ["TEE-BLACK-M", "variant:44012345678902"]);

    // One of each line back: 4300 of the 6800 subtotal, 4300 × 6120 ÷ 6800 of the net.
    app.deliver_shopify(
        &shop,
        "refunds/create",
        "e-refund",
        &fixture("shopify/refunds_create_lines.json"),
    )
    .await;
    app.settled_events(token, &shop.id).await;
    let order = app.brand_order(token, ORDER).await;
    assert_eq!(refunded(&order), 3870);

    // Cancelled: everything left, and the whole commission reversed.
    app.deliver_shopify(
        &shop,
        "orders/cancelled",
        "e-cancel",
        &fixture("shopify/orders_cancelled.json"),
    )
    .await;
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events[0]["status"], "processed", "{events:?}");
    let order = app.brand_order(token, ORDER).await;
    assert_eq!(refunded(&order), 6120);
    let reversed: i64 = order["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reversal"].as_i64().unwrap())
        .sum();
    assert_eq!(reversed, 612);
    // The same order through the JSON API later is the same order.
    assert_eq!(app.count("orders"), 1);
}

#[tokio::test]
async fn a_refund_by_amount_is_its_share_of_the_net() {
    let app = spawn_app().await;
    let (program, shop) = app.shop_with_ana10("shopify-amount", "shopify", SHOPIFY_SECRET).await;
    let token = &program.brand.access_token;
    app.deliver_shopify(&shop, "orders/paid", "e-paid", &fixture("shopify/orders_paid.json"))
        .await;
    app.settled_events(token, &shop.id).await;
    app.deliver_shopify(
        &shop,
        "refunds/create",
        "e-amount",
        &fixture("shopify/refunds_create_amount.json"),
    )
    .await;
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events[0]["status"], "processed", "{events:?}");
    // 15.00 of the 72.10 paid: 1500 × 6120 ÷ 7210 = 1273.2.
    assert_eq!(refunded(&app.brand_order(token, ORDER).await), 1273);
}

#[tokio::test]
async fn stacked_codes_attribute_to_the_first_usable_one_and_keep_the_others() {
    let app = spawn_app().await;
    let (program, shop) = app.shop_with_ana10("shopify-stacked", "shopify", SHOPIFY_SECRET).await;
    let token = &program.brand.access_token;
    app.deliver_shopify(
        &shop,
        "orders/paid",
        "e-stacked",
        &fixture("shopify/orders_paid_stacked.json"),
    )
    .await;
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events[0]["status"], "processed", "{events:?}");
    let order = app.brand_order(token, "shopify:5123456789030").await;
    assert_eq!(order["code"], "ANA10");
    let candidates = order["attribution"]["candidates"].as_array().unwrap();
    let codes: Vec<_> = candidates
        .iter()
        .filter(|c| c["method"] == "code")
        .map(|c| (c["code"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, [("SUMMER", "code_not_found"), ("ANA10", "ok")]);
}

#[tokio::test]
async fn a_refund_waiting_for_an_order_recorded_through_the_api_is_applied_by_the_next_pass() {
    let app = spawn_app().await;
    let (program, shop) = app
        .shop_with_ana10("shopify-api-later", "shopify", SHOPIFY_SECRET)
        .await;
    let token = &program.brand.access_token;
    app.deliver_shopify(
        &shop,
        "refunds/create",
        "e-amount",
        &fixture("shopify/refunds_create_amount.json"),
    )
    .await;
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events[0]["status"], "waiting_for_order", "{events:?}");
    // The brand's own code records the order under the shop's id instead.
    let order = serde_json::json!({
        "order_id": ORDER,
        "currency": "USD",
        "lines": [{"sku": "TEE-BLACK-M", "quantity": 2, "unit_price": 2500}],
        "discount_total": 0,
        "shipping_total": 600,
        "tax_total": 490
    });
    let recorded = app.post("/v1/checkout/orders", Some(&program.api_key), &order).await;
    assert_eq!(recorded.status, 201, "{}", recorded.text);
    let now = {
        use reftrack::clock::Clock;
        app.clock.now()
    };
    assert_eq!(
        reftrack::service::shop_inbox::requeue_resolved(&app.db).await.unwrap(),
        1
    );
    let pepper = reftrack::startup::pepper(&app.db, app.clock.as_ref()).unwrap();
    reftrack::service::shop_inbox::process_due(&app.db, &pepper, now)
        .await
        .unwrap();
    let events = app.settled_events(token, &shop.id).await;
    assert_eq!(events[0]["status"], "processed", "{events:?}");
    // 15.00 of the 60.90 paid: 1500 × 5000 ÷ 6090 = 1231.5 → 1232.
    assert_eq!(refunded(&app.brand_order(token, ORDER).await), 1232);
}
