//! `POST /v1/me/password`: the current password is checked within the login budget of
//! the account's e-mail; a change ends every session of the account.

use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, spawn_app};
use crate::web::SESSION;

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn change(app: &TestApp, token: &str, current: &str, new: &str) -> crate::helpers::Reply {
    app.post(
        "/v1/me/password",
        Some(token),
        &json!({"current_password": current, "new_password": new}),
    )
    .await
}

async fn login_status(app: &TestApp, password: &str) -> u16 {
    app.post(
        "/v1/auth/login",
        None,
        &json!({"email": "ana@example.com", "password": password, "account": "influencer"}),
    )
    .await
    .status
}

#[tokio::test]
async fn a_password_change_checks_the_current_one_and_ends_every_session() {
    let app = spawn_app().await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let web = app.sign_in("ana@example.com", "influencer").await;

    let wrong = change(&app, &ana.access_token, "not my password", NEW_PASSWORD).await;
    wrong.assert_problem(422, "validation_failed");
    assert_eq!(wrong.fields(), ["current_password"]);
    let short = change(&app, &ana.access_token, PASSWORD, "short").await;
    short.assert_problem(422, "validation_failed");
    assert_eq!(short.fields(), ["new_password"]);
    let unknown = app
        .post(
            "/v1/me/password",
            Some(&ana.access_token),
            &json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}),
        )
        .await;
    unknown.assert_problem(422, "validation_failed");
    assert_eq!(unknown.fields(), ["confirm_password"]);
    assert_eq!(login_status(&app, PASSWORD).await, 200);

    let done = change(&app, &ana.access_token, PASSWORD, NEW_PASSWORD).await;
    assert_eq!(done.status, 204, "{}", done.text);
    assert!(done.text.is_empty());
    assert_eq!(login_status(&app, PASSWORD).await, 401);
    assert_eq!(login_status(&app, NEW_PASSWORD).await, 200);
    app.post("/v1/auth/refresh", None, &json!({"refresh_token": ana.refresh_token}))
        .await
        .assert_problem(401, "refresh_token_reused");
    let ended = app.get_page("/app", &[(SESSION, &web)]).await;
    assert_eq!((ended.status, ended.location()), (303, "/login"));
}

#[tokio::test]
async fn wrong_current_passwords_spend_the_login_budget_of_the_accounts_email() {
    let app = spawn_app().await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    for _ in 0..10 {
        let reply = change(&app, &ana.access_token, "not my password", NEW_PASSWORD).await;
        reply.assert_problem(422, "validation_failed");
    }
    let spent = change(&app, &ana.access_token, PASSWORD, NEW_PASSWORD).await;
    spent.assert_problem(429, "rate_limited");
    assert!(spent.headers.get("retry-after").is_some());
    // The same budget as the login's: guessing through one does not refill the other.
    assert_eq!(login_status(&app, PASSWORD).await, 429);
}
