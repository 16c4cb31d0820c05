//! The console's settings: the brand profile, API keys, shop integrations and webhooks,
//! each through the same use cases as the JSON API (what a page makes, the API lists),
//! secrets shown once, another brand's ids 404, and every form refused without its
//! CSRF token. One file per area; the helpers they share are here.

mod api_keys;
mod fx_rates;
mod integrations;
mod webhooks;

use reqwest::Method;
use serde_json::Value;

use super::console::post_console;
use super::{Page, SESSION};
use crate::helpers::{SignedUpBrand, TestApp, spawn_app};

const SCRIPT: &str = "<script>alert(1)</script>";
const ESCAPED: &str = "&#60;script&#62;alert(1)&#60;/script&#62;";

/// A brand signed up by the API and its owner's console session.
async fn owner(app: &TestApp, slug: &str) -> (SignedUpBrand, String) {
    let brand = app.sign_up_brand(slug).await;
    let session = app.sign_in(&brand.email, "brand").await;
    (brand, session)
}

async fn page_ok(app: &TestApp, session: &str, path: &str) -> Page {
    let page = app.get_page(path, &[(SESSION, session)]).await;
    assert_eq!(page.status, 200, "{path}: {}", page.html);
    page
}

/// A form posted with the session but without its CSRF token.
async fn forged(app: &TestApp, session: &str, path: &str, fields: &[(&str, &str)]) -> Page {
    let mut all = vec![("csrf", "forged")];
    all.extend_from_slice(fields);
    app.page(Method::POST, path, &[(SESSION, session)], Some(&all)).await
}

async fn items(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let reply = app.get(path, Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["items"].as_array().cloned().unwrap_or_default()
}

/// The value of the read-only input `id` on a page (a secret, a webhook URL).
fn field_value(page: &Page, id: &str) -> String {
    let marker = format!("id=\"{id}\" type=\"text\" value=\"");
    let start = page
        .html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {id} in {}", page.html))
        + marker.len();
    page.html[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_owner_sees_every_settings_page_and_saves_the_brand_profile() {
    let app = spawn_app().await;
    let (brand, session) = owner(&app, "acme").await;
    let settings = page_ok(&app, &session, "/console/settings").await;
    for href in ["api-keys", "integrations", "webhooks", "fx-rates", "team"] {
        assert!(
            settings.html.contains(&format!("href=\"/console/settings/{href}\"")),
            "{href}: {}",
            settings.html
        );
        page_ok(&app, &session, &format!("/console/settings/{href}")).await;
    }
    assert!(!settings.html.contains("owners only"), "{}", settings.html);

    let refused = post_console(
        &app,
        &session,
        &settings,
        "/console/settings",
        &[("name", " "), ("landing_url", "ftp://acme.example")],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(refused.html.contains("id=\"name-error\""), "{}", refused.html);
    assert!(refused.html.contains("id=\"landing_url-error\""), "{}", refused.html);
    assert!(
        refused.html.contains("value=\"ftp://acme.example\""),
        "{}",
        refused.html
    );

    let name = format!("Acme {SCRIPT}");
    let fields = [("name", name.as_str()), ("landing_url", "https://acme.example/new")];
    let no_token = forged(&app, &session, "/console/settings", &fields).await;
    assert_eq!(no_token.status, 403);
    assert_eq!(
        app.get("/v1/brand", Some(&brand.access_token)).await.body["name"],
        "Acme Coffee"
    );
    let saved = post_console(&app, &session, &settings, "/console/settings", &fields).await;
    assert_eq!((saved.status, saved.location()), (303, "/console/settings?done=saved"));
    let api = app.get("/v1/brand", Some(&brand.access_token)).await.body;
    assert_eq!(
        (api["name"].as_str(), api["landing_url"].as_str()),
        (Some(name.as_str()), Some("https://acme.example/new"))
    );
    let shown = page_ok(&app, &session, "/console/settings?done=saved").await;
    assert!(
        shown.html.contains(ESCAPED) && !shown.html.contains(SCRIPT),
        "{}",
        shown.html
    );
    assert!(shown.html.contains("role=\"status\""), "{}", shown.html);
}
