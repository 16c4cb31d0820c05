//! Webhook endpoints on the page: added (the secret shown once), tested, changed, rotated, deleted.

use serde_json::json;

use super::{ESCAPED, SCRIPT, field_value, forged, items, owner, page_ok};
use crate::helpers::spawn_app;
use crate::web::SESSION;
use crate::web::console::post_console;
use crate::webhooks::Receiver;

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
