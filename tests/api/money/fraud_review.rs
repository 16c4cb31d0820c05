//! Fraud review: the signals an order raises when it is recorded hold its commission
//! for the brand's review, with the program's thresholds; the brand releases or
//! rejects it as any hold, and the ambassador sees only "under review".

use serde_json::{Value, json};

use super::{past_the_hold, sale};
use crate::helpers::{Program, TestApp, program_body, spawn_app};

/// A 10,000 sale through Ana's code, with what the test adds; the checkout's answer.
async fn order(app: &TestApp, p: &Program, order_id: &str, extra: Value) -> Value {
    let mut body = sale(order_id, Some(&p.code));
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        body[key] = value;
    }
    let reply = app.post("/v1/checkout/orders", Some(&p.api_key), &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

async fn detail(app: &TestApp, token: &str, order: &Value) -> Value {
    let id = order["id"].as_str().unwrap_or_default();
    let reply = app.get(&format!("/v1/brand/orders/{id}"), Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

#[tokio::test]
async fn the_fifth_order_of_one_customer_in_a_day_is_held_until_the_brand_releases_it() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let customer = json!({"customer_email": "cleo@example.com"});
    for n in 1..=4 {
        let fine = order(&app, &p, &format!("c{n}"), customer.clone()).await;
        assert_eq!(fine["signals"], json!([]), "{fine}");
    }
    let fifth = order(&app, &p, "c5", customer.clone()).await;
    assert_eq!(fifth["signals"], json!(["repeat_customer"]), "{fifth}");
    let other = order(&app, &p, "d1", json!({"customer_email": "dan@example.com"})).await;
    assert_eq!(other["signals"], json!([]));

    let owner = p.brand.access_token.clone();
    let held = detail(&app, &owner, &fifth).await;
    assert_eq!(held["commission"]["status"], "held", "{held}");
    assert_eq!(held["reviews"][0]["action"], "hold");
    assert_eq!(held["reviews"][0]["acted_by"], Value::Null);
    let why = held["reviews"][0]["reason"].as_str().unwrap_or_default();
    assert!(why.starts_with("Held automatically for review: one customer"), "{why}");
    let listed = app.get("/v1/brand/orders?status=held", Some(&owner)).await;
    assert_eq!(
        listed.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        listed.text
    );

    // The ambassador sees it under review, without the signal.
    let ana = app.login("ana@acme.example", "influencer").await;
    let mine = app.get("/v1/me/orders", Some(&ana)).await;
    let statuses: Vec<&str> = mine.body["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|o| o["status"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(statuses.iter().filter(|s| **s == "held").count(), 1, "{}", mine.text);
    assert!(
        !mine.text.contains("repeat") && !mine.text.contains("signals"),
        "{}",
        mine.text
    );

    past_the_hold(&app);
    assert_eq!(app.mature().await.approved, 5, "the held one waits");
    let owner = app.login(&p.brand.email, "brand").await;
    let id = fifth["id"].as_str().unwrap_or_default();
    let released = app.review(&owner, id, "release", &json!({}), None).await;
    assert_eq!(released.status, 200, "{}", released.text);
    assert_eq!(app.mature().await.approved, 1, "released, it matures like any other");
}

#[tokio::test]
async fn a_customer_with_an_ambassadors_address_is_held() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let (ben, _, _) = app.add_ambassador(&p, &owner, "ben@acme.example").await;
    let set = app
        .patch(
            "/v1/me",
            Some(&ben.access_token),
            &json!({"payout_email": "Ben.Pay@example.com"}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text);

    let by_login = order(&app, &p, "1", json!({"customer_email": "BEN@acme.example"})).await;
    assert_eq!(by_login["signals"], json!(["customer_is_ambassador"]), "{by_login}");
    let by_payout = order(&app, &p, "2", json!({"customer_email": "ben.pay@example.com"})).await;
    assert_eq!(by_payout["signals"], json!(["customer_is_payout_email"]), "{by_payout}");
    // Ana's own login e-mail is a self-referral, not a signal.
    let own = order(&app, &p, "3", json!({"customer_email": "ana@acme.example"})).await;
    assert_eq!(
        (own["flags"].clone(), own["signals"].clone()),
        (json!(["self_referral"]), json!([]))
    );
    // Another brand's ambassador is nobody here.
    let q = app.program_with_ambassador("other").await;
    let elsewhere = order(&app, &p, "4", json!({"customer_email": "ana@other.example"})).await;
    assert_eq!(elsewhere["signals"], json!([]), "{elsewhere} ({})", q.code);
}

#[tokio::test]
async fn a_high_refund_rate_holds_the_next_orders() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    for n in 0..10 {
        let placed = order(&app, &p, &format!("o{n}"), json!({})).await;
        assert_eq!(placed["signals"], json!([]));
        if n < 5 {
            let refund = app
                .post(
                    &format!("/v1/checkout/orders/o{n}/refunds"),
                    Some(&p.api_key),
                    &json!({"refund_id": "r1", "amount": 1000}),
                )
                .await;
            assert_eq!(refund.status, 201, "{}", refund.text);
        }
    }
    // 5 of 10 refunded is 50 %: not above the default limit.
    let at_limit = order(&app, &p, "o10", json!({})).await;
    assert_eq!(at_limit["signals"], json!([]));
    let refund = app
        .post(
            "/v1/checkout/orders/o10/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r1", "amount": 1000}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    // 6 of 11 is above 50 %.
    let above = order(&app, &p, "o11", json!({})).await;
    assert_eq!(above["signals"], json!(["high_refund_rate"]), "{above}");
}

#[tokio::test]
async fn thresholds_are_the_programs_own() {
    let app = spawn_app().await;
    let mut terms = program_body();
    terms["fraud_review"] = json!({"repeat_orders": 0, "min_click_seconds": 30, "max_refund_rate": null});
    let p = app.program_with_terms("acme", &terms).await;
    let program = app
        .get(
            &format!("/v1/brand/programs/{}", p.program_id),
            Some(&p.brand.access_token),
        )
        .await;
    assert_eq!(
        program.body["terms"]["fraud_review"],
        json!({"repeat_orders": 0, "repeat_hours": 24, "max_refund_rate": null, "min_click_seconds": 30})
    );
    for n in 1..=6 {
        let repeat = order(
            &app,
            &p,
            &format!("r{n}"),
            json!({"customer_email": "cleo@example.com"}),
        )
        .await;
        assert_eq!(repeat["signals"], json!([]), "repeat orders are off");
    }
    let click = app.click("acme", &p.code, "phone").await;
    let instant = order(&app, &p, "c1", json!({"code": null, "click_id": click})).await;
    assert_eq!(instant["signals"], json!(["instant_click"]), "{instant}");
    app.clock.advance(chrono::Duration::seconds(30));
    let later = order(&app, &p, "c2", json!({"code": null, "click_id": click})).await;
    assert_eq!(later["signals"], json!([]), "{later}");

    let bad = app
        .post(
            "/v1/brand/programs",
            Some(&p.brand.access_token),
            &json!({"name": "x", "commission": {"type": "flat", "amount": 100},
                "fraud_review": {"repeat_hours": 0}}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
}
