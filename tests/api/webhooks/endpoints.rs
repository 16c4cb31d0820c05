//! Webhook endpoints: the secret shown once, the event types checked, other brands' 404.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_endpoint_is_made_changed_rotated_and_deleted_by_its_brand_only() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let token = Some(brand.access_token.as_str());
    let made = app
        .post(
            "/v1/brand/webhooks",
            token,
            &json!({"url": "https://crm.acme.example/hooks", "events": ["order.recorded"], "description": "CRM"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let secret = made.body["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(made.body["events"], json!(["order.recorded"]));
    assert_eq!(made.body["enabled"], true);
    let path = format!("/v1/brand/webhooks/{}", made.body["id"].as_str().unwrap());
    let got = app.get(&path, token).await;
    assert_eq!(got.status, 200);
    assert!(!got.text.contains(secret));
    assert!(!app.get("/v1/brand/webhooks", token).await.text.contains(secret));

    let bad = app
        .post(
            "/v1/brand/webhooks",
            token,
            &json!({"url": "ftp://x.example", "events": ["order.shipped"]}),
        )
        .await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.fields(), ["url", "events"]);

    let patched = app
        .patch(
            &path,
            token,
            &json!({"events": null, "enabled": false, "description": "Paused"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(
        (patched.body["events"].clone(), patched.body["enabled"].clone()),
        (json!([]), json!(false))
    );
    let rotated = app.post(&format!("{path}/rotate-secret"), token, &json!({})).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_ne!(rotated.body["secret"].as_str().unwrap(), secret);

    let other = app.sign_up_brand("other").await;
    let theirs = Some(other.access_token.as_str());
    app.get(&path, theirs)
        .await
        .assert_problem(404, "webhook_endpoint_not_found");
    app.patch(&path, theirs, &json!({"enabled": true}))
        .await
        .assert_problem(404, "webhook_endpoint_not_found");
    app.post(&format!("{path}/test"), theirs, &json!({}))
        .await
        .assert_problem(404, "webhook_endpoint_not_found");
    app.get(&format!("{path}/deliveries"), theirs)
        .await
        .assert_problem(404, "webhook_endpoint_not_found");
    app.delete(&path, theirs)
        .await
        .assert_problem(404, "webhook_endpoint_not_found");

    assert_eq!(app.delete(&path, token).await.status, 204);
    app.get(&path, token)
        .await
        .assert_problem(404, "webhook_endpoint_not_found");
}
