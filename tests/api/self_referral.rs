//! A self-referred order (the customer is the ambassador): it earns nothing, and it
//! neither raises the ambassador's volume tier nor spends a use of their code.

use serde_json::{Value, json};

use crate::helpers::{Program, TestApp, spawn_app};
use crate::orders::record;

/// A program at 10 % that pays 15 % from 10 000 of net sales in the month.
fn tiered_terms() -> Value {
    let mut body = crate::helpers::program_body();
    body["commission"] = json!({"type": "percent", "rate": "10", "tiers": [{"from_amount": 10000, "rate": "15"}]});
    body
}

/// A one-line order worth `net`, placed at `placed_at`, bought by `customer_email`.
fn order(order_id: &str, code: &str, net: i64, placed_at: &str, customer_email: &str) -> Value {
    json!({
        "order_id": order_id,
        "code": code,
        "currency": "USD",
        "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": net}],
        "discount_total": 0,
        "placed_at": placed_at,
        "customer_email": customer_email,
    })
}

/// The ambassador's own login e-mail (see `program_with_terms`).
fn ambassador_email(slug: &str) -> String {
    format!("ana@{slug}.example")
}

async fn recorded(app: &TestApp, p: &Program, body: &Value) -> Value {
    let reply = record(app, p, body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

async fn code_with_one_use(app: &TestApp, p: &Program, code: &str) {
    let created = app
        .post(
            &format!("/v1/brand/ambassadors/{}/codes", p.membership_id),
            Some(&p.brand.access_token),
            &json!({"code": code, "max_uses": 1}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
}

fn uses_of(app: &TestApp, code: &str) -> i64 {
    // The uses counted before the running totals, and those counted from orders since.
    app.scalar(&format!(
        "SELECT CAST(uses + COALESCE((SELECT SUM(u.uses) FROM code_uses u WHERE u.code_id = codes.id), 0) AS BIGINT) \
         AS n FROM codes WHERE code = '{code}'"
    ))
}

#[tokio::test]
async fn a_self_referred_order_does_not_raise_the_ambassadors_tier() {
    let app = spawn_app().await;
    let p = app.program_with_terms("acme", &tiered_terms()).await;
    let own = recorded(
        &app,
        &p,
        &order(
            "own-1",
            &p.code,
            50_000,
            "2026-11-01T10:00:00Z",
            &ambassador_email("acme"),
        ),
    )
    .await;
    assert_eq!(own["flags"], json!(["self_referral"]), "{own}");
    assert_eq!(own["commission"]["amount"], 0);

    let customer = recorded(
        &app,
        &p,
        &order("buy-1", &p.code, 1000, "2026-11-01T11:00:00Z", "buyer@shopper.example"),
    )
    .await;
    assert_eq!(customer["flags"], json!([]), "{customer}");
    assert_eq!(
        (
            customer["commission"]["rate"].clone(),
            customer["commission"]["amount"].clone()
        ),
        (json!("10"), json!(100)),
        "the ambassador's own 50 000 is no sales of theirs: {customer}"
    );
}

#[tokio::test]
async fn a_self_referred_order_does_not_spend_a_use_of_the_code() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    code_with_one_use(&app, &p, "ONCE").await;

    let own = recorded(
        &app,
        &p,
        &order("own-1", "ONCE", 2000, "2026-11-01T10:00:00Z", &ambassador_email("acme")),
    )
    .await;
    assert_eq!(own["flags"], json!(["self_referral"]), "{own}");
    assert_eq!(uses_of(&app, "ONCE"), 0);
    let check = app.get("/v1/checkout/codes/ONCE", Some(&p.api_key)).await;
    assert_eq!(check.status, 200, "the code is still usable: {}", check.text);

    let customer = recorded(
        &app,
        &p,
        &order("buy-1", "ONCE", 2000, "2026-11-01T11:00:00Z", "buyer@shopper.example"),
    )
    .await;
    assert_eq!(customer["attributed"], true, "{customer}");
    assert_eq!(customer["code"], "ONCE");
    assert_eq!(customer["commission"]["amount"], 200);
    // The customer's order took the one use.
    assert_eq!(uses_of(&app, "ONCE"), 1);
    let after = recorded(
        &app,
        &p,
        &order("buy-2", "ONCE", 2000, "2026-11-01T12:00:00Z", "other@shopper.example"),
    )
    .await;
    assert_eq!(after["attribution"]["reason"], "code_used_up", "{after}");
}

#[tokio::test]
async fn another_ambassadors_code_typed_by_a_self_referred_order_spends_its_use() {
    let app = spawn_app().await;
    let mut program = crate::helpers::program_body();
    program["attribution"] = json!("link_first");
    let p = app.program_with_terms("acme", &program).await;
    let (_, bo_membership, _) = app.add_ambassador(&p, &p.brand.access_token, "bo@acme.example").await;
    let created = app
        .post(
            &format!("/v1/brand/ambassadors/{bo_membership}/codes"),
            Some(&p.brand.access_token),
            &json!({"code": "BOONCE", "max_uses": 1}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);

    // Ana follows her own link and types Bo's code: the link wins, so the order is a
    // self-referral of Ana's, but Bo's code was used by someone other than Bo.
    let click = app.click("acme", &p.code, "UA-1").await;
    let mut body = order(
        "own-1",
        "BOONCE",
        2000,
        "2026-11-01T10:00:00Z",
        &ambassador_email("acme"),
    );
    body["click_id"] = json!(click);
    let own = recorded(&app, &p, &body).await;
    assert_eq!(own["ambassador_id"], json!(p.membership_id), "{own}");
    assert_eq!(own["flags"], json!(["self_referral"]), "{own}");
    assert_eq!(uses_of(&app, "BOONCE"), 1);
}

#[tokio::test]
async fn an_ambassadors_own_code_spends_no_use_when_another_ambassadors_link_wins() {
    let app = spawn_app().await;
    let mut program = crate::helpers::program_body();
    program["attribution"] = json!("link_first");
    let p = app.program_with_terms("acme", &program).await;
    let (_, bo_membership, bo_code) = app.add_ambassador(&p, &p.brand.access_token, "bo@acme.example").await;
    code_with_one_use(&app, &p, "ONCE").await;

    // Ana follows Bo's link and types her own code: Bo earns the order, and Ana's code
    // keeps its use for a customer.
    let click = app.click("acme", &bo_code, "UA-1").await;
    let mut body = order("bo-1", "ONCE", 2000, "2026-11-01T10:00:00Z", &ambassador_email("acme"));
    body["click_id"] = json!(click);
    let bought = recorded(&app, &p, &body).await;
    assert_eq!(bought["ambassador_id"], json!(bo_membership), "{bought}");
    assert_eq!(bought["flags"], json!([]), "{bought}");
    assert_eq!(bought["commission"]["amount"], 200);
    assert_eq!(uses_of(&app, "ONCE"), 0);
}

#[tokio::test]
async fn concurrent_self_referred_orders_neither_raise_the_tier_nor_spend_the_last_use() {
    let app = spawn_app().await;
    let p = app.program_with_terms("acme", &tiered_terms()).await;
    code_with_one_use(&app, &p, "ONCE").await;

    // Eight self-referred orders race one customer's order; whatever the order of
    // their commits, the customer's takes the code's one use at the base rate. A
    // self-referral decided after that finds the code used up, as anyone would (the
    // shop's code check refuses it too); one decided before is attributed and flagged.
    let mut tasks = Vec::new();
    for i in 0..9 {
        // The customer's order is placed last, so every self-referral is before it.
        let (email, net, placed_at) = if i == 0 {
            ("buyer@shopper.example".to_owned(), 1000, "2026-11-01T11:00:00Z")
        } else {
            (ambassador_email("acme"), 50_000, "2026-11-01T10:00:00Z")
        };
        let body = order(&format!("race-{i}"), "ONCE", net, placed_at, &email);
        let client = app.client.clone();
        let url = app.url("/v1/checkout/orders");
        let key = p.api_key.clone();
        tasks.push(tokio::spawn(async move {
            crate::helpers::post_json(&client, &url, &key, None, body.to_string()).await
        }));
    }
    let mut replies = Vec::new();
    for task in tasks {
        let reply = task.await.unwrap_or_else(|e| panic!("order task: {e}"));
        assert_eq!(reply.status, 201, "{}", reply.text);
        replies.push(reply.body);
    }
    let customer = &replies[0];
    assert_eq!(customer["attributed"], true, "{customer}");
    assert_eq!(
        (
            customer["commission"]["rate"].clone(),
            customer["commission"]["amount"].clone()
        ),
        (json!("10"), json!(100)),
        "{customer}"
    );
    assert!(
        replies[1..].iter().all(|r| {
            (r["attributed"] == true && r["flags"] == json!(["self_referral"]))
                || (r["attributed"] == false && r["attribution"]["reason"] == "code_used_up")
        }),
        "{replies:?}"
    );
    assert_eq!(uses_of(&app, "ONCE"), 1);
}
