//! The team's members: one e-mail one brand account, at least one owner, removal that
//! signs out everywhere, and another brand's members and invitations out of reach.

use chrono::Duration;
use reftrack::clock::Clock;
use reftrack::service::sessions::Login;
use reftrack::store::refresh_tokens::AccountKind;
use serde_json::json;

use super::TEAM_PASSWORD;
use crate::mail::app_with_mail;

#[tokio::test]
async fn an_address_with_a_brand_account_or_a_pending_invitation_is_refused() {
    let (app, sink) = app_with_mail().await;
    let owner = app.sign_up_brand("acme").await;
    let other = app.sign_up_brand("globex").await;
    let token = owner.access_token.as_str();
    for taken in [owner.email.as_str(), other.email.as_str(), "OWNER@globex.example"] {
        app.invite_member(token, taken, "staff")
            .await
            .assert_problem(409, "email_taken");
    }
    let first = app.invite_member(token, "sam@acme.example", "staff").await;
    assert_eq!(first.status, 201, "{}", first.text);
    for again in ["sam@acme.example", " Sam@ACME.example "] {
        app.invite_member(token, again, "owner")
            .await
            .assert_problem(409, "invitation_pending");
    }
    // Another brand may invite the address meanwhile (the first to accept wins).
    assert_eq!(
        app.invite_member(&other.access_token, "sam@acme.example", "staff")
            .await
            .status,
        201
    );
    let bad = app.invite_member(token, "not an address", "admin").await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.fields(), ["email", "role"]);

    // Revoked, the address can be invited again; revoking twice finds nothing.
    let id = first.body["id"].as_str().unwrap();
    let path = format!("/v1/brand/users/invitations/{id}");
    assert_eq!(app.delete(&path, Some(token)).await.status, 204);
    app.delete(&path, Some(token))
        .await
        .assert_problem(404, "invitation_not_found");
    // Both earlier invitations of the address have arrived, so the next e-mail to it is
    // the third.
    app.mail_until(&sink, |m| {
        m.iter().filter(|m| m.envelope_to == ["sam@acme.example"]).count() == 2
    })
    .await;
    let second = app.invite_member(token, "sam@acme.example", "staff").await;
    assert_eq!(second.status, 201, "{}", second.text);
    let second_token = app.team_token(&sink, "sam@acme.example", 2).await;
    // An accepted invitation cannot be revoked: the member is removed instead.
    assert_eq!(app.accept_member(&second_token, TEAM_PASSWORD).await.status, 201);
    assert_eq!(app.team(token).await.body["invitations"], json!([]));
    let accepted = second.body["id"].as_str().unwrap();
    app.delete(&format!("/v1/brand/users/invitations/{accepted}"), Some(token))
        .await
        .assert_problem(409, "invitation_already_accepted");
    // Now a member: the address is a brand account.
    app.invite_member(token, "sam@acme.example", "owner")
        .await
        .assert_problem(409, "email_taken");
}

#[tokio::test]
async fn the_last_owner_can_be_neither_demoted_nor_removed() {
    let (app, sink) = app_with_mail().await;
    let owner = app.sign_up_brand("acme").await;
    let first = owner.access_token.as_str();
    let me = app.member_id(first, &owner.email).await;
    let mine = format!("/v1/brand/users/{me}");
    app.patch(&mine, Some(first), &json!({"role": "staff"}))
        .await
        .assert_problem(409, "last_owner");
    app.delete(&mine, Some(first)).await.assert_problem(409, "last_owner");
    // Setting the role one has changes nothing.
    let same = app.patch(&mine, Some(first), &json!({"role": "owner"})).await;
    assert_eq!(
        (same.status, &same.body["role"]),
        (200, &json!("owner")),
        "{}",
        same.text
    );
    let bad = app.patch(&mine, Some(first), &json!({"role": "admin"})).await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.fields(), ["role"]);

    // With a second owner, the first may step down; then the second is the last one.
    let olga = app.seat(&sink, first, "olga@acme.example", "owner").await;
    let stepped_down = app.patch(&mine, Some(first), &json!({"role": "staff"})).await;
    assert_eq!(stepped_down.status, 200, "{}", stepped_down.text);
    assert_eq!(
        stepped_down.body.as_object().map(|o| o.len()),
        Some(4),
        "{}",
        stepped_down.text
    );
    let hers = format!("/v1/brand/users/{}", olga.id);
    let second = olga.access_token.as_str();
    app.patch(&hers, Some(second), &json!({"role": "staff"}))
        .await
        .assert_problem(409, "last_owner");
    app.delete(&hers, Some(second)).await.assert_problem(409, "last_owner");
    // The first is staff now: the team is no longer theirs to change.
    app.patch(&mine, Some(first), &json!({"role": "owner"}))
        .await
        .assert_problem(403, "forbidden_role");
    let back = app.patch(&mine, Some(second), &json!({"role": "owner"})).await;
    assert_eq!((back.status, &back.body["role"]), (200, &json!("owner")));
    // Two owners again: one may leave, and then cannot come back through the team.
    assert_eq!(app.delete(&hers, Some(second)).await.status, 204);
    app.get("/v1/brand/users", Some(second))
        .await
        .assert_problem(401, "invalid_token");
    assert_eq!(app.count("brand_users WHERE role = 'owner'"), 1);
}

#[tokio::test]
async fn a_removed_member_is_signed_out_everywhere_at_once() {
    let (app, sink) = app_with_mail().await;
    let owner = app.sign_up_brand("acme").await;
    let token = owner.access_token.as_str();
    let sam = app.seat(&sink, token, "sam@acme.example", "staff").await;
    let portal = reftrack::service::web_sessions::sign_in(
        &app.db,
        Login {
            email: sam.email.clone(),
            password: TEAM_PASSWORD.to_owned(),
            account: AccountKind::Brand,
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    assert_eq!(app.get("/v1/brand", Some(&sam.access_token)).await.status, 200);

    let removed = app.delete(&format!("/v1/brand/users/{}", sam.id), Some(token)).await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    // The access token stops working at once; the session cannot be refreshed; the
    // portal session is over; the password no longer signs in.
    app.get("/v1/brand", Some(&sam.access_token))
        .await
        .assert_problem(401, "invalid_token");
    let refreshed = app
        .post("/v1/auth/refresh", None, &json!({"refresh_token": sam.refresh_token}))
        .await;
    assert_eq!(refreshed.status, 401, "{}", refreshed.text);
    let session = reftrack::service::web_sessions::find(&app.db, &portal.token, app.clock.now())
        .await
        .unwrap();
    assert!(session.is_none());
    app.sign_in_member(&sam.email, TEAM_PASSWORD)
        .await
        .assert_problem(401, "invalid_credentials");
    let team = app.team(token).await;
    assert_eq!(team.body["items"].as_array().map(Vec::len), Some(1));
    // Removing twice finds nothing; the address is free to be invited again.
    app.delete(&format!("/v1/brand/users/{}", sam.id), Some(token))
        .await
        .assert_problem(404, "team_member_not_found");
    assert_eq!(app.invite_member(token, "sam@acme.example", "staff").await.status, 201);
}

/// Another brand's member or invitation answers exactly as one that does not exist.
#[tokio::test]
async fn another_brands_members_and_invitations_are_not_found() {
    let (app, sink) = app_with_mail().await;
    let acme = app.sign_up_brand("acme").await;
    let globex = app.sign_up_brand("globex").await;
    let sam = app.seat(&sink, &acme.access_token, "sam@acme.example", "staff").await;
    let pending = app.invite_member(&acme.access_token, "pat@acme.example", "staff").await;
    let invitation = pending.body["id"].as_str().unwrap();
    let unknown = uuid::Uuid::now_v7().to_string();
    let theirs = Some(globex.access_token.as_str());
    for (method, body) in [
        (reqwest::Method::PATCH, Some(json!({"role": "owner"}))),
        (reqwest::Method::DELETE, None),
    ] {
        let foreign = app
            .request(
                method.clone(),
                &format!("/v1/brand/users/{}", sam.id),
                theirs,
                body.as_ref(),
            )
            .await;
        let missing = app
            .request(
                method.clone(),
                &format!("/v1/brand/users/{unknown}"),
                theirs,
                body.as_ref(),
            )
            .await;
        missing.assert_problem(404, "team_member_not_found");
        assert_eq!(foreign.body, missing.body, "{method}");
    }
    let foreign = app
        .delete(&format!("/v1/brand/users/invitations/{invitation}"), theirs)
        .await;
    let missing = app
        .delete(&format!("/v1/brand/users/invitations/{unknown}"), theirs)
        .await;
    missing.assert_problem(404, "invitation_not_found");
    assert_eq!(foreign.body, missing.body);
    // Nothing of acme's shows or changed.
    let listed = app.team(&globex.access_token).await;
    for secret in [sam.id.as_str(), invitation, "acme.example"] {
        assert!(!listed.text.contains(secret), "{}", listed.text);
    }
    let acme_team = app.team(&acme.access_token).await;
    assert_eq!(acme_team.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(acme_team.body["items"][1]["role"], "staff");
    assert_eq!(acme_team.body["invitations"].as_array().map(Vec::len), Some(1));
    // Expired invitations leave the list, and free the address, seven days on.
    app.clock.advance(Duration::days(7));
    let owner = app.login(&acme.email, "brand").await;
    assert_eq!(app.team(&owner).await.body["invitations"], json!([]));
    assert_eq!(app.invite_member(&owner, "pat@acme.example", "staff").await.status, 201);
}
