//! Connecting shops: the secret goes in once and never comes out; a brand sees only its
//! own integrations.

use serde_json::json;

use super::{SHOPIFY_SECRET, STRIPE_SECRET};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_brand_connects_each_platform_and_the_secret_never_comes_back() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("crud-shop").await;
    let token = Some(brand.access_token.as_str());

    let shopify = app
        .post(
            "/v1/brand/integrations",
            token,
            &json!({"platform": "shopify", "name": "Main store", "signing_secret": SHOPIFY_SECRET}),
        )
        .await;
    assert_eq!(shopify.status, 201, "{}", shopify.text);
    let id = shopify.body["id"].as_str().unwrap();
    assert_eq!(shopify.body["platform"], "shopify");
    assert_eq!(
        shopify.body["webhook_url"],
        format!("https://go.example/v1/integrations/{id}/webhook")
    );
    assert!(shopify.body.get("signing_secret").is_none(), "{}", shopify.text);
    assert_eq!(shopify.body["signing_secret_set"], true);
    assert!(!shopify.text.contains(SHOPIFY_SECRET));

    // WooCommerce without a secret: reftrack makes one of letters and digits, shown once.
    let woo = app
        .post(
            "/v1/brand/integrations",
            token,
            &json!({"platform": "woocommerce", "name": "Woo"}),
        )
        .await;
    assert_eq!(woo.status, 201, "{}", woo.text);
    let generated = woo.body["signing_secret"].as_str().unwrap();
    assert!(generated.len() >= 32 && generated.bytes().all(|b| b.is_ascii_alphanumeric()));

    // Shopify and Stripe show their secret once the webhook URL is in their admin: an
    // integration can wait for it, and its deliveries are refused until it comes.
    let waiting = app
        .post(
            "/v1/brand/integrations",
            token,
            &json!({"platform": "stripe", "name": "Secret later"}),
        )
        .await;
    assert_eq!(waiting.status, 201, "{}", waiting.text);
    assert_eq!(waiting.body["signing_secret_set"], false);
    assert!(waiting.body.get("signing_secret").is_none());
    let waiting_path = format!("/v1/brand/integrations/{}", waiting.body["id"].as_str().unwrap());
    assert_eq!(app.delete(&waiting_path, token).await.status, 204);
    let bad = app
        .post(
            "/v1/brand/integrations",
            token,
            &json!({"platform": "magento", "name": " ", "signing_secret": "has space"}),
        )
        .await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.fields(), ["platform", "name", "signing_secret"]);

    let stripe = app
        .post(
            "/v1/brand/integrations",
            token,
            &json!({"platform": "stripe", "name": "Payment links", "signing_secret": STRIPE_SECRET}),
        )
        .await;
    assert_eq!(stripe.status, 201, "{}", stripe.text);

    let list = app.get("/v1/brand/integrations", token).await;
    assert_eq!(list.status, 200);
    let platforms: Vec<_> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["platform"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(platforms, ["shopify", "woocommerce", "stripe"]);
    for secret in [SHOPIFY_SECRET, STRIPE_SECRET, generated] {
        assert!(!list.text.contains(secret));
        // Stored sealed: the secret is in no column of the database.
        let stored = app.count(&format!(
            "integrations WHERE secret_sealed LIKE '%{secret}%' OR name LIKE '%{secret}%'"
        ));
        assert_eq!(stored, 0);
    }

    // Rename and rotate; the answer says until when the old secret still verifies.
    let path = format!("/v1/brand/integrations/{id}");
    let patched = app
        .patch(
            &path,
            token,
            &json!({"name": "Renamed", "signing_secret": "shpss_rotated"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["name"], "Renamed");
    assert!(patched.body["previous_secret_valid_until"].is_string());
    let one = app.get(&path, token).await;
    assert_eq!(one.body["name"], "Renamed");

    assert_eq!(app.delete(&path, token).await.status, 204);
    app.get(&path, token).await.assert_problem(404, "integration_not_found");
    app.delete(&path, token)
        .await
        .assert_problem(404, "integration_not_found");
}

#[tokio::test]
async fn another_brands_integration_is_404_everywhere() {
    let app = spawn_app().await;
    let owner = app.sign_up_brand("owner-shop").await;
    let other = app.sign_up_brand("other-shop").await;
    let shop = app.connect(&owner.access_token, "shopify", Some(SHOPIFY_SECRET)).await;
    let token = Some(other.access_token.as_str());
    let path = format!("/v1/brand/integrations/{}", shop.id);
    app.get(&path, token).await.assert_problem(404, "integration_not_found");
    app.patch(&path, token, &json!({"name": "Mine now"}))
        .await
        .assert_problem(404, "integration_not_found");
    app.delete(&path, token)
        .await
        .assert_problem(404, "integration_not_found");
    app.get(&format!("{path}/events"), token)
        .await
        .assert_problem(404, "integration_not_found");
    let list = app.get("/v1/brand/integrations", token).await;
    assert_eq!(list.body["items"], json!([]));
    // And the owner still has it, unchanged.
    let mine = app.get(&path, Some(&owner.access_token)).await;
    assert_eq!(mine.body["name"], "My shopify shop");
}
