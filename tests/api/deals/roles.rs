//! Roles and tenants: staff may not commit money (offer, withdraw, answer a counter,
//! cancel) but decide proof, report removals and ship gifts; another brand's or
//! influencer's deal is 404. The outbox tells each step; the offer e-mail links the
//! deal; the brand's to-do list shows what is due.

use chrono::Duration;
use serde_json::json;

use super::{FEE, offer_body, proof_ids};
use crate::helpers::spawn_app;
use crate::mail::app_with_mail;

#[tokio::test]
async fn staff_decide_proof_and_ship_gifts_but_do_not_commit_money() {
    let (app, sink) = app_with_mail().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let ana = p.influencer.access_token.clone();
    let staff = app.staff_token(&sink, &owner, "pat@acme.example").await;

    app.post(
        "/v1/brand/deals",
        Some(&staff),
        &offer_body(&p.membership_id, FEE, 2, 30),
    )
    .await
    .assert_problem(403, "forbidden_role");
    assert_eq!(app.count("deals"), 0);

    let id = app.standard_deal(&p).await;
    app.brand_step(&staff, &id, "withdraw")
        .await
        .assert_problem(403, "forbidden_role");
    assert_eq!(
        app.my_step(&ana, &id, "counter", &json!({"fee": 6_000})).await.status,
        200
    );
    for step in ["counter/accept", "counter/decline"] {
        app.brand_step(&staff, &id, step)
            .await
            .assert_problem(403, "forbidden_role");
    }
    let read = app.get(&format!("/v1/brand/deals/{id}"), Some(&staff)).await;
    assert_eq!(
        (read.status, read.body["awaiting"].clone()),
        (200, json!("brand")),
        "{}",
        read.text
    );
    assert_eq!(app.brand_step(&owner, &id, "counter/accept").await.status, 200);
    app.brand_step(&staff, &id, "cancel")
        .await
        .assert_problem(403, "forbidden_role");

    // Staff decide proof, report a removal and ship the gift.
    let item = read.body["deliverables"][0]["id"].as_str().unwrap().to_owned();
    let sent = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/1", Duration::hours(2))
        .await;
    let proof = proof_ids(&sent.body)[0].clone();
    let rejected = app
        .decide_proof(&staff, &proof, "reject", &json!({"reason": "Blurry"}))
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    let sent = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/2", Duration::hours(2))
        .await;
    let proof = proof_ids(&sent.body)[1].clone();
    let approved = app.decide_proof(&staff, &proof, "approve", &json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.body["status"], "completed");
    let removed = app
        .decide_proof(&staff, &proof, "removed", &json!({"reason": "Taken down"}))
        .await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    let gift = read.body["gifts"][0]["id"].as_str().unwrap();
    let shipped = app
        .post(
            &format!("/v1/brand/deals/{id}/gifts/{gift}/shipment"),
            Some(&staff),
            &json!({"shipment": "delivered"}),
        )
        .await;
    assert_eq!(shipped.status, 200, "{}", shipped.text);
    assert_eq!(shipped.body["gifts"][0]["shipment"], "delivered");

    // The offer e-mail reached the influencer with the deal's link.
    let link = format!("/app/deals/{id}");
    let mail = app
        .mail_until(&sink, |m| m.iter().any(|m| m.text().contains(&link)))
        .await;
    let letter = mail.iter().find(|m| m.text().contains(&link)).unwrap();
    assert_eq!(letter.envelope_to, ["ana@acme.example"]);
}

#[tokio::test]
async fn another_brands_or_influencers_deal_is_404() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let rival = app.program_with_ambassador("rival").await;
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
    let deal = app
        .get(&format!("/v1/brand/deals/{id}"), Some(&p.brand.access_token))
        .await;
    let gift = deal.body["gifts"][0]["id"].as_str().unwrap().to_owned();

    let theirs = rival.brand.access_token.clone();
    app.get(&format!("/v1/brand/deals/{id}"), Some(&theirs))
        .await
        .assert_problem(404, "deal_not_found");
    for step in ["withdraw", "cancel", "counter/accept", "counter/decline"] {
        app.brand_step(&theirs, &id, step)
            .await
            .assert_problem(404, "deal_not_found");
    }
    for (step, body) in [
        ("approve", json!({})),
        ("reject", json!({"reason": "No"})),
        ("removed", json!({"reason": "No"})),
    ] {
        app.decide_proof(&theirs, &proof, step, &body)
            .await
            .assert_problem(404, "proof_not_found");
    }
    app.post(
        &format!("/v1/brand/deals/{id}/gifts/{gift}/shipment"),
        Some(&theirs),
        &json!({"shipment": "delivered"}),
    )
    .await
    .assert_problem(404, "deal_not_found");
    let list = app.get("/v1/brand/deals", Some(&theirs)).await;
    assert_eq!(list.body["items"], json!([]), "{}", list.text);

    let stranger = rival.influencer.access_token.clone();
    app.get(&format!("/v1/me/deals/{id}"), Some(&stranger))
        .await
        .assert_problem(404, "deal_not_found");
    for step in ["accept", "decline"] {
        app.my_step(&stranger, &id, step, &json!({}))
            .await
            .assert_problem(404, "deal_not_found");
    }
    app.submit_proof(
        &stranger,
        &id,
        &item,
        "https://instagram.example/p/2",
        Duration::hours(1),
    )
    .await
    .assert_problem(404, "deal_not_found");
    let mine = app.get("/v1/me/deals", Some(&stranger)).await;
    assert_eq!(mine.body["items"], json!([]), "{}", mine.text);
    assert_eq!(app.count("deliverable_proofs"), 1);
}

#[tokio::test]
async fn each_step_is_told_in_the_outbox_and_the_due_list_shows_what_wants_proof() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let ana = p.influencer.access_token.clone();
    let before = app.event_types().await.len();

    // Offered: nothing due yet.
    let id = app.standard_deal(&p).await;
    let due = app.get("/v1/brand/deliverables", Some(&owner)).await;
    assert_eq!(
        (due.status, due.body["items"].clone()),
        (200, json!([])),
        "{}",
        due.text
    );

    let accepted = app.my_step(&ana, &id, "accept", &json!({})).await;
    let item = accepted.body["deliverables"][0]["id"].as_str().unwrap().to_owned();
    let due = app.get("/v1/brand/deliverables", Some(&owner)).await;
    assert_eq!(due.body["items"].as_array().map(Vec::len), Some(1), "{}", due.text);
    let first = &due.body["items"][0];
    assert_eq!(first["deal_id"], json!(id));
    assert_eq!(first["deliverable_id"], json!(item));
    assert_eq!(
        (first["count"].clone(), first["approved"].clone()),
        (json!(1), json!(0))
    );
    assert_eq!(first["overdue"], false);
    let overdue = app.get("/v1/brand/deliverables?overdue=true", Some(&owner)).await;
    assert_eq!(overdue.body["items"], json!([]), "{}", overdue.text);
    app.get("/v1/brand/deliverables?limit=0", Some(&owner))
        .await
        .assert_problem(422, "validation_failed");

    // Past its due date it is overdue.
    app.clock.advance(Duration::days(19));
    let owner = app.login(&p.brand.email, "brand").await;
    let ana = app.login("ana@acme.example", "influencer").await;
    let overdue = app.get("/v1/brand/deliverables?overdue=true", Some(&owner)).await;
    assert_eq!(
        overdue.body["items"][0]["deliverable_id"],
        json!(item),
        "{}",
        overdue.text
    );
    assert_eq!(overdue.body["items"][0]["overdue"], true);

    let sent = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/1", Duration::hours(1))
        .await;
    let proof = proof_ids(&sent.body)[0].clone();
    assert_eq!(
        app.decide_proof(&owner, &proof, "reject", &json!({"reason": "Blurry"}))
            .await
            .status,
        200
    );
    let sent = app
        .submit_proof(&ana, &id, &item, "https://instagram.example/p/2", Duration::hours(1))
        .await;
    let proof = proof_ids(&sent.body)[1].clone();
    assert_eq!(
        app.decide_proof(&owner, &proof, "approve", &json!({})).await.status,
        200
    );
    let due = app.get("/v1/brand/deliverables", Some(&owner)).await;
    assert_eq!(due.body["items"], json!([]), "approved, nothing is due: {}", due.text);

    let types = app.event_types().await;
    let told: Vec<&str> = types[before..].iter().map(String::as_str).collect();
    for event in [
        "deal.offered",
        "deal.accepted",
        "deliverable.submitted",
        "deliverable.rejected",
        "deliverable.approved",
    ] {
        assert!(told.contains(&event), "{event}: {told:?}");
    }
    assert_eq!(
        told.iter().filter(|t| **t == "deliverable.submitted").count(),
        2,
        "{told:?}"
    );
}
