//! The review of a commission: hold (it does not mature), release (it matures on the
//! next pass), reject (the rest is reversed with the reason, nothing counts toward
//! rewards, a later refund reverses nothing), and every refusal.

use serde_json::{Value, json};

use super::{past_the_hold, sale};
use crate::helpers::spawn_app;

fn reason(text: &str) -> Value {
    json!({"reason": text})
}

#[tokio::test]
async fn a_held_commission_does_not_mature_until_released() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = app.sale(&p, "1001").await;
    let owner = p.brand.access_token.clone();

    let held = app
        .review(&owner, &order, "hold", &reason("Customer asked for a chargeback"), None)
        .await;
    assert_eq!(held.status, 200, "{}", held.text);
    assert_eq!(held.body["commission"]["status"], "held", "{}", held.text);
    assert_eq!(held.body["reviews"][0]["action"], "hold");
    assert_eq!(held.body["reviews"][0]["reason"], "Customer asked for a chargeback");
    app.review(&owner, &order, "hold", &reason("again"), None)
        .await
        .assert_problem(409, "commission_held");

    // The influencer sees it under review, without the brand's reason.
    let ana = app.login("ana@acme.example", "influencer").await;
    let mine = app.get("/v1/me/orders", Some(&ana)).await;
    assert_eq!(mine.body["items"][0]["status"], "held", "{}", mine.text);
    assert!(!mine.text.contains("chargeback"), "{}", mine.text);

    past_the_hold(&app);
    assert_eq!(app.mature().await.approved, 0, "a held commission does not mature");
    let owner = app.login(&p.brand.email, "brand").await;
    let released = app.review(&owner, &order, "release", &json!({}), None).await;
    assert_eq!(released.status, 200, "{}", released.text);
    assert_eq!(released.body["commission"]["status"], "pending", "{}", released.text);
    assert_eq!(released.body["reviews"][1]["action"], "release");
    app.review(&owner, &order, "release", &json!({}), None)
        .await
        .assert_problem(409, "commission_not_held");
    assert_eq!(app.mature().await.approved, 1, "released, it matures on the next pass");
    app.review(&owner, &order, "hold", &reason("too late"), None)
        .await
        .assert_problem(409, "commission_not_pending");
    let totals = app.totals(&p).await;
    assert_eq!(totals["approved"], 1_000, "{totals}");
}

#[tokio::test]
async fn a_rejected_commission_is_reversed_with_its_reason_and_counts_for_nothing() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    // Three orders would earn the program's free bag (every 3 orders); one is rejected.
    let orders = [
        app.sale(&p, "1001").await,
        app.sale(&p, "1002").await,
        app.sale(&p, "1003").await,
    ];
    let refund = app
        .post(
            "/v1/checkout/orders/1001/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r1", "amount": 2_500}),
        )
        .await;
    assert_eq!(refund.body["reversal"], 250, "{}", refund.text);

    let body = reason("Order placed by the ambassador's partner");
    let rejected = app.review(&owner, &orders[0], "reject", &body, Some("rej-1")).await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    assert_eq!(rejected.body["commission"]["status"], "rejected", "{}", rejected.text);
    let entries: Vec<(Value, Value, Value)> = rejected.body["ledger_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].clone(), e["amount"].clone(), e["reason"].clone()))
        .collect();
    assert_eq!(
        entries,
        [
            (json!("commission"), json!(1_000), Value::Null),
            (json!("reversal"), json!(-250), Value::Null),
            (
                json!("reversal"),
                json!(-750),
                json!("Order placed by the ambassador's partner")
            ),
        ]
    );
    // Settled together at once: nothing of it pending, nothing payable.
    assert!(
        rejected.body["ledger_entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !e["approved_at"].is_null())
    );
    let again = app.review(&owner, &orders[0], "reject", &body, Some("rej-1")).await;
    assert_eq!((again.status, again.text.as_str()), (200, rejected.text.as_str()));
    assert!(again.replayed());
    app.review(&owner, &orders[0], "reject", &body, None)
        .await
        .assert_problem(409, "commission_rejected");
    app.review(&owner, &orders[0], "hold", &body, None)
        .await
        .assert_problem(409, "commission_rejected");
    assert_eq!(app.count("outbox_events WHERE event_type = 'commission.rejected'"), 1);

    // A later refund reverses nothing more; the total reversed stays the commission.
    let late = app
        .post(
            "/v1/checkout/orders/1001/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r2", "amount": 2_500}),
        )
        .await;
    assert_eq!((late.status, &late.body["reversal"]), (201, &json!(0)), "{}", late.text);

    // The influencer sees the rejection and its reason; the totals add up.
    let ana = app.login("ana@acme.example", "influencer").await;
    let mine = app.get(&format!("/v1/me/orders/{}", orders[0]), Some(&ana)).await;
    assert_eq!(mine.body["status"], "rejected", "{}", mine.text);
    assert!(mine.text.contains("Order placed by the ambassador"), "{}", mine.text);
    let totals = app.totals(&p).await;
    assert_eq!(
        (&totals["pending"], &totals["approved"], &totals["reversed"]),
        (&json!(2_000), &json!(0), &json!(1_000)),
        "{totals}"
    );

    // Past the hold two orders qualify: no free bag, and 2,000 payable.
    past_the_hold(&app);
    let pass = app.mature().await;
    assert_eq!((pass.approved, pass.rewards_granted), (2, 0));
    assert_eq!(app.totals(&p).await["approved"], 2_000);
}

#[tokio::test]
async fn a_commission_paid_or_in_a_pending_batch_cannot_be_rejected() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let first = app.sale(&p, "1001").await;
    let second = app.sale(&p, "1002").await;
    app.sale(&p, "1003").await;
    past_the_hold(&app);
    app.mature().await;
    let owner = app.login(&p.brand.email, "brand").await;
    let batch = app
        .post("/v1/brand/payouts", Some(&owner), &json!({"currency": "USD"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    let batch_id = batch.body["id"].as_str().unwrap().to_owned();
    let body = reason("Fraud");
    app.review(&owner, &first, "reject", &body, None)
        .await
        .assert_problem(409, "commission_in_payout");
    let cancel = app
        .post(
            &format!("/v1/brand/payouts/{batch_id}/cancel"),
            Some(&owner),
            &json!({}),
        )
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.text);
    let rejected = app.review(&owner, &first, "reject", &body, None).await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);

    let paid_batch = app
        .post("/v1/brand/payouts", Some(&owner), &json!({"currency": "USD"}))
        .await;
    assert_eq!(paid_batch.body["total"], 2_000, "{}", paid_batch.text);
    let paid = app
        .post(
            &format!("/v1/brand/payouts/{}/paid", paid_batch.body["id"].as_str().unwrap()),
            Some(&owner),
            &json!({}),
        )
        .await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    app.review(&owner, &second, "reject", &body, None)
        .await
        .assert_problem(409, "commission_paid");
}

#[tokio::test]
async fn reviews_are_refused_without_a_commission_a_reason_or_in_another_brand() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let unattributed = app
        .post("/v1/checkout/orders", Some(&p.api_key), &sale("9001", None))
        .await;
    let unattributed = unattributed.body["id"].as_str().unwrap().to_owned();
    for action in ["hold", "release", "reject"] {
        app.review(&owner, &unattributed, action, &reason("x"), None)
            .await
            .assert_problem(409, "no_commission");
    }
    let order = app.sale(&p, "1001").await;
    for action in ["hold", "reject"] {
        let reply = app.review(&owner, &order, action, &json!({}), None).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), ["reason"]);
    }
    let rival = app.program_with_ambassador("rival").await;
    let theirs = app.sale(&rival, "1001").await;
    for id in [theirs, uuid::Uuid::now_v7().to_string()] {
        for action in ["hold", "release", "reject"] {
            app.review(&owner, &id, action, &reason("x"), None)
                .await
                .assert_problem(404, "order_not_found");
        }
    }
    assert_eq!(app.count("commission_reviews"), 0);
    assert_eq!(app.count("orders WHERE review IS NOT NULL"), 0);
}
