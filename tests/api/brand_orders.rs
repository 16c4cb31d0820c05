//! The brand's order list, order detail and statistics.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

fn order(order_id: &str, code: Option<&str>, unit_price: i64) -> Value {
    json!({"order_id": order_id, "code": code, "currency": "USD", "discount_total": 0,
           "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": unit_price}]})
}

fn ids(reply: &crate::helpers::Reply) -> Vec<String> {
    reply.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| o["order_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn orders_filter_by_status_ambassador_and_code_newest_first() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let key = Some(p.api_key.as_str());
    for (id, code, price) in [
        ("O-1", Some(p.code.as_str()), 10_000),
        ("O-2", None, 5_000),
        ("O-3", Some(p.code.as_str()), 20_000),
    ] {
        assert_eq!(
            app.post("/v1/checkout/orders", key, &order(id, code, price))
                .await
                .status,
            201
        );
    }
    app.post("/v1/checkout/orders/O-3/cancel", key, &json!({})).await;
    let token = Some(p.brand.access_token.as_str());

    assert_eq!(ids(&app.get("/v1/brand/orders", token).await), ["O-3", "O-2", "O-1"]);
    assert_eq!(ids(&app.get("/v1/brand/orders?status=pending", token).await), ["O-1"]);
    assert_eq!(ids(&app.get("/v1/brand/orders?status=none", token).await), ["O-2"]);
    assert_eq!(ids(&app.get("/v1/brand/orders?status=reversed", token).await), ["O-3"]);
    let by_ambassador = app
        .get(&format!("/v1/brand/orders?ambassador_id={}", p.membership_id), token)
        .await;
    assert_eq!(ids(&by_ambassador), ["O-3", "O-1"]);
    let by_code = app
        .get(&format!("/v1/brand/orders?code={}", p.code.to_lowercase()), token)
        .await;
    assert_eq!(ids(&by_code), ["O-3", "O-1"]);
    assert_eq!(
        ids(&app.get("/v1/brand/orders?code=NOPE", token).await),
        Vec::<String>::new()
    );

    let page1 = app.get("/v1/brand/orders?limit=2", token).await;
    assert_eq!(ids(&page1), ["O-3", "O-2"]);
    let cursor = page1.body["next_cursor"].as_str().unwrap_or_default();
    let page2 = app
        .get(&format!("/v1/brand/orders?limit=2&cursor={cursor}"), token)
        .await;
    assert_eq!(ids(&page2), ["O-1"]);
    assert_eq!(page2.body["next_cursor"], json!(null));

    app.get("/v1/brand/orders?status=lost", token)
        .await
        .assert_problem(422, "validation_failed");

    // After the hold: approved.
    app.clock.advance(Duration::days(31));
    app.mature().await;
    let token = app.login(&p.brand.email, "brand").await;
    assert_eq!(
        ids(&app.get("/v1/brand/orders?status=approved", Some(&token)).await),
        ["O-1"]
    );
}

#[tokio::test]
async fn order_detail_has_lines_refunds_entries_and_attribution() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let key = Some(p.api_key.as_str());
    let recorded = app
        .post("/v1/checkout/orders", key, &order("D-1", Some(&p.code), 10_000))
        .await;
    app.post(
        "/v1/checkout/orders/D-1/refunds",
        key,
        &json!({"refund_id": "R-1", "amount": 2_500}),
    )
    .await;
    let id = recorded.body["id"].as_str().unwrap_or_default();
    let detail = app
        .get(&format!("/v1/brand/orders/{id}"), Some(&p.brand.access_token))
        .await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    assert_eq!(detail.body["order_id"], "D-1");
    assert_eq!(detail.body["code"], json!(p.code));
    assert_eq!(detail.body["lines"][0]["sku"], "BEANS");
    assert_eq!(detail.body["lines"][0]["rate"], "10");
    assert_eq!(detail.body["refunds"][0]["amount"], 2500);
    assert_eq!(detail.body["refunds"][0]["reversal"], 250);
    let kinds: Vec<_> = detail.body["ledger_entries"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| (e["kind"].clone(), e["amount"].clone()))
        .collect();
    assert_eq!(
        kinds,
        [(json!("commission"), json!(1000)), (json!("reversal"), json!(-250))]
    );
    assert_eq!(detail.body["attribution"]["method"], "code");
    assert_eq!(detail.body["attribution"]["candidates"][0]["status"], "ok");

    let other = app.sign_up_brand("globex").await;
    app.get(&format!("/v1/brand/orders/{id}"), Some(&other.access_token))
        .await
        .assert_problem(404, "order_not_found");
    assert_eq!(
        app.get("/v1/brand/orders", Some(&other.access_token)).await.body["items"],
        json!([])
    );
}

#[tokio::test]
async fn stats_add_up_clicks_orders_sales_commission_and_top_ambassadors() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let key = Some(p.api_key.as_str());
    for agent in ["a", "b", "c", "d"] {
        let r = app
            .client
            .get(app.url(&format!("/r/acme/{}", p.code)))
            .header("user-agent", agent)
            .send()
            .await;
        assert_eq!(r.map(|r| r.status().as_u16()).unwrap_or(0), 302);
    }
    assert_eq!(
        app.post("/v1/checkout/orders", key, &order("S-1", Some(&p.code), 10_000))
            .await
            .status,
        201
    );
    assert_eq!(
        app.post("/v1/checkout/orders", key, &order("S-2", Some(&p.code), 30_000))
            .await
            .status,
        201
    );
    assert_eq!(
        app.post("/v1/checkout/orders", key, &order("S-3", None, 7_000))
            .await
            .status,
        201
    );
    app.post(
        "/v1/checkout/orders/S-2/refunds",
        key,
        &json!({"refund_id": "R", "amount": 10_000}),
    )
    .await;

    let stats = app.get("/v1/brand/stats", Some(&p.brand.access_token)).await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    assert_eq!(stats.body["clicks"], 4);
    assert_eq!(stats.body["orders"], 3);
    assert_eq!(stats.body["attributed_orders"], 2);
    assert_eq!(stats.body["conversion_rate"], "0.5");
    assert_eq!(stats.body["net_sales"], 30_000, "10000 + 30000 − 10000 refunded");
    assert_eq!(stats.body["commission"], 3_000, "1000 + 3000 − 1000 reversed");
    assert_eq!(
        stats.body["top_ambassadors"][0]["ambassador_id"],
        json!(p.membership_id)
    );
    assert_eq!(stats.body["top_ambassadors"][0]["net_sales"], 30_000);

    let empty = app
        .get(
            "/v1/brand/stats?from=2020-01-01&to=2020-01-31",
            Some(&p.brand.access_token),
        )
        .await;
    assert_eq!(
        (empty.body["orders"].clone(), empty.body["conversion_rate"].clone()),
        (json!(0), json!(null))
    );
    app.get("/v1/brand/stats?from=2026-13-01", Some(&p.brand.access_token))
        .await
        .assert_problem(422, "validation_failed");
}
