//! The console's settings: the brand profile, API keys, shop integrations and webhooks,
//! each through the same use cases as the JSON API (what a page makes, the API lists),
//! secrets shown once, another brand's ids 404, and every form refused without its
//! CSRF token.

use reqwest::Method;
use serde_json::{Value, json};

use super::console::post_console;
use super::{Page, SESSION};
use crate::helpers::{SignedUpBrand, TestApp, spawn_app};
use crate::integrations::SHOPIFY_SECRET;
use crate::webhooks::Receiver;

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
    for href in ["api-keys", "integrations", "webhooks", "team"] {
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

#[tokio::test]
async fn an_api_key_made_on_the_page_is_the_apis_its_secret_shown_once_and_revoking_it_stops_it() {
    let app = spawn_app().await;
    let (brand, session) = owner(&app, "acme").await;
    let (other, _) = owner(&app, "beans").await;
    let (their_key, _) = app.create_api_key(&other.access_token, "Theirs").await;
    let list = page_ok(&app, &session, "/console/settings/api-keys").await;

    let path = "/console/settings/api-keys";
    let empty = post_console(&app, &session, &list, path, &[("name", "  ")]).await;
    assert_eq!(empty.status, 422, "{}", empty.html);
    assert!(empty.html.contains("id=\"name-error\""), "{}", empty.html);
    assert_eq!(forged(&app, &session, path, &[("name", "Shop")]).await.status, 403);
    assert!(items(&app, &brand.access_token, "/v1/brand/api-keys").await.is_empty());

    let made = post_console(&app, &session, &list, path, &[("name", SCRIPT)]).await;
    assert_eq!(made.status, 200, "{}", made.html);
    assert_eq!(made.headers["cache-control"], "no-store");
    let secret = field_value(&made, "secret");
    assert!(made.html.contains("data-copy=\"secret\""), "{}", made.html);
    assert!(
        made.html.contains(ESCAPED) && !made.html.contains(SCRIPT),
        "{}",
        made.html
    );
    let keys = items(&app, &brand.access_token, "/v1/brand/api-keys").await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["name"], SCRIPT);
    let id = keys[0]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with(keys[0]["prefix"].as_str().unwrap()));
    assert_eq!(app.get("/v1/checkout/api-key", Some(&secret)).await.status, 200);
    // Shown once: the list has the key's name and prefix, never its secret.
    let listed = page_ok(&app, &session, path).await;
    assert!(!listed.html.contains(&secret), "{}", listed.html);
    assert!(listed.html.contains(ESCAPED), "{}", listed.html);

    // Another brand's key is not found, and stays.
    let theirs = format!("{path}/{their_key}/revoke");
    assert_eq!(app.get_page(&theirs, &[(SESSION, &session)]).await.status, 404);
    assert_eq!(post_console(&app, &session, &listed, &theirs, &[]).await.status, 404);
    assert_eq!(items(&app, &other.access_token, "/v1/brand/api-keys").await.len(), 1);

    let revoke = format!("{path}/{id}/revoke");
    let confirm = page_ok(&app, &session, &revoke).await;
    assert!(confirm.html.contains("cannot be undone"), "{}", confirm.html);
    assert_eq!(forged(&app, &session, &revoke, &[]).await.status, 403);
    assert_eq!(items(&app, &brand.access_token, "/v1/brand/api-keys").await.len(), 1);
    let revoked = post_console(&app, &session, &confirm, &revoke, &[]).await;
    assert_eq!(
        (revoked.status, revoked.location()),
        (303, "/console/settings/api-keys?done=revoked")
    );
    assert!(items(&app, &brand.access_token, "/v1/brand/api-keys").await.is_empty());
    assert_eq!(app.get("/v1/checkout/api-key", Some(&secret)).await.status, 401);
    assert_eq!(app.get_page(&revoke, &[(SESSION, &session)]).await.status, 404);
}

#[tokio::test]
async fn shops_are_connected_renamed_and_deleted_on_the_page_and_their_deliveries_retried() {
    let app = spawn_app().await;
    let (brand, session) = owner(&app, "acme").await;
    let (other, _) = owner(&app, "beans").await;
    let theirs = app.connect(&other.access_token, "stripe", Some("whsec_theirs")).await;
    let path = "/console/settings/integrations";
    let list = page_ok(&app, &session, path).await;

    let bad = [("platform", "magento"), ("name", ""), ("signing_secret", "has space")];
    let refused = post_console(&app, &session, &list, path, &bad).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    for field in ["platform", "name", "signing_secret"] {
        assert!(
            refused.html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {}",
            refused.html
        );
    }
    assert!(!refused.html.contains("has space"), "a secret is never shown again");
    let woo = [("platform", "woocommerce"), ("name", SCRIPT), ("signing_secret", "")];
    assert_eq!(forged(&app, &session, path, &woo).await.status, 403);
    assert!(
        items(&app, &brand.access_token, "/v1/brand/integrations")
            .await
            .is_empty()
    );

    // WooCommerce: reftrack makes the secret and shows it this once, with the URL.
    let made = post_console(&app, &session, &list, path, &woo).await;
    assert_eq!(made.status, 200, "{}", made.html);
    assert_eq!(made.headers["cache-control"], "no-store");
    let secret = field_value(&made, "signing_secret");
    let listed = items(&app, &brand.access_token, "/v1/brand/integrations").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        field_value(&made, "webhook_url"),
        listed[0]["webhook_url"].as_str().unwrap()
    );
    assert!(
        made.html.contains(ESCAPED) && !made.html.contains(SCRIPT),
        "{}",
        made.html
    );
    let woo_id = listed[0]["id"].as_str().unwrap().to_owned();
    let shown = page_ok(&app, &session, path).await;
    assert!(
        !shown.html.contains(&secret) && shown.html.contains(ESCAPED),
        "{}",
        shown.html
    );

    // Shopify without its key yet: refused until the key is set on its page.
    let shopify = [("platform", "shopify"), ("name", "Acme store"), ("signing_secret", "")];
    let made = post_console(&app, &session, &list, path, &shopify).await;
    assert_eq!(made.status, 200, "{}", made.html);
    assert!(made.html.contains("Order payment"), "{}", made.html);
    let listed = items(&app, &brand.access_token, "/v1/brand/integrations").await;
    let shop = listed.iter().find(|i| i["platform"] == "shopify").unwrap();
    assert_eq!(shop["signing_secret_set"], false);
    let id = shop["id"].as_str().unwrap().to_owned();
    let own = format!("{path}/{id}");
    let detail = page_ok(&app, &session, &own).await;
    assert!(
        detail.html.contains("deliveries are refused") || detail.html.contains("refuses the shop"),
        "{}",
        detail.html
    );
    let set = format!("{own}/secret");
    assert_eq!(
        post_console(&app, &session, &detail, &set, &[("signing_secret", "")])
            .await
            .status,
        422
    );
    assert_eq!(
        forged(&app, &session, &set, &[("signing_secret", SHOPIFY_SECRET)])
            .await
            .status,
        403
    );
    let saved = post_console(&app, &session, &detail, &set, &[("signing_secret", SHOPIFY_SECRET)]).await;
    assert_eq!(
        (saved.status, saved.location()),
        (303, format!("{own}?done=secret").as_str())
    );
    let rename = format!("{own}/name");
    assert_eq!(forged(&app, &session, &rename, &[("name", "Forged")]).await.status, 403);
    let refused = post_console(&app, &session, &detail, &rename, &[("name", "")]).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(refused.html.contains("id=\"name-error\""), "{}", refused.html);
    let renamed = post_console(&app, &session, &detail, &rename, &[("name", "Acme online")]).await;
    assert_eq!(renamed.status, 303);
    let api = app
        .get(&format!("/v1/brand/integrations/{id}"), Some(&brand.access_token))
        .await
        .body;
    assert_eq!(
        (api["name"].as_str(), api["signing_secret_set"].as_bool()),
        (Some("Acme online"), Some(true))
    );

    // A delivery that does not record an order shows with its reason and a Retry button.
    let connected = crate::integrations::Connected {
        id: id.clone(),
        path: format!("/v1/integrations/{id}/webhook"),
        secret: SHOPIFY_SECRET.to_owned(),
    };
    let body = br#"{"id": 820982911946154508, "financial_status": "pending"}"#;
    let stored = app.deliver_shopify(&connected, "orders/create", "evt-1", body).await;
    assert_eq!(stored.status, 200, "{}", stored.text);
    let events = app.settled_events(&brand.access_token, &id).await;
    assert_eq!(events.len(), 1);
    let event = events[0]["id"].as_str().unwrap().to_owned();
    let detail = page_ok(&app, &session, &own).await;
    assert!(detail.html.contains("orders/create"), "{}", detail.html);
    let retry = format!("{own}/events/{event}/retry");
    assert!(detail.html.contains(&format!("action=\"{retry}\"")), "{}", detail.html);
    assert_eq!(forged(&app, &session, &retry, &[]).await.status, 403);
    assert_eq!(
        app.settled_events(&brand.access_token, &id).await[0]["attempts"],
        events[0]["attempts"]
    );
    let retried = post_console(&app, &session, &detail, &retry, &[]).await;
    assert_eq!(
        (retried.status, retried.location()),
        (303, format!("{own}?done=retried").as_str())
    );
    let after = app.settled_events(&brand.access_token, &id).await;
    assert!(
        after[0]["attempts"].as_i64() > events[0]["attempts"].as_i64(),
        "{after:?}"
    );

    // Another brand's integration and event are not found.
    let their_page = format!("{path}/{}", theirs.id);
    assert_eq!(app.get_page(&their_page, &[(SESSION, &session)]).await.status, 404);
    assert_eq!(
        app.get_page(&format!("{their_page}/delete"), &[(SESSION, &session)])
            .await
            .status,
        404
    );
    for action in ["name", "delete"] {
        let posted = post_console(
            &app,
            &session,
            &detail,
            &format!("{their_page}/{action}"),
            &[("name", "Mine")],
        )
        .await;
        assert_eq!(posted.status, 404, "{action}");
    }
    let crossed = format!("{their_page}/events/{event}/retry");
    assert_eq!(post_console(&app, &session, &detail, &crossed, &[]).await.status, 404);
    assert_eq!(
        items(&app, &other.access_token, "/v1/brand/integrations").await[0]["name"],
        "My stripe shop"
    );

    // Deleting asks first; without the token nothing goes.
    let delete = format!("{path}/{woo_id}/delete");
    let confirm = page_ok(&app, &session, &delete).await;
    assert!(confirm.html.contains("cannot be undone"), "{}", confirm.html);
    assert_eq!(forged(&app, &session, &delete, &[]).await.status, 403);
    assert_eq!(
        items(&app, &brand.access_token, "/v1/brand/integrations").await.len(),
        2
    );
    let deleted = post_console(&app, &session, &confirm, &delete, &[]).await;
    assert_eq!(
        (deleted.status, deleted.location()),
        (303, "/console/settings/integrations?done=deleted")
    );
    assert_eq!(
        items(&app, &brand.access_token, "/v1/brand/integrations").await.len(),
        1
    );
    assert_eq!(
        app.get_page(&format!("{path}/{woo_id}"), &[(SESSION, &session)])
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn webhooks_are_added_tested_changed_rotated_and_deleted_on_the_page() {
    let app = spawn_app().await;
    let (brand, session) = owner(&app, "acme").await;
    let (other, _) = owner(&app, "beans").await;
    let (their_id, _) = app
        .add_webhook(&other.access_token, "https://crm.beans.example/hook", &[])
        .await;
    let receiver = Receiver::start();
    let path = "/console/settings/webhooks";
    let list = page_ok(&app, &session, path).await;

    let bad = [("url", "ftp://crm.example"), ("events", "order.shipped")];
    let refused = post_console(&app, &session, &list, path, &bad).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(
        refused.html.contains("id=\"url-error\"") && refused.html.contains("id=\"events-error\""),
        "{}",
        refused.html
    );
    let fields = [
        ("url", receiver.url.as_str()),
        ("description", SCRIPT),
        ("events", "order.recorded"),
        ("events", "payout.paid"),
    ];
    assert_eq!(forged(&app, &session, path, &fields).await.status, 403);
    assert!(items(&app, &brand.access_token, "/v1/brand/webhooks").await.is_empty());

    let made = post_console(&app, &session, &list, path, &fields).await;
    assert_eq!(made.status, 200, "{}", made.html);
    assert_eq!(made.headers["cache-control"], "no-store");
    let secret = field_value(&made, "secret");
    assert!(secret.starts_with("whsec_"), "{secret}");
    let listed = items(&app, &brand.access_token, "/v1/brand/webhooks").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["events"], json!(["order.recorded", "payout.paid"]));
    assert_eq!(listed[0]["description"], SCRIPT);
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    let shown = page_ok(&app, &session, path).await;
    assert!(
        !shown.html.contains(&secret) && shown.html.contains(ESCAPED) && !shown.html.contains(SCRIPT),
        "{}",
        shown.html
    );

    // A test event goes out now and shows in the delivery log; a failed one is retried.
    let own = format!("{path}/{id}");
    let detail = page_ok(&app, &session, &own).await;
    assert!(!detail.html.contains(&secret), "{}", detail.html);
    let test = format!("{own}/test");
    assert_eq!(forged(&app, &session, &test, &[]).await.status, 403);
    assert!(receiver.got().is_empty());
    let tested = post_console(&app, &session, &detail, &test, &[]).await;
    assert_eq!(
        (tested.status, tested.location()),
        (303, format!("{own}?done=tested").as_str())
    );
    assert_eq!(receiver.got().len(), 1);
    let log = page_ok(&app, &session, &format!("{own}?done=tested")).await;
    assert!(
        log.html.contains("webhook.test") && log.html.contains("succeeded"),
        "{}",
        log.html
    );
    assert!(
        !log.html.contains("/retry\""),
        "a delivery that went through is not offered again"
    );
    receiver.answer(&[500]);
    post_console(&app, &session, &detail, &test, &[]).await;
    let deliveries = items(
        &app,
        &brand.access_token,
        &format!("/v1/brand/webhooks/{id}/deliveries"),
    )
    .await;
    let failed = deliveries.iter().find(|d| d["status"] != "succeeded").unwrap();
    let retry = format!("{own}/deliveries/{}/retry", failed["id"].as_str().unwrap());
    let log = page_ok(&app, &session, &own).await;
    assert!(
        log.html.contains(&format!("action=\"{retry}\"")) && log.html.contains("500"),
        "{}",
        log.html
    );
    assert_eq!(forged(&app, &session, &retry, &[]).await.status, 403);
    assert_eq!(receiver.got().len(), 2);
    let retried = post_console(&app, &session, &log, &retry, &[]).await;
    assert_eq!(
        (retried.status, retried.location()),
        (303, format!("{own}?done=retried").as_str())
    );
    assert_eq!(receiver.got().len(), 3);

    // Changing it: no event ticked is every event; unticked "On" turns it off.
    let change = [("url", receiver.url.as_str()), ("description", "CRM")];
    assert_eq!(forged(&app, &session, &own, &change).await.status, 403);
    let saved = post_console(&app, &session, &detail, &own, &change).await;
    assert_eq!(
        (saved.status, saved.location()),
        (303, format!("{own}?done=saved").as_str())
    );
    let api = app
        .get(&format!("/v1/brand/webhooks/{id}"), Some(&brand.access_token))
        .await
        .body;
    assert_eq!(
        (
            api["events"].clone(),
            api["enabled"].clone(),
            api["description"].clone()
        ),
        (json!([]), json!(false), json!("CRM"))
    );
    let on = [
        ("url", receiver.url.as_str()),
        ("description", "CRM"),
        ("enabled", "on"),
    ];
    post_console(&app, &session, &detail, &own, &on).await;
    assert_eq!(
        app.get(&format!("/v1/brand/webhooks/{id}"), Some(&brand.access_token))
            .await
            .body["enabled"],
        true
    );
    let refused = post_console(&app, &session, &detail, &own, &[("url", "not a url")]).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(refused.html.contains("value=\"not a url\""), "{}", refused.html);

    // A new secret, shown once.
    let rotate = format!("{own}/rotate");
    assert_eq!(forged(&app, &session, &rotate, &[]).await.status, 403);
    let rotated = post_console(&app, &session, &detail, &rotate, &[]).await;
    assert_eq!(rotated.status, 200, "{}", rotated.html);
    let new_secret = field_value(&rotated, "secret");
    assert!(new_secret.starts_with("whsec_") && new_secret != secret);

    // Another brand's endpoint is not found.
    let theirs = format!("{path}/{their_id}");
    assert_eq!(app.get_page(&theirs, &[(SESSION, &session)]).await.status, 404);
    for action in ["", "/test", "/rotate", "/delete"] {
        let posted = post_console(&app, &session, &detail, &format!("{theirs}{action}"), &change).await;
        assert_eq!(posted.status, 404, "{action}");
    }
    assert_eq!(
        items(&app, &other.access_token, "/v1/brand/webhooks").await[0]["url"],
        "https://crm.beans.example/hook"
    );

    let delete = format!("{own}/delete");
    let confirm = page_ok(&app, &session, &delete).await;
    assert_eq!(forged(&app, &session, &delete, &[]).await.status, 403);
    assert_eq!(items(&app, &brand.access_token, "/v1/brand/webhooks").await.len(), 1);
    let deleted = post_console(&app, &session, &confirm, &delete, &[]).await;
    assert_eq!(
        (deleted.status, deleted.location()),
        (303, "/console/settings/webhooks?done=deleted")
    );
    assert!(items(&app, &brand.access_token, "/v1/brand/webhooks").await.is_empty());
}
