//! Edges: an offer naming both or another brand's offeree, out-of-range fields, and
//! the same step raced: one proof per item, one fee per proof, never a 500.

use chrono::Duration;
use serde_json::json;

use super::{FEE, offer_body, proof_ids};
use crate::helpers::{post_json, spawn_app};

#[tokio::test]
async fn an_offer_out_of_range_or_to_another_brands_offeree_is_refused() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let rival = app.program_with_ambassador("rival").await;
    let owner = p.brand.access_token.clone();

    let theirs = app
        .post(
            "/v1/brand/invitations",
            Some(&rival.brand.access_token),
            &json!({"email": "cy@rival.example", "program_id": rival.program_id}),
        )
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    let mut both = offer_body(&p.membership_id, FEE, 1, 30);
    both["invitation_id"] = theirs.body["id"].clone();
    let refused = app.post("/v1/brand/deals", Some(&owner), &both).await;
    assert_eq!(refused.status, 422, "{}", refused.text);

    app.post(
        "/v1/brand/deals",
        Some(&owner),
        &offer_body(&rival.membership_id, FEE, 1, 30),
    )
    .await
    .assert_problem(404, "ambassador_not_found");
    let mut invited = offer_body(&p.membership_id, FEE, 1, 30);
    invited["ambassador_id"] = json!(null);
    invited["invitation_id"] = theirs.body["id"].clone();
    app.post("/v1/brand/deals", Some(&owner), &invited)
        .await
        .assert_problem(404, "invitation_not_found");

    for (field, value, path) in [
        ("fee", json!(i64::MAX), "fee"),
        ("expires_at", json!("2027-06-01T00:00:00Z"), "expires_at"),
    ] {
        let mut body = offer_body(&p.membership_id, FEE, 1, 30);
        body[field] = value;
        let refused = app.post("/v1/brand/deals", Some(&owner), &body).await;
        assert_eq!(refused.status, 422, "{field}: {}", refused.text);
        assert!(refused.fields().contains(&path.to_owned()), "{field}: {}", refused.text);
    }
    for (key, value) in [
        ("due_on", json!("2026-13-45")),
        ("due_on", json!("2030-01-01")),
        ("count", json!(101)),
        ("keep_up_days", json!(366)),
    ] {
        let mut body = offer_body(&p.membership_id, FEE, 1, 30);
        body["deliverables"][0][key] = value.clone();
        let refused = app.post("/v1/brand/deals", Some(&owner), &body).await;
        assert_eq!(refused.status, 422, "{key} {value}: {}", refused.text);
        let path = format!("deliverables[0].{key}");
        assert!(refused.fields().contains(&path), "{key} {value}: {}", refused.text);
    }
    let mut body = offer_body(&p.membership_id, FEE, 1, 30);
    body["gifts"][0]["unit_value"] = json!(-1);
    let refused = app.post("/v1/brand/deals", Some(&owner), &body).await;
    assert!(
        refused.fields().contains(&"gifts[0].unit_value".to_owned()),
        "{}",
        refused.text
    );
    assert_eq!(app.count("deals"), 0);

    // A removal dated in the future is refused beside its field.
    let (id, item) = app.accepted_deal(&p, &offer_body(&p.membership_id, FEE, 1, 30)).await;
    let sent = app
        .submit_proof(
            &p.influencer.access_token,
            &id,
            &item,
            "https://instagram.example/p/1",
            Duration::hours(1),
        )
        .await;
    let proof = proof_ids(&sent.body)[0].clone();
    assert_eq!(
        app.decide_proof(&owner, &proof, "approve", &json!({})).await.status,
        200
    );
    let future = json!({"reason": "Gone", "removed_at": "2027-01-01T00:00:00Z"});
    let refused = app.decide_proof(&owner, &proof, "removed", &future).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.fields(), ["removed_at"]);
}

#[tokio::test]
async fn raced_steps_submit_one_proof_per_item_and_append_one_fee() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let (id, item) = app.accepted_deal(&p, &offer_body(&p.membership_id, FEE, 1, 30)).await;
    let now = reftrack::clock::Clock::now(app.clock.as_ref());
    let url = app.url(&format!("/v1/me/deals/{id}/deliverables/{item}/proofs"));

    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let client = app.client.clone();
            let url = url.clone();
            let token = p.influencer.access_token.clone();
            let body = json!({"url": format!("https://instagram.example/p/{i}"),
                              "published_at": now - Duration::hours(1)})
            .to_string();
            tokio::spawn(async move { post_json(&client, &url, &token, None, body).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        let reply = task.await.unwrap();
        if reply.status == 409 {
            reply.assert_problem(409, "deliverable_complete");
        }
        statuses.push(reply.status);
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409]);
    assert_eq!(app.count("deliverable_proofs"), 1);

    let deal = app
        .get(&format!("/v1/brand/deals/{id}"), Some(&p.brand.access_token))
        .await;
    let proof = proof_ids(&deal.body)[0].clone();
    let url = app.url(&format!("/v1/brand/proofs/{proof}/approve"));
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let client = app.client.clone();
            let url = url.clone();
            let token = p.brand.access_token.clone();
            tokio::spawn(async move { post_json(&client, &url, &token, None, "{}").await })
        })
        .collect();
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["status"], "completed", "{}", reply.text);
    }
    assert_eq!(app.count("ledger_entries WHERE kind = 'flat_fee'"), 1);
    assert_eq!(app.count("outbox_events WHERE event_type = 'deliverable.approved'"), 1);
}

#[tokio::test]
async fn a_raced_counter_makes_one_version_and_accept_races_withdraw_to_one_end() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let id = app.standard_deal(&p).await;
    let url = app.url(&format!("/v1/me/deals/{id}/counter"));
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let client = app.client.clone();
            let url = url.clone();
            let token = p.influencer.access_token.clone();
            tokio::spawn(async move { post_json(&client, &url, &token, None, r#"{"fee": 6000}"#).await })
        })
        .collect();
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, 200, "a retried counter answers the deal: {}", reply.text);
        assert_eq!(reply.body["version"], 2, "{}", reply.text);
    }
    assert_eq!(app.count("deal_versions"), 2);
    assert_eq!(
        app.brand_step(&p.brand.access_token, &id, "counter/decline")
            .await
            .status,
        200
    );

    // The influencer accepts while the owner withdraws: exactly one of them happens.
    let accept = {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/v1/me/deals/{id}/accept")),
            p.influencer.access_token.clone(),
        );
        tokio::spawn(async move { post_json(&client, &url, &token, None, "{}").await })
    };
    let withdraw = {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/v1/brand/deals/{id}/withdraw")),
            p.brand.access_token.clone(),
        );
        tokio::spawn(async move { post_json(&client, &url, &token, None, "{}").await })
    };
    let (accept, withdraw) = (accept.await.unwrap(), withdraw.await.unwrap());
    let deal = app
        .get(&format!("/v1/brand/deals/{id}"), Some(&p.brand.access_token))
        .await;
    match deal.body["status"].as_str() {
        Some("accepted") => {
            assert_eq!(accept.status, 200, "{}", accept.text);
            withdraw.assert_problem(409, "deal_not_open");
        }
        Some("withdrawn") => {
            assert_eq!(withdraw.status, 200, "{}", withdraw.text);
            accept.assert_problem(409, "deal_not_open");
        }
        other => panic!("{other:?}: {}", deal.text),
    }
    assert!(app.count("outbox_events WHERE event_type = 'deal.accepted'") <= 1);
}

#[tokio::test]
async fn an_offer_to_an_ambassador_who_left_since_cannot_be_accepted() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let id = app.standard_deal(&p).await;
    let ended = app
        .patch(
            &format!("/v1/brand/ambassadors/{}", p.membership_id),
            Some(&p.brand.access_token),
            &json!({"status": "ended"}),
        )
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    app.my_step(&p.influencer.access_token, &id, "accept", &json!({}))
        .await
        .assert_problem(409, "membership_ended");
    let deal = app
        .get(&format!("/v1/me/deals/{id}"), Some(&p.influencer.access_token))
        .await;
    assert_eq!(deal.body["status"], "offered", "{}", deal.text);
}
