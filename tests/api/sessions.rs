//! Login, refresh-token rotation with reuse detection, logout.

use serde_json::json;

use crate::helpers::{PASSWORD, TestDatabase, spawn_app, spawn_app_on};

#[tokio::test]
async fn wrong_password_and_unknown_email_answer_alike() {
    let app = spawn_app().await;
    app.sign_up_brand("acme").await;
    let wrong = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "owner@acme.example", "password": "wrong password", "account": "brand"}),
        )
        .await;
    let unknown = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "nobody@acme.example", "password": PASSWORD, "account": "brand"}),
        )
        .await;
    wrong.assert_problem(401, "invalid_credentials");
    unknown.assert_problem(401, "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);
}

#[tokio::test]
async fn login_is_per_account_kind() {
    let app = spawn_app().await;
    app.sign_up_influencer("ana@example.com").await;
    let as_brand = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "ana@example.com", "password": PASSWORD, "account": "brand"}),
        )
        .await;
    as_brand.assert_problem(401, "invalid_credentials");
    let ok = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "ana@example.com", "password": PASSWORD, "account": "influencer"}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let token = ok.body["access_token"].as_str();
    assert_eq!(app.get("/v1/me", token).await.status, 200);
    let reply = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "ana@example.com", "password": PASSWORD, "account": "admin"}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["account"]);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let ana = app.sign_up_influencer("ana@example.com").await;

    let first = app
        .post("/v1/auth/refresh", None, &json!({"refresh_token": ana.refresh_token}))
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let second_token = first.body["refresh_token"].as_str().unwrap_or_default().to_owned();
    assert_ne!(second_token, ana.refresh_token);
    assert_eq!(app.get("/v1/me", first.body["access_token"].as_str()).await.status, 200);

    // The first token is spent: presenting it again is theft, and ends the session.
    app.post("/v1/auth/refresh", None, &json!({"refresh_token": ana.refresh_token}))
        .await
        .assert_problem(401, "refresh_token_reused");
    app.post("/v1/auth/refresh", None, &json!({"refresh_token": second_token}))
        .await
        .assert_problem(401, "refresh_token_reused");

    // Another login is another family and is unaffected.
    let login = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "ana@example.com", "password": PASSWORD, "account": "influencer"}),
        )
        .await;
    let fresh = login.body["refresh_token"].as_str().unwrap_or_default();
    assert_eq!(
        app.post("/v1/auth/refresh", None, &json!({"refresh_token": fresh}))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn concurrent_refreshes_of_one_token_issue_at_most_one_pair() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let client = app.client.clone();
            let url = app.url("/v1/auth/refresh");
            let body = json!({"refresh_token": brand.refresh_token});
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap_or(0));
    }
    assert!(statuses.iter().filter(|s| **s == 200).count() <= 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 401), "{statuses:?}");
}

#[tokio::test]
async fn unknown_and_expired_refresh_tokens_are_refused() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    app.post("/v1/auth/refresh", None, &json!({"refresh_token": "made-up"}))
        .await
        .assert_problem(401, "invalid_refresh_token");
    app.clock.advance(chrono::Duration::days(31));
    app.post("/v1/auth/refresh", None, &json!({"refresh_token": brand.refresh_token}))
        .await
        .assert_problem(401, "invalid_refresh_token");
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let reply = app
        .post("/v1/auth/logout", None, &json!({"refresh_token": brand.refresh_token}))
        .await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        app.post("/v1/auth/logout", None, &json!({"refresh_token": brand.refresh_token}))
            .await
            .status,
        204
    );
    assert_eq!(
        app.post("/v1/auth/refresh", None, &json!({"refresh_token": brand.refresh_token}))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn generated_jwt_secret_survives_a_restart() {
    let database = TestDatabase::create();
    let target = database.target.clone();
    let first = spawn_app_on(database, None).await;
    let brand = first.sign_up_brand("acme").await;
    assert_eq!(first.get("/v1/brand", Some(&brand.access_token)).await.status, 200);

    // A second instance on the same database, also without a configured secret.
    let config = crate::helpers::config_for(&target, None);
    let db = reftrack::startup::open_database(&config).unwrap_or_else(|e| panic!("{e}"));
    let keys = reftrack::startup::jwt_keys(&config, &db, first.clock.as_ref()).unwrap_or_else(|e| panic!("{e}"));
    let claims = keys.verify(
        &brand.access_token,
        reftrack::store::refresh_tokens::AccountKind::Brand,
        reftrack::clock::Clock::now(first.clock.as_ref()),
    );
    assert!(claims.is_ok(), "{claims:?}");
}

#[tokio::test]
async fn repeated_logins_for_one_email_are_rate_limited() {
    let app = spawn_app().await;
    app.sign_up_brand("acme").await;
    let attempt = json!({"email": "owner@acme.example", "password": "wrong password", "account": "brand"});
    for _ in 0..10 {
        app.post("/v1/auth/login", None, &attempt)
            .await
            .assert_problem(401, "invalid_credentials");
    }
    let limited = app.post("/v1/auth/login", None, &attempt).await;
    limited.assert_problem(429, "rate_limited");
    assert!(limited.headers.get("retry-after").is_some());
    // Another account from the same address still gets an answer.
    let other = json!({"email": "someone@else.example", "password": "wrong password", "account": "brand"});
    app.post("/v1/auth/login", None, &other)
        .await
        .assert_problem(401, "invalid_credentials");
}
