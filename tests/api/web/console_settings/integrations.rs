//! Shop integrations on the page: connected, renamed, their secret set, deliveries retried, deleted.

use super::{ESCAPED, SCRIPT, field_value, forged, items, owner, page_ok};
use crate::helpers::spawn_app;
use crate::integrations::{Connected, SHOPIFY_SECRET};
use crate::web::SESSION;
use crate::web::console::post_console;

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
    let connected = Connected {
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
