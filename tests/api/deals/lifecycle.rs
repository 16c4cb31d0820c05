//! The offer and the answers to it: idempotent offers, what the influencer reads,
//! counter-offers declined and accepted, accept, decline, withdraw and cancel.

use serde_json::json;

use super::{DUE, FEE, TITLE, offer_body};
use crate::helpers::spawn_app;

#[tokio::test]
async fn an_offer_is_made_once_and_the_influencer_reads_it_without_the_brands_details() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let body = offer_body(&p.membership_id, FEE, 2, 30);

    let first = app.post_keyed("/v1/brand/deals", &owner, Some("offer-1"), &body).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(!first.replayed());
    let deal = &first.body;
    let id = deal["id"].as_str().unwrap().to_owned();
    let read = app.get(&format!("/v1/brand/deals/{id}"), Some(&owner)).await;
    assert_eq!(read.body, first.body, "the answer is the deal as it reads");
    assert_eq!(deal["status"], "offered");
    assert_eq!(deal["awaiting"], "influencer");
    assert_eq!(deal["title"], TITLE);
    assert_eq!(deal["fee"], FEE);
    assert_eq!(deal["version"], 1);
    assert_eq!(deal["accepted_version"], json!(null));
    assert_eq!(deal["items"], 2);
    assert_eq!(deal["fee_total"], 2 * FEE);
    assert_eq!(deal["gift_value"], 4_800);
    assert_eq!(deal["earned"], 0);
    assert_eq!(deal["currency"], "USD");
    assert_eq!(deal["ambassador_id"], json!(p.membership_id));
    assert_eq!(deal["versions"].as_array().map(Vec::len), Some(1));
    assert_eq!(deal["versions"][0]["proposed_by"], "brand");
    assert_eq!(deal["versions"][0]["fee"], FEE);
    assert_eq!(deal["deliverables"][0]["due_on"], DUE);
    assert_eq!(deal["deliverables"][0]["keep_up_days"], 30);
    assert_eq!(deal["gifts"][0]["shipment"], "to_ship");
    // The default expiry: 14 days.
    assert_eq!(deal["expires_at"], "2026-11-16T12:00:00Z");

    // The same key again: the same deal, replayed; no second one.
    let again = app.post_keyed("/v1/brand/deals", &owner, Some("offer-1"), &body).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert!(again.replayed());
    assert_eq!(again.body["id"], json!(id));
    assert_eq!(app.count("deals"), 1);
    let mut changed = body.clone();
    changed["fee"] = json!(9_900);
    app.post_keyed("/v1/brand/deals", &owner, Some("offer-1"), &changed)
        .await
        .assert_problem(422, "idempotency_key_reused");
    assert_eq!(app.count("deals"), 1);

    let listed = app.get("/v1/brand/deals?status=offered", Some(&owner)).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.body["items"][0]["id"], json!(id));
    let none = app.get("/v1/brand/deals?status=accepted", Some(&owner)).await;
    assert_eq!(none.body["items"], json!([]), "{}", none.text);
    app.get("/v1/brand/deals?status=lost", Some(&owner))
        .await
        .assert_problem(422, "validation_failed");

    // The influencer sees it, without who decided nor the invitee's address.
    let ana = &p.influencer.access_token;
    let mine = app.get("/v1/me/deals", Some(ana)).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(1), "{}", mine.text);
    assert_eq!(mine.body["items"][0]["id"], json!(id));
    assert_eq!(mine.body["items"][0]["brand_name"], "Acme Coffee");
    let one = app.get(&format!("/v1/me/deals/{id}"), Some(ana)).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.body["status"], "offered");
    assert_eq!(one.body["awaiting"], "influencer");
    assert_eq!(one.body["invitation_email"], json!(null));
    assert!(!one.text.contains("decided_by\":\""), "{}", one.text);
}

#[tokio::test]
async fn a_counter_offer_is_declined_then_another_accepted_at_its_fee() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let ana = p.influencer.access_token.clone();
    let id = app.standard_deal(&p).await;

    let countered = app
        .my_step(
            &ana,
            &id,
            "counter",
            &json!({"fee": 6_000, "note": "Two stories cost more"}),
        )
        .await;
    assert_eq!(countered.status, 200, "{}", countered.text);
    assert_eq!(countered.body["version"], 2);
    assert_eq!(countered.body["awaiting"], "brand");
    assert_eq!(countered.body["fee"], 6_000);
    assert_eq!(countered.body["versions"][1]["proposed_by"], "influencer");
    assert_eq!(countered.body["versions"][1]["note"], "Two stories cost more");

    let declined = app.brand_step(&owner, &id, "counter/decline").await;
    assert_eq!(declined.status, 200, "{}", declined.text);
    assert_eq!(declined.body["status"], "offered");
    assert_eq!(declined.body["awaiting"], "influencer");
    assert_eq!(declined.body["fee"], FEE, "the brand's version 1 is back on the table");
    assert!(
        declined.body["versions"][1]["declined_at"].is_string(),
        "{}",
        declined.text
    );
    assert_eq!(declined.body["versions"][0]["declined_at"], json!(null));

    let again = app.my_step(&ana, &id, "counter", &json!({"fee": 5_500})).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["version"], 3);
    let accepted = app.brand_step(&owner, &id, "counter/accept").await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(accepted.body["status"], "accepted");
    assert_eq!(accepted.body["awaiting"], json!(null));
    assert_eq!(accepted.body["accepted_version"], 3);
    assert_eq!(accepted.body["fee"], 5_500);
    assert_eq!(accepted.body["fee_total"], 5_500);
    let mine = app.get(&format!("/v1/me/deals/{id}"), Some(&ana)).await;
    assert_eq!(
        (mine.body["status"].clone(), mine.body["fee"].clone()),
        (json!("accepted"), json!(5_500))
    );
    assert_eq!(app.count("deal_versions"), 3);
}

#[tokio::test]
async fn the_influencer_accepts_or_declines_and_the_owner_withdraws_or_cancels() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let ana = p.influencer.access_token.clone();

    // Accepted as offered, then cancelled by the owner (nothing waits for review).
    let id = app.standard_deal(&p).await;
    let accepted = app.my_step(&ana, &id, "accept", &json!({})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(
        (
            accepted.body["status"].clone(),
            accepted.body["accepted_version"].clone()
        ),
        (json!("accepted"), json!(1))
    );
    let repeated = app.my_step(&ana, &id, "accept", &json!({})).await;
    assert_eq!(
        repeated.status, 200,
        "a step already taken answers the deal: {}",
        repeated.text
    );
    let cancelled = app.brand_step(&owner, &id, "cancel").await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.text);
    assert_eq!(cancelled.body["status"], "cancelled");

    // Declined.
    let id = app.standard_deal(&p).await;
    let declined = app.my_step(&ana, &id, "decline", &json!({})).await;
    assert_eq!(declined.status, 200, "{}", declined.text);
    assert_eq!(declined.body["status"], "declined");
    assert_eq!(declined.body["awaiting"], json!(null));
    app.my_step(&ana, &id, "accept", &json!({}))
        .await
        .assert_problem(409, "deal_not_open");

    // Withdrawn.
    let id = app.standard_deal(&p).await;
    let withdrawn = app.brand_step(&owner, &id, "withdraw").await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
    assert_eq!(withdrawn.body["status"], "withdrawn");
    let mine = app.get(&format!("/v1/me/deals/{id}"), Some(&ana)).await;
    assert_eq!(mine.body["status"], "withdrawn", "{}", mine.text);
    app.my_step(&ana, &id, "accept", &json!({}))
        .await
        .assert_problem(409, "deal_not_open");
}
