//! The brand console's frame: a brand signs up on the web and lands in its console, the
//! overview shows the brand's own figures, and only brand users get in.

use reqwest::Method;

use super::account::{post_form, sessionless_form};
use super::{Page, SESSION};
use crate::helpers::{PASSWORD, TestApp, spawn_app};

/// A signed-in owner's session cookie, by the sign-in form.
async fn owner_session(app: &TestApp, email: &str) -> String {
    app.sign_in(email, "brand").await
}

/// A form posted with the console session and its CSRF token (read from `from`).
pub async fn post_console(app: &TestApp, session: &str, from: &Page, path: &str, fields: &[(&str, &str)]) -> Page {
    let csrf = from.hidden_or_none("csrf");
    let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    all.extend_from_slice(fields);
    app.page(Method::POST, path, &[(SESSION, session)], Some(&all)).await
}

#[tokio::test]
async fn a_brand_signs_up_on_the_web_and_lands_in_its_console() {
    let app = spawn_app().await;
    let landing = app.get_page("/", &[]).await;
    assert!(landing.html.contains("href=\"/signup/brand\""), "{}", landing.html);
    let (form, cookie, token) = sessionless_form(&app, "/signup/brand").await;
    assert!(form.html.contains("value=\"USD\""), "{}", form.html);
    // Each refused field is shown beside itself; what was typed stays.
    let refused = post_form(
        &app,
        "/signup/brand",
        &cookie,
        &[
            ("csrf", &token),
            ("name", "Acme <i>Coffee</i>"),
            ("slug", "Not A Slug"),
            ("landing_url", "ftp://acme.example"),
            ("currency", "usd"),
            ("email", "owner@acme.example"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    for field in ["slug", "landing_url", "password"] {
        assert!(
            refused.html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {}",
            refused.html
        );
    }
    assert!(
        refused.html.contains("value=\"Acme &#60;i&#62;Coffee&#60;/i&#62;\""),
        "{}",
        refused.html
    );
    assert!(
        !refused.html.contains("value=\"short\""),
        "the password is never shown again"
    );
    assert_eq!(app.count("brands"), 0);

    let fields = [
        ("csrf", token.as_str()),
        ("name", "Acme Coffee"),
        ("slug", "acme"),
        ("landing_url", "https://acme.example/shop"),
        ("currency", "USD"),
        ("email", "owner@acme.example"),
        ("password", PASSWORD),
    ];
    let signed = post_form(&app, "/signup/brand", &cookie, &fields).await;
    assert_eq!((signed.status, signed.location()), (303, "/console"), "{}", signed.html);
    let session = signed.cookie_value(SESSION);
    let console = app.get_page("/console", &[(SESSION, &session)]).await;
    assert_eq!(console.status, 200, "{}", console.html);
    assert!(console.html.contains("<h1>Overview</h1>"), "{}", console.html);
    assert!(console.html.contains("$0.00"), "{}", console.html);
    // The same brand as the API's sign-up makes: the owner logs in to the API too.
    let login = app.login("owner@acme.example", "brand").await;
    assert!(!login.is_empty());
    // A taken slug and a taken e-mail are said beside their fields.
    let (_, cookie, token) = sessionless_form(&app, "/signup/brand").await;
    let mut again = fields;
    again[0].1 = &token;
    let taken = post_form(&app, "/signup/brand", &cookie, &again).await;
    assert_eq!(taken.status, 409, "{}", taken.html);
    assert!(taken.html.contains("id=\"slug-error\""), "{}", taken.html);
    again[2].1 = "acme-two";
    let taken = post_form(&app, "/signup/brand", &cookie, &again).await;
    assert_eq!(taken.status, 409, "{}", taken.html);
    assert!(taken.html.contains("id=\"email-error\""), "{}", taken.html);
    // A form without its CSRF cookie is refused and creates nothing.
    let mut forged = fields;
    forged[0].1 = "not-the-cookie";
    forged[2].1 = "acme-three";
    forged[5].1 = "other@acme.example";
    let forged = post_form(&app, "/signup/brand", &cookie, &forged).await;
    assert_eq!(forged.status, 403, "{}", forged.html);
    assert_eq!(app.count("brands"), 1);
}

#[tokio::test]
async fn the_overview_shows_the_brands_own_figures_and_who_sold() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let other = app.program_with_ambassador("beans").await;
    for (program, order_id) in [(&p, "1001"), (&p, "1002"), (&other, "9001")] {
        let body = crate::orders::order_body(order_id, Some(&program.code));
        let order = app.post("/v1/checkout/orders", Some(&program.api_key), &body).await;
        assert_eq!(order.status, 201, "{}", order.text);
    }
    let session = owner_session(&app, &p.brand.email).await;
    let overview = app.get_page("/console", &[(SESSION, &session)]).await;
    assert_eq!(overview.status, 200, "{}", overview.html);
    let stats = app.get("/v1/brand/stats", Some(&p.brand.access_token)).await.body;
    let net = stats["net_sales"].as_i64().unwrap();
    let shown = format!("${}.{:02}", net / 100, net % 100);
    assert!(overview.html.contains(&shown), "{shown}: {}", overview.html);
    assert!(overview.html.contains("Ana"), "{}", overview.html);
    assert!(overview.html.contains(">2 <small>of 2</small>"), "{}", overview.html);
    for days in ["7", "90"] {
        let page = app
            .get_page(&format!("/console?days={days}"), &[(SESSION, &session)])
            .await;
        assert_eq!(page.status, 200, "{days}");
    }
    let bad = app.get_page("/console?days=31", &[(SESSION, &session)]).await;
    assert_eq!(bad.status, 400, "{}", bad.html);
}

#[tokio::test]
async fn only_a_signed_in_brand_user_gets_into_the_console() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let anonymous = app.get_page("/console", &[]).await;
    assert_eq!((anonymous.status, anonymous.location()), (303, "/login"));
    let influencer = app.sign_in("ana@acme.example", "influencer").await;
    let elsewhere = app.get_page("/console", &[(SESSION, &influencer)]).await;
    assert_eq!((elsewhere.status, elsewhere.location()), (303, "/app"));
    // Signed in, the sign-in and sign-up pages send the brand user to the console.
    let brand = owner_session(&app, &p.brand.email).await;
    for path in ["/", "/login", "/signup", "/signup/brand"] {
        let page = app.get_page(path, &[(SESSION, &brand)]).await;
        assert_eq!((page.status, page.location()), (303, "/console"), "{path}");
    }
    // The console's sign-out button ends the session.
    let console = app.get_page("/console", &[(SESSION, &brand)]).await;
    let forged = app
        .page(
            Method::POST,
            "/logout",
            &[(SESSION, &brand)],
            Some(&[("csrf", "forged")]),
        )
        .await;
    assert_eq!(forged.status, 403);
    let out = post_console(&app, &brand, &console, "/logout", &[]).await;
    assert_eq!((out.status, out.location()), (303, "/"));
    let after = app.get_page("/console", &[(SESSION, &brand)]).await;
    assert_eq!((after.status, after.location()), (303, "/login"));
}
