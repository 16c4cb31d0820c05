//! Retries of one order: replays, reused keys, concurrent identical requests.

use serde_json::json;

use super::order_body;
use crate::helpers::spawn_app;

const ORDERS: &str = "/v1/checkout/orders";

#[tokio::test]
async fn same_key_and_body_replays_the_first_answer_byte_for_byte() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let body = order_body("1001", Some(&p.code));
    let first = app.post_keyed(ORDERS, &p.api_key, Some("key-1"), &body).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(!first.replayed());
    // Later (so a recomputed answer would differ in created_at) the shop retries.
    app.clock.advance(chrono::Duration::hours(1));
    let again = app.post_keyed(ORDERS, &p.api_key, Some("key-1"), &body).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.text, first.text);
    assert!(again.replayed(), "{:?}", again.headers);
    assert!(again.content_type().starts_with("application/json"));
    assert_eq!(app.count("orders"), 1);
    assert_eq!(app.count("ledger_entries"), 1);
    let codes = app
        .get(
            &format!("/v1/brand/ambassadors/{}/codes", p.membership_id),
            Some(&app.login(&p.brand.email, "brand").await),
        )
        .await;
    assert_eq!(
        codes.body["items"][0]["uses"], 1,
        "a replay takes no second use of the code"
    );
}

#[tokio::test]
async fn same_key_with_keys_in_another_order_counts_as_the_same_body() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let url = app.url(ORDERS);
    let first = crate::helpers::post_json(
        &app.client,
        &url,
        &p.api_key,
        Some("key-1"),
        format!(
            r#"{{"order_id":"1001","code":"{}","currency":"USD","lines":[{{"sku":"BEANS","quantity":2,"unit_price":2500}}],"discount_total":0}}"#,
            p.code
        ),
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let reordered = crate::helpers::post_json(
        &app.client,
        &url,
        &p.api_key,
        Some("key-1"),
        format!(
            r#"{{ "discount_total": 0, "lines": [ {{"unit_price": 2500, "quantity": 2, "sku": "BEANS"}} ],
                 "currency": "USD", "code": "{}", "order_id": "1001" }}"#,
            p.code
        ),
    )
    .await;
    assert_eq!(reordered.status, 201, "{}", reordered.text);
    assert!(reordered.replayed());
    assert_eq!(reordered.text, first.text);
}

#[tokio::test]
async fn same_key_with_another_body_is_422_idempotency_key_reused() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let body = order_body("1001", Some(&p.code));
    assert_eq!(
        app.post_keyed(ORDERS, &p.api_key, Some("key-1"), &body).await.status,
        201
    );
    let mut changed = body.clone();
    changed["discount_total"] = json!(1000);
    app.post_keyed(ORDERS, &p.api_key, Some("key-1"), &changed)
        .await
        .assert_problem(422, "idempotency_key_reused");
    let mut other_order = body.clone();
    other_order["order_id"] = json!("1002");
    app.post_keyed(ORDERS, &p.api_key, Some("key-1"), &other_order)
        .await
        .assert_problem(422, "idempotency_key_reused");
    assert_eq!(app.count("orders"), 1);
}

#[tokio::test]
async fn same_order_id_under_another_key_is_409_order_exists() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let body = order_body("1001", Some(&p.code));
    assert_eq!(
        app.post_keyed(ORDERS, &p.api_key, Some("key-1"), &body).await.status,
        201
    );
    app.post_keyed(ORDERS, &p.api_key, Some("key-2"), &body)
        .await
        .assert_problem(409, "order_exists");
    // Another brand may use the same order_id.
    let q = app.program_with_ambassador("globex").await;
    let theirs = app
        .post_keyed(ORDERS, &q.api_key, Some("key-2"), &order_body("1001", Some(&q.code)))
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    assert_eq!(app.count("orders"), 2);
}

#[tokio::test]
async fn without_a_header_the_order_id_is_the_idempotency_key() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let body = order_body("1001", Some(&p.code));
    let first = app.post_keyed(ORDERS, &p.api_key, None, &body).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(!first.replayed());
    let again = app.post_keyed(ORDERS, &p.api_key, None, &body).await;
    assert_eq!((again.status, again.replayed()), (201, true), "{}", again.text);
    assert_eq!(again.text, first.text);
    let mut changed = body.clone();
    changed["lines"][0]["quantity"] = json!(3);
    app.post_keyed(ORDERS, &p.api_key, None, &changed)
        .await
        .assert_problem(422, "idempotency_key_reused");
    assert_eq!(app.count("orders"), 1);
}

// ---------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------

async fn parallel_identical_orders(key: Option<&'static str>) {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let body = order_body("1001", Some(&p.code)).to_string();
    let url = app.url(ORDERS);
    let mut tasks = Vec::new();
    for _ in 0..24 {
        let (client, url, api_key, body) = (app.client.clone(), url.clone(), p.api_key.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            crate::helpers::post_json(&client, &url, &api_key, key, body).await
        }));
    }
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap_or_else(|e| panic!("{e}")));
    }
    for reply in &replies {
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.text, replies[0].text);
    }
    assert_eq!(
        replies.iter().filter(|r| !r.replayed()).count(),
        1,
        "exactly one request recorded the order"
    );
    assert_eq!(app.count("orders"), 1);
    assert_eq!(app.count("ledger_entries"), 1);
    assert_eq!(app.count("idempotency_keys"), 1);
    let codes = app
        .get(
            &format!("/v1/brand/ambassadors/{}/codes", p.membership_id),
            Some(&p.brand.access_token),
        )
        .await;
    assert_eq!(codes.body["items"][0]["uses"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_identical_requests_with_one_key_record_one_order() {
    parallel_identical_orders(Some("key-1")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_identical_requests_without_a_key_record_one_order() {
    parallel_identical_orders(None).await;
}
