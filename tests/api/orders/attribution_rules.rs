//! The program's attribution rules over time: a click counts for `click_window_days`,
//! and a returning customer stays with their ambassador for `customer_binding_days`.

use chrono::Duration;
use serde_json::{Value, json};

use super::record;
use crate::helpers::{Program, TestApp, program_body, spawn_app};

fn terms(extra: Value) -> Value {
    let mut body = program_body();
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        body[key] = value;
    }
    body
}

/// A one-line order of 100.00 (10 % = 10.00), with what the test adds.
fn order(order_id: &str, extra: Value) -> Value {
    let mut body = json!({
        "order_id": order_id,
        "currency": "USD",
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

/// (method, reason, the membership the order went to).
fn outcome(order: &Value) -> (String, String, Option<String>) {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    (
        text(&order["attribution"]["method"]),
        text(&order["attribution"]["reason"]),
        order["ambassador_id"].as_str().map(str::to_owned),
    )
}

fn statuses(order: &Value) -> Vec<(String, String)> {
    order["attribution"]["candidates"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
            (text("method"), text("status"))
        })
        .collect()
}

#[tokio::test]
async fn a_click_counts_for_the_programs_window_and_no_longer() {
    let app = spawn_app().await;
    let p = app
        .program_with_terms("acme", &terms(json!({"click_window_days": 7})))
        .await;
    let click = app.click("acme", &p.code, "phone").await;
    app.clock.advance(Duration::days(7));

    let inside = recorded(
        &app,
        &p,
        order(
            "in-window",
            json!({"click_id": click, "placed_at": "2026-11-09T11:59:59Z"}),
        ),
    )
    .await;
    assert_eq!(
        outcome(&inside),
        ("link".into(), "link".into(), Some(p.membership_id.clone()))
    );
    assert_eq!(inside["commission"]["amount"], 1000);

    // Placed exactly seven days after the click: the click no longer counts.
    let late = recorded(&app, &p, order("late", json!({"click_id": click}))).await;
    assert_eq!(outcome(&late), ("none".into(), "click_expired".into(), None));
    assert_eq!(statuses(&late), [("link".to_owned(), "click_expired".to_owned())]);
    assert_eq!(late["commission"]["amount"], 0);

    // The window read is the program's current one: lengthened, the click counts again.
    let token = app.login(&p.brand.email, "brand").await;
    let patched = app
        .patch(
            &format!("/v1/brand/programs/{}", p.program_id),
            Some(&token),
            &json!({"click_window_days": 30}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["terms"]["click_window_days"], 30, "{}", patched.text);
    let again = recorded(&app, &p, order("later", json!({"click_id": click}))).await;
    assert_eq!(outcome(&again).0, "link");
}

#[tokio::test]
async fn the_window_and_the_binding_take_their_bounds() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    for (field, bad) in [
        ("click_window_days", json!(0)),
        ("click_window_days", json!(366)),
        ("customer_binding_days", json!(-1)),
        ("customer_binding_days", json!(3651)),
        ("customer_binding_days", json!("30")),
    ] {
        let mut body = program_body();
        body[field] = bad.clone();
        let reply = app.post("/v1/brand/programs", Some(&brand.access_token), &body).await;
        assert_eq!(reply.status, 422, "{field} = {bad}: {}", reply.text);
        assert!(reply.text.contains(field), "{field} = {bad}: {}", reply.text);
    }
    let created = app
        .post(
            "/v1/brand/programs",
            Some(&brand.access_token),
            &terms(json!({"click_window_days": 365, "customer_binding_days": 3650})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["terms"]["click_window_days"], 365);
    assert_eq!(created.body["terms"]["customer_binding_days"], 3650);
    let defaults = app
        .post("/v1/brand/programs", Some(&brand.access_token), &program_body())
        .await;
    assert_eq!(defaults.body["terms"]["click_window_days"], 30, "{}", defaults.text);
    assert_eq!(defaults.body["terms"]["customer_binding_days"], 0);
}

#[tokio::test]
async fn a_returning_customer_stays_with_their_ambassador_for_the_binding_days() {
    let app = spawn_app().await;
    let p = app
        .program_with_terms("acme", &terms(json!({"customer_binding_days": 30})))
        .await;
    let token = app.login(&p.brand.email, "brand").await;
    let (_, ben, ben_code) = app.add_ambassador(&p, &token, "ben@acme.example").await;
    let customer = json!({"customer_email": "Cleo@Example.com"});
    let with = |extra: Value| {
        let mut body = customer.clone();
        for (key, value) in extra.as_object().cloned().unwrap_or_default() {
            body[key] = value;
        }
        body
    };

    let first = recorded(&app, &p, order("1", with(json!({"code": p.code})))).await;
    assert_eq!(
        outcome(&first),
        ("code".into(), "code".into(), Some(p.membership_id.clone()))
    );

    app.clock.advance(Duration::days(10));
    // No code, the same customer (the e-mail compared as its keyed hash): Ana's.
    let repeat = recorded(&app, &p, order("2", json!({"customer_email": "cleo@example.com"}))).await;
    assert_eq!(
        outcome(&repeat),
        (
            "binding".into(),
            "customer_binding".into(),
            Some(p.membership_id.clone())
        )
    );
    assert_eq!(repeat["commission"]["amount"], 1000);
    assert_eq!(repeat["attribution"]["candidates"][0]["code"], p.code.as_str());
    assert_eq!(statuses(&repeat), [("binding".to_owned(), "ok".to_owned())]);

    // Without the e-mail nobody can tell it is her.
    let anonymous = recorded(&app, &p, order("3", json!({}))).await;
    assert_eq!(outcome(&anonymous), ("none".into(), "no_referral".into(), None));

    // Under code_first Ben's typed code wins this order; the customer stays Ana's.
    let bens = recorded(&app, &p, order("4", with(json!({"code": ben_code})))).await;
    assert_eq!(outcome(&bens), ("code".into(), "code_first".into(), Some(ben.clone())));
    assert_eq!(
        statuses(&bens),
        [
            ("code".to_owned(), "ok".to_owned()),
            ("binding".to_owned(), "ok".to_owned())
        ]
    );
    let still = recorded(&app, &p, order("5", customer.clone())).await;
    assert_eq!(outcome(&still).2, Some(p.membership_id.clone()));

    // Thirty days after the first order the binding has lapsed (orders through it did
    // not renew it); the next referred order binds her afresh, to Ben.
    app.clock.advance(Duration::days(20));
    let lapsed = recorded(&app, &p, order("6", customer.clone())).await;
    assert_eq!(outcome(&lapsed), ("none".into(), "binding_expired".into(), None));
    let rebinding = recorded(&app, &p, order("7", with(json!({"code": ben_code})))).await;
    assert_eq!(outcome(&rebinding), ("code".into(), "code".into(), Some(ben.clone())));
    assert_eq!(
        statuses(&rebinding),
        [
            ("code".to_owned(), "ok".to_owned()),
            ("binding".to_owned(), "binding_expired".to_owned())
        ]
    );
    let bens_now = recorded(&app, &p, order("8", customer.clone())).await;
    assert_eq!(
        outcome(&bens_now),
        ("binding".into(), "customer_binding".into(), Some(ben))
    );
    assert_eq!(app.count("customer_bindings"), 1);
}

#[tokio::test]
async fn under_link_first_a_binding_comes_before_a_typed_code() {
    let app = spawn_app().await;
    let p = app
        .program_with_terms(
            "acme",
            &terms(json!({"customer_binding_days": 30, "attribution": "link_first"})),
        )
        .await;
    let token = app.login(&p.brand.email, "brand").await;
    let (_, ben, ben_code) = app.add_ambassador(&p, &token, "ben@acme.example").await;
    let customer = "cleo@example.com";
    recorded(
        &app,
        &p,
        order("1", json!({"code": p.code, "customer_email": customer})),
    )
    .await;

    let coded = recorded(
        &app,
        &p,
        order("2", json!({"code": ben_code, "customer_email": customer})),
    )
    .await;
    assert_eq!(
        outcome(&coded),
        ("binding".into(), "link_first".into(), Some(p.membership_id.clone()))
    );
    // The order carries the binding's code; the typed one was still used (a use of
    // Ben's code, as when a link wins over it).
    assert_eq!(coded["code"], p.code.as_str(), "{coded}");
    let uses = format!("orders o JOIN codes c ON c.id = o.used_code_id WHERE c.code = '{ben_code}'");
    assert_eq!(app.count(&uses), 1);

    // A click beats the binding under either rule.
    let click = app.click("acme", &ben_code, "phone").await;
    let clicked = recorded(
        &app,
        &p,
        order("3", json!({"click_id": click, "customer_email": customer})),
    )
    .await;
    assert_eq!(outcome(&clicked), ("link".into(), "link".into(), Some(ben)));
}

#[tokio::test]
async fn a_self_referral_binds_no_one_and_a_paused_ambassador_loses_the_binding() {
    let app = spawn_app().await;
    let p = app
        .program_with_terms("acme", &terms(json!({"customer_binding_days": 30})))
        .await;
    let own = "ana@acme.example";
    let bought = recorded(&app, &p, order("own", json!({"code": p.code, "customer_email": own}))).await;
    assert_eq!(bought["flags"], json!(["self_referral"]));
    let after = recorded(&app, &p, order("own-2", json!({"customer_email": own}))).await;
    assert_eq!(outcome(&after), ("none".into(), "no_referral".into(), None));
    assert_eq!(app.count("customer_bindings"), 0);

    let customer = "cleo@example.com";
    recorded(
        &app,
        &p,
        order("1", json!({"code": p.code, "customer_email": customer})),
    )
    .await;
    let paused = app
        .patch(
            &format!("/v1/brand/ambassadors/{}", p.membership_id),
            Some(&p.brand.access_token),
            &json!({"status": "paused"}),
        )
        .await;
    assert_eq!(paused.status, 200, "{}", paused.text);
    let repeat = recorded(&app, &p, order("2", json!({"customer_email": customer}))).await;
    assert_eq!(outcome(&repeat), ("none".into(), "ambassador_paused".into(), None));
    assert_eq!(
        statuses(&repeat),
        [("binding".to_owned(), "ambassador_paused".to_owned())]
    );
}
