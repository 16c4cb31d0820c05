//! API2 Broken authentication, API5 Broken function level authorization.

use std::collections::BTreeMap;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::Method;
use serde_json::{Value, json};

use super::routes::{concrete, served_routes};
use super::{bearer, call, cart, new_id, text};
use crate::helpers::{JWT_SECRET, PASSWORD, TestApp, brand_body, read, spawn_app};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Public,
    Brand,
    Influencer,
    Shop,
}

/// The caller each operation of `openapi.yaml` declares (`security`).
fn declared_callers() -> BTreeMap<(String, String), Caller> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap_or_default();
    let spec: serde_yaml::Value =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("openapi.yaml does not parse: {e}"));
    let mut out = BTreeMap::new();
    for (path, item) in spec["paths"].as_mapping().into_iter().flatten() {
        for (method, op) in item.as_mapping().into_iter().flatten() {
            let (Some(path), Some(method)) = (path.as_str(), method.as_str()) else {
                continue;
            };
            if !["get", "post", "put", "patch", "delete"].contains(&method) {
                continue;
            }
            let security = op.get("security").unwrap_or(&spec["security"]);
            let schemes: Vec<&str> = security
                .as_sequence()
                .into_iter()
                .flatten()
                .filter_map(serde_yaml::Value::as_mapping)
                .flat_map(|m| m.keys().filter_map(serde_yaml::Value::as_str))
                .collect();
            let caller = match schemes.as_slice() {
                [] => Caller::Public,
                ["brandBearer"] => Caller::Brand,
                ["influencerBearer"] => Caller::Influencer,
                ["apiKeyBearer"] => Caller::Shop,
                other => panic!("{method} {path}: unexpected security {other:?}"),
            };
            out.insert((method.to_uppercase(), path.to_owned()), caller);
        }
    }
    out
}

/// The caller a route's place in the API implies.
fn caller_by_path(path: &str) -> Caller {
    // The one public route under `/v1/brand`: joining a brand's team, where the token of
    // the invitation e-mail is the credential (there is no account yet).
    if path == "/v1/brand/users/accept" {
        Caller::Public
    } else if path == "/v1/brand" || path.starts_with("/v1/brand/") {
        Caller::Brand
    } else if path == "/v1/me" || path.starts_with("/v1/me/") {
        Caller::Influencer
    } else if path.starts_with("/v1/checkout/") {
        Caller::Shop
    } else {
        Caller::Public
    }
}

fn forge(alg: Algorithm, secret: &str, claims: &Value) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap_or_default()
}

fn claims(sub: &str, aud: &str, iat: i64) -> Value {
    json!({"iss": "reftrack", "aud": aud, "sub": sub, "iat": iat, "exp": iat + 900})
}

fn unsigned(claims: &Value) -> String {
    let b64 = |bytes: &[u8]| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes);
    format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    )
}

fn subject_of(token: &str) -> String {
    let payload = token.split('.').nth(1).unwrap_or_default();
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap_or_default();
    text(&serde_json::from_slice::<Value>(&bytes).unwrap_or_default()["sub"])
}

/// A body each route accepts as far as its shape goes, so only the credential decides.
fn shaped_body(method: &Method, path: &str) -> Option<Value> {
    match (method.as_str(), path) {
        ("POST", "/v1/checkout/quote") => Some(cart(None)),
        ("POST", "/v1/checkout/orders") => Some(json!({"order_id": "matrix-1", "currency": "USD",
            "discount_total": 0, "lines": [{"sku": "A", "quantity": 1, "unit_price": 100}]})),
        ("POST", "/v1/checkout/orders/{order_id}/refunds") => Some(json!({"refund_id": "r-1", "amount": 1})),
        ("POST" | "PATCH" | "PUT", _) => Some(json!({})),
        _ => None,
    }
}

/// Every route of the route table takes exactly the credential `openapi.yaml` declares
/// for it: each other kind (another audience, an API key on a JWT route or a JWT on a
/// checkout route), a forged, unsigned, expired or foreign-issuer token, a revoked key,
/// another scheme or no credential at all is 401 problem+json with
/// `WWW-Authenticate: Bearer`; the right one is never 401.
#[tokio::test]
async fn every_route_takes_only_the_credential_it_declares() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let (_, api_key) = app.create_api_key(&brand.access_token, "shop").await;
    let (revoked_id, revoked) = app.create_api_key(&brand.access_token, "old shop").await;
    assert_eq!(
        app.delete(&format!("/v1/brand/api-keys/{revoked_id}"), Some(&brand.access_token))
            .await
            .status,
        204
    );
    let now = reftrack::clock::Clock::now(app.clock.as_ref()).timestamp();
    let brand_user = subject_of(&brand.access_token);

    let declared = declared_callers();
    let mut failures = Vec::new();
    for (method, path) in served_routes() {
        let key = (method.to_string(), path.to_owned());
        let Some(&needs) = declared.get(&key) else {
            failures.push(format!("{method} {path}: not in openapi.yaml"));
            continue;
        };
        if needs != caller_by_path(path) {
            failures.push(format!("{method} {path}: openapi.yaml declares {needs:?}"));
            continue;
        }
        let body = shaped_body(&method, path);
        if needs == Caller::Public {
            let reply = call(&app, method.clone(), &concrete(path), None, body.as_ref()).await;
            if reply.status == 401 {
                failures.push(format!("{method} {path}: public route answered 401"));
            }
            continue;
        }
        // The audience a forged token claims: the route's own, so only the forgery fails.
        let (aud, sub) = match needs {
            Caller::Influencer => ("influencer", ana.id.clone()),
            _ => ("brand", brand_user.clone()),
        };
        let mut no_exp = claims(&sub, aud, now);
        if let Some(c) = no_exp.as_object_mut() {
            c.remove("exp");
        }
        let mut other_iss = claims(&sub, aud, now);
        other_iss["iss"] = json!("not-reftrack");
        let mut other_aud = claims(&sub, aud, now);
        other_aud["aud"] = json!("reftrack");
        let mut credentials: Vec<(&str, Option<String>, Option<Caller>)> = vec![
            ("no credential", None, None),
            ("basic auth", Some("Basic b3duZXI6cHc=".into()), None),
            ("bearer garbage", Some("Bearer not-a-token".into()), None),
            ("brand token", Some(bearer(&brand.access_token)), Some(Caller::Brand)),
            (
                "influencer token",
                Some(bearer(&ana.access_token)),
                Some(Caller::Influencer),
            ),
            ("api key", Some(bearer(&api_key)), Some(Caller::Shop)),
            ("revoked api key", Some(bearer(&revoked)), None),
            (
                "unknown api key",
                Some(bearer("rtk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")),
                None,
            ),
            ("alg none", Some(bearer(&unsigned(&claims(&sub, aud, now)))), None),
            (
                "HS512",
                Some(bearer(&forge(Algorithm::HS512, JWT_SECRET, &claims(&sub, aud, now)))),
                None,
            ),
            (
                "another secret",
                Some(bearer(&forge(
                    Algorithm::HS256,
                    "another-secret-0123456789abcdef0123456789",
                    &claims(&sub, aud, now),
                ))),
                None,
            ),
            (
                "expired",
                Some(bearer(&forge(
                    Algorithm::HS256,
                    JWT_SECRET,
                    &claims(&sub, aud, now - 901),
                ))),
                None,
            ),
            (
                "no exp",
                Some(bearer(&forge(Algorithm::HS256, JWT_SECRET, &no_exp))),
                None,
            ),
            (
                "other issuer",
                Some(bearer(&forge(Algorithm::HS256, JWT_SECRET, &other_iss))),
                None,
            ),
            (
                "other audience",
                Some(bearer(&forge(Algorithm::HS256, JWT_SECRET, &other_aud))),
                None,
            ),
        ];
        if needs == Caller::Brand && body.is_none() {
            // Validly signed, for a brand user that does not exist (a removed user).
            let ghost = forge(Algorithm::HS256, JWT_SECRET, &claims(&new_id(), "brand", now));
            credentials.push(("unknown brand user", Some(bearer(&ghost)), None));
        }
        for (name, credential, passes) in credentials {
            let reply = call(
                &app,
                method.clone(),
                &concrete(path),
                credential.as_deref(),
                body.as_ref(),
            )
            .await;
            if passes == Some(needs) {
                if reply.status == 401 {
                    failures.push(format!("{method} {path} refused the {name}: {}", reply.text));
                }
                continue;
            }
            let challenged = reply.headers.get("www-authenticate").and_then(|v| v.to_str().ok()) == Some("Bearer");
            let problem = reply.content_type().starts_with("application/problem+json");
            if reply.status != 401 || !challenged || !problem {
                failures.push(format!("{method} {path} with {name}: {} {}", reply.status, reply.text));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Login budgets (per process, real time): 10 attempts a minute per e-mail however it
/// is spelled, and 60 per client address across e-mails. Attempts refused by the
/// e-mail budget still spend the address budget, so this needs only ten password
/// verifications.
async fn exhaust_login_budgets(app: &TestApp) {
    app.sign_up_brand("acme").await;
    let spellings = [
        "owner@acme.example",
        "OWNER@ACME.EXAMPLE",
        " Owner@Acme.Example ",
        "owner@ACME.example\t",
    ];
    for i in 0..10 {
        let email = spellings[i % spellings.len()];
        let reply = app
            .post(
                "/v1/auth/login",
                None,
                &json!({"email": email, "password": "wrong password", "account": "brand"}),
            )
            .await;
        reply.assert_problem(401, "invalid_credentials");
    }
    // The right password no longer helps, in any spelling.
    for email in spellings {
        let reply = app
            .post(
                "/v1/auth/login",
                None,
                &json!({"email": email, "password": PASSWORD, "account": "brand"}),
            )
            .await;
        reply.assert_problem(429, "rate_limited");
        assert!(reply.headers.get("retry-after").is_some());
    }
    for _ in 0..80 {
        let reply = app
            .post(
                "/v1/auth/login",
                None,
                &json!({"email": "owner@acme.example", "password": "wrong password", "account": "brand"}),
            )
            .await;
        reply.assert_problem(429, "rate_limited");
    }
}

#[tokio::test]
async fn login_budgets_hold_per_account_in_any_spelling_and_per_client_address() {
    let app = spawn_app().await;
    exhaust_login_budgets(&app).await;
    // Another account, from the same address: the address budget is spent.
    let other = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "someone@else.example", "password": "wrong password", "account": "influencer"}),
        )
        .await;
    other.assert_problem(429, "rate_limited");
    assert!(other.headers.get("retry-after").is_some());
}

/// F1 (SECURITY.md): any client can set `X-Forwarded-For` and `Forwarded`, so without
/// trusted proxies they are ignored and a forged header gets no fresh budget.
#[tokio::test]
async fn a_forged_forwarded_header_does_not_reset_the_login_budget() {
    let app = spawn_app().await;
    exhaust_login_budgets(&app).await;
    let body = json!({"email": "someone@else.example", "password": "wrong password", "account": "influencer"});
    for (header, value) in [("x-forwarded-for", "203.0.113.9"), ("forwarded", "for=203.0.113.10")] {
        let reply = read(
            app.client
                .post(app.url("/v1/auth/login"))
                .header(header, value)
                .json(&body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .await;
        reply.assert_problem(429, "rate_limited");
    }
}

/// F6 (SECURITY.md): each client address may sign up 10 accounts an hour, brands and
/// influencers together; past that the answer is 429 with `Retry-After`, even with a
/// forged forwarding header, and nothing is created. Only a sign-up that passes
/// validation spends the budget.
#[tokio::test]
async fn sign_up_has_a_budget_per_client_address() {
    let app = spawn_app().await;
    let mut typo = brand_body("typo", "owner@typo.example");
    typo["landing_url"] = json!("acme.example");
    for _ in 0..5 {
        app.post("/v1/brands", None, &typo)
            .await
            .assert_problem(422, "validation_failed");
    }
    for i in 0..5 {
        app.sign_up_brand(&format!("brand-{i}")).await;
        app.sign_up_influencer(&format!("ana-{i}@example.com")).await;
    }
    let brand = brand_body("one-more", "owner@one-more.example");
    let influencer = json!({"email": "one-more@example.com", "password": PASSWORD, "display_name": "One More"});
    for (path, body) in [("/v1/brands", &brand), ("/v1/influencers", &influencer)] {
        for (header, value) in [
            ("x-request-id", "plain"),
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=203.0.113.10"),
        ] {
            let request = app.client.post(app.url(path)).header(header, value).json(body);
            let reply = read(request.send().await.unwrap_or_else(|e| panic!("{e}"))).await;
            reply.assert_problem(429, "rate_limited");
            assert!(reply.headers.get("retry-after").is_some(), "{path} {header}");
        }
    }
    assert_eq!((app.count("brands"), app.count("influencers")), (5, 5));
}
