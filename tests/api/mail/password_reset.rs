//! Password resets: 202 for any address, a single-use token valid for an hour, and
//! every session of the account ended.

use chrono::Duration;
use serde_json::json;

use super::app_with_mail;
use crate::helpers::TestApp;
use crate::helpers::smtp_sink::SmtpSink;

async fn ask(app: &TestApp, email: &str, account: &str) {
    let reply = app
        .post(
            "/v1/auth/password-reset",
            None,
            &json!({"email": email, "account": account}),
        )
        .await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    assert!(reply.text.is_empty());
}

/// Asks for a reset of `email` and returns the token of the e-mail that arrives.
async fn reset_token(app: &TestApp, sink: &SmtpSink, email: &str, account: &str) -> String {
    let before = sink.to(email).len();
    ask(app, email, account).await;
    let mail = app
        .mail_until(sink, |m| m.iter().filter(|m| m.envelope_to == [email]).count() > before)
        .await;
    let letter = mail.iter().rev().find(|m| m.envelope_to == [email]).unwrap();
    assert_eq!(letter.subject(), "Reset your reftrack password");
    let token = letter.code_after("Your reset code");
    // The portal's page sets the password with the same code.
    let link = format!("https://go.example/password/reset?token={token}");
    assert!(
        letter.text().contains(&format!("Set a new password: {link}")),
        "{}",
        letter.text()
    );
    assert!(letter.html().contains(&format!("href=\"{link}\"")), "{}", letter.html());
    token
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> crate::helpers::Reply {
    app.post(
        "/v1/auth/password-reset/confirm",
        None,
        &json!({"token": token, "new_password": password}),
    )
    .await
}

async fn login_status(app: &TestApp, email: &str, password: &str, account: &str) -> u16 {
    app.post(
        "/v1/auth/login",
        None,
        &json!({"email": email, "password": password, "account": account}),
    )
    .await
    .status
}

#[tokio::test]
async fn a_reset_sets_the_password_once_and_ends_every_session() {
    let (app, sink) = app_with_mail().await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let token = reset_token(&app, &sink, "ana@example.com", "influencer").await;

    let done = confirm(&app, &token, "a brand new passphrase").await;
    assert_eq!(done.status, 204, "{}", done.text);
    assert_eq!(
        login_status(&app, "ana@example.com", "a brand new passphrase", "influencer").await,
        200
    );
    assert_eq!(
        login_status(&app, "ana@example.com", crate::helpers::PASSWORD, "influencer").await,
        401
    );
    // The session from before the reset is over (a revoked family answers as reuse).
    app.post("/v1/auth/refresh", None, &json!({"refresh_token": ana.refresh_token}))
        .await
        .assert_problem(401, "refresh_token_reused");
    // The token is spent.
    confirm(&app, &token, "yet another passphrase")
        .await
        .assert_problem(400, "invalid_reset_token");
}

#[tokio::test]
async fn brand_users_reset_too_and_a_newer_reset_spends_the_older_token() {
    let (app, sink) = app_with_mail().await;
    let brand = app.sign_up_brand("acme").await;
    let first = reset_token(&app, &sink, &brand.email, "brand").await;
    let second = reset_token(&app, &sink, &brand.email, "brand").await;
    assert_ne!(first, second);
    assert_eq!(confirm(&app, &second, "a brand new passphrase").await.status, 204);
    assert_eq!(
        login_status(&app, &brand.email, "a brand new passphrase", "brand").await,
        200
    );
    confirm(&app, &first, "another passphrase")
        .await
        .assert_problem(400, "invalid_reset_token");
    // The same address as an influencer account has no account: no token works for it.
    assert_eq!(app.count("password_resets"), 2);
}

#[tokio::test]
async fn a_token_expires_after_an_hour_and_a_weak_password_is_refused() {
    let (app, sink) = app_with_mail().await;
    app.sign_up_influencer("ana@example.com").await;
    let token = reset_token(&app, &sink, "ana@example.com", "influencer").await;
    let short = confirm(&app, &token, "short").await;
    short.assert_problem(422, "validation_failed");
    assert_eq!(short.fields(), ["new_password"]);
    app.clock.advance(Duration::minutes(61));
    confirm(&app, &token, "a brand new passphrase")
        .await
        .assert_problem(400, "invalid_reset_token");
    confirm(&app, "not-a-token", "a brand new passphrase")
        .await
        .assert_problem(400, "invalid_reset_token");
}

#[tokio::test]
async fn an_unknown_address_is_answered_like_a_known_one_and_gets_nothing() {
    let (app, sink) = app_with_mail().await;
    app.sign_up_influencer("ana@example.com").await;
    let known = app
        .post(
            "/v1/auth/password-reset",
            None,
            &json!({"email": "ana@example.com", "account": "influencer"}),
        )
        .await;
    let unknown = app
        .post(
            "/v1/auth/password-reset",
            None,
            &json!({"email": "nobody@example.com", "account": "influencer"}),
        )
        .await;
    let wrong_kind = app
        .post(
            "/v1/auth/password-reset",
            None,
            &json!({"email": "ana@example.com", "account": "brand"}),
        )
        .await;
    for reply in [&known, &unknown, &wrong_kind] {
        assert_eq!(reply.status, 202);
        assert_eq!(reply.text, known.text);
        let mut names: Vec<&str> = reply
            .headers
            .keys()
            .map(|k| k.as_str())
            .filter(|k| *k != "date")
            .collect();
        names.sort_unstable();
        let mut expected: Vec<&str> = known
            .headers
            .keys()
            .map(|k| k.as_str())
            .filter(|k| *k != "date")
            .collect();
        expected.sort_unstable();
        assert_eq!(names, expected);
    }
    app.mail_until(&sink, |m| m.len() == 1).await;
    for _ in 0..3 {
        app.dispatch_pass().await;
    }
    let mail = sink.received();
    assert_eq!(mail.len(), 1, "only the known account gets a message");
    assert_eq!(mail[0].envelope_to, ["ana@example.com"]);
}

#[tokio::test]
async fn resets_are_rate_limited_per_address() {
    let (app, _sink) = app_with_mail().await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let reply = app
            .post(
                "/v1/auth/password-reset",
                None,
                &json!({"email": "ana@example.com", "account": "influencer"}),
            )
            .await;
        statuses.push(reply.status);
    }
    assert_eq!(statuses[..5], [202; 5]);
    assert_eq!(statuses[5], 429);
}
