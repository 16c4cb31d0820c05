//! The account pages: sign-up, the forgotten password (asked for, then set from the
//! e-mailed link), the password change on the profile page and the earnings CSV.

use reqwest::Method;
use serde_json::json;

use super::{CSRF, Page, SESSION};
use crate::helpers::{PASSWORD, TestApp, spawn_app};
use crate::mail::app_with_mail;

const NEW_PASSWORD: &str = "a brand new passphrase";

/// A form without a session: its page, its CSRF cookie and token.
pub(super) async fn sessionless_form(app: &TestApp, path: &str) -> (Page, String, String) {
    let form = app.get_page(path, &[]).await;
    assert_eq!(form.status, 200, "{path}: {}", form.html);
    let cookie = form.cookie_value(CSRF);
    let token = form.hidden("csrf");
    assert_eq!(cookie, token);
    (form, cookie, token)
}

pub(super) async fn post_form(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> Page {
    app.page(Method::POST, path, &[(CSRF, cookie)], Some(fields)).await
}

async fn api_login(app: &TestApp, email: &str, password: &str) -> u16 {
    app.post(
        "/v1/auth/login",
        None,
        &json!({"email": email, "password": password, "account": "influencer"}),
    )
    .await
    .status
}

#[tokio::test]
async fn signing_up_on_the_web_signs_the_new_influencer_in_and_the_api_knows_the_account() {
    let app = spawn_app().await;
    let landing = app.get_page("/", &[]).await;
    assert!(landing.html.contains("href=\"/signup\""), "{}", landing.html);
    let login = app.get_page("/login", &[]).await;
    assert!(login.html.contains("href=\"/signup\""));
    assert!(login.html.contains("href=\"/password/forgot\""));

    let (form, cookie, token) = sessionless_form(&app, "/signup").await;
    assert!(form.html.contains("href=\"/signup/brand\""), "{}", form.html);
    let signed = post_form(
        &app,
        "/signup",
        &cookie,
        &[
            ("csrf", &token),
            ("email", " Lea@Example.com "),
            ("password", PASSWORD),
            ("display_name", "Lea <b>Brews</b>"),
        ],
    )
    .await;
    assert_eq!((signed.status, signed.location()), (303, "/app"), "{}", signed.html);
    let session = signed.cookie_value(SESSION);
    let overview = app.get_page("/app", &[(SESSION, &session)]).await;
    assert_eq!(overview.status, 200, "{}", overview.html);
    assert!(overview.html.contains("Lea &#60;b&#62;Brews"), "{}", overview.html);
    // A portal session, not an API one: no refresh token nobody holds.
    assert_eq!(app.count("refresh_tokens"), 0);
    assert_eq!(app.count("web_sessions"), 1);
    assert_eq!(api_login(&app, "lea@example.com", PASSWORD).await, 200);
    // Signed in, the form sends the browser on.
    let again = app.get_page("/signup", &[(SESSION, &session)]).await;
    assert_eq!((again.status, again.location()), (303, "/app"));
}

#[tokio::test]
async fn sign_up_shows_each_refused_field_and_a_taken_email_keeping_what_was_typed() {
    let app = spawn_app().await;
    let (_, cookie, token) = sessionless_form(&app, "/signup").await;
    let refused = post_form(
        &app,
        "/signup",
        &cookie,
        &[
            ("csrf", &token),
            ("email", "not an address"),
            ("password", "short-pw"),
            ("display_name", "  "),
        ],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    for id in ["email-error", "display_name-error"] {
        assert!(refused.html.contains(&format!("id=\"{id}\"")), "{id}: {}", refused.html);
    }
    // `short-pw` is 8 characters: allowed; the typed password is never shown again.
    assert!(!refused.html.contains("password-error"));
    assert!(!refused.html.contains("short-pw"));
    assert!(refused.html.contains("value=\"not an address\""));
    assert_eq!(app.count("influencers"), 0);

    let short = post_form(
        &app,
        "/signup",
        &cookie,
        &[
            ("csrf", &token),
            ("email", "lea@example.com"),
            ("password", "short"),
            ("display_name", "Lea"),
        ],
    )
    .await;
    assert_eq!(short.status, 422);
    assert!(short.html.contains("id=\"password-error\""), "{}", short.html);
    assert!(short.html.contains("value=\"Lea\""));

    app.sign_up_influencer("ana@example.com").await;
    let taken = post_form(
        &app,
        "/signup",
        &cookie,
        &[
            ("csrf", &token),
            ("email", "ANA@example.com"),
            ("password", PASSWORD),
            ("display_name", "Another Ana"),
        ],
    )
    .await;
    assert_eq!(taken.status, 409, "{}", taken.html);
    assert!(taken.html.contains("An account with this e-mail already exists"));
    assert!(taken.html.contains("value=\"Another Ana\""));
    assert!(
        taken
            .headers
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with(SESSION))
    );
    assert_eq!(app.count("influencers"), 1);
}

#[tokio::test]
async fn every_new_form_refuses_a_missing_or_wrong_csrf_token() {
    let app = spawn_app().await;
    app.sign_up_influencer("ana@example.com").await;
    let forms: [(&str, Vec<(&str, &str)>); 3] = [
        (
            "/signup",
            vec![
                ("email", "lea@example.com"),
                ("password", PASSWORD),
                ("display_name", "Lea"),
            ],
        ),
        (
            "/password/forgot",
            vec![("email", "ana@example.com"), ("account", "influencer")],
        ),
        (
            "/password/reset",
            vec![
                ("token", "whatever"),
                ("new_password", NEW_PASSWORD),
                ("confirm_password", NEW_PASSWORD),
            ],
        ),
    ];
    for (action, fields) in forms {
        // The reset form is drawn only for a live token; every form without a session
        // shares one cookie, so the sign-up form's serves.
        let (_, cookie, token) = sessionless_form(&app, "/signup").await;
        let mut without = fields.clone();
        without.push(("csrf", ""));
        let mut wrong = fields.clone();
        wrong.push(("csrf", "forged-token"));
        let mut right_token = fields.clone();
        right_token.push(("csrf", &token));
        for (cookies, sent) in [
            (vec![], &right_token),
            (vec![(CSRF, cookie.as_str())], &without),
            (vec![(CSRF, cookie.as_str())], &wrong),
            (vec![(CSRF, "another-cookie")], &right_token),
        ] {
            let refused = app.page(Method::POST, action, &cookies, Some(sent)).await;
            assert_eq!(refused.status, 403, "{action}: {}", refused.html);
            assert!(refused.html.contains("expired"), "{action}: {}", refused.html);
        }
    }
    assert_eq!(app.count("influencers"), 1);
    assert_eq!(app.count("password_resets"), 0);
    // The forms share the cookie: one opened beside another keeps the other valid.
    let (_, cookie, _) = sessionless_form(&app, "/signup").await;
    let beside = app.get_page("/login", &[(CSRF, &cookie)]).await;
    assert_eq!(
        (beside.hidden("csrf"), beside.cookie_value(CSRF)),
        (cookie.clone(), cookie)
    );

    // The password change checks its session's token.
    let session = app.sign_in("ana@example.com", "influencer").await;
    let fields = [
        ("current_password", PASSWORD),
        ("new_password", NEW_PASSWORD),
        ("confirm_password", NEW_PASSWORD),
    ];
    for sent in ["", "forged-token"] {
        let mut form = fields.to_vec();
        form.push(("csrf", sent));
        let refused = app
            .page(
                Method::POST,
                "/app/profile/password",
                &[(SESSION, &session)],
                Some(&form),
            )
            .await;
        assert_eq!(refused.status, 403);
    }
    assert_eq!(api_login(&app, "ana@example.com", PASSWORD).await, 200);
}

#[tokio::test]
async fn a_forgotten_password_is_answered_alike_for_any_address_and_the_emailed_link_sets_a_new_one() {
    let (app, sink) = app_with_mail().await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let (form, cookie, token) = sessionless_form(&app, "/password/forgot").await;
    assert!(form.html.contains("name=\"account\" value=\"brand\""));
    let ask = |email: &'static str| {
        let (app, cookie, token) = (&app, cookie.clone(), token.clone());
        async move {
            post_form(
                app,
                "/password/forgot",
                &cookie,
                &[("csrf", &token), ("email", email), ("account", "influencer")],
            )
            .await
        }
    };
    let known = ask("ana@example.com").await;
    let unknown = ask("nobody@example.com").await;
    assert_eq!(known.status, 200, "{}", known.html);
    assert_eq!((unknown.status, &unknown.html), (200, &known.html));
    assert!(known.html.contains("If an account with that e-mail exists"));

    let mail = app
        .mail_until(&sink, |m| m.iter().any(|m| m.envelope_to == ["ana@example.com"]))
        .await;
    assert_eq!(mail.len(), 1, "only the known address gets an e-mail");
    let code = mail[0].code_after("Your reset code");
    let link = format!("https://go.example/password/reset?token={code}");
    assert!(
        mail[0].text().contains(&format!("Set a new password: {link}")),
        "{}",
        mail[0].text()
    );
    assert!(
        mail[0].html().contains(&format!("href=\"{link}\"")),
        "{}",
        mail[0].html()
    );

    let path = link.trim_start_matches("https://go.example");
    let reset = app.get_page(path, &[]).await;
    assert_eq!(reset.status, 200, "{}", reset.html);
    assert_eq!(reset.hidden("token"), code);
    let cookie = reset.cookie_value(CSRF);
    let csrf = reset.hidden("csrf");
    let mismatch = post_form(
        &app,
        "/password/reset",
        &cookie,
        &[
            ("csrf", &csrf),
            ("token", &code),
            ("new_password", NEW_PASSWORD),
            ("confirm_password", "a brand new passphrasE"),
        ],
    )
    .await;
    assert_eq!(mismatch.status, 422, "{}", mismatch.html);
    assert!(mismatch.html.contains("id=\"confirm_password-error\""));
    assert!(!mismatch.html.contains(NEW_PASSWORD));
    let done = post_form(
        &app,
        "/password/reset",
        &cookie,
        &[
            ("csrf", &csrf),
            ("token", &code),
            ("new_password", NEW_PASSWORD),
            ("confirm_password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!((done.status, done.location()), (303, "/login?reset=1"), "{}", done.html);
    let login = app.get_page("/login?reset=1", &[]).await;
    assert!(
        login.html.contains("Your password was changed; sign in"),
        "{}",
        login.html
    );

    assert_eq!(api_login(&app, "ana@example.com", PASSWORD).await, 401);
    assert_eq!(api_login(&app, "ana@example.com", NEW_PASSWORD).await, 200);
    app.post("/v1/auth/refresh", None, &json!({"refresh_token": ana.refresh_token}))
        .await
        .assert_problem(401, "refresh_token_reused");
    // The link is spent; an unknown one is told the same, with a way to ask again.
    for stale in [path, "/password/reset?token=not-a-token", "/password/reset"] {
        let page = app.get_page(stale, &[]).await;
        assert_eq!(page.status, 400, "{stale}: {}", page.html);
        assert!(page.html.contains("href=\"/password/forgot\""));
    }
    let (_, cookie, csrf) = sessionless_form(&app, "/password/forgot").await;
    let replay = post_form(
        &app,
        "/password/reset",
        &cookie,
        &[
            ("csrf", &csrf),
            ("token", &code),
            ("new_password", "yet another passphrase"),
            ("confirm_password", "yet another passphrase"),
        ],
    )
    .await;
    assert_eq!(replay.status, 400, "{}", replay.html);
    assert_eq!(api_login(&app, "ana@example.com", NEW_PASSWORD).await, 200);
}

#[tokio::test]
async fn a_password_change_keeps_this_session_and_ends_every_other_one() {
    let app = spawn_app().await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let here = app.sign_in("ana@example.com", "influencer").await;
    let elsewhere = app.sign_in("ana@example.com", "influencer").await;
    let profile = app.get_page("/app/profile", &[(SESSION, &here)]).await;
    assert!(
        profile.html.contains("action=\"/app/profile/password\""),
        "{}",
        profile.html
    );
    let csrf = profile.hidden("csrf");
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let (app, here, csrf) = (&app, here.clone(), csrf.clone());
        async move {
            app.page(
                Method::POST,
                "/app/profile/password",
                &[(SESSION, &here)],
                Some(&[
                    ("csrf", csrf.as_str()),
                    ("current_password", current),
                    ("new_password", new),
                    ("confirm_password", confirm),
                ]),
            )
            .await
        }
    };

    let wrong = change("not my password", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(wrong.status, 422, "{}", wrong.html);
    assert!(wrong.html.contains("id=\"current_password-error\""));
    assert!(wrong.html.contains("This is not your current password."));
    assert!(!wrong.html.contains("not my password"));
    let mismatch = change(PASSWORD, NEW_PASSWORD, "something else entirely").await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.html.contains("id=\"confirm_password-error\""));
    let short = change(PASSWORD, "short", "short").await;
    assert_eq!(short.status, 422);
    assert!(short.html.contains("id=\"new_password-error\""));
    assert_eq!(api_login(&app, "ana@example.com", PASSWORD).await, 200);

    let done = change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/app/profile?password=1"),
        "{}",
        done.html
    );
    let notice = app.get_page("/app/profile?password=1", &[(SESSION, &here)]).await;
    assert_eq!(notice.status, 200);
    assert!(notice.html.contains("Your password was changed"));
    let ended = app.get_page("/app", &[(SESSION, &elsewhere)]).await;
    assert_eq!((ended.status, ended.location()), (303, "/login"));
    app.post("/v1/auth/refresh", None, &json!({"refresh_token": ana.refresh_token}))
        .await
        .assert_problem(401, "refresh_token_reused");
    assert_eq!(api_login(&app, "ana@example.com", PASSWORD).await, 401);
    assert_eq!(api_login(&app, "ana@example.com", NEW_PASSWORD).await, 200);
}

#[tokio::test]
async fn the_earnings_csv_through_the_session_is_the_apis_byte_for_byte() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    for number in ["1001", "1002"] {
        let order = app
            .post(
                "/v1/checkout/orders",
                Some(&p.api_key),
                &crate::orders::order_body(number, Some(&p.code)),
            )
            .await;
        assert_eq!(order.status, 201, "{}", order.text);
    }
    let anonymous = app.get_page("/app/earnings.csv", &[]).await;
    assert_eq!((anonymous.status, anonymous.location()), (303, "/login"));

    let session = app.sign_in("ana@acme.example", "influencer").await;
    let profile = app.get_page("/app/profile", &[(SESSION, &session)]).await;
    assert!(profile.html.contains("href=\"/app/earnings.csv\""));
    let web = app.get_page("/app/earnings.csv", &[(SESSION, &session)]).await;
    assert_eq!(web.status, 200, "{}", web.html);
    let api = app.get("/v1/me/earnings.csv", Some(&p.influencer.access_token)).await;
    assert_eq!(api.status, 200, "{}", api.text);
    assert_eq!(web.html, api.text);
    assert_eq!(web.html.lines().count(), 3, "{}", web.html);
    for header in ["content-type", "content-disposition"] {
        assert_eq!(web.headers.get(header), api.headers.get(header), "{header}");
    }
    // A brand user has no statement here.
    let brand = app.sign_in(&p.brand.email, "brand").await;
    let elsewhere = app.get_page("/app/earnings.csv", &[(SESSION, &brand)]).await;
    assert_eq!((elsewhere.status, elsewhere.location()), (303, "/console"));
}
