//! Invitations, ambassadors (memberships) and their codes.

use serde_json::json;

use crate::helpers::{program_body, spawn_app};

const SAFE: &str = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

#[tokio::test]
async fn accepting_an_invitation_makes_an_ambassador_with_a_generated_code() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let code = &p.code;
    assert!(code.starts_with("ANA"), "letters from the display name: {code}");
    let suffix = &code[code.len() - 4..];
    assert!(
        suffix.chars().all(|c| SAFE.contains(c)),
        "suffix {suffix} avoids 0/O/1/I/L"
    );

    let list = app.get("/v1/brand/ambassadors", Some(&p.brand.access_token)).await;
    let items = list.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["status"], "active");
    assert_eq!(items[0]["display_name"], "Ana Influencer");
    assert_eq!(items[0]["program_id"], json!(p.program_id));

    let one = app
        .get(
            &format!("/v1/brand/ambassadors/{}", p.membership_id),
            Some(&p.brand.access_token),
        )
        .await;
    assert_eq!(one.body["codes"][0]["code"], json!(code));
    assert_eq!(
        one.body["codes"][0]["referral_link"],
        json!(format!("https://go.example/r/acme/{code}"))
    );
}

#[tokio::test]
async fn invitation_rules() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let program_id = app.create_program(&brand.access_token, &program_body()).await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let bob = app.sign_up_influencer("bob@example.com").await;
    let invite = |email: &'static str| {
        let token = brand.access_token.clone();
        let body = json!({"email": email, "program_id": program_id});
        let app = &app;
        async move { app.post("/v1/brand/invitations", Some(&token), &body).await }
    };
    let for_ana = invite("ANA@example.com").await;
    assert_eq!(for_ana.status, 201, "{}", for_ana.text);
    assert!(for_ana.body["token"].as_str().is_some_and(|t| t.len() >= 43));
    let token = for_ana.body["token"].clone();

    app.post(
        "/v1/me/invitations/accept",
        Some(&bob.access_token),
        &json!({"token": token}),
    )
    .await
    .assert_problem(403, "invitation_email_mismatch");
    app.post(
        "/v1/me/invitations/accept",
        Some(&ana.access_token),
        &json!({"token": "nope"}),
    )
    .await
    .assert_problem(404, "invitation_not_found");
    assert_eq!(
        app.post(
            "/v1/me/invitations/accept",
            Some(&ana.access_token),
            &json!({"token": token})
        )
        .await
        .status,
        201
    );
    app.post(
        "/v1/me/invitations/accept",
        Some(&ana.access_token),
        &json!({"token": token}),
    )
    .await
    .assert_problem(410, "invitation_used");
    invite("ana@example.com").await.assert_problem(409, "already_member");

    let bad = app
        .post(
            "/v1/brand/invitations",
            Some(&brand.access_token),
            &json!({"email": "x", "program_id": "y"}),
        )
        .await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.fields(), ["email", "program_id"]);

    // Expired after 14 days.
    let for_bob = invite("bob@example.com").await;
    app.clock.advance(chrono::Duration::days(14));
    let bob_token = app.login("bob@example.com", "influencer").await;
    app.post(
        "/v1/me/invitations/accept",
        Some(&bob_token),
        &json!({"token": for_bob.body["token"]}),
    )
    .await
    .assert_problem(410, "invitation_expired");
}

#[tokio::test]
async fn one_login_many_brands() {
    let app = spawn_app().await;
    let acme = app.sign_up_brand("acme").await;
    let globex = app.sign_up_brand("globex").await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    for brand in [&acme, &globex] {
        let program = app.create_program(&brand.access_token, &program_body()).await;
        let membership = app
            .join(&brand.access_token, &program, "ana@example.com", &ana.access_token)
            .await;
        assert_eq!(membership["status"], "active");
    }
    // Each brand sees only its own ambassador.
    for brand in [&acme, &globex] {
        let list = app.get("/v1/brand/ambassadors", Some(&brand.access_token)).await;
        assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    }
}

#[tokio::test]
async fn ambassadors_pause_end_and_move_program() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let token = Some(p.brand.access_token.as_str());
    let path = format!("/v1/brand/ambassadors/{}", p.membership_id);
    let other = app.create_program(&p.brand.access_token, &program_body()).await;

    let paused = app
        .patch(&path, token, &json!({"status": "paused", "program_id": other}))
        .await;
    assert_eq!(paused.status, 200, "{}", paused.text);
    assert_eq!(paused.body["status"], "paused");
    assert_eq!(paused.body["program_id"], json!(other));

    let foreign = app.sign_up_brand("globex").await;
    let foreign_program = app.create_program(&foreign.access_token, &program_body()).await;
    app.patch(&path, token, &json!({"program_id": foreign_program}))
        .await
        .assert_problem(404, "program_not_found");
    app.patch(&path, token, &json!({"status": "vanished"}))
        .await
        .assert_problem(422, "validation_failed");
    app.get(&path, Some(&foreign.access_token))
        .await
        .assert_problem(404, "ambassador_not_found");
    app.patch(&path, Some(&foreign.access_token), &json!({"status": "ended"}))
        .await
        .assert_problem(404, "ambassador_not_found");

    assert_eq!(app.patch(&path, token, &json!({"status": "ended"})).await.status, 200);
    app.patch(&path, token, &json!({"status": "active"}))
        .await
        .assert_problem(409, "membership_ended");
    app.post(&format!("{path}/codes"), token, &json!({}))
        .await
        .assert_problem(409, "membership_ended");
}

#[tokio::test]
async fn vanity_codes_are_case_insensitive_unique_and_not_reserved() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let token = Some(p.brand.access_token.as_str());
    let path = format!("/v1/brand/ambassadors/{}/codes", p.membership_id);

    let created = app
        .post(&path, token, &json!({"code": "Ana-Summer_25", "max_uses": 100}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["code"], "ANA-SUMMER_25");
    assert_eq!(created.body["max_uses"], 100);
    assert_eq!(created.body["uses"], 0);

    app.post(&path, token, &json!({"code": "ana-summer_25"}))
        .await
        .assert_problem(409, "code_taken");
    for reserved in ["test", "Admin", "FREE"] {
        let reply = app.post(&path, token, &json!({"code": reserved})).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), ["code"]);
    }
    for bad in ["ab", "has space", "ümlaut", &"x".repeat(33)] {
        app.post(&path, token, &json!({"code": bad}))
            .await
            .assert_problem(422, "validation_failed");
    }
    let past = app
        .post(&path, token, &json!({"expires_at": "2020-01-01T00:00:00Z"}))
        .await;
    past.assert_problem(422, "validation_failed");
    assert_eq!(past.fields(), ["expires_at"]);

    // Another brand may use the same code.
    let q = app.program_with_ambassador("globex").await;
    let other = app
        .post(
            &format!("/v1/brand/ambassadors/{}/codes", q.membership_id),
            Some(&q.brand.access_token),
            &json!({"code": "ana-summer_25"}),
        )
        .await;
    assert_eq!(other.status, 201, "{}", other.text);
    // …but not on this brand's ambassador.
    app.post(&path, Some(&q.brand.access_token), &json!({}))
        .await
        .assert_problem(404, "ambassador_not_found");
}

#[tokio::test]
async fn at_most_ten_active_codes_per_ambassador() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let token = Some(p.brand.access_token.as_str());
    let path = format!("/v1/brand/ambassadors/{}/codes", p.membership_id);
    let mut ids = Vec::new();
    for _ in 1..10 {
        let reply = app.post(&path, token, &json!({})).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        ids.push(reply.body["id"].as_str().unwrap_or_default().to_owned());
    }
    app.post(&path, token, &json!({"code": "ELEVENTH"}))
        .await
        .assert_problem(422, "too_many_codes");

    let code_path = format!("/v1/brand/codes/{}", ids[0]);
    let off = app.patch(&code_path, token, &json!({"active": false})).await;
    assert_eq!(off.body["active"], false);
    assert_eq!(app.post(&path, token, &json!({"code": "ELEVENTH"})).await.status, 201);
    app.patch(&code_path, token, &json!({"active": true}))
        .await
        .assert_problem(422, "too_many_codes");

    let list = app.get(&path, token).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(11));
}

#[tokio::test]
async fn code_limits_can_be_changed_and_cleared() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let token = Some(p.brand.access_token.as_str());
    let path = format!("/v1/brand/codes/{}", p.code_id);
    let set = app
        .patch(
            &path,
            token,
            &json!({"max_uses": 5, "expires_at": "2027-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.body["max_uses"], 5);
    assert_eq!(set.body["expires_at"], "2027-01-01T00:00:00Z");
    let cleared = app
        .patch(&path, token, &json!({"max_uses": null, "expires_at": null}))
        .await;
    assert_eq!(cleared.body["max_uses"], json!(null));
    assert_eq!(cleared.body["expires_at"], json!(null));
    app.patch(&path, token, &json!({"max_uses": 0}))
        .await
        .assert_problem(422, "validation_failed");
    app.patch(&path, token, &json!({"code": "RENAMED"}))
        .await
        .assert_problem(422, "validation_failed");
    let foreign = app.sign_up_brand("globex").await;
    app.patch(&path, Some(&foreign.access_token), &json!({"active": false}))
        .await
        .assert_problem(404, "code_not_found");
}
