//! Orders in another currency than their program's: recorded in their own currency,
//! commission on the net converted at the shop's `fx_rate` or the brand's rate table,
//! and unattributed with the reason when there is neither.

#![allow(clippy::unwrap_used)]

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use super::record;
use crate::helpers::{Program, TestApp, spawn_app};
use crate::web::SESSION;

/// An order of 100.00 EUR with the program's code, with what the test adds.
fn euro_order(order_id: &str, code: &str, extra: Value) -> Value {
    let mut body = json!({
        "order_id": order_id,
        "code": code,
        "currency": "EUR",
        "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 10000}],
        "discount_total": 0,
    });
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        body[key] = value;
    }
    body
}

async fn recorded(app: &TestApp, p: &Program, body: Value) -> Value {
    let reply = record(app, p, &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

/// Replaces the brand's table, signed in afresh (the test clock moves past tokens).
async fn put_rates(app: &TestApp, p: &Program, rates: Value) -> crate::helpers::Reply {
    let token = app.login(&p.brand.email, "brand").await;
    app.request(
        Method::PUT,
        "/v1/brand/fx-rates",
        Some(&token),
        Some(&json!({ "rates": rates })),
    )
    .await
}

async fn verify_totals(app: &TestApp) {
    let verified = reftrack::service::totals::verify(&app.db).await.unwrap();
    assert!(verified.is_clean(), "{:#?}", verified.differences);
}

#[tokio::test]
async fn an_order_in_another_currency_earns_on_its_net_converted_at_the_shops_rate() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = recorded(
        &app,
        &p,
        euro_order(
            "eur-1",
            &p.code,
            json!({"fx_rate": "1.0825", "placed_at": "2026-11-02T10:00:00Z"}),
        ),
    )
    .await;
    // The order stays in euros; 100.00 EUR is 108.25 USD, whose 10 % is 10.825 → 10.83.
    assert_eq!(
        (order["currency"].clone(), order["net_amount"].clone()),
        (json!("EUR"), json!(10_000))
    );
    assert_eq!(order["attributed"], true, "{order}");
    assert_eq!(order["commission"]["amount"], 1_083);
    assert_eq!(order["commission"]["currency"], "USD");
    assert_eq!(
        order["attribution"]["fx"],
        json!({"rate": "1.0825", "source": "order", "at": "2026-11-02T10:00:00Z", "currency": "USD", "net_amount": 10_825})
    );
    let detail = app
        .get(
            &format!("/v1/brand/orders/{}", order["id"].as_str().unwrap()),
            Some(&p.brand.access_token),
        )
        .await;
    assert_eq!(detail.body["attribution"]["fx"]["rate"], "1.0825", "{}", detail.text);
    let entries = detail.body["ledger_entries"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 1, "{}", detail.text);
    assert_eq!(
        (entries[0]["amount"].clone(), entries[0]["currency"].clone()),
        (json!(1_083), json!("USD"))
    );

    // The brand's file: the order's amounts in euros, the commission in dollars.
    let csv = app.get("/v1/brand/orders.csv", Some(&p.brand.access_token)).await;
    let row = csv.text.lines().nth(1).unwrap_or_default().to_owned();
    assert!(
        row.starts_with("eur-1,2026-11-02T10:00:00Z,EUR,100.00,0.00,100.00,0.00,10.83,0.00,pending,"),
        "{}",
        csv.text
    );
    assert!(row.ends_with(",code,code,USD,1.0825"), "{}", csv.text);

    // The ambassador's figures are all in the program's currency.
    let dashboard = app.get("/v1/me/dashboard", Some(&p.influencer.access_token)).await;
    let brands = dashboard.body["brands"].as_array().cloned().unwrap_or_default();
    assert_eq!(brands.len(), 1, "one entry, in USD: {}", dashboard.text);
    assert_eq!(brands[0]["currency"], "USD");
    assert_eq!(brands[0]["totals"]["pending"], 1_083);
    assert_eq!(brands[0]["codes"][0]["net_sales"], 10_825, "{}", dashboard.text);
    assert_eq!(brands[0]["recent_orders"][0]["net_amount"], 10_825);

    // The ambassador's order: figures in dollars, lines in euros, the rate named.
    let id = order["id"].as_str().unwrap().to_owned();
    let mine = app
        .get(&format!("/v1/me/orders/{id}"), Some(&p.influencer.access_token))
        .await;
    assert_eq!(
        (
            mine.body["currency"].clone(),
            mine.body["order_currency"].clone(),
            mine.body["fx_rate"].clone()
        ),
        (json!("USD"), json!("EUR"), json!("1.0825")),
        "{}",
        mine.text
    );
    assert_eq!(mine.body["net_amount"], 10_825);
    let portal = app.sign_in("ana@acme.example", "influencer").await;
    let page = app.get_page(&format!("/app/orders/{id}"), &[(SESSION, &portal)]).await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("converted into USD at 1.0825"), "{}", page.html);
    assert!(
        page.html.contains("$10.83") || page.html.contains("10.83 USD") || page.html.contains("US$10.83"),
        "{}",
        page.html
    );
    let console = app.sign_in(&p.brand.email, "brand").await;
    let page = app
        .get_page(&format!("/console/orders/{id}"), &[(SESSION, &console)])
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("at 1.0825 (sent with the order"), "{}", page.html);

    // Half of it refunded: half the converted net and half the commission go back.
    let refund = app
        .post(
            "/v1/checkout/orders/eur-1/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r1", "amount": 5_000}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    assert_eq!(refund.body["reversal"], 542, "10.83 × 50.00 / 100.00 = 5.415 → 5.42");
    let dashboard = app.get("/v1/me/dashboard", Some(&p.influencer.access_token)).await;
    assert_eq!(
        dashboard.body["brands"][0]["codes"][0]["net_sales"], 5_413,
        "10825 − ⌊10825 / 2⌋"
    );
    let rest = app
        .post(
            "/v1/checkout/orders/eur-1/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r2", "amount": 5_000}),
        )
        .await;
    assert_eq!(rest.body["reversal"], 541, "{}", rest.text);
    let dashboard = app.get("/v1/me/dashboard", Some(&p.influencer.access_token)).await;
    assert_eq!(dashboard.body["brands"][0]["codes"][0]["net_sales"], 0);
    verify_totals(&app).await;

    // A rate that is no decimal is refused at the door, and nothing is recorded.
    for bad in ["1,08", "-1", "0", "1e3", "1.00000000001"] {
        let reply = record(&app, &p, &euro_order("eur-bad", &p.code, json!({"fx_rate": bad}))).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), ["fx_rate"], "{bad}");
    }
    assert_eq!(app.count("orders WHERE order_id = 'eur-bad'"), 0);
}

#[tokio::test]
async fn without_a_rate_the_order_is_kept_unattributed_and_the_brands_table_converts_later_ones() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let lost = recorded(&app, &p, euro_order("eur-1", &p.code, json!({}))).await;
    assert_eq!(lost["attributed"], false, "{lost}");
    assert_eq!(lost["attribution"]["method"], "none");
    assert_eq!(lost["attribution"]["reason"], "no_fx_rate");
    assert_eq!(lost["attribution"]["candidates"][0]["status"], "no_fx_rate");
    assert_eq!(lost["attribution"]["fx"], Value::Null);
    assert_eq!(
        (lost["commission"]["amount"].clone(), lost["currency"].clone()),
        (json!(0), json!("EUR"))
    );

    let set = put_rates(&app, &p, json!([{"from": "EUR", "to": "USD", "rate": "1.10"}])).await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.body["rates"][0]["rate"], "1.1");
    let set_at = set.body["rates"][0]["updated_at"].clone();
    app.clock.advance(Duration::hours(1));
    let converted = recorded(&app, &p, euro_order("eur-2", &p.code, json!({}))).await;
    assert_eq!(converted["commission"]["amount"], 1_100, "{converted}");
    assert_eq!(converted["attribution"]["fx"]["source"], "rate_table");
    assert_eq!(converted["attribution"]["fx"]["at"], set_at);
    // The shop's own rate wins over the table.
    let own = recorded(&app, &p, euro_order("eur-3", &p.code, json!({"fx_rate": "1.2"}))).await;
    assert_eq!(
        (
            own["commission"]["amount"].clone(),
            own["attribution"]["fx"]["source"].clone()
        ),
        (json!(1_200), json!("order"))
    );

    // The brand moves the order that had no rate to its ambassador: it converts now.
    let order = lost["id"].as_str().unwrap();
    let owner = app.login(&p.brand.email, "brand").await;
    let moved = app
        .post(
            &format!("/v1/brand/orders/{order}/reassign"),
            Some(&owner),
            &json!({"ambassador_id": p.membership_id, "reason": "The rate was missing at checkout"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["commission"]["amount"], 1_100, "{}", moved.text);
    assert_eq!(moved.body["attribution"]["fx"]["source"], "rate_table");
    verify_totals(&app).await;

    // A rate the table does not have converts nothing: GBP stays unattributed.
    let pounds = recorded(&app, &p, euro_order("gbp-1", &p.code, json!({"currency": "GBP"}))).await;
    assert_eq!(pounds["attribution"]["reason"], "no_fx_rate");
    // A rate that would make the net larger than any amount is no real rate either.
    let absurd = recorded(
        &app,
        &p,
        euro_order(
            "eur-4",
            &p.code,
            json!({"fx_rate": "9999999", "lines": [{"sku": "B", "quantity": 1, "unit_price": 1_000_000_000_000i64}]}),
        ),
    )
    .await;
    assert_eq!(absurd["attribution"]["reason"], "fx_out_of_range", "{absurd}");
    // The code was used by every customer who typed it, rate or not.
    let codes = app
        .get(
            &format!("/v1/brand/ambassadors/{}/codes", p.membership_id),
            Some(&owner),
        )
        .await;
    assert_eq!(codes.body["items"][0]["uses"], 5, "{}", codes.text);
}

#[tokio::test]
async fn the_rate_table_is_replaced_whole_and_refuses_what_is_not_a_rate() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let empty = app.get("/v1/brand/fx-rates", Some(&p.brand.access_token)).await;
    assert_eq!(empty.body, json!({"rates": []}));

    let bad = put_rates(
        &app,
        &p,
        json!([
            {"from": "eur", "to": "USD", "rate": "1.1"},
            {"from": "EUR", "to": "USD", "rate": "-1"},
            {"from": "USD", "to": "USD", "rate": "1"},
            {"from": "GBP", "to": "USD", "rate": "1.27"},
            {"from": "GBP", "to": "USD", "rate": "1.28"},
            {"from": "XAU", "to": "USD", "rate": "2000"},
        ]),
    )
    .await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(
        bad.fields(),
        [
            "rates[0].from",
            "rates[1].rate",
            "rates[2].to",
            "rates[4].to",
            "rates[5].from"
        ]
    );
    let too_many: Vec<Value> = (0..101)
        .map(|i| json!({"from": "EUR", "to": "USD", "rate": format!("1.{i}")}))
        .collect();
    let reply = put_rates(&app, &p, json!(too_many)).await;
    reply.assert_problem(422, "validation_failed");
    assert!(reply.fields().contains(&"rates".to_owned()), "{}", reply.text);
    assert_eq!(app.count("fx_rates"), 0, "a refused table changes nothing");

    let first = put_rates(
        &app,
        &p,
        json!([{"from": "GBP", "to": "USD", "rate": "1.27"}, {"from": "EUR", "to": "USD", "rate": "1.08"}]),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let pairs: Vec<(Value, Value)> = first.body["rates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["from"].clone(), r["rate"].clone()))
        .collect();
    assert_eq!(pairs, [(json!("EUR"), json!("1.08")), (json!("GBP"), json!("1.27"))]);
    let eur_at = first.body["rates"][0]["updated_at"].clone();

    // An hour on: EUR unchanged keeps its time, GBP changed is dated now; an empty
    // table removes every pair.
    app.clock.advance(Duration::hours(1));
    let second = put_rates(
        &app,
        &p,
        json!([{"from": "EUR", "to": "USD", "rate": "1.080"}, {"from": "GBP", "to": "USD", "rate": "1.3"}]),
    )
    .await;
    assert_eq!(second.body["rates"][0]["updated_at"], eur_at, "{}", second.text);
    assert_ne!(
        second.body["rates"][1]["updated_at"],
        first.body["rates"][1]["updated_at"]
    );
    let cleared = put_rates(&app, &p, json!([])).await;
    assert_eq!(cleared.body, json!({"rates": []}));

    // Another brand's table is its own.
    let other = app.program_with_ambassador("other").await;
    put_rates(&app, &other, json!([{"from": "EUR", "to": "USD", "rate": "2"}])).await;
    let token = app.login(&p.brand.email, "brand").await;
    let mine = app.get("/v1/brand/fx-rates", Some(&token)).await;
    assert_eq!(mine.body, json!({"rates": []}));
    let order = recorded(&app, &p, euro_order("eur-1", &p.code, json!({}))).await;
    assert_eq!(
        order["attribution"]["reason"], "no_fx_rate",
        "another brand's rate is not ours"
    );
}
