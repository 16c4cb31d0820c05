//! Recording orders at checkout: commission, attribution, idempotency.

mod attribution_rules;
mod batch;
mod commission;
mod currencies;
mod idempotency;
mod validation;

use serde_json::{Value, json};

use crate::helpers::{Program, TestApp, spawn_app};

pub fn order_body(order_id: &str, code: Option<&str>) -> Value {
    json!({
        "order_id": order_id,
        "code": code,
        "currency": "USD",
        "lines": [{"sku": "BEANS", "quantity": 2, "unit_price": 2500}, {"sku": "MUG", "quantity": 1, "unit_price": 1999}],
        "discount_total": 1050,
        "shipping_total": 495,
        "tax_total": 300
    })
}

pub async fn record(app: &TestApp, p: &Program, body: &Value) -> crate::helpers::Reply {
    app.post("/v1/checkout/orders", Some(&p.api_key), body).await
}

#[tokio::test]
async fn worked_example_net_5949_at_ten_percent_earns_595() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let reply = record(&app, &p, &order_body("1001", Some(&p.code))).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["attributed"], true);
    assert_eq!(reply.body["net_amount"], 5949);
    assert_eq!(reply.body["commission"]["amount"], 595);
    assert_eq!(reply.body["commission"]["rate"], "10");
    assert_eq!(reply.body["commission"]["status"], "pending");
    assert_eq!(reply.body["commission"]["terms_version"], 1);
    assert_eq!(reply.body["commission"]["available_at"], "2026-12-02T12:00:00Z");
    assert_eq!(reply.body["attribution"]["method"], "code");
    assert_eq!(reply.body["ambassador_id"], json!(p.membership_id));
    assert_eq!(reply.body["flags"], json!([]));
}

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

/// An order with these lines (`[sku, category?, quantity, unit_price]` as JSON) and
/// discount, placed now.
pub(super) fn order_of(order_id: &str, code: Option<&str>, lines: Value, discount_total: i64) -> Value {
    json!({
        "order_id": order_id,
        "code": code,
        "currency": "USD",
        "lines": lines,
        "discount_total": discount_total,
    })
}

/// A one-line order worth `net` (no discount).
pub(super) fn order_worth(order_id: &str, code: Option<&str>, net: i64) -> Value {
    order_of(
        order_id,
        code,
        json!([{"sku": "BEANS", "quantity": 1, "unit_price": net}]),
        0,
    )
}

pub(super) fn terms(commission: Value) -> Value {
    let mut body = crate::helpers::program_body();
    body["commission"] = commission;
    body
}

pub(super) async fn recorded(app: &TestApp, p: &Program, body: &Value) -> Value {
    let reply = record(app, p, body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

pub(super) fn ledger_entries_of(app: &TestApp, order: &Value) -> i64 {
    app.count(&format!(
        "ledger_entries WHERE order_id = '{}'",
        order["id"].as_str().unwrap_or("?")
    ))
}
