//! Reassigning an order: the first ambassador's commission reversed with the reason,
//! the second's priced under their own terms at `placed_at` (refunds so far taken off),
//! later refunds reversing the new commission, and every refusal.

use serde_json::{Value, json};

use super::sale;
use crate::helpers::{Program, TestApp, program_body, spawn_app};

/// A second program of the brand at 20 %, and Bo in it; returns Bo's membership id.
async fn bo_at_twenty_percent(app: &TestApp, p: &Program) -> String {
    let mut terms = program_body();
    terms["name"] = json!("Creators");
    terms["commission"] = json!({"type": "percent", "rate": "20"});
    let program = app.create_program(&p.brand.access_token, &terms).await;
    let bo = app.sign_up_influencer("bo@acme.example").await;
    let joined = app
        .join(&p.brand.access_token, &program, "bo@acme.example", &bo.access_token)
        .await;
    joined["id"].as_str().unwrap().to_owned()
}

fn entries(order: &Value) -> Vec<(String, i64, Value)> {
    order["ledger_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let who = if e["reason"].is_null() {
                Value::Null
            } else {
                e["reason"].clone()
            };
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["amount"].as_i64().unwrap(),
                who,
            )
        })
        .collect()
}

#[tokio::test]
async fn a_reassigned_order_reverses_the_first_commission_and_prices_the_second_by_its_terms() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let bo = bo_at_twenty_percent(&app, &p).await;
    let order = app.sale(&p, "1001").await;
    let refund = app
        .post(
            "/v1/checkout/orders/1001/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r1", "amount": 2_500}),
        )
        .await;
    assert_eq!(refund.body["reversal"], 250, "{}", refund.text);

    let body = json!({"ambassador_id": bo, "reason": "Bo's story drove the sale; Ana's code was a coupon site's"});
    let path = format!("/v1/brand/orders/{order}/reassign");
    let moved = app.post_keyed(&path, &owner, Some("move-1"), &body).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["ambassador_id"], bo.as_str());
    assert_eq!(moved.body["code"], Value::Null, "the code was Ana's");
    assert_eq!(moved.body["commission"]["amount"], 2_000, "20 % of 10,000");
    assert_eq!(moved.body["commission"]["rate"], "20");
    assert_eq!(moved.body["commission"]["status"], "pending");
    assert_eq!(moved.body["attribution"]["reason"], "reassigned");
    assert_eq!(moved.body["lines"][0]["rate"], "20");
    let why = json!("Bo's story drove the sale; Ana's code was a coupon site's");
    assert_eq!(
        entries(&moved.body),
        [
            ("commission".to_owned(), 1_000, Value::Null),
            ("reversal".to_owned(), -250, Value::Null),
            ("reversal".to_owned(), -750, why.clone()),
            ("commission".to_owned(), 2_000, Value::Null),
            ("reversal".to_owned(), -500, Value::Null),
        ],
        "{}",
        moved.text
    );
    let review = &moved.body["reviews"][0];
    assert_eq!(
        (
            &review["action"],
            &review["reason"],
            &review["from_ambassador_id"],
            &review["to_ambassador_id"]
        ),
        (&json!("reassign"), &why, &json!(p.membership_id), &json!(bo)),
    );
    let again = app.post_keyed(&path, &owner, Some("move-1"), &body).await;
    assert_eq!((again.status, again.text.as_str()), (200, moved.text.as_str()));
    assert!(again.replayed());
    app.post(&path, Some(&owner), &body)
        .await
        .assert_problem(409, "same_ambassador");
    // Each ambassador earns on an order once: it does not go back to Ana.
    app.post(
        &path,
        Some(&owner),
        &json!({"ambassador_id": p.membership_id, "reason": "Undo"}),
    )
    .await
    .assert_problem(409, "previously_attributed");

    // Ana's balance nets to zero; Bo has 1,500 pending. A later refund reverses Bo's.
    assert_eq!(app.totals(&p).await["pending"], 0);
    let late = app
        .post(
            "/v1/checkout/orders/1001/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r2", "amount": 2_500}),
        )
        .await;
    assert_eq!(late.body["reversal"], 500, "{}", late.text);
    let bo_ledger = app
        .get(&format!("/v1/brand/ambassadors/{bo}/entries"), Some(&owner))
        .await;
    let sum: i64 = bo_ledger.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 1_000, "{}", bo_ledger.text);
    // The order is Bo's now, in the brand's list filtered by ambassador.
    let listed = app
        .get(&format!("/v1/brand/orders?ambassador_id={bo}"), Some(&owner))
        .await;
    assert_eq!(listed.body["items"][0]["id"], order.as_str(), "{}", listed.text);
}

#[tokio::test]
async fn an_unattributed_order_can_be_given_to_an_ambassador() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let recorded = app
        .post("/v1/checkout/orders", Some(&p.api_key), &sale("9001", None))
        .await;
    let order = recorded.body["id"].as_str().unwrap().to_owned();
    let moved = app
        .post(
            &format!("/v1/brand/orders/{order}/reassign"),
            Some(&p.brand.access_token),
            &json!({"ambassador_id": p.membership_id, "reason": "The customer named Ana in a DM"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["attributed"], true);
    assert_eq!(moved.body["commission"]["amount"], 1_000);
    assert_eq!(moved.body["reviews"][0]["from_ambassador_id"], Value::Null);
}

#[tokio::test]
async fn reassignments_are_refused_to_ended_foreign_or_other_currency_ambassadors_and_in_a_batch() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let order = app.sale(&p, "1001").await;
    let path = format!("/v1/brand/orders/{order}/reassign");
    let to = |id: &str| json!({"ambassador_id": id, "reason": "Moving it"});

    let bo = bo_at_twenty_percent(&app, &p).await;
    let ended = app
        .patch(
            &format!("/v1/brand/ambassadors/{bo}"),
            Some(&owner),
            &json!({"status": "ended"}),
        )
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    app.post(&path, Some(&owner), &to(&bo))
        .await
        .assert_problem(409, "membership_ended");

    let mut euro = program_body();
    euro["name"] = json!("Europe");
    euro["currency"] = json!("EUR");
    let euro_program = app.create_program(&owner, &euro).await;
    let cy = app.sign_up_influencer("cy@acme.example").await;
    let cy_id = app
        .join(&owner, &euro_program, "cy@acme.example", &cy.access_token)
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(&path, Some(&owner), &to(&cy_id))
        .await
        .assert_problem(422, "currency_mismatch");

    let rival = app.program_with_ambassador("rival").await;
    for id in [rival.membership_id.clone(), uuid::Uuid::now_v7().to_string()] {
        app.post(&path, Some(&owner), &to(&id))
            .await
            .assert_problem(404, "ambassador_not_found");
    }
    let bad = app.post(&path, Some(&owner), &to("ana")).await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.fields(), ["ambassador_id"]);
    assert_eq!(app.count("commission_reviews"), 0);
    assert_eq!(app.count("ledger_entries WHERE kind = 'reversal'"), 0);

    // A commission a pending batch holds stays where it is until the batch is cancelled.
    app.sale(&p, "1002").await;
    super::past_the_hold(&app);
    app.mature().await;
    let owner = app.login(&p.brand.email, "brand").await;
    let (_, dee, _) = app.add_ambassador(&p, &owner, "dee@acme.example").await;
    let batch = app
        .post("/v1/brand/payouts", Some(&owner), &json!({"currency": "USD"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    app.post(&path, Some(&owner), &to(&dee))
        .await
        .assert_problem(409, "commission_in_payout");
}
