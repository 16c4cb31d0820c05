//! The outbox: every change worth telling writes its event in the change's own
//! transaction, so an event exists exactly when the change committed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::orders::order_body;
use reftrack::service::events::{self, EventType};
use reftrack::store::outbox;

/// The outbox as (type, data), oldest first.
async fn told(app: &TestApp) -> Vec<(String, Value)> {
    app.db
        .read(|conn| Ok::<_, reftrack::store::StoreError>(outbox::undispatched(conn, 1000)?))
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.event_type, serde_json::from_str(&row.data).unwrap()))
        .collect()
}

fn types(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(t, _)| t.as_str()).collect()
}

#[tokio::test]
async fn each_change_tells_its_event_once() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    // Joining took an invitation and an acceptance.
    assert_eq!(types(&told(&app).await), ["invitation.created", "ambassador.joined"]);

    let order = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &order_body("1001", Some(&p.code)),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    // The same request again is a replay: no second event.
    let again = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &order_body("1001", Some(&p.code)),
        )
        .await;
    assert_eq!(again.status, 201);
    let events = told(&app).await;
    assert_eq!(types(&events)[2..], ["order.recorded"]);
    let data = &events[2].1;
    assert_eq!(data["order"]["order_id"], "1001");
    assert_eq!(data["order"]["net_amount"], 5949);
    assert_eq!(data["order"]["currency"], "USD");
    assert_eq!(data["attributed"], true);
    assert_eq!(data["ambassador_id"], p.membership_id.as_str());
    assert_eq!(data["code"], p.code.as_str());
    assert_eq!(data["commission"]["amount"], 595);
    // No customer e-mail, hashed or not, in what is told.
    assert!(!data.to_string().contains("@"), "{data}");

    let refund = app
        .post(
            "/v1/checkout/orders/1001/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r-1", "amount": 1000}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    let cancel = app
        .post("/v1/checkout/orders/1001/cancel", Some(&p.api_key), &json!({}))
        .await;
    assert_eq!(cancel.status, 201, "{}", cancel.text);
    let events = told(&app).await;
    assert_eq!(types(&events)[3..], ["order.refunded", "order.cancelled"]);
    assert_eq!(events[3].1["refund"]["amount"], 1000);
    assert_eq!(events[4].1["refunded_total"], 5949);
    assert_eq!(events[4].1["reversed_total"], 595);
}

#[tokio::test]
async fn maturation_and_payouts_tell_approvals_grants_and_payouts() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    // Four orders: 4 × 595 passes the program's 2000 minimum payout.
    for id in ["1", "2", "3", "4"] {
        let order = app
            .post("/v1/checkout/orders", Some(&p.api_key), &order_body(id, Some(&p.code)))
            .await;
        assert_eq!(order.status, 201, "{}", order.text);
    }
    app.clock.advance(Duration::days(31));
    app.mature().await;
    let events = told(&app).await;
    let approved: Vec<_> = events.iter().filter(|(t, _)| t == "commission.approved").collect();
    assert_eq!(approved.len(), 4);
    assert!(
        approved
            .iter()
            .all(|(_, d)| d["entry"]["amount"] == 595 && d["ambassador_id"] == p.membership_id.as_str())
    );
    // Every three orders earn the program's free bag: once for four.
    let granted: Vec<_> = events.iter().filter(|(t, _)| t == "reward.granted").collect();
    assert_eq!(granted.len(), 1);
    assert_eq!(granted[0].1["sku"], "FREE-BAG");
    // A second pass approves nothing more and tells nothing more.
    app.mature().await;
    assert_eq!(told(&app).await.len(), events.len());

    let token = app.login(&p.brand.email, "brand").await;
    let payout = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    assert_eq!(payout.status, 201, "{}", payout.text);
    let id = payout.body["id"].as_str().unwrap();
    let paid = app
        .post(&format!("/v1/brand/payouts/{id}/paid"), Some(&token), &json!({}))
        .await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    let events = told(&app).await;
    let tail: Vec<_> = types(&events).into_iter().rev().take(2).collect();
    assert_eq!(tail, ["payout.paid", "payout.created"]);
    assert_eq!(events.last().unwrap().1["total"], 2380);
}

#[tokio::test]
async fn refused_changes_tell_nothing() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let before = told(&app).await.len();
    let mut euros = order_body("1001", Some(&p.code));
    euros["currency"] = json!("EUR");
    euros["fx_rate"] = json!("0");
    let refused = app.post("/v1/checkout/orders", Some(&p.api_key), &euros).await;
    refused.assert_problem(422, "validation_failed");
    let order = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &order_body("1002", Some(&p.code)),
        )
        .await;
    assert_eq!(order.status, 201);
    let too_much = app
        .post(
            "/v1/checkout/orders/1002/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r-1", "amount": 999999}),
        )
        .await;
    too_much.assert_problem(422, "refund_exceeds_net");
    assert_eq!(types(&told(&app).await)[before..], ["order.recorded"]);
}

/// Units of work that fail after writing their event leave no event, while units
/// committed beside them (on SQLite, in the same group commit) keep theirs.
#[tokio::test]
async fn an_event_of_a_rolled_back_unit_is_never_written() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let brand_id: reftrack::store::ids::BrandId = brand.id.parse().unwrap();
    let before = told(&app).await.len();
    let mut units = Vec::new();
    for i in 0..20 {
        let db = app.db.clone();
        units.push(tokio::spawn(async move {
            db.write(move |conn| {
                let now = chrono::Utc::now().naive_utc();
                events::emit(conn, brand_id, EventType::PayoutCreated, &json!({"unit": i}), now)?;
                if i % 2 == 1 {
                    return Err(reftrack::store::StoreError::Corrupt(format!(
                        "unit {i} fails after its event"
                    )));
                }
                Ok(())
            })
            .await
        }));
    }
    for (i, unit) in units.into_iter().enumerate() {
        assert_eq!(unit.await.unwrap().is_ok(), i % 2 == 0);
    }
    let mut kept: Vec<i64> = told(&app).await[before..]
        .iter()
        .map(|(_, data)| data["unit"].as_i64().unwrap())
        .collect();
    kept.sort_unstable();
    assert_eq!(kept, (0..20).step_by(2).collect::<Vec<i64>>());
}
