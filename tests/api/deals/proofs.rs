//! Proof and the flat fee: rejected with a reason and sent again, approved (a pending
//! `flat_fee` entry, payable after the keep-up period), completion, removal before and
//! after the keep-up period, a zero fee, and a fee in a pending payout batch.

use chrono::Duration;
use serde_json::{Value, json};

use super::{FEE, offer_body, proof_ids};
use crate::helpers::{Program, TestApp, spawn_app};

const REJECT_WHY: &str = "The caption lacks #acmecoffee";
const REMOVED_WHY: &str = "The post was deleted after two days";

/// The influencer's totals at the brand, from the dashboard.
async fn totals(app: &TestApp) -> Value {
    let token = app.login("ana@acme.example", "influencer").await;
    let board = app.get("/v1/me/dashboard", Some(&token)).await;
    assert_eq!(board.status, 200, "{}", board.text);
    board.body["brands"][0]["totals"].clone()
}

/// The ambassador's ledger entries as (kind, amount).
async fn entries(app: &TestApp, p: &Program) -> Vec<(String, i64)> {
    let owner = app.login(&p.brand.email, "brand").await;
    let reply = app
        .get(
            &format!("/v1/brand/ambassadors/{}/entries", p.membership_id),
            Some(&owner),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap().to_owned(), e["amount"].as_i64().unwrap()))
        .collect()
}

#[tokio::test]
async fn proof_rejected_then_approved_earns_the_fee_which_matures_and_completes_the_deal() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let ana = p.influencer.access_token.clone();
    let (id, item) = app.accepted_deal(&p, &offer_body(&p.membership_id, FEE, 2, 3)).await;

    let first = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/1", Duration::hours(1))
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let proof = &first.body["deliverables"][0]["proofs"][0];
    assert_eq!(proof["state"], "submitted");
    assert_eq!(proof["views"], 1_200);
    assert_eq!(first.body["deliverables"][0]["waiting"], 1);
    let first_id = proof["id"].as_str().unwrap().to_owned();

    let rejected = app
        .decide_proof(&owner, &first_id, "reject", &json!({"reason": REJECT_WHY}))
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    assert_eq!(rejected.body["deliverables"][0]["proofs"][0]["state"], "rejected");
    assert!(rejected.body["deliverables"][0]["proofs"][0]["decided_by"].is_string());
    app.decide_proof(&owner, &first_id, "reject", &json!({"reason": " "}))
        .await
        .assert_problem(422, "validation_failed");
    let mine = app.get(&format!("/v1/me/deals/{id}"), Some(&ana)).await;
    let seen = &mine.body["deliverables"][0]["proofs"][0];
    assert_eq!(
        (seen["state"].clone(), seen["reason"].clone()),
        (json!("rejected"), json!(REJECT_WHY))
    );
    assert_eq!(seen["decided_by"], json!(null), "never which teammate decided");

    // Sent again and approved: a pending flat fee of the accepted fee.
    let second = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/2", Duration::hours(1))
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    let second_id = proof_ids(&second.body)[1].clone();
    let approved = app.decide_proof(&owner, &second_id, "approve", &json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let decided = &approved.body["deliverables"][0]["proofs"][1];
    assert_eq!(decided["state"], "approved");
    assert!(decided["fee_entry_id"].is_string(), "{}", approved.text);
    assert_eq!(approved.body["status"], "accepted", "one item of two is approved");
    assert_eq!(approved.body["earned"], FEE);
    let again = app.decide_proof(&owner, &second_id, "approve", &json!({})).await;
    assert_eq!(again.status, 200, "approving twice appends nothing: {}", again.text);
    assert_eq!(app.count("ledger_entries WHERE kind = 'flat_fee'"), 1);
    let money = totals(&app).await;
    assert_eq!(
        (money["by_kind"]["flat_fee"].clone(), money["pending"].clone()),
        (json!(FEE), json!(FEE)),
        "{money}"
    );
    assert_eq!(money["approved"], 0, "{money}");

    // Three days after publication the maturation pass approves it.
    app.clock.advance(Duration::days(3));
    assert_eq!(app.mature().await.approved, 1);
    let money = totals(&app).await;
    assert_eq!(
        (money["pending"].clone(), money["approved"].clone()),
        (json!(0), json!(FEE)),
        "{money}"
    );

    // The last item approved completes the deal.
    let ana = app.login("ana@acme.example", "influencer").await;
    let owner = app.login(&p.brand.email, "brand").await;
    let third = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/3", Duration::hours(1))
        .await;
    let third_id = proof_ids(&third.body)[2].clone();
    let done = app.decide_proof(&owner, &third_id, "approve", &json!({})).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["status"], "completed");
    assert_eq!(done.body["earned"], 2 * FEE);
    assert_eq!(
        entries(&app, &p).await,
        [("flat_fee".to_owned(), FEE), ("flat_fee".to_owned(), FEE)]
    );
}

#[tokio::test]
async fn a_post_removed_before_its_keep_up_period_is_reversed_and_after_it_stands() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let ana = p.influencer.access_token.clone();
    let (id, item) = app.accepted_deal(&p, &offer_body(&p.membership_id, FEE, 2, 30)).await;

    let sent = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/1", Duration::days(1))
        .await;
    let proof = proof_ids(&sent.body)[0].clone();
    app.decide_proof(&owner, &proof, "removed", &json!({"reason": REMOVED_WHY}))
        .await
        .assert_problem(409, "proof_not_approved");
    let approved = app.decide_proof(&owner, &proof, "approve", &json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let before = json!({"reason": REMOVED_WHY, "removed_at": "2026-10-01T10:00:00Z"});
    let refused = app.decide_proof(&owner, &proof, "removed", &before).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.fields(), ["removed_at"]);

    let removed = app
        .decide_proof(&owner, &proof, "removed", &json!({"reason": REMOVED_WHY}))
        .await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    let gone = &removed.body["deliverables"][0]["proofs"][0];
    assert_eq!(gone["state"], "removed");
    assert_eq!(gone["removal_reason"], REMOVED_WHY);
    assert!(gone["reversal_entry_id"].is_string(), "{}", removed.text);
    assert_eq!(removed.body["earned"], 0);
    let ledger = entries(&app, &p).await;
    assert_eq!(ledger.iter().map(|(_, a)| a).sum::<i64>(), 0, "{ledger:?}");
    assert!(ledger.contains(&("flat_fee".to_owned(), FEE)) && ledger.contains(&("reversal".to_owned(), -FEE)));
    let money = totals(&app).await;
    assert_eq!(
        (money["pending"].clone(), money["reversed"].clone()),
        (json!(0), json!(FEE)),
        "{money}"
    );
    let owner = app.login(&p.brand.email, "brand").await;
    let twice = app
        .decide_proof(&owner, &proof, "removed", &json!({"reason": REMOVED_WHY}))
        .await;
    assert_eq!(twice.status, 200, "{}", twice.text);
    assert_eq!(app.count("ledger_entries WHERE kind = 'reversal'"), 1);

    // The second item stays up its 30 days: a later removal is refused.
    let ana = app.login("ana@acme.example", "influencer").await;
    let sent = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/2", Duration::hours(1))
        .await;
    let kept = proof_ids(&sent.body)[1].clone();
    assert_eq!(app.decide_proof(&owner, &kept, "approve", &json!({})).await.status, 200);
    app.clock.advance(Duration::days(31));
    let owner = app.login(&p.brand.email, "brand").await;
    app.decide_proof(&owner, &kept, "removed", &json!({"reason": REMOVED_WHY}))
        .await
        .assert_problem(409, "keep_up_passed");
}

#[tokio::test]
async fn a_zero_fee_appends_nothing_and_a_fee_in_a_pending_batch_is_not_reversed() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let ana = p.influencer.access_token.clone();

    // A gifts-only deal: approving proof appends no entry and completes it.
    let (id, item) = app.accepted_deal(&p, &offer_body(&p.membership_id, 0, 1, 30)).await;
    let sent = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/0", Duration::hours(1))
        .await;
    let proof = proof_ids(&sent.body)[0].clone();
    let approved = app.decide_proof(&owner, &proof, "approve", &json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.body["status"], "completed");
    assert_eq!(
        approved.body["deliverables"][0]["proofs"][0]["fee_entry_id"],
        json!(null)
    );
    assert_eq!(app.count("ledger_entries"), 0);

    // A fee kept up a day, payable, in a pending batch: its removal is refused until
    // the batch is cancelled.
    let (id, item) = app.accepted_deal(&p, &offer_body(&p.membership_id, FEE, 1, 1)).await;
    let sent = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/1", Duration::hours(1))
        .await;
    let proof = proof_ids(&sent.body)[0].clone();
    let published = sent.body["deliverables"][0]["proofs"][0]["published_at"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.decide_proof(&owner, &proof, "approve", &json!({})).await.status,
        200
    );
    app.clock.advance(Duration::days(2));
    assert_eq!(app.mature().await.approved, 1);
    let owner = app.login(&p.brand.email, "brand").await;
    let batch = app
        .post("/v1/brand/payouts", Some(&owner), &json!({"currency": "USD"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    assert_eq!(batch.body["total"], FEE, "{}", batch.text);
    let published: chrono::DateTime<chrono::Utc> = published.parse().unwrap();
    let within = json!({"reason": REMOVED_WHY, "removed_at": published + Duration::hours(12)});
    app.decide_proof(&owner, &proof, "removed", &within)
        .await
        .assert_problem(409, "fee_in_payout");
    let cancel = format!("/v1/brand/payouts/{}/cancel", batch.body["id"].as_str().unwrap());
    assert_eq!(app.post(&cancel, Some(&owner), &json!({})).await.status, 200);
    let removed = app.decide_proof(&owner, &proof, "removed", &within).await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(entries(&app, &p).await.iter().map(|(_, a)| a).sum::<i64>(), 0);
}
