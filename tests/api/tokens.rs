//! The token matrix: every credential that must not pass is a 401.

use chrono::Duration;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;

use crate::helpers::{JWT_SECRET, spawn_app};

fn forge(alg: Algorithm, secret: &str, claims: serde_json::Value) -> String {
    encode(&Header::new(alg), &claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap_or_default()
}

fn claims(sub: &str, aud: &str, iat: i64) -> serde_json::Value {
    json!({"iss": "reftrack", "aud": aud, "sub": sub, "iat": iat, "exp": iat + 900})
}

#[tokio::test]
async fn brand_endpoints_refuse_every_wrong_credential() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let (_, api_key) = app.create_api_key(&brand.access_token, "shop").await;
    let user_id = {
        let reply = app
            .post(
                "/v1/auth/login",
                None,
                &json!({"email": brand.email, "password": crate::helpers::PASSWORD, "account": "brand"}),
            )
            .await;
        assert_eq!(reply.status, 200);
        // The subject of the brand's own token, to forge variants of it.
        let token = reply.body["access_token"].as_str().unwrap_or_default().to_owned();
        let payload = token.split('.').nth(1).unwrap_or_default().to_owned();
        let bytes =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap_or_default();
        serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default()["sub"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let now = reftrack::clock::Clock::now(app.clock.as_ref()).timestamp();

    // The valid one passes.
    let good = forge(Algorithm::HS256, JWT_SECRET, claims(&user_id, "brand", now));
    assert_eq!(app.get("/v1/brand", Some(&good)).await.status, 200);

    let mut no_iss = claims(&user_id, "brand", now);
    no_iss.as_object_mut().map(|c| c.remove("iss"));
    let mut other_iss = claims(&user_id, "brand", now);
    other_iss["iss"] = json!("someone-else");
    let none_alg = {
        let header = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"alg":"none","typ":"JWT"}"#,
        );
        let body = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            claims(&user_id, "brand", now).to_string(),
        );
        format!("{header}.{body}.")
    };
    let cases: Vec<(&str, Option<String>, &str)> = vec![
        ("no token", None, "unauthenticated"),
        ("garbage", Some("not-a-jwt".into()), "invalid_token"),
        (
            "wrong secret",
            Some(forge(
                Algorithm::HS256,
                "another-secret-that-is-long-enough!!",
                claims(&user_id, "brand", now),
            )),
            "invalid_token",
        ),
        (
            "HS512",
            Some(forge(Algorithm::HS512, JWT_SECRET, claims(&user_id, "brand", now))),
            "invalid_token",
        ),
        ("alg none", Some(none_alg), "invalid_token"),
        (
            "expired",
            Some(forge(
                Algorithm::HS256,
                JWT_SECRET,
                claims(&user_id, "brand", now - 901),
            )),
            "token_expired",
        ),
        ("influencer audience", Some(ana.access_token.clone()), "invalid_token"),
        (
            "no issuer",
            Some(forge(Algorithm::HS256, JWT_SECRET, no_iss)),
            "invalid_token",
        ),
        (
            "other issuer",
            Some(forge(Algorithm::HS256, JWT_SECRET, other_iss)),
            "invalid_token",
        ),
        ("api key", Some(api_key.clone()), "wrong_credential"),
    ];
    for (name, token, code) in cases {
        let reply = app.get("/v1/brand", token.as_deref()).await;
        assert_eq!((reply.status, reply.code()), (401, code), "{name}: {}", reply.text);
        assert_eq!(
            reply.headers.get("www-authenticate").and_then(|v| v.to_str().ok()),
            Some("Bearer"),
            "{name}"
        );
    }

    // Basic auth instead of Bearer.
    let reply = crate::helpers::read(
        app.client
            .get(app.url("/v1/brand"))
            .basic_auth("owner", Some("pw"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    reply.assert_problem(401, "invalid_token");
}

#[tokio::test]
async fn access_tokens_expire_after_fifteen_minutes() {
    let app = spawn_app().await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    app.clock.advance(Duration::minutes(14));
    assert_eq!(app.get("/v1/me", Some(&ana.access_token)).await.status, 200);
    app.clock.advance(Duration::minutes(1));
    app.get("/v1/me", Some(&ana.access_token))
        .await
        .assert_problem(401, "token_expired");
}

#[tokio::test]
async fn influencer_endpoints_refuse_brand_tokens_and_api_keys() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let (_, api_key) = app.create_api_key(&brand.access_token, "shop").await;
    app.get("/v1/me", Some(&brand.access_token))
        .await
        .assert_problem(401, "invalid_token");
    app.get("/v1/me", Some(&api_key))
        .await
        .assert_problem(401, "wrong_credential");
    app.get("/v1/me", None).await.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn api_key_endpoints_refuse_jwts_and_unknown_keys() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    app.get("/v1/checkout/api-key", Some(&brand.access_token))
        .await
        .assert_problem(401, "wrong_credential");
    app.get("/v1/checkout/api-key", Some(&ana.access_token))
        .await
        .assert_problem(401, "wrong_credential");
    app.get("/v1/checkout/api-key", Some("rtk_made-up"))
        .await
        .assert_problem(401, "invalid_api_key");
    app.get("/v1/checkout/api-key", None)
        .await
        .assert_problem(401, "unauthenticated");
}
