//! Brand API keys: shown once, stored hashed, tenant-isolated, revocable.

use diesel::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::spawn_app;

diesel::table! {
    api_keys (id) {
        id -> Text,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
    }
}

#[tokio::test]
async fn secret_is_shown_once_and_stored_only_as_sha256() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let (id, secret) = app.create_api_key(&brand.access_token, "Shopify production").await;
    assert!(secret.starts_with("rtk_") && secret.len() == 47, "{secret}");

    let list = app.get("/v1/brand/api-keys", Some(&brand.access_token)).await;
    assert_eq!(list.status, 200);
    assert!(!list.text.contains(&secret), "the list must not contain the secret");
    let items = list.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], json!(id));
    assert_eq!(items[0]["name"], "Shopify production");
    assert!(items[0].get("secret").is_none());
    assert!(secret.starts_with(items[0]["prefix"].as_str().unwrap_or("?")));

    let mut db = app.db.write_conn().unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<(String, String, String, String)> = api_keys::table.load(&mut **db).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 1);
    let (_, _, prefix, hash) = &rows[0];
    assert_eq!(hash, &hex::encode(Sha256::digest(secret.as_bytes())));
    assert!(!hash.contains(&secret) && prefix.len() < secret.len());
}

#[tokio::test]
async fn key_authenticates_the_shop_until_revoked() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let (id, secret) = app.create_api_key(&brand.access_token, "shop").await;

    let me = app.get("/v1/checkout/api-key", Some(&secret)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["id"], json!(id));
    assert_eq!(me.body["brand"]["id"], json!(brand.id));
    assert_eq!(me.body["brand"]["slug"], "acme");
    assert!(me.body.get("secret").is_none());

    let list = app.get("/v1/brand/api-keys", Some(&brand.access_token)).await;
    assert!(
        list.body["items"][0]["last_used_at"].is_string(),
        "use is recorded: {}",
        list.text
    );

    assert_eq!(
        app.delete(&format!("/v1/brand/api-keys/{id}"), Some(&brand.access_token))
            .await
            .status,
        204
    );
    app.get("/v1/checkout/api-key", Some(&secret))
        .await
        .assert_problem(401, "invalid_api_key");
    app.delete(&format!("/v1/brand/api-keys/{id}"), Some(&brand.access_token))
        .await
        .assert_problem(404, "api_key_not_found");
    let list = app.get("/v1/brand/api-keys", Some(&brand.access_token)).await;
    assert_eq!(list.body["items"], json!([]));
}

#[tokio::test]
async fn a_brand_never_sees_or_revokes_another_brands_keys() {
    let app = spawn_app().await;
    let acme = app.sign_up_brand("acme").await;
    let globex = app.sign_up_brand("globex").await;
    let (acme_key_id, acme_secret) = app.create_api_key(&acme.access_token, "acme shop").await;
    app.create_api_key(&globex.access_token, "globex shop").await;

    let list = app.get("/v1/brand/api-keys", Some(&globex.access_token)).await;
    let names: Vec<_> = list.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|k| k["name"].clone())
        .collect();
    assert_eq!(names, [json!("globex shop")]);

    app.delete(&format!("/v1/brand/api-keys/{acme_key_id}"), Some(&globex.access_token))
        .await
        .assert_problem(404, "api_key_not_found");
    assert_eq!(
        app.get("/v1/checkout/api-key", Some(&acme_secret)).await.status,
        200,
        "still live"
    );
    app.delete("/v1/brand/api-keys/not-a-uuid", Some(&globex.access_token))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn key_name_is_validated() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let reply = app
        .post("/v1/brand/api-keys", Some(&brand.access_token), &json!({"name": ""}))
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["name"]);
}
