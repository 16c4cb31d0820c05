//! The influencer's reports: dashboard, attributed orders and the earnings statement.
//! Figures are checked against sums worked out by hand and against the ledger itself.
//! The helpers here are shared by the files beside it.

mod brands;
mod earnings;
mod figures;
mod my_orders;
mod status;

use chrono::Utc;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, Program, Reply, SignedUpInfluencer, TestApp};
use crate::orders::{order_body, record};

/// `order_body` (net 5949, 10 % → commission 595) placed at `placed_at`.
pub(super) fn order_at(order_id: &str, code: &str, placed_at: &str) -> Value {
    let mut body = order_body(order_id, Some(code));
    body["placed_at"] = json!(placed_at);
    body
}

pub(super) async fn recorded(app: &TestApp, p: &Program, body: &Value) -> Value {
    let reply = record(app, p, body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

pub(super) async fn refund(app: &TestApp, p: &Program, order_id: &str, refund_id: &str, amount: i64) -> Value {
    let reply = app
        .post(
            &format!("/v1/checkout/orders/{order_id}/refunds"),
            Some(&p.api_key),
            &json!({"refund_id": refund_id, "amount": amount}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

pub(super) async fn cancel(app: &TestApp, p: &Program, order_id: &str) {
    let reply = app
        .post(
            &format!("/v1/checkout/orders/{order_id}/cancel"),
            Some(&p.api_key),
            &json!({}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

pub(super) fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
        .to_owned()
}

/// A typed id from its JSON text.
pub(super) fn id<T: std::str::FromStr>(text: &str) -> T {
    text.parse().unwrap_or_else(|_| panic!("not an id: {text}"))
}

pub(super) fn ana(slug: &str) -> String {
    format!("ana@{slug}.example")
}

pub(super) async fn dashboard(app: &TestApp, token: &str, query: &str) -> Value {
    let reply = app.get(&format!("/v1/me/dashboard{query}"), Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

/// Moves the clock to `at` (UTC) and runs a maturation pass there.
pub(super) async fn mature_at(app: &TestApp, at: chrono::DateTime<Utc>) {
    app.clock.set(at);
    app.mature().await;
}

pub(super) fn day(body: &Value, brand: usize, date: &str) -> Value {
    body["brands"][brand]["series"]
        .as_array()
        .and_then(|s| s.iter().find(|d| d["date"] == date).cloned())
        .unwrap_or_else(|| panic!("no {date} in the series"))
}

pub(super) fn ledger_sum(app: &TestApp, membership_id: &str, filter: &str) -> i64 {
    app.scalar(&format!(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS n FROM ledger_entries \
         WHERE membership_id = '{membership_id}' {filter}"
    ))
}

/// A second brand, running a JPY program with 10 % commission, that `influencer`
/// (whose login is `email`) joins; returns the program handle with its code.
pub(super) async fn jpy_brand(
    app: &TestApp,
    slug: &str,
    name: &str,
    email: &str,
    influencer: &SignedUpInfluencer,
) -> Program {
    let reply = app
        .post(
            "/v1/brands",
            None,
            &json!({
                "name": name, "slug": slug, "landing_url": "https://bean.example/",
                "currency": "JPY", "owner_email": format!("owner@{slug}.example"), "owner_password": PASSWORD,
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let brand = crate::helpers::SignedUpBrand {
        id: text(&reply.body["brand"]["id"]),
        email: format!("owner@{slug}.example"),
        access_token: text(&reply.body["access_token"]),
        refresh_token: text(&reply.body["refresh_token"]),
    };
    let mut terms = crate::helpers::program_body();
    terms["currency"] = json!("JPY");
    terms["min_payout"] = json!(1000);
    let program_id = app.create_program(&brand.access_token, &terms).await;
    let (_, api_key) = app.create_api_key(&brand.access_token, "shop").await;
    let membership = app
        .join(&brand.access_token, &program_id, email, &influencer.access_token)
        .await;
    Program {
        program_id,
        api_key,
        membership_id: text(&membership["id"]),
        code: text(&membership["codes"][0]["code"]),
        code_id: text(&membership["codes"][0]["id"]),
        influencer: SignedUpInfluencer {
            id: influencer.id.clone(),
            access_token: influencer.access_token.clone(),
            refresh_token: influencer.refresh_token.clone(),
        },
        brand,
    }
}

/// A JPY order of one 5000-yen item: 10 % earns 500.
pub(super) fn yen_order(order_id: &str, code: &str) -> Value {
    json!({
        "order_id": order_id,
        "code": code,
        "currency": "JPY",
        "lines": [{"sku": "TEA", "quantity": 1, "unit_price": 5000}],
        "discount_total": 0,
    })
}

pub(super) fn order_ids(reply: &Reply) -> Vec<String> {
    reply.body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["order_id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The statement's records, header first.
pub(super) async fn earnings_csv(app: &TestApp, token: &str) -> Vec<Vec<String>> {
    let response = app
        .client
        .get(app.url("/v1/me/earnings.csv"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = response.text().await.unwrap_or_default();
    assert!(text.is_empty() || text.ends_with("\r\n"), "RFC 4180 line ends");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")).iter().map(str::to_owned).collect())
        .collect()
}
