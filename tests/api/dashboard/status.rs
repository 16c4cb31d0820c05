//! The status rules of `domain::status` are evaluated in Rust (order views, the
//! statement) and as SQL (the brand's status filter, the dashboard's totals). With
//! orders and entries in every state, on both backends, the two must agree.

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::{Value, json};

use super::{ana, cancel, earnings_csv, recorded, refund, text};
use crate::helpers::{Program, TestApp, spawn_app};

/// One item of 200.00 USD through `code` (or none): 10 % earns 20.00.
fn big_order(order_id: &str, code: Option<&str>) -> Value {
    json!({"order_id": order_id, "code": code, "currency": "USD", "discount_total": 0,
           "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 20_000}]})
}

/// Past the 30-day hold, then a maturation pass.
async fn mature_later(app: &TestApp) {
    app.clock.advance(Duration::days(31));
    app.mature().await;
}

/// order id → status, as the brand's unfiltered list renders each order.
async fn brand_statuses(app: &TestApp, token: &str) -> BTreeMap<String, String> {
    let list = app.get("/v1/brand/orders?limit=200", Some(token)).await;
    assert_eq!(list.status, 200, "{}", list.text);
    list.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| (text(&o["order_id"]), text(&o["commission"]["status"])))
        .collect()
}

/// Orders in every state: paid, paid then refunded, approved, pending, partly refunded,
/// refunded while pending, unattributed and self-referred.
async fn orders_in_every_state(app: &TestApp, p: &Program) {
    let code = Some(p.code.as_str());
    recorded(app, p, &big_order("paid", code)).await;
    recorded(app, p, &big_order("paid-refunded", code)).await;
    mature_later(app).await;
    let brand = app.login(&p.brand.email, "brand").await;
    let batch = app
        .post("/v1/brand/payouts", Some(&brand), &json!({"currency": "USD"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    let paid = app
        .post(
            &format!("/v1/brand/payouts/{}/paid", text(&batch.body["id"])),
            Some(&brand),
            &json!({}),
        )
        .await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    cancel(app, p, "paid-refunded").await;
    recorded(app, p, &big_order("approved", code)).await;
    mature_later(app).await;
    recorded(app, p, &big_order("pending", code)).await;
    recorded(app, p, &big_order("partly-refunded", code)).await;
    refund(app, p, "partly-refunded", "r1", 1_000).await;
    recorded(app, p, &big_order("refunded-pending", code)).await;
    cancel(app, p, "refunded-pending").await;
    recorded(app, p, &big_order("unattributed", None)).await;
    let mut own = big_order("self-referred", code);
    own["customer_email"] = json!(ana("acme"));
    recorded(app, p, &own).await;
}

#[tokio::test]
async fn the_status_filter_and_the_order_views_apply_one_rule() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    orders_in_every_state(&app, &p).await;
    let brand = app.login(&p.brand.email, "brand").await;

    let rendered = brand_statuses(&app, &brand).await;
    let expected: BTreeMap<String, String> = [
        ("paid", "paid"),
        ("paid-refunded", "reversed"),
        ("approved", "approved"),
        ("pending", "pending"),
        ("partly-refunded", "pending"),
        ("refunded-pending", "reversed"),
        ("unattributed", "none"),
        ("self-referred", "none"),
    ]
    .into_iter()
    .map(|(o, s)| (o.to_owned(), s.to_owned()))
    .collect();
    assert_eq!(rendered, expected);

    // The SQL filter selects exactly the orders the views put in each state.
    for status in ["none", "pending", "approved", "paid", "reversed"] {
        let filtered = app
            .get(&format!("/v1/brand/orders?status={status}&limit=200"), Some(&brand))
            .await;
        assert_eq!(filtered.status, 200, "{}", filtered.text);
        let mut selected: Vec<String> = filtered.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| text(&o["order_id"]))
            .collect();
        selected.sort();
        let by_view: Vec<String> = rendered
            .iter()
            .filter(|(_, s)| s.as_str() == status)
            .map(|(o, _)| o.clone())
            .collect();
        assert_eq!(selected, by_view, "status={status}");
    }

    // The ambassador sees the same status for each of her orders.
    let influencer = app.login(&ana("acme"), "influencer").await;
    let mine = app.get("/v1/me/orders?limit=200", Some(&influencer)).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    for item in mine.body["items"].as_array().into_iter().flatten() {
        let order = text(&item["order_id"]);
        assert_eq!(Some(&text(&item["status"])), rendered.get(&order), "{order}");
    }
}

#[tokio::test]
async fn the_dashboard_totals_and_the_statement_apply_one_entry_rule() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    orders_in_every_state(&app, &p).await;
    let influencer = app.login(&ana("acme"), "influencer").await;

    // Σ amount per status as the statement (Rust) puts each entry.
    let mut by_status: BTreeMap<String, i64> = BTreeMap::new();
    for row in earnings_csv(&app, &influencer).await.iter().skip(1) {
        let minor: i64 = row[6]
            .replace('.', "")
            .parse()
            .unwrap_or_else(|e| panic!("{row:?}: {e}"));
        *by_status.entry(row[7].clone()).or_default() += minor;
    }
    let statuses: Vec<&str> = by_status.keys().map(String::as_str).collect();
    assert_eq!(statuses, ["approved", "paid", "pending"], "every state has entries");

    // The dashboard's totals (SQL) agree, to the minor unit.
    let reply = app.get("/v1/me/dashboard", Some(&influencer)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let totals = &reply.body["brands"][0]["totals"];
    for status in ["pending", "approved", "paid"] {
        assert_eq!(
            totals[status].as_i64(),
            by_status.get(status).copied(),
            "{status}: {totals}"
        );
    }
}
