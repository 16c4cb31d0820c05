//! A deal offered with an invitation: the invitee sees it before joining, may accept
//! it only once they joined, and declining the invitation declines the deal; a closed
//! invitation takes no offer.

use serde_json::{Value, json};

use super::FEE;
use crate::helpers::{Program, TestApp, spawn_app};

const INVITEE: &str = "bo@acme.example";

/// Invites `email` into the program; returns the invitation's id.
async fn invite(app: &TestApp, p: &Program, email: &str) -> String {
    let reply = app
        .post(
            "/v1/brand/invitations",
            Some(&p.brand.access_token),
            &json!({"email": email, "program_id": p.program_id}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body["id"].as_str().unwrap().to_owned()
}

fn invitation_offer(invitation: &str) -> Value {
    let mut body = super::offer_body("", FEE, 1, 30);
    body["ambassador_id"] = Value::Null;
    body["invitation_id"] = json!(invitation);
    body
}

#[tokio::test]
async fn the_invitee_sees_the_deal_and_accepts_it_once_they_joined() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let invitation = invite(&app, &p, INVITEE).await;
    let deal = app
        .offer_deal(&p.brand.access_token, &invitation_offer(&invitation))
        .await;
    let id = deal["id"].as_str().unwrap().to_owned();
    assert_eq!(deal["invitation_id"], json!(invitation));
    assert_eq!(deal["invitation_email"], INVITEE);
    assert_eq!(deal["ambassador_id"], Value::Null);

    let bo = app.sign_up_influencer(INVITEE).await;
    let mine = app.get("/v1/me/deals", Some(&bo.access_token)).await;
    assert_eq!(mine.body["items"][0]["id"], json!(id), "{}", mine.text);
    assert_eq!(mine.body["items"][0]["invitation_email"], Value::Null, "{}", mine.text);
    app.my_step(&bo.access_token, &id, "accept", &json!({}))
        .await
        .assert_problem(409, "ambassador_not_joined");
    // Not the program's ambassador's: it is not theirs to see.
    let others = app.get("/v1/me/deals", Some(&p.influencer.access_token)).await;
    assert_eq!(others.body["items"], json!([]), "{}", others.text);
    app.get(&format!("/v1/me/deals/{id}"), Some(&p.influencer.access_token))
        .await
        .assert_problem(404, "deal_not_found");

    let joined = app
        .post(
            &format!("/v1/me/invitations/{invitation}/accept"),
            Some(&bo.access_token),
            &json!({}),
        )
        .await;
    assert!(joined.status == 200 || joined.status == 201, "{}", joined.text);
    let theirs = app.get(&format!("/v1/me/deals/{id}"), Some(&bo.access_token)).await;
    assert!(theirs.body["ambassador_id"].is_string(), "{}", theirs.text);
    let accepted = app.my_step(&bo.access_token, &id, "accept", &json!({})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    assert_eq!(accepted.body["status"], "accepted");

    // The invitation is now closed: it takes no other offer.
    app.post(
        "/v1/brand/deals",
        Some(&p.brand.access_token),
        &invitation_offer(&invitation),
    )
    .await
    .assert_problem(409, "invitation_closed");
}

#[tokio::test]
async fn declining_the_invitation_declines_its_deal() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let invitation = invite(&app, &p, INVITEE).await;
    let id = app
        .offer_deal(&p.brand.access_token, &invitation_offer(&invitation))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bo = app.sign_up_influencer(INVITEE).await;
    let declined = app
        .post(
            &format!("/v1/me/invitations/{invitation}/decline"),
            Some(&bo.access_token),
            &json!({}),
        )
        .await;
    assert!(declined.status < 300, "{}", declined.text);
    let deal = app
        .get(&format!("/v1/brand/deals/{id}"), Some(&p.brand.access_token))
        .await;
    assert_eq!(deal.body["status"], "declined", "{}", deal.text);
    app.post(
        "/v1/brand/deals",
        Some(&p.brand.access_token),
        &invitation_offer(&invitation),
    )
    .await
    .assert_problem(409, "invitation_closed");
    let missing = uuid::Uuid::now_v7().to_string();
    app.post(
        "/v1/brand/deals",
        Some(&p.brand.access_token),
        &invitation_offer(&missing),
    )
    .await
    .assert_problem(404, "invitation_not_found");
}
