//! The web portal's frame: pages with their security headers, sign-in with a CSRF-checked
//! form and a server-side session cookie, sign-out that ends the session, escaping.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

use crate::helpers::{PASSWORD, TestApp, spawn_app};

/// The test apps' public URL is https: cookies are `Secure` with the `__Host-` prefix.
const SESSION: &str = "__Host-reftrack_session";
const CSRF: &str = "__Host-reftrack_csrf";

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    html: String,
}

impl Page {
    /// The `Set-Cookie` line of `name`.
    fn set_cookie(&self, name: &str) -> String {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|v| v.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} cookie in {:?}", self.headers))
    }

    fn cookie_value(&self, name: &str) -> String {
        let line = self.set_cookie(name);
        line[name.len() + 1..].split(';').next().unwrap().to_owned()
    }

    /// The value of the hidden input `name`.
    fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .html
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} in {}", self.html))
            + marker.len();
        self.html[start..].split('"').next().unwrap().to_owned()
    }

    fn location(&self) -> &str {
        self.headers.get(LOCATION).map_or("", |v| v.to_str().unwrap())
    }
}

impl TestApp {
    async fn page(
        &self,
        method: reqwest::Method,
        path: &str,
        cookies: &[(&str, &str)],
        form: Option<&[(&str, &str)]>,
    ) -> Page {
        let mut request = self.client.request(method, self.url(path));
        if !cookies.is_empty() {
            let line: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header(COOKIE, line.join("; "));
        }
        if let Some(form) = form {
            let body: Vec<String> = form
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{k}={}",
                        url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                    )
                })
                .collect();
            request = request
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.join("&"));
        }
        let response = request.send().await.unwrap();
        Page {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            html: response.text().await.unwrap(),
        }
    }

    async fn get_page(&self, path: &str, cookies: &[(&str, &str)]) -> Page {
        self.page(reqwest::Method::GET, path, cookies, None).await
    }

    /// Signs in through the form; returns the session cookie's value.
    async fn sign_in(&self, email: &str, account: &str) -> String {
        let form = self.get_page("/login", &[]).await;
        let csrf_cookie = form.cookie_value(CSRF);
        let signed = self
            .page(
                reqwest::Method::POST,
                "/login",
                &[(CSRF, &csrf_cookie)],
                Some(&[
                    ("csrf", &form.hidden("csrf")),
                    ("email", email),
                    ("password", PASSWORD),
                    ("account", account),
                ]),
            )
            .await;
        assert_eq!(signed.status, 303, "{}", signed.html);
        assert_eq!(signed.location(), "/app");
        signed.cookie_value(SESSION)
    }
}

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

#[tokio::test]
async fn the_overview_shows_each_brands_money_formatted() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &crate::orders::order_body("1001", Some(&p.code)),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let session = app.sign_in("ana@acme.example", "influencer").await;
    let overview = app.get_page("/app", &[(SESSION, &session)]).await;
    assert!(overview.html.contains("Acme Coffee"), "{}", overview.html);
    assert!(overview.html.contains("$5.95"), "{}", overview.html);
    // A brand user signs in to the same form.
    let brand = app.sign_in(&p.brand.email, "brand").await;
    let console = app.get_page("/app", &[(SESSION, &brand)]).await;
    assert_eq!(console.status, 200);
    assert!(console.html.contains("brand console"));
}
