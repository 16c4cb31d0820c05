//! Referral links: redirect with ref and click_id, clicks de-duplicated per visitor.

use chrono::Duration;
use serde_json::json;

use reftrack::api::client_ip::TrustedProxies;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const LANDING: &str = "https://acme.example/shop?src=ig";

async fn follow(app: &TestApp, path: &str, user_agent: &str) -> (u16, String) {
    let response = app
        .client
        .get(app.url(path))
        .header("user-agent", user_agent)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (response.status().as_u16(), location)
}

/// Follows a link as a proxy would pass it on: with `X-Forwarded-For`; returns `Location`.
async fn follow_forwarded(app: &TestApp, path: &str, forwarded_for: &str) -> String {
    let response = app
        .client
        .get(app.url(path))
        .header("user-agent", "UA")
        .header("x-forwarded-for", forwarded_for)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 302);
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn click_id(location: &str) -> String {
    url::Url::parse(location)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "click_id")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn link_redirects_with_ref_and_click_id_keeping_the_query() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let (status, location) = follow(&app, &format!("/r/acme/{}", p.code.to_lowercase()), "Mozilla/5.0").await;
    assert_eq!(status, 302);
    let url = url::Url::parse(&location).unwrap_or_else(|e| panic!("{e}: {location}"));
    assert_eq!(url.host_str(), Some("acme.example"));
    assert_eq!(url.path(), "/shop");
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(
        pairs[0],
        ("src".to_owned(), "ig".to_owned()),
        "the landing URL's own query is kept"
    );
    assert_eq!(pairs[1], ("ref".to_owned(), p.code.clone()));
    assert_eq!(pairs[2].0, "click_id");
    assert!(uuid::Uuid::parse_str(&pairs[2].1).is_ok());
    // What shops keep of a visit, so their webhooks name the code.
    assert_eq!(
        pairs[3..].to_vec(),
        [
            ("utm_source".to_owned(), "reftrack".to_owned()),
            ("utm_medium".to_owned(), "referral".to_owned()),
            ("utm_content".to_owned(), p.code.clone()),
        ]
    );
}

#[tokio::test]
async fn same_visitor_within_thirty_minutes_counts_once() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let path = format!("/r/acme/{}", p.code);
    let first = click_id(&follow(&app, &path, "UA-1").await.1);
    app.clock.advance(Duration::minutes(29));
    let again = click_id(&follow(&app, &path, "UA-1").await.1);
    assert_eq!(first, again, "same visitor, same code, within 30 minutes: one click");
    let other_visitor = click_id(&follow(&app, &path, "UA-2").await.1);
    assert_ne!(first, other_visitor);
    app.clock.advance(Duration::minutes(31));
    let later = click_id(&follow(&app, &path, "UA-1").await.1);
    assert_ne!(first, later, "a new window counts again");
}

#[tokio::test]
async fn unknown_or_inactive_codes_still_reach_the_shop_and_unknown_brands_are_404() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let (status, location) = follow(&app, "/r/acme/NOSUCHCODE", "UA").await;
    assert_eq!((status, location.as_str()), (302, "https://acme.example/shop?src=ig"));

    app.patch(
        &format!("/v1/brand/codes/{}", p.code_id),
        Some(&p.brand.access_token),
        &json!({"active": false}),
    )
    .await;
    let (status, location) = follow(&app, &format!("/r/acme/{}", p.code), "UA").await;
    assert_eq!((status, location.as_str()), (302, "https://acme.example/shop?src=ig"));

    let reply = app.get("/r/nobody/CODE", None).await;
    reply.assert_problem(404, "brand_not_found");
}

/// F7 (SECURITY.md): one client address may follow links 60 times a minute, guesses
/// included. Past that it still reaches the landing page, but as if the code were
/// unknown: no `ref`, no `click_id`, nothing recorded, so a flood can neither write
/// clicks nor tell usable codes from unusable ones.
#[tokio::test]
async fn past_its_budget_an_address_still_reaches_the_shop_but_records_nothing() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let path = format!("/r/acme/{}", p.code);
    for i in 0..60 {
        let (status, location) = follow(&app, &path, &format!("UA-{i}")).await;
        assert_eq!(status, 302);
        assert!(!click_id(&location).is_empty(), "follow {i}: {location}");
    }
    // Guesses spend the same budget (and take up whatever refilled meanwhile).
    for _ in 0..30 {
        let (status, location) = follow(&app, "/r/acme/NOSUCHCODE", "UA").await;
        assert_eq!((status, location.as_str()), (302, LANDING));
    }
    let (status, location) = follow(&app, &path, "UA-new").await;
    assert_eq!(
        (status, location.as_str()),
        (302, LANDING),
        "a usable code past the budget"
    );
    assert_eq!(app.count("clicks"), 60);
    // The budget is the address's: it does not depend on forwarding headers.
    assert_eq!(follow_forwarded(&app, &path, "203.0.113.9").await, LANDING);
}

/// F1 (SECURITY.md), the opt-in: behind a proxy listed in `REFTRACK_TRUSTED_PROXIES`
/// (here the test's own address), the visitor is the address the proxy appended to
/// `X-Forwarded-For`. Visitors behind the proxy are told apart and budgeted apart, and
/// entries a visitor forged in front of the proxy's change nothing.
#[tokio::test]
async fn behind_a_trusted_proxy_the_visitor_is_the_address_it_appended() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = TrustedProxies::parse("127.0.0.1, ::1").unwrap_or_default();
    })
    .await;
    let p = app.program_with_ambassador("acme").await;
    let path = format!("/r/acme/{}", p.code);
    let first = click_id(&follow_forwarded(&app, &path, "198.51.100.7").await);
    assert!(!first.is_empty());
    for i in 1..60 {
        let forged = format!("203.0.113.{i}, 198.51.100.7");
        let again = click_id(&follow_forwarded(&app, &path, &forged).await);
        assert_eq!(again, first, "one visitor whatever it puts in front");
    }
    for _ in 0..30 {
        follow_forwarded(&app, "/r/acme/NOSUCHCODE", "198.51.100.7").await;
    }
    assert_eq!(follow_forwarded(&app, &path, "198.51.100.7").await, LANDING);
    let other = click_id(&follow_forwarded(&app, &path, "198.51.100.8").await);
    assert!(!other.is_empty() && other != first);
    assert_eq!(app.count("clicks"), 2);
}
