//! Every refusal of a deal's state answers 409 with its code, and a malformed offer
//! 422 with the paths of its fields, never 500.

use chrono::Duration;
use serde_json::json;

use super::{FEE, offer_body, proof_ids};
use crate::helpers::spawn_app;

#[tokio::test]
async fn an_offer_past_its_expiry_is_refused_and_reads_expired() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let mut body = offer_body(&p.membership_id, FEE, 1, 30);
    body["expires_at"] = json!("2026-11-05T12:00:00Z");
    let id = app.offer_deal(&p.brand.access_token, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.clock.advance(Duration::days(3) + Duration::minutes(1));
    let ana = app.login("ana@acme.example", "influencer").await;
    app.my_step(&ana, &id, "accept", &json!({}))
        .await
        .assert_problem(409, "offer_expired");
    let mine = app.get(&format!("/v1/me/deals/{id}"), Some(&ana)).await;
    assert_eq!(mine.body["status"], "expired", "{}", mine.text);
    let owner = app.login(&p.brand.email, "brand").await;
    let theirs = app.get(&format!("/v1/brand/deals/{id}"), Some(&owner)).await;
    assert_eq!(theirs.body["status"], "expired", "{}", theirs.text);
    app.brand_step(&owner, &id, "withdraw")
        .await
        .assert_problem(409, "offer_expired");
}

#[tokio::test]
async fn answers_out_of_turn_are_refused() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let ana = p.influencer.access_token.clone();
    let id = app.standard_deal(&p).await;

    app.brand_step(&owner, &id, "counter/accept")
        .await
        .assert_problem(409, "no_counter_offer");
    app.brand_step(&owner, &id, "counter/decline")
        .await
        .assert_problem(409, "no_counter_offer");
    app.my_step(&ana, &id, "counter", &json!({"fee": FEE}))
        .await
        .assert_problem(409, "same_fee");
    let countered = app.my_step(&ana, &id, "counter", &json!({"fee": 6_000})).await;
    assert_eq!(countered.status, 200, "{}", countered.text);
    app.my_step(&ana, &id, "accept", &json!({}))
        .await
        .assert_problem(409, "awaiting_brand");
    app.brand_step(&owner, &id, "cancel")
        .await
        .assert_problem(409, "deal_not_accepted");
    let deal = app.get(&format!("/v1/brand/deals/{id}"), Some(&owner)).await;
    let item = deal.body["deliverables"][0]["id"].as_str().unwrap().to_owned();
    app.submit_proof(&ana, &id, &item, "https://instagram.example/p/1", Duration::hours(1))
        .await
        .assert_problem(409, "deal_not_accepted");

    assert_eq!(app.brand_step(&owner, &id, "counter/accept").await.status, 200);
    app.brand_step(&owner, &id, "withdraw")
        .await
        .assert_problem(409, "deal_not_open");
    app.my_step(&ana, &id, "counter", &json!({"fee": 7_000}))
        .await
        .assert_problem(409, "deal_not_open");
    app.my_step(&ana, &id, "decline", &json!({}))
        .await
        .assert_problem(409, "deal_not_open");
}

#[tokio::test]
async fn proof_steps_out_of_order_are_refused() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let ana = p.influencer.access_token.clone();
    let (id, item) = app.accepted_deal(&p, &offer_body(&p.membership_id, FEE, 1, 30)).await;

    let sent = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/1", Duration::hours(1))
        .await;
    assert_eq!(sent.status, 201, "{}", sent.text);
    let first = proof_ids(&sent.body)[0].clone();
    app.submit_proof(&ana, &id, &item, "https://instagram.example/p/2", Duration::hours(1))
        .await
        .assert_problem(409, "deliverable_complete");
    app.decide_proof(&owner, &first, "removed", &json!({"reason": "Gone"}))
        .await
        .assert_problem(409, "proof_not_approved");
    app.brand_step(&owner, &id, "cancel")
        .await
        .assert_problem(409, "proofs_waiting");

    let rejected = app
        .decide_proof(&owner, &first, "reject", &json!({"reason": "Wrong product"}))
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    app.decide_proof(&owner, &first, "approve", &json!({}))
        .await
        .assert_problem(409, "proof_decided");
    assert_eq!(app.count("ledger_entries"), 0);

    // A proof published in the future, or with a bad URL: 422 beside its field.
    let future = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/3", -Duration::hours(1))
        .await;
    future.assert_problem(422, "validation_failed");
    assert_eq!(future.fields(), ["published_at"]);
    let bad = app
        .submit_proof(&ana, &id, &item, "not a url", Duration::hours(1))
        .await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.fields(), ["url"]);
    let missing = uuid::Uuid::now_v7();
    app.submit_proof(
        &ana,
        &id,
        &missing.to_string(),
        "https://instagram.example/p/4",
        Duration::hours(1),
    )
    .await
    .assert_problem(404, "deliverable_not_found");
}

#[tokio::test]
async fn gifts_ship_forward_only() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let (id, _) = app.accepted_deal(&p, &offer_body(&p.membership_id, FEE, 1, 30)).await;
    let deal = app.get(&format!("/v1/brand/deals/{id}"), Some(&owner)).await;
    let gift = deal.body["gifts"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/brand/deals/{id}/gifts/{gift}/shipment");

    let no_tracking = app.post(&path, Some(&owner), &json!({"shipment": "shipped"})).await;
    no_tracking.assert_problem(422, "validation_failed");
    assert!(
        no_tracking.fields().contains(&"carrier".to_owned()),
        "{}",
        no_tracking.text
    );
    let shipped = app
        .post(
            &path,
            Some(&owner),
            &json!({"shipment": "shipped", "carrier": "UPS", "tracking": "1Z999"}),
        )
        .await;
    assert_eq!(shipped.status, 200, "{}", shipped.text);
    assert_eq!(shipped.body["gifts"][0]["shipment"], "shipped");
    assert_eq!(shipped.body["gifts"][0]["tracking"], "1Z999");
    let delivered = app.post(&path, Some(&owner), &json!({"shipment": "delivered"})).await;
    assert_eq!(delivered.status, 200, "{}", delivered.text);
    assert!(delivered.body["gifts"][0]["delivered_at"].is_string());
    app.post(
        &path,
        Some(&owner),
        &json!({"shipment": "shipped", "carrier": "UPS", "tracking": "1Z999"}),
    )
    .await
    .assert_problem(409, "shipment_backwards");
    let missing = uuid::Uuid::now_v7();
    app.post(
        &format!("/v1/brand/deals/{id}/gifts/{missing}/shipment"),
        Some(&owner),
        &json!({"shipment": "delivered"}),
    )
    .await
    .assert_problem(404, "gift_not_found");
}

#[tokio::test]
async fn an_ended_ambassador_gets_no_offer() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let ended = app
        .patch(
            &format!("/v1/brand/ambassadors/{}", p.membership_id),
            Some(&owner),
            &json!({"status": "ended"}),
        )
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    app.post(
        "/v1/brand/deals",
        Some(&owner),
        &offer_body(&p.membership_id, FEE, 1, 30),
    )
    .await
    .assert_problem(409, "membership_ended");
    let missing = uuid::Uuid::now_v7().to_string();
    app.post("/v1/brand/deals", Some(&owner), &offer_body(&missing, FEE, 1, 30))
        .await
        .assert_problem(404, "ambassador_not_found");
    assert_eq!(app.count("deals"), 0);
}

#[tokio::test]
async fn a_malformed_offer_names_each_field_and_is_never_a_500() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();

    let mut body = offer_body(&p.membership_id, -1, 1, 30);
    body["deliverables"][0]["due_on"] = json!("2026-10-01");
    body["gifts"][0]["quantity"] = json!(0);
    let refused = app.post("/v1/brand/deals", Some(&owner), &body).await;
    refused.assert_problem(422, "validation_failed");
    let fields = refused.fields();
    for field in ["fee", "deliverables[0].due_on", "gifts[0].quantity"] {
        assert!(fields.contains(&field.to_owned()), "{field}: {}", refused.text);
    }

    for (change, field) in [
        (json!({"ambassador_id": "not-a-uuid"}), "ambassador_id"),
        (json!({"ambassador_id": null}), "ambassador_id"),
        (json!({"title": " "}), "title"),
        (json!({"deliverables": []}), "deliverables"),
        (json!({"expires_at": "2026-11-01T00:00:00Z"}), "expires_at"),
    ] {
        let mut body = offer_body(&p.membership_id, FEE, 1, 30);
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let refused = app.post("/v1/brand/deals", Some(&owner), &body).await;
        assert_eq!(refused.status, 422, "{change}: {}", refused.text);
        assert!(
            refused.fields().contains(&field.to_owned()),
            "{change}: {}",
            refused.text
        );
    }
    let mut body = offer_body(&p.membership_id, FEE, 1, 30);
    for (k, v) in [
        ("platform", json!("myspace")),
        ("count", json!(0)),
        ("keep_up_days", json!(-1)),
    ] {
        body["deliverables"][0][k] = v;
    }
    let refused = app.post("/v1/brand/deals", Some(&owner), &body).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    for field in [
        "deliverables[0].platform",
        "deliverables[0].count",
        "deliverables[0].keep_up_days",
    ] {
        assert!(
            refused.fields().contains(&field.to_owned()),
            "{field}: {}",
            refused.text
        );
    }
    let wrong_type = app
        .post_raw("/v1/brand/deals", Some(&owner), r#"{"title": "x", "fee": "lots"}"#)
        .await;
    assert!(
        wrong_type.status == 400 || wrong_type.status == 422,
        "{}",
        wrong_type.text
    );
    let id = app.standard_deal(&p).await;
    let counter = app
        .my_step(&p.influencer.access_token, &id, "counter", &json!({"fee": -5}))
        .await;
    counter.assert_problem(422, "validation_failed");
    assert_eq!(counter.fields(), ["fee"]);
    assert_eq!(app.count("deals"), 1);
}
