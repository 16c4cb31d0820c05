//! The frame: headers, sign-in, sessions, sign-out, escaping.

use reqwest::header::SET_COOKIE;

use super::{CSRF, SESSION};
use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn pages_carry_the_portal_headers_and_visitors_are_sent_to_sign_in() {
    let app = spawn_app().await;
    let landing = app.get_page("/", &[]).await;
    assert_eq!(landing.status, 200);
    assert!(landing.html.contains("href=\"/login\""));
    let csp = landing.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(landing.headers["referrer-policy"], "same-origin");
    assert_eq!(landing.headers["x-content-type-options"], "nosniff");
    assert!(
        landing.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let css = app.get_page("/assets/pico-2.1.1.min.css", &[]).await;
    assert_eq!(css.status, 200);
    assert!(css.html.contains("Pico CSS"));
    assert_eq!(app.get_page("/assets/nothing.css", &[]).await.status, 404);
    let app_page = app.get_page("/app", &[]).await;
    assert_eq!((app_page.status, app_page.location()), (303, "/login"));
    let forged = app.get_page("/app", &[(SESSION, "not-a-session")]).await;
    assert_eq!((forged.status, forged.location()), (303, "/login"));
}

#[tokio::test]
async fn the_sign_in_form_is_csrf_checked_and_sets_a_host_only_session_cookie() {
    let app = spawn_app().await;
    app.sign_up_influencer("ana@example.com").await;
    let form = app.get_page("/login", &[]).await;
    assert_eq!(form.status, 200);
    for input in [
        "name=\"email\"",
        "name=\"password\"",
        "name=\"account\" value=\"influencer\"",
        "name=\"account\" value=\"brand\"",
    ] {
        assert!(form.html.contains(input), "{input}");
    }
    let csrf_line = form.set_cookie(CSRF);
    assert!(
        csrf_line.contains("HttpOnly") && csrf_line.contains("Secure") && csrf_line.contains("Path=/"),
        "{csrf_line}"
    );
    let token = form.hidden("csrf");
    let fields = |csrf: &str| {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("email".to_owned(), "ana@example.com".to_owned()),
            ("password".to_owned(), PASSWORD.to_owned()),
            ("account".to_owned(), "influencer".to_owned()),
        ]
    };
    // Without the cookie, or with a token that is not the cookie's: refused, no session.
    for (cookies, sent) in [
        (vec![], token.clone()),
        (vec![(CSRF, form.cookie_value(CSRF))], "other".to_owned()),
    ] {
        let cookies: Vec<(&str, &str)> = cookies.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = fields(&sent);
        let body: Vec<(&str, &str)> = body.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let refused = app.page(reqwest::Method::POST, "/login", &cookies, Some(&body)).await;
        assert_eq!(refused.status, 403, "{}", refused.html);
        assert!(
            refused
                .headers
                .get_all(SET_COOKIE)
                .iter()
                .all(|c| !c.to_str().unwrap().starts_with(SESSION))
        );
    }
    // A wrong password is the form again with one message, not a session.
    let wrong = app
        .page(
            reqwest::Method::POST,
            "/login",
            &[(CSRF, &form.cookie_value(CSRF))],
            Some(&[
                ("csrf", &token),
                ("email", "ana@example.com"),
                ("password", "wrong password!"),
                ("account", "influencer"),
            ]),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.html.contains("E-mail or password is wrong."));
    assert_eq!(app.count("web_sessions"), 0);

    let session = app.sign_in("ana@example.com", "influencer").await;
    let again = app.get_page("/login", &[]).await;
    let line = {
        let form = app.get_page("/login", &[]).await;
        let csrf_cookie = form.cookie_value(CSRF);
        app.page(
            reqwest::Method::POST,
            "/login",
            &[(CSRF, &csrf_cookie)],
            Some(&[
                ("csrf", &form.hidden("csrf")),
                ("email", "ana@example.com"),
                ("password", PASSWORD),
                ("account", "influencer"),
            ]),
        )
        .await
        .set_cookie(SESSION)
    };
    assert_eq!(again.status, 200);
    for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(line.contains(flag), "{flag} missing from {line}");
    }
    assert!(!line.contains("Domain"), "{line}");
    // The session is stored only as a hash.
    assert_eq!(app.count(&format!("web_sessions WHERE token_hash = '{session}'")), 0);
    let overview = app.get_page("/app", &[(SESSION, &session)]).await;
    assert_eq!(overview.status, 200, "{}", overview.html);
    assert!(overview.html.contains("Hi Ana Influencer"));
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server_and_needs_its_csrf_token() {
    let app = spawn_app().await;
    app.sign_up_influencer("ana@example.com").await;
    let session = app.sign_in("ana@example.com", "influencer").await;
    let overview = app.get_page("/app", &[(SESSION, &session)]).await;
    let csrf = overview.hidden("csrf");
    let forged = app
        .page(
            reqwest::Method::POST,
            "/logout",
            &[(SESSION, &session)],
            Some(&[("csrf", "forged")]),
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(app.get_page("/app", &[(SESSION, &session)]).await.status, 200);
    let out = app
        .page(
            reqwest::Method::POST,
            "/logout",
            &[(SESSION, &session)],
            Some(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!((out.status, out.location()), (303, "/"));
    assert!(out.set_cookie(SESSION).contains("Max-Age=0"));
    // The old cookie no longer signs anyone in, wherever it was copied to.
    let after = app.get_page("/app", &[(SESSION, &session)]).await;
    assert_eq!((after.status, after.location()), (303, "/login"));
}

#[tokio::test]
async fn a_session_ends_after_three_idle_days_and_names_are_escaped() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/v1/influencers",
            None,
            &serde_json::json!({"email": "eve@example.com", "password": PASSWORD, "display_name": "<script>alert(1)</script>"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let session = app.sign_in("eve@example.com", "influencer").await;
    let overview = app.get_page("/app", &[(SESSION, &session)]).await;
    assert!(
        !overview.html.contains("<script>alert(1)</script>"),
        "{}",
        overview.html
    );
    assert!(overview.html.contains("alert(1)"));
    app.clock.advance(chrono::Duration::days(2));
    assert_eq!(app.get_page("/app", &[(SESSION, &session)]).await.status, 200);
    app.clock.advance(chrono::Duration::days(2));
    assert_eq!(
        app.get_page("/app", &[(SESSION, &session)]).await.status,
        200,
        "the visit two days ago restarted the idle clock"
    );
    app.clock.advance(chrono::Duration::days(3));
    assert_eq!(app.get_page("/app", &[(SESSION, &session)]).await.status, 303);
}
