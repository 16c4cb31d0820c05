//! Orders refused at the door: every invalid field is named and nothing is recorded.

use serde_json::{Value, json};

use super::{order_body, record};
use crate::helpers::spawn_app;

#[tokio::test]
async fn every_invalid_order_is_a_422_naming_the_field_and_records_nothing() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let line = json!({"sku": "BEANS", "quantity": 1, "unit_price": 100});
    let app_now = reftrack::clock::Clock::now(app.clock.as_ref());
    type Mutation = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Mutation, &str)> = vec![
        ("no lines", Box::new(|b| b["lines"] = json!([])), "lines"),
        (
            "501 lines",
            Box::new(move |b| b["lines"] = Value::Array(vec![line.clone(); 501])),
            "lines",
        ),
        (
            "quantity 0",
            Box::new(|b| b["lines"][0]["quantity"] = json!(0)),
            "lines[0].quantity",
        ),
        (
            "quantity 1,000,001",
            Box::new(|b| b["lines"][1]["quantity"] = json!(1_000_001)),
            "lines[1].quantity",
        ),
        (
            "negative unit price",
            Box::new(|b| b["lines"][0]["unit_price"] = json!(-1)),
            "lines[0].unit_price",
        ),
        (
            "fractional unit price",
            Box::new(|b| b["lines"][0]["unit_price"] = json!(19.99)),
            "lines[0].unit_price",
        ),
        (
            "unit price beyond i64",
            Box::new(|b| b["lines"][0]["unit_price"] = json!(10_000_000_000_000_000_000_u64)),
            "lines[0].unit_price",
        ),
        (
            "discount above subtotal",
            Box::new(|b| b["discount_total"] = json!(7000)),
            "discount_total",
        ),
        (
            "negative discount",
            Box::new(|b| b["discount_total"] = json!(-1)),
            "discount_total",
        ),
        (
            "negative shipping",
            Box::new(|b| b["shipping_total"] = json!(-1)),
            "shipping_total",
        ),
        ("empty order_id", Box::new(|b| b["order_id"] = json!("")), "order_id"),
        ("blank order_id", Box::new(|b| b["order_id"] = json!("   ")), "order_id"),
        (
            "129-char order_id",
            Box::new(|b| b["order_id"] = json!("x".repeat(129))),
            "order_id",
        ),
        (
            "control char in order_id",
            Box::new(|b| b["order_id"] = json!("a\u{7}b")),
            "order_id",
        ),
        (
            "unknown currency",
            Box::new(|b| b["currency"] = json!("XYZ")),
            "currency",
        ),
        (
            "lower-case currency",
            Box::new(|b| b["currency"] = json!("usd")),
            "currency",
        ),
        (
            "placed 6 minutes ahead",
            Box::new(move |b| b["placed_at"] = json!(app_now + chrono::Duration::minutes(6))),
            "placed_at",
        ),
        (
            "quantity × price above the bound",
            Box::new(|b| {
                b["lines"] = json!([{"sku": "GOLD", "quantity": 1_000_000, "unit_price": 1_000_000_000_000_i64}])
            }),
            "lines[0].unit_price",
        ),
        (
            "sum of lines above the bound",
            Box::new(|b| {
                b["lines"] = json!([
                    {"sku": "A", "quantity": 1, "unit_price": 1_000_000_000_000_i64},
                    {"sku": "B", "quantity": 1, "unit_price": 1}
                ])
            }),
            "lines",
        ),
        (
            "unit price above the bound",
            Box::new(|b| b["lines"] = json!([{"sku": "A", "quantity": 1, "unit_price": i64::MAX}])),
            "lines[0].unit_price",
        ),
        ("unknown field", Box::new(|b| b["coupon"] = json!("X")), "coupon"),
        (
            "missing currency",
            Box::new(|b| {
                if let Some(o) = b.as_object_mut() {
                    o.remove("currency");
                }
            }),
            "currency",
        ),
    ];
    for (name, mutate, field) in cases {
        let mut body = order_body("v-1", Some(&p.code));
        mutate(&mut body);
        let reply = record(&app, &p, &body).await;
        assert_eq!(reply.status, 422, "{name}: {}", reply.text);
        assert_eq!(reply.code(), "validation_failed", "{name}: {}", reply.text);
        assert!(
            reply.fields().iter().any(|f| f == field),
            "{name}: expected an error on {field}: {}",
            reply.text
        );
    }
    assert_eq!(app.count("orders"), 0, "no invalid order was recorded");

    // The limits themselves are fine.
    let mut body = order_body(&"x".repeat(128), Some(&p.code));
    body["placed_at"] = json!(app_now + chrono::Duration::minutes(4));
    body["lines"][0]["quantity"] = json!(1_000_000);
    body["lines"][1]["unit_price"] = json!(0);
    assert_eq!(record(&app, &p, &body).await.status, 201);
    let mut body = order_body("v-500", Some(&p.code));
    body["lines"] = Value::Array(vec![json!({"sku": "BEANS", "quantity": 1, "unit_price": 100}); 500]);
    body["discount_total"] = json!(0);
    let reply = record(&app, &p, &body).await;
    assert_eq!(
        (reply.status, reply.body["net_amount"].clone()),
        (201, json!(50_000)),
        "{}",
        reply.text
    );
}

#[tokio::test]
async fn idempotency_key_longer_than_255_characters_is_422() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let body = order_body("k-1", Some(&p.code));
    let reply = app
        .post_keyed("/v1/checkout/orders", &p.api_key, Some(&"k".repeat(256)), &body)
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["Idempotency-Key"]);
    assert_eq!(app.count("orders"), 0);
    let reply = app
        .post_keyed("/v1/checkout/orders", &p.api_key, Some(&"k".repeat(255)), &body)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}
