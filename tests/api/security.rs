//! The security review (OWASP API Security Top 10, 2023) as tests: tenant isolation on
//! every object route, the credential matrix of every route, mass assignment, response
//! contents, resource limits, headers and redirects. `SECURITY.md` maps each of its
//! rows to the tests here and elsewhere in this suite.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};

use chrono::Duration;
use diesel::RunQueryDsl;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{JWT_SECRET, PASSWORD, Program, Reply, TestApp, brand_body, program_body, read, spawn_app};

const CUSTOMER_EMAIL: &str = "buyer@customer.example";
const LANDING: &str = "https://acme.example/shop?src=ig";

fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn cart(code: Option<&str>) -> Value {
    let mut body = json!({"currency": "USD", "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 10_000}]});
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    body
}

fn sale(order_id: &str, code: &str) -> Value {
    json!({"order_id": order_id, "code": code, "currency": "USD", "discount_total": 0,
           "customer_email": CUSTOMER_EMAIL,
           "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 10_000}]})
}

/// Any request, with the `Authorization` header given verbatim.
async fn call(app: &TestApp, method: Method, path: &str, authorization: Option<&str>, body: Option<&Value>) -> Reply {
    let mut req = app.client.request(method, app.url(path));
    if let Some(value) = authorization {
        req = req.header("authorization", value);
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    read(req.send().await.unwrap_or_else(|e| panic!("{path}: {e}"))).await
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The route table, with each method as the HTTP client spells it.
fn served_routes() -> Vec<(Method, &'static str)> {
    reftrack::api::routes()
        .into_iter()
        .map(|(m, p)| (Method::from_bytes(m.as_str().as_bytes()).unwrap_or(Method::GET), p))
        .collect()
}

/// One row of the cross-tenant sweep.
struct Probe {
    method: Method,
    /// The path, with `{id}` where the object's id goes.
    path: String,
    /// The body, with `{id}` where the object's id goes.
    body: Option<Value>,
    credential: String,
    foreign: String,
    unknown: String,
}

fn probe(method: Method, path: &str, body: Option<Value>, credential: &str, foreign: &str, unknown: &str) -> Probe {
    Probe {
        method,
        path: path.to_owned(),
        body,
        credential: credential.to_owned(),
        foreign: foreign.to_owned(),
        unknown: unknown.to_owned(),
    }
}

// ---------------------------------------------------------------------------------
// A world of two brands
// ---------------------------------------------------------------------------------

/// One brand with everything a brand can own, and fresh tokens.
struct Tenant {
    p: Program,
    brand_token: String,
    ambassador_token: String,
    api_key_id: String,
    /// reftrack's id of the order the shop calls `1001`.
    order: String,
    reward: String,
    payout: String,
    click: String,
}

/// Two brands (`acme`, `globex`), each with a program, an API key, an ambassador, three
/// orders past their hold, a click, an earned reward and a pending payout batch.
async fn world(app: &TestApp) -> (Tenant, Tenant) {
    let mut built = Vec::new();
    for slug in ["acme", "globex"] {
        let p = app.program_with_ambassador(slug).await;
        for (i, order_id) in ["1001".to_owned(), format!("{slug}-2"), format!("{slug}-3")]
            .iter()
            .enumerate()
        {
            // Both brands send the same order id under the same Idempotency-Key: each
            // is recorded for its own brand, never a replay of or a conflict with the
            // other brand's.
            let key = format!("checkout-{i}");
            let reply = app
                .post_keyed("/v1/checkout/orders", &p.api_key, Some(&key), &sale(order_id, &p.code))
                .await;
            assert_eq!((reply.status, reply.replayed()), (201, false), "{slug}: {}", reply.text);
            assert_eq!(reply.body["attributed"], true, "{}", reply.text);
        }
        let click = app.click(slug, &p.code, "Mozilla/5.0 (security review)").await;
        built.push((slug, p, click));
    }
    app.clock.advance(Duration::days(31));
    assert_eq!(app.mature().await.rewards_granted, 2);
    let mut tenants = Vec::new();
    for (slug, p, click) in built {
        let brand_token = app.login(&p.brand.email, "brand").await;
        let ambassador_token = app.login(&format!("ana@{slug}.example"), "influencer").await;
        let payout = app
            .post("/v1/brand/payouts", Some(&brand_token), &json!({"currency": "USD"}))
            .await;
        assert_eq!(payout.status, 201, "{}", payout.text);
        let rewards = app.get("/v1/me/rewards", Some(&ambassador_token)).await;
        let orders = app.get("/v1/brand/orders?limit=200", Some(&brand_token)).await;
        let order = orders.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| o["order_id"] == "1001")
            .map(|o| text(&o["id"]))
            .unwrap_or_default();
        let keys = app.get("/v1/brand/api-keys", Some(&brand_token)).await;
        let tenant = Tenant {
            brand_token,
            ambassador_token,
            api_key_id: text(&keys.body["items"][0]["id"]),
            order,
            reward: text(&rewards.body["items"][0]["id"]),
            payout: text(&payout.body["id"]),
            click,
            p,
        };
        for (name, id) in [
            ("api key", &tenant.api_key_id),
            ("order", &tenant.order),
            ("reward", &tenant.reward),
            ("payout", &tenant.payout),
        ] {
            assert!(!id.is_empty(), "{slug}: no {name} id");
        }
        tenants.push(tenant);
    }
    let b = tenants.pop().unwrap_or_else(|| panic!("two tenants"));
    let a = tenants.pop().unwrap_or_else(|| panic!("two tenants"));
    (a, b)
}

// ---------------------------------------------------------------------------------
// API1 Broken object level authorization
// ---------------------------------------------------------------------------------

/// Every route that names an object, called by the other brand (or its ambassador or
/// its shop) with this brand's id, answers exactly what it answers for an id that
/// does not exist: the same 404 problem, never a 403, never data, no change.
#[tokio::test]
async fn another_tenants_objects_answer_exactly_like_objects_that_do_not_exist() {
    let app = spawn_app().await;
    let (a, b) = world(&app).await;
    let brand = bearer(&b.brand_token);
    let shop = bearer(&b.p.api_key);
    let ambassador = bearer(&b.ambassador_token);
    let shipping = json!({"shipping_name": "Eve", "shipping_address": "1 Other St"});
    let unknown = new_id();
    let u = unknown.as_str();
    let (brand, shop, ambassador) = (brand.as_str(), shop.as_str(), ambassador.as_str());
    let probes = vec![
        probe(Method::GET, "/v1/brand/programs/{id}", None, brand, &a.p.program_id, u),
        probe(
            Method::PATCH,
            "/v1/brand/programs/{id}",
            Some(json!({"name": "Taken over", "hold_days": 0})),
            brand,
            &a.p.program_id,
            u,
        ),
        probe(
            Method::GET,
            "/v1/brand/programs/{id}/versions",
            None,
            brand,
            &a.p.program_id,
            u,
        ),
        probe(
            Method::POST,
            "/v1/brand/invitations",
            Some(json!({"email": "eve@globex.example", "program_id": "{id}"})),
            brand,
            &a.p.program_id,
            u,
        ),
        probe(
            Method::PATCH,
            &format!("/v1/brand/ambassadors/{}", b.p.membership_id),
            Some(json!({"program_id": "{id}"})),
            brand,
            &a.p.program_id,
            u,
        ),
        probe(
            Method::GET,
            "/v1/brand/ambassadors/{id}",
            None,
            brand,
            &a.p.membership_id,
            u,
        ),
        probe(
            Method::PATCH,
            "/v1/brand/ambassadors/{id}",
            Some(json!({"status": "ended"})),
            brand,
            &a.p.membership_id,
            u,
        ),
        probe(
            Method::POST,
            "/v1/brand/ambassadors/{id}/codes",
            Some(json!({"code": "HIJACK10"})),
            brand,
            &a.p.membership_id,
            u,
        ),
        probe(
            Method::GET,
            "/v1/brand/ambassadors/{id}/codes",
            None,
            brand,
            &a.p.membership_id,
            u,
        ),
        probe(
            Method::PATCH,
            "/v1/brand/codes/{id}",
            Some(json!({"active": false})),
            brand,
            &a.p.code_id,
            u,
        ),
        probe(
            Method::POST,
            "/v1/brand/rewards/{id}/fulfil",
            Some(json!({"tracking": "1Z999"})),
            brand,
            &a.reward,
            u,
        ),
        probe(Method::GET, "/v1/brand/orders/{id}", None, brand, &a.order, u),
        probe(Method::GET, "/v1/brand/payouts/{id}", None, brand, &a.payout, u),
        probe(
            Method::GET,
            "/v1/brand/payouts/{id}?format=csv",
            None,
            brand,
            &a.payout,
            u,
        ),
        probe(
            Method::GET,
            "/v1/brand/payouts/{id}?format=paypal",
            None,
            brand,
            &a.payout,
            u,
        ),
        probe(Method::POST, "/v1/brand/payouts/{id}/paid", None, brand, &a.payout, u),
        probe(Method::POST, "/v1/brand/payouts/{id}/cancel", None, brand, &a.payout, u),
        probe(Method::DELETE, "/v1/brand/api-keys/{id}", None, brand, &a.api_key_id, u),
        probe(
            Method::GET,
            "/v1/checkout/codes/{id}",
            None,
            shop,
            &a.p.code,
            "NOSUCH42",
        ),
        probe(
            Method::POST,
            "/v1/checkout/quote",
            Some(json!({"code": "{id}", "currency": "USD", "lines": [{"sku": "A", "quantity": 1, "unit_price": 100}]})),
            shop,
            &a.p.code,
            "NOSUCH42",
        ),
        probe(
            Method::POST,
            "/v1/checkout/orders/{id}/refunds",
            Some(json!({"refund_id": "r-1", "amount": 100})),
            shop,
            "acme-2",
            "no-such-order",
        ),
        probe(
            Method::POST,
            "/v1/checkout/orders/{id}/cancel",
            None,
            shop,
            "acme-2",
            "no-such-order",
        ),
        probe(
            Method::POST,
            "/v1/me/rewards/{id}/claim",
            Some(shipping),
            ambassador,
            &a.reward,
            u,
        ),
    ];
    let fill = |template: &str, id: &str| template.replace("{id}", id);
    for p in &probes {
        let body_with = |id: &str| {
            p.body
                .as_ref()
                .map(|b| serde_json::from_str::<Value>(&fill(&b.to_string(), id)).unwrap_or(Value::Null))
        };
        let (method, path) = (&p.method, &p.path);
        let theirs = call(
            &app,
            method.clone(),
            &fill(path, &p.foreign),
            Some(&p.credential),
            body_with(&p.foreign).as_ref(),
        )
        .await;
        let nobodys = call(
            &app,
            method.clone(),
            &fill(path, &p.unknown),
            Some(&p.credential),
            body_with(&p.unknown).as_ref(),
        )
        .await;
        assert_eq!(nobodys.status, 404, "{method} {path} (unknown id): {}", nobodys.text);
        theirs.assert_problem(404, nobodys.code());
        assert_eq!(theirs.body, nobodys.body, "{method} {path}: a foreign id is told apart");
    }

    // Lists and reports of the other brand show none of this brand's objects.
    let a_ids = [
        &a.p.program_id,
        &a.p.membership_id,
        &a.p.code_id,
        &a.p.code,
        &a.reward,
        &a.order,
        &a.payout,
        &a.api_key_id,
        &a.click,
        &a.p.brand.id,
    ];
    let lists = [
        "/v1/brand".to_owned(),
        "/v1/brand/programs?limit=200".into(),
        "/v1/brand/ambassadors?limit=200".into(),
        "/v1/brand/rewards?limit=200".into(),
        "/v1/brand/orders?limit=200".into(),
        format!("/v1/brand/orders?ambassador_id={}", a.p.membership_id),
        format!("/v1/brand/orders?code={}", a.p.code),
        "/v1/brand/payouts?limit=200".into(),
        "/v1/brand/api-keys".into(),
        "/v1/brand/reports/payouts".into(),
        "/v1/brand/reports/payouts?format=csv".into(),
        "/v1/brand/stats".into(),
    ];
    for path in &lists {
        let reply = app.get(path, Some(&b.brand_token)).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        for id in a_ids {
            assert!(!reply.text.contains(id.as_str()), "{path} shows {id}: {}", reply.text);
        }
    }
    for path in [
        format!("/v1/brand/orders?ambassador_id={}", a.p.membership_id),
        format!("/v1/brand/orders?code={}", a.p.code),
    ] {
        assert_eq!(
            app.get(&path, Some(&b.brand_token)).await.body["items"],
            json!([]),
            "{path}"
        );
    }
    // The other brand's ambassador, asking for this brand by id.
    let theirs = |path: String| {
        let app = &app;
        let token = b.ambassador_token.clone();
        async move { app.get(&path, Some(&token)).await }
    };
    let dashboard = theirs(format!("/v1/me/dashboard?brand_id={}", a.p.brand.id)).await;
    assert_eq!((dashboard.status, &dashboard.body["brands"]), (200, &json!([])));
    let orders = theirs(format!("/v1/me/orders?brand_id={}", a.p.brand.id)).await;
    assert_eq!((orders.status, &orders.body["items"]), (200, &json!([])));
    for path in [
        "/v1/me/rewards",
        "/v1/me/orders",
        "/v1/me/dashboard",
        "/v1/me/earnings.csv",
    ] {
        let reply = theirs(path.to_owned()).await;
        assert_eq!(reply.status, 200, "{path}");
        for id in a_ids {
            assert!(!reply.text.contains(id.as_str()), "{path} shows {id}");
        }
        assert!(!reply.text.contains("acme-2"), "{path} shows an order of acme");
    }

    // The other brand's shop, sending this brand's code and click: recorded for the
    // shop's brand, unattributed, and this brand's code is not spent.
    let uses_before = app
        .get(
            &format!("/v1/brand/ambassadors/{}/codes", a.p.membership_id),
            Some(&a.brand_token),
        )
        .await
        .body["items"][0]["uses"]
        .clone();
    let mut body = sale("globex-9", &a.p.code);
    body["click_id"] = json!(a.click);
    let order = app.post("/v1/checkout/orders", Some(&b.p.api_key), &body).await;
    assert_eq!(order.status, 201, "{}", order.text);
    assert_eq!(order.body["attributed"], false, "{}", order.text);
    assert_eq!(order.body["commission"]["amount"], 0);
    let uses_after = app
        .get(
            &format!("/v1/brand/ambassadors/{}/codes", a.p.membership_id),
            Some(&a.brand_token),
        )
        .await
        .body["items"][0]["uses"]
        .clone();
    assert_eq!(uses_before, uses_after);

    // Nothing of this brand changed.
    let token = Some(a.brand_token.as_str());
    let program = app.get(&format!("/v1/brand/programs/{}", a.p.program_id), token).await;
    assert_eq!(
        (program.body["name"].clone(), program.body["terms_version"].clone()),
        (json!("Ambassadors"), json!(1))
    );
    let ambassador = app
        .get(&format!("/v1/brand/ambassadors/{}", a.p.membership_id), token)
        .await;
    assert_eq!(ambassador.body["status"], "active");
    assert_eq!(ambassador.body["program_id"], json!(a.p.program_id));
    assert_eq!(ambassador.body["codes"].as_array().map(Vec::len), Some(1));
    assert_eq!(ambassador.body["codes"][0]["active"], true);
    let payout = app.get(&format!("/v1/brand/payouts/{}", a.payout), token).await;
    assert_eq!(payout.body["status"], "pending");
    let rewards = app.get("/v1/me/rewards", Some(&a.ambassador_token)).await;
    assert_eq!(rewards.body["items"][0]["status"], "earned");
    assert_eq!(app.get("/v1/checkout/api-key", Some(&a.p.api_key)).await.status, 200);
    assert_eq!(app.count("refunds"), 0);
    assert_eq!(app.count("invitations WHERE accepted_at IS NULL"), 0);
}

// ---------------------------------------------------------------------------------
// API2 Broken authentication, API5 Broken function level authorization
// ---------------------------------------------------------------------------------

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
    if path == "/v1/brand" || path.starts_with("/v1/brand/") {
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

/// A path of the route table made concrete.
fn concrete(path: &str) -> String {
    path.replace("{id}", &new_id())
        .replace("{code}", "ANYCODE1")
        .replace("{order_id}", "1001")
        .replace("{brand_slug}", "acme")
}

/// A body each route accepts as far as its shape goes, so only the credential decides.
fn shaped_body(method: &Method, path: &str) -> Option<Value> {
    match (method.as_str(), path) {
        ("POST", "/v1/checkout/quote") => Some(cart(None)),
        ("POST", "/v1/checkout/orders") => Some(json!({"order_id": "matrix-1", "currency": "USD",
            "discount_total": 0, "lines": [{"sku": "A", "quantity": 1, "unit_price": 100}]})),
        ("POST", "/v1/checkout/orders/{order_id}/refunds") => Some(json!({"refund_id": "r-1", "amount": 1})),
        ("POST" | "PATCH", _) => Some(json!({})),
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

// ---------------------------------------------------------------------------------
// API3 Broken object property level authorization
// ---------------------------------------------------------------------------------

/// Routes that take no body at all (nothing to assign).
const BODILESS_WRITES: [&str; 3] = [
    "/v1/brand/payouts/{id}/paid",
    "/v1/brand/payouts/{id}/cancel",
    "/v1/checkout/orders/{order_id}/cancel",
];

/// Every write route with a JSON body, with a body it would accept and the credential
/// it takes: (method, route template, concrete path, credential, body).
fn write_routes(p: &Program) -> Vec<(Method, &'static str, String, Option<String>, Value)> {
    let brand = Some(p.brand.access_token.clone());
    let shop = Some(p.api_key.clone());
    let me = Some(p.influencer.access_token.clone());
    let order = json!({"order_id": "1001", "code": p.code, "currency": "USD", "discount_total": 0,
                       "lines": [{"sku": "A", "quantity": 1, "unit_price": 100}]});
    vec![
        (
            Method::POST,
            "/v1/brands",
            "/v1/brands".into(),
            None,
            brand_body("evil", "evil@evil.example"),
        ),
        (
            Method::POST,
            "/v1/influencers",
            "/v1/influencers".into(),
            None,
            json!({"email": "eve@evil.example", "password": PASSWORD, "display_name": "Eve"}),
        ),
        (
            Method::POST,
            "/v1/auth/login",
            "/v1/auth/login".into(),
            None,
            json!({"email": "ana@acme.example", "password": PASSWORD, "account": "influencer"}),
        ),
        (
            Method::POST,
            "/v1/auth/refresh",
            "/v1/auth/refresh".into(),
            None,
            json!({"refresh_token": p.brand.refresh_token}),
        ),
        (
            Method::POST,
            "/v1/auth/logout",
            "/v1/auth/logout".into(),
            None,
            json!({"refresh_token": p.brand.refresh_token}),
        ),
        (
            Method::PATCH,
            "/v1/brand",
            "/v1/brand".into(),
            brand.clone(),
            json!({"name": "Acme"}),
        ),
        (
            Method::POST,
            "/v1/brand/api-keys",
            "/v1/brand/api-keys".into(),
            brand.clone(),
            json!({"name": "k"}),
        ),
        (
            Method::POST,
            "/v1/brand/programs",
            "/v1/brand/programs".into(),
            brand.clone(),
            program_body(),
        ),
        (
            Method::PATCH,
            "/v1/brand/programs/{id}",
            format!("/v1/brand/programs/{}", p.program_id),
            brand.clone(),
            json!({"hold_days": 1}),
        ),
        (
            Method::POST,
            "/v1/brand/invitations",
            "/v1/brand/invitations".into(),
            brand.clone(),
            json!({"email": "eve@evil.example", "program_id": p.program_id}),
        ),
        (
            Method::PATCH,
            "/v1/brand/ambassadors/{id}",
            format!("/v1/brand/ambassadors/{}", p.membership_id),
            brand.clone(),
            json!({"status": "paused"}),
        ),
        (
            Method::POST,
            "/v1/brand/ambassadors/{id}/codes",
            format!("/v1/brand/ambassadors/{}/codes", p.membership_id),
            brand.clone(),
            json!({"code": "ANA2026"}),
        ),
        (
            Method::PATCH,
            "/v1/brand/codes/{id}",
            format!("/v1/brand/codes/{}", p.code_id),
            brand.clone(),
            json!({"max_uses": 5}),
        ),
        (
            Method::POST,
            "/v1/brand/rewards/{id}/fulfil",
            format!("/v1/brand/rewards/{}/fulfil", new_id()),
            brand.clone(),
            json!({"tracking": "1Z"}),
        ),
        (
            Method::POST,
            "/v1/brand/payouts",
            "/v1/brand/payouts".into(),
            brand,
            json!({"currency": "USD"}),
        ),
        (
            Method::POST,
            "/v1/checkout/quote",
            "/v1/checkout/quote".into(),
            shop.clone(),
            cart(Some(&p.code)),
        ),
        (
            Method::POST,
            "/v1/checkout/orders",
            "/v1/checkout/orders".into(),
            shop.clone(),
            order,
        ),
        (
            Method::POST,
            "/v1/checkout/orders/{order_id}/refunds",
            "/v1/checkout/orders/1001/refunds".into(),
            shop,
            json!({"refund_id": "r-1", "amount": 10}),
        ),
        (
            Method::PATCH,
            "/v1/me",
            "/v1/me".into(),
            me.clone(),
            json!({"display_name": "Ana"}),
        ),
        (
            Method::POST,
            "/v1/me/invitations/accept",
            "/v1/me/invitations/accept".into(),
            me.clone(),
            json!({"token": "whatever"}),
        ),
        (
            Method::POST,
            "/v1/me/rewards/{id}/claim",
            format!("/v1/me/rewards/{}/claim", new_id()),
            me,
            json!({"shipping_name": "Ana", "shipping_address": "1 Main St"}),
        ),
    ]
}

/// The fields a caller must never set on each write route (ids, tenant, state, money,
/// secrets, roles): each is refused as an unknown field, 422 naming it, before anything
/// is written.
fn privileged_fields(route: &str) -> &'static [&'static str] {
    match route {
        "/v1/brands" => &["id", "brand_id", "role", "status"],
        "/v1/influencers" => &["id", "payout_email", "status"],
        "/v1/auth/login" => &["aud", "role", "sub"],
        "/v1/auth/refresh" => &["account", "sub"],
        "/v1/auth/logout" => &["family_id"],
        "/v1/brand" => &["slug", "currency", "id", "created_at"],
        "/v1/brand/api-keys" => &["brand_id", "secret", "key_hash", "prefix"],
        "/v1/brand/programs" => &["brand_id", "id", "terms_version"],
        "/v1/brand/programs/{id}" => &["brand_id", "terms_version", "id"],
        "/v1/brand/invitations" => &["brand_id", "token", "expires_at"],
        "/v1/brand/ambassadors/{id}" => &["influencer_id", "brand_id", "codes"],
        "/v1/brand/ambassadors/{id}/codes" => &["membership_id", "uses", "active", "brand_id"],
        "/v1/brand/codes/{id}" => &["code", "uses", "membership_id"],
        "/v1/brand/rewards/{id}/fulfil" => &["status", "fulfilled_at", "brand_id"],
        "/v1/brand/payouts" => &["total", "status", "items", "brand_id"],
        "/v1/checkout/quote" => &["discount_total", "brand_id", "net_amount"],
        "/v1/checkout/orders" => &[
            "commission",
            "commission_rate",
            "ambassador_id",
            "brand_id",
            "net_amount",
            "flags",
        ],
        "/v1/checkout/orders/{order_id}/refunds" => &["reversal", "brand_id"],
        "/v1/me" => &["email", "id", "password_hash"],
        "/v1/me/invitations/accept" => &["program_id", "brand_id", "email"],
        "/v1/me/rewards/{id}/claim" => &["status", "membership_id"],
        _ => &[],
    }
}

#[tokio::test]
async fn no_write_route_lets_a_caller_set_ids_tenant_state_or_money() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let routes = write_routes(&p);

    // Every write route of the route table with a body is here.
    let covered: BTreeSet<(String, &str)> = routes.iter().map(|(m, r, ..)| (m.to_string(), *r)).collect();
    let served: BTreeSet<(String, &str)> = served_routes()
        .into_iter()
        .filter(|(m, p)| (*m == Method::POST || *m == Method::PATCH) && !BODILESS_WRITES.contains(p))
        .map(|(m, p)| (m.to_string(), p))
        .collect();
    assert_eq!(covered, served);

    let (brands, programs, keys, orders) = (
        app.count("brands"),
        app.count("programs"),
        app.count("api_keys"),
        app.count("orders"),
    );
    let mut failures = Vec::new();
    for (method, route, path, token, body) in &routes {
        let fields = privileged_fields(route);
        assert!(!fields.is_empty(), "{route}: no privileged fields listed");
        for field in fields {
            let mut tampered = body.clone();
            tampered[*field] = json!("0190a000-0000-7000-8000-000000000000");
            let reply = app
                .request(method.clone(), path, token.as_deref(), Some(&tampered))
                .await;
            if (reply.status, reply.code()) != (422, "validation_failed") || reply.fields() != [*field] {
                failures.push(format!("{method} {path} with `{field}`: {}", reply.text));
            }
        }
    }
    // Nested objects refuse unknown fields too.
    let mut line_rate = write_routes(&p)
        .into_iter()
        .find(|(_, r, ..)| *r == "/v1/checkout/orders")
        .map(|(.., body)| body)
        .unwrap_or_default();
    line_rate["lines"][0]["rate"] = json!("100");
    let reply = app.post("/v1/checkout/orders", Some(&p.api_key), &line_rate).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["lines[0].rate"]);
    let mut rich = program_body();
    rich["commission"]["brand_id"] = json!(p.brand.id);
    let reply = app.post("/v1/brand/programs", Some(&p.brand.access_token), &rich).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["commission.brand_id"]);

    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        (
            app.count("brands"),
            app.count("programs"),
            app.count("api_keys"),
            app.count("orders")
        ),
        (brands, programs, keys, orders),
        "a refused request wrote something"
    );
    let brand = app.get("/v1/brand", Some(&p.brand.access_token)).await;
    assert_eq!(
        (brand.body["slug"].clone(), brand.body["currency"].clone()),
        (json!("acme"), json!("USD"))
    );
}

#[derive(diesel::QueryableByName)]
struct TextRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
}

/// One text column of every row a query returns (`SELECT … AS t …`).
fn column(app: &TestApp, sql: &str) -> Vec<String> {
    app.db
        .read(|conn| {
            diesel::sql_query(sql)
                .load::<TextRow>(conn)
                .map_err(reftrack::store::StoreError::from)
        })
        .map(|rows| rows.into_iter().map(|r| r.t).collect())
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
}

/// No answer of any GET route (JSON and CSV), nor of the checkout writes, carries a
/// password hash, an API-key or token hash, a secret, a customer e-mail or its keyed
/// hash, a visitor hash or the instance secrets.
#[tokio::test]
async fn no_answer_carries_secrets_hashes_or_customer_data() {
    let app = spawn_app().await;
    let (a, _b) = world(&app).await;
    let brand = Some(a.brand_token.as_str());
    let me = Some(a.ambassador_token.as_str());
    let shop = Some(a.p.api_key.as_str());
    let mut answers: Vec<(String, Reply)> = Vec::new();
    let gets: Vec<(String, Option<&str>)> = vec![
        ("/v1/brand".into(), brand),
        ("/v1/brand/api-keys".into(), brand),
        ("/v1/brand/programs".into(), brand),
        (format!("/v1/brand/programs/{}", a.p.program_id), brand),
        (format!("/v1/brand/programs/{}/versions", a.p.program_id), brand),
        ("/v1/brand/ambassadors".into(), brand),
        (format!("/v1/brand/ambassadors/{}", a.p.membership_id), brand),
        (format!("/v1/brand/ambassadors/{}/codes", a.p.membership_id), brand),
        ("/v1/brand/rewards".into(), brand),
        ("/v1/brand/orders".into(), brand),
        (format!("/v1/brand/orders/{}", a.order), brand),
        ("/v1/brand/stats".into(), brand),
        ("/v1/brand/reports/payouts".into(), brand),
        ("/v1/brand/reports/payouts?format=csv".into(), brand),
        ("/v1/brand/payouts".into(), brand),
        (format!("/v1/brand/payouts/{}", a.payout), brand),
        (format!("/v1/brand/payouts/{}?format=csv", a.payout), brand),
        (format!("/v1/brand/payouts/{}?format=paypal", a.payout), brand),
        ("/v1/checkout/api-key".into(), shop),
        (format!("/v1/checkout/codes/{}", a.p.code), shop),
        ("/v1/me".into(), me),
        ("/v1/me/rewards".into(), me),
        ("/v1/me/dashboard".into(), me),
        ("/v1/me/orders".into(), me),
        ("/v1/me/earnings.csv".into(), me),
        (format!("/r/acme/{}", a.p.code), None),
        ("/healthz".into(), None),
        ("/readyz".into(), None),
        ("/metrics".into(), None),
    ];
    // Every GET route but the spec (documentation) is read here.
    let read_routes: BTreeSet<&str> = [
        "/v1/brand",
        "/v1/brand/api-keys",
        "/v1/brand/programs",
        "/v1/brand/programs/{id}",
        "/v1/brand/programs/{id}/versions",
        "/v1/brand/ambassadors",
        "/v1/brand/ambassadors/{id}",
        "/v1/brand/ambassadors/{id}/codes",
        "/v1/brand/rewards",
        "/v1/brand/orders",
        "/v1/brand/orders/{id}",
        "/v1/brand/stats",
        "/v1/brand/reports/payouts",
        "/v1/brand/payouts",
        "/v1/brand/payouts/{id}",
        "/v1/checkout/api-key",
        "/v1/checkout/codes/{code}",
        "/v1/me",
        "/v1/me/rewards",
        "/v1/me/dashboard",
        "/v1/me/orders",
        "/v1/me/earnings.csv",
        "/r/{brand_slug}/{code}",
        "/healthz",
        "/readyz",
        "/metrics",
    ]
    .into_iter()
    .collect();
    let served: BTreeSet<&str> = served_routes()
        .into_iter()
        .filter(|(m, p)| *m == Method::GET && *p != "/openapi.yaml")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(read_routes, served);
    for (path, token) in gets {
        let reply = app.get(&path, token).await;
        assert!(matches!(reply.status, 200 | 302), "{path}: {}", reply.text);
        answers.push((path, reply));
    }
    // The checkout's writes answer with what they stored.
    let order = app.post("/v1/checkout/orders", shop, &sale("acme-9", &a.p.code)).await;
    assert_eq!(order.status, 201, "{}", order.text);
    answers.push(("record order".into(), order));
    let refund = app
        .post(
            "/v1/checkout/orders/acme-9/refunds",
            shop,
            &json!({"refund_id": "r-1", "amount": 100}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    answers.push(("refund".into(), refund));
    answers.push((
        "quote".into(),
        app.post("/v1/checkout/quote", shop, &cart(Some(&a.p.code))).await,
    ));

    let customer_hashes = column(
        &app,
        "SELECT customer_email_hash AS t FROM orders WHERE customer_email_hash IS NOT NULL",
    );
    assert!(!customer_hashes.is_empty(), "the world has customer e-mails");
    let mut secrets: Vec<(String, String)> = vec![
        ("customer e-mail".into(), CUSTOMER_EMAIL.into()),
        ("argon2 hash".into(), "$argon2".into()),
        ("a field named password".into(), "password".into()),
        ("a field named …_hash".into(), "_hash".into()),
        ("the API key".into(), a.p.api_key.clone()),
        ("the JWT secret".into(), JWT_SECRET.into()),
        ("a refresh token".into(), a.p.brand.refresh_token.clone()),
        ("a refresh token".into(), a.p.influencer.refresh_token.clone()),
    ];
    for (name, sql) in [
        (
            "customer e-mail hash",
            "SELECT customer_email_hash AS t FROM orders WHERE customer_email_hash IS NOT NULL",
        ),
        ("password hash", "SELECT password_hash AS t FROM brand_users"),
        ("password hash", "SELECT password_hash AS t FROM influencers"),
        ("API key hash", "SELECT key_hash AS t FROM api_keys"),
        ("refresh token hash", "SELECT token_hash AS t FROM refresh_tokens"),
        ("invitation token hash", "SELECT token_hash AS t FROM invitations"),
        ("visitor IP hash", "SELECT ip_hash AS t FROM clicks"),
        ("visitor agent hash", "SELECT ua_hash AS t FROM clicks"),
        ("instance secret", "SELECT value AS t FROM settings"),
    ] {
        secrets.extend(column(&app, sql).into_iter().map(|value| (name.to_owned(), value)));
    }
    for (what, reply) in &answers {
        let location = reply
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        for (name, secret) in &secrets {
            assert!(
                !reply.text.contains(secret.as_str()) && !location.contains(secret.as_str()),
                "{what} carries a {name}: {}",
                reply.text
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// API4 Unrestricted resource consumption
// ---------------------------------------------------------------------------------

/// gzip of 256 KiB of spaces: 290 bytes on the wire, which are all the server reads.
fn gzip_bomb() -> Vec<u8> {
    let mut bytes = vec![
        31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 237, 193, 49, 1, 0, 0, 0, 194, 160, 42, 235, 159, 210, 219, 14, 64, 1,
    ];
    bytes.extend(std::iter::repeat_n(0u8, 253));
    bytes.extend([188, 1, 52, 160, 47, 146, 0, 0, 4, 0]);
    bytes
}

/// Sends raw bytes on a fresh connection and returns the status line of the answer.
async fn raw_status(app: &TestApp, request: Vec<u8>) -> String {
    let host = app.address.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&host).unwrap_or_else(|e| panic!("{e}"));
        let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(20)));
        // The server may answer and close before it has read everything.
        let _ = stream.write_all(&request);
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        while !answer.windows(2).any(|w| w == b"\r\n") {
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
        let answer = String::from_utf8_lossy(&answer).into_owned();
        answer.lines().next().unwrap_or_default().to_owned()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Every write route refuses a body over 64 KiB with 413, whether the size is declared
/// (Content-Length) or only found while reading (chunked); none of it is parsed. A
/// compressed body is never inflated (F8 in SECURITY.md): the cap counts the bytes
/// received, and a gzip body is not JSON.
#[tokio::test]
async fn every_write_route_refuses_bodies_over_64_kib_however_they_arrive() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let pad = "x".repeat(70 * 1024);
    for (method, _, path, token, _) in write_routes(&p) {
        let body = json!({"pad": pad});
        let reply = app.request(method.clone(), &path, token.as_deref(), Some(&body)).await;
        assert_eq!(reply.status, 413, "{method} {path}: {}", reply.text);
        reply.assert_problem(413, "payload_too_large");
    }

    for (path, token) in [("/v1/brands", None), ("/v1/checkout/orders", Some(p.api_key.as_str()))] {
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n"
        );
        if let Some(token) = token {
            request.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        let chunk = " ".repeat(8 * 1024);
        for _ in 0..9 {
            bytes.extend(format!("{:x}\r\n{chunk}\r\n", chunk.len()).into_bytes());
        }
        bytes.extend(b"0\r\n\r\n");
        let status = raw_status(&app, bytes).await;
        assert!(status.starts_with("HTTP/1.1 413"), "{path} chunked: {status}");
    }

    let reply = read(
        app.client
            .post(app.url("/v1/brands"))
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .body(gzip_bomb())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    reply.assert_problem(400, "malformed_json");
    assert_eq!(app.count("brands"), 1);
}

/// Every paginated list answers at most 200 items a page and refuses parameters it does
/// not know (a misspelt `limit` is not silently the default).
#[tokio::test]
async fn lists_cap_the_page_at_200_and_refuse_unknown_parameters() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let brand = Some(p.brand.access_token.as_str());
    let me = Some(p.influencer.access_token.as_str());
    let lists = [
        ("/v1/brand/programs", brand),
        ("/v1/brand/ambassadors", brand),
        ("/v1/brand/rewards", brand),
        ("/v1/brand/orders", brand),
        ("/v1/brand/payouts", brand),
        ("/v1/me/orders", me),
    ];
    for (path, token) in lists {
        assert_eq!(app.get(&format!("{path}?limit=200"), token).await.status, 200, "{path}");
        for bad in ["limit=201", "limit=0", "limit=-1", "limit=1000000", "per_page=1000"] {
            let reply = app.get(&format!("{path}?{bad}"), token).await;
            reply.assert_problem(422, "validation_failed");
        }
    }
    for (path, token) in [
        ("/v1/brand/stats", brand),
        ("/v1/brand/reports/payouts", brand),
        ("/v1/me/dashboard", me),
    ] {
        app.get(&format!("{path}?limit=100000"), token)
            .await
            .assert_problem(422, "validation_failed");
    }
    // A range longer than a year is refused rather than computed.
    app.get("/v1/brand/stats?from=2000-01-01&to=2026-11-02", brand)
        .await
        .assert_problem(422, "validation_failed");
}

/// Code checks and quotes spend a request budget per key (50/s, burst 100); orders are
/// never rate-limited, so a busy or abusive checkout cannot lose sales.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_checks_have_a_request_budget_per_key_and_orders_have_none() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let tasks: Vec<_> = (0..300)
        .map(|_| {
            let client = app.client.clone();
            let url = app.url(&format!("/v1/checkout/codes/{}", p.code));
            let key = p.api_key.clone();
            tokio::spawn(async move {
                client
                    .get(url)
                    .bearer_auth(key)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap_or(0));
    }
    assert!(statuses.iter().all(|s| *s == 200 || *s == 429), "{statuses:?}");
    assert!(statuses.contains(&429), "no request was limited");
    let order = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &sale("during-the-storm", &p.code),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
}

// ---------------------------------------------------------------------------------
// API6 Unrestricted access to sensitive business flows
// ---------------------------------------------------------------------------------

/// Guessing codes through quotes spends the same miss budget as code checks: past it,
/// every code lookup of the key is 429, hits included, while carts without a code are
/// still quoted.
#[tokio::test]
async fn code_guesses_through_quotes_lock_every_code_lookup_but_not_plain_carts() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let key = Some(p.api_key.as_str());
    let mut statuses = Vec::new();
    for i in 0..40 {
        let reply = app
            .post("/v1/checkout/quote", key, &cart(Some(&format!("GUESS{i:03}"))))
            .await;
        statuses.push(reply.status);
    }
    assert!(statuses.iter().all(|s| *s == 404 || *s == 429), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    app.get(&format!("/v1/checkout/codes/{}", p.code), key)
        .await
        .assert_problem(429, "rate_limited");
    app.post("/v1/checkout/quote", key, &cart(Some(&p.code)))
        .await
        .assert_problem(429, "rate_limited");
    let plain = app.post("/v1/checkout/quote", key, &cart(None)).await;
    assert_eq!(plain.status, 200, "{}", plain.text);
}

// ---------------------------------------------------------------------------------
// API7 Server side request forgery, and the open-redirect side of referral links
// ---------------------------------------------------------------------------------

/// Whatever the visitor sends (query, path, Host), a referral link sends them to the
/// brand's stored landing page only, with `ref` and `click_id` and nothing else added.
#[tokio::test]
async fn referral_links_redirect_only_to_the_brands_landing_page() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let hostile = [
        format!(
            "/r/acme/{}?url=https://evil.example/&next=//evil.example&ref=EVIL&click_id=x",
            p.code
        ),
        format!("/r/acme/{}", p.code.to_lowercase()),
    ];
    for path in &hostile {
        let response = app
            .client
            .get(app.url(path))
            .header("host", "evil.example")
            .header("x-forwarded-host", "evil.example")
            .header("x-forwarded-proto", "javascript")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status().as_u16(), 302, "{path}");
        let headers = response.headers().clone();
        let location = headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let target = url::Url::parse(location).unwrap_or_else(|e| panic!("{location}: {e}"));
        assert_eq!(
            (target.scheme(), target.host_str(), target.path()),
            ("https", Some("acme.example"), "/shop"),
            "{location}"
        );
        let keys: Vec<String> = target.query_pairs().map(|(k, _)| k.into_owned()).collect();
        assert_eq!(keys, ["src", "ref", "click_id"], "{location}");
        let reference = target
            .query_pairs()
            .find(|(k, _)| k == "ref")
            .map(|(_, v)| v.into_owned());
        assert_eq!(reference.as_deref(), Some(p.code.as_str()));
        assert_eq!(
            headers.get("referrer-policy").and_then(|v| v.to_str().ok()),
            Some("no-referrer")
        );
    }
    for path in [
        "/r/acme/%2F%2Fevil.example",
        "/r/acme/NOSUCHCODE?url=https://evil.example/",
        "/r/acme/..%2F..%2Fevil.example",
        "/r/acme/https:%2F%2Fevil.example",
    ] {
        let response = app
            .client
            .get(app.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            (response.status().as_u16(), location.as_str()),
            (302, LANDING),
            "{path}"
        );
    }

    // The landing page itself is an absolute http(s) URL without credentials.
    let bad_urls = [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://acme.example/",
        "//evil.example/",
        "/relative/path",
        "https://acme.example@evil.example/",
        "https://user:secret@acme.example/",
    ];
    for bad in bad_urls {
        let mut body = brand_body("other", "owner@other.example");
        body["landing_url"] = json!(bad);
        let reply = app.post("/v1/brands", None, &body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), ["landing_url"], "{bad}");
        let reply = app
            .patch("/v1/brand", Some(&p.brand.access_token), &json!({"landing_url": bad}))
            .await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), ["landing_url"], "{bad}");
    }
}

/// A landing URL is stored and redirected to, never fetched: pointing it at a port on
/// the server's own host and walking the whole flow opens no connection there.
#[tokio::test]
async fn landing_urls_are_never_fetched_by_the_server() {
    let app = spawn_app().await;
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    probe.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
    let port = probe.local_addr().map(|a| a.port()).unwrap_or_else(|e| panic!("{e}"));
    let internal = format!("http://127.0.0.1:{port}/admin");

    let mut body = brand_body("probe", "owner@probe.example");
    body["landing_url"] = json!(internal);
    let signed_up = app.post("/v1/brands", None, &body).await;
    assert_eq!(signed_up.status, 201, "{}", signed_up.text);
    let token = text(&signed_up.body["access_token"]);
    let patched = app
        .patch(
            "/v1/brand",
            Some(&token),
            &json!({"landing_url": format!("http://127.0.0.1:{port}/metadata")}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let program = app.create_program(&token, &program_body()).await;
    let (_, key) = app.create_api_key(&token, "shop").await;
    let ana = app.sign_up_influencer("ana@probe.example").await;
    let membership = app.join(&token, &program, "ana@probe.example", &ana.access_token).await;
    let code = text(&membership["codes"][0]["code"]);
    let click = app.click("probe", &code, "agent").await;
    let mut order = sale("p-1", &code);
    order["click_id"] = json!(click);
    assert_eq!(app.post("/v1/checkout/orders", Some(&key), &order).await.status, 201);
    assert_eq!(app.get("/v1/brand", Some(&token)).await.status, 200);

    match probe.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, from)) => panic!("the server connected to the landing URL from {from}"),
        Err(e) => panic!("{e}"),
    }
}

// ---------------------------------------------------------------------------------
// API8 Security misconfiguration
// ---------------------------------------------------------------------------------

/// Every kind of answer (success, file, redirect, each error) says `nosniff` and
/// `no-store`, and none grants cross-origin access, preflight included.
#[tokio::test]
async fn every_answer_is_nosniff_no_store_and_grants_no_cross_origin_access() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let brand = Some(p.brand.access_token.as_str());
    let pad = json!({"pad": "x".repeat(70 * 1024)});
    let cases: Vec<(Method, String, Option<&str>, Option<&Value>)> = vec![
        (Method::GET, "/healthz".into(), None, None),
        (Method::GET, "/openapi.yaml".into(), None, None),
        (Method::GET, "/v1/brand".into(), brand, None),
        (Method::GET, "/v1/brand".into(), None, None),
        (Method::GET, "/v1/nothing-here".into(), None, None),
        (Method::PUT, "/v1/brand".into(), brand, None),
        (Method::POST, "/v1/brands".into(), None, Some(&pad)),
        (Method::POST, "/v1/brands".into(), None, Some(&Value::Null)),
        (Method::GET, format!("/r/acme/{}", p.code), None, None),
        (
            Method::GET,
            "/v1/me/earnings.csv".into(),
            Some(p.influencer.access_token.as_str()),
            None,
        ),
        (
            Method::GET,
            "/v1/checkout/codes/NOSUCH42".into(),
            Some(p.api_key.as_str()),
            None,
        ),
    ];
    let mut statuses = BTreeSet::new();
    for (method, path, token, body) in cases {
        let mut req = app
            .client
            .request(method.clone(), app.url(&path))
            .header("origin", "https://evil.example");
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let reply = read(req.send().await.unwrap_or_else(|e| panic!("{e}"))).await;
        statuses.insert(reply.status);
        let header = |name: &str| reply.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(
            header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{method} {path}"
        );
        assert_eq!(header("cache-control").as_deref(), Some("no-store"), "{method} {path}");
        assert_eq!(header("access-control-allow-origin"), None, "{method} {path}");
        assert_eq!(header("access-control-allow-credentials"), None, "{method} {path}");
        if reply.status >= 400 {
            assert!(
                reply.content_type().starts_with("application/problem+json"),
                "{method} {path}"
            );
        }
    }
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        [200, 302, 401, 404, 405, 413, 422]
    );
    let preflight = read(
        app.client
            .request(Method::OPTIONS, app.url("/v1/brand"))
            .header("origin", "https://evil.example")
            .header("access-control-request-method", "PATCH")
            .header("access-control-request-headers", "authorization, content-type")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    preflight.assert_problem(405, "method_not_allowed");
    assert!(preflight.headers.get("access-control-allow-origin").is_none());
    assert!(preflight.headers.get("access-control-allow-methods").is_none());
}

/// A failure inside the server (here: a table gone) is a 500 problem that names
/// nothing internal: no SQL, no table, no library or backend message.
#[tokio::test]
async fn server_errors_answer_nothing_internal() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    app.db
        .write_tx(|conn| {
            diesel::sql_query("ALTER TABLE programs RENAME TO programs_gone")
                .execute(conn)
                .map_err(reftrack::store::StoreError::from)
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    let reply = app.get("/v1/brand/programs", Some(&brand.access_token)).await;
    reply.assert_problem(500, "internal_error");
    assert_eq!(reply.body["detail"], "Something went wrong on our side.");
    let lower = reply.text.to_lowercase();
    for leak in [
        "programs", "select", "table", "relation", "sqlite", "postgres", "diesel", "panicked", ".rs",
    ] {
        assert!(!lower.contains(leak), "the 500 mentions `{leak}`: {}", reply.text);
    }
}

/// A NUL byte in a code or click id the shop sends is an unusable referral on both
/// backends, never a database error (PostgreSQL refuses NUL in text).
#[tokio::test]
async fn nul_bytes_in_checkout_codes_and_clicks_are_misses() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let mut body = sale("n-1", &p.code);
    body["code"] = json!("AB\u{0}CD");
    body["click_id"] = json!("\u{0}");
    let order = app.post("/v1/checkout/orders", Some(&p.api_key), &body).await;
    assert_eq!(
        (order.status, order.body["attributed"].clone()),
        (201, json!(false)),
        "{}",
        order.text
    );
    let mut quote = cart(Some("AB\u{0}CD"));
    quote["click_id"] = json!("\u{0}");
    app.post("/v1/checkout/quote", Some(&p.api_key), &quote)
        .await
        .assert_problem(404, "code_not_found");
}

/// F3 (SECURITY.md): a NUL byte in the shop's order id in the path of a refund or
/// cancellation never reaches the database (PostgreSQL would refuse it with a 500): no
/// order can have such an id, so it is an unknown order.
#[tokio::test]
async fn nul_bytes_in_checkout_order_ids_are_unknown_orders() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let refund = app
        .post(
            "/v1/checkout/orders/10%0001/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r-1", "amount": 1}),
        )
        .await;
    let cancel = app
        .post("/v1/checkout/orders/10%0001/cancel", Some(&p.api_key), &json!({}))
        .await;
    assert_eq!(
        (refund.status, cancel.status),
        (404, 404),
        "{} {}",
        refund.text,
        cancel.text
    );
    refund.assert_problem(404, "order_not_found");
    cancel.assert_problem(404, "order_not_found");
}

/// `/metrics` is public: its labels are route patterns, never raw paths or ids, so
/// neither a scanner nor ordinary traffic grows it, and it names no object.
#[tokio::test]
async fn metrics_label_route_patterns_never_paths_or_ids() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let mut probes = Vec::new();
    for _ in 0..5 {
        let id = new_id();
        app.get(&format!("/v1/brand/orders/{id}"), Some(&p.brand.access_token))
            .await
            .assert_problem(404, "order_not_found");
        app.get(&format!("/wp-admin/{id}.php"), None)
            .await
            .assert_problem(404, "route_not_found");
        probes.push(id);
    }
    app.get(&format!("/v1/checkout/codes/{}", p.code), Some(&p.api_key))
        .await;
    app.click("acme", &p.code, "agent").await;
    let metrics = app.get("/metrics", None).await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.text.contains(r#"route="/v1/brand/orders/{id}""#),
        "{}",
        metrics.text
    );
    assert!(metrics.text.contains(r#"route="unmatched""#), "{}", metrics.text);
    for leak in probes.iter().chain([&p.code, &p.brand.id, &p.program_id, &p.api_key]) {
        assert!(!metrics.text.contains(leak.as_str()), "/metrics names {leak}");
    }
    assert!(!metrics.text.contains("wp-admin"));
}

/// F4 (SECURITY.md): HTTP allows any token as a method, so the `method` label names
/// only known methods; made-up ones share `other` and add no label sets.
#[tokio::test]
async fn made_up_methods_do_not_grow_the_metrics() {
    let app = spawn_app().await;
    for i in 0..20 {
        let method = Method::from_bytes(format!("PROBE{i}").as_bytes()).unwrap_or(Method::GET);
        let reply = call(&app, method, "/v1/brand", None, None).await;
        assert_eq!(reply.status, 405);
    }
    let metrics = app.get("/metrics", None).await;
    assert!(!metrics.text.contains("PROBE"), "{}", metrics.text);
    assert!(
        metrics
            .text
            .contains(r#"reftrack_http_requests_total{method="other",route="/v1/brand",status="405"} 20"#),
        "{}",
        metrics.text
    );
}

/// F2 (SECURITY.md): program terms refuse control characters in reward and override
/// text. A NUL byte in a reward's sku or description would be stored in the terms (as
/// JSON) but break the reward insert of the maturation pass on PostgreSQL, which rolls
/// back the whole chunk: no brand's commissions would be approved any more.
#[tokio::test]
async fn terms_text_refuses_control_characters() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let mut failures = Vec::new();
    for (field, patch) in [
        (
            "rewards[0].sku",
            json!({"rewards": [{"every_orders": 1, "sku": "FREE\u{0}BAG", "description": "A bag"}]}),
        ),
        (
            "rewards[0].description",
            json!({"rewards": [{"every_orders": 1, "sku": "BAG", "description": "A\u{0}bag"}]}),
        ),
        (
            "commission.overrides[0].sku",
            json!({"commission": {"type": "percent", "rate": "10", "overrides": [{"sku": "M\u{0}G", "rate": "5"}]}}),
        ),
    ] {
        let mut terms = program_body();
        for (key, value) in patch.as_object().into_iter().flatten() {
            terms[key] = value.clone();
        }
        let reply = app.post("/v1/brand/programs", Some(&brand.access_token), &terms).await;
        if reply.status != 422 || !reply.fields().iter().any(|f| f == field) {
            failures.push(format!("{field}: {} {}", reply.status, reply.text));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every database session the server uses bounds how long one statement may hold it:
/// PostgreSQL's `statement_timeout` (30 s) and SQLite's lock wait (`busy_timeout`, 5 s).
#[tokio::test]
async fn database_sessions_carry_statement_and_lock_timeouts() {
    let app = spawn_app().await;
    if app.database.is_postgres() {
        assert_eq!(
            column(&app, "SELECT current_setting('statement_timeout') AS t"),
            ["30s"]
        );
    } else {
        assert_eq!(
            app.scalar("SELECT CAST(timeout AS BIGINT) AS n FROM pragma_busy_timeout()"),
            5000
        );
    }
}

/// F5 (SECURITY.md): an address may start with `=`, and brands open the PayPal bulk
/// file in a spreadsheet, so `payout_email` is escaped there like in every other export.
#[tokio::test]
async fn a_payout_email_cannot_put_a_formula_into_the_paypal_file() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let formula = "=hyperlink(\"http://evil.example\",\"x\")@x.example";
    let patched = app
        .patch(
            "/v1/me",
            Some(&p.influencer.access_token),
            &json!({"payout_email": formula}),
        )
        .await;
    if patched.status == 422 {
        return; // refused at the source: nothing can reach the file
    }
    for i in 0..3 {
        let reply = app
            .post(
                "/v1/checkout/orders",
                Some(&p.api_key),
                &sale(&format!("f-{i}"), &p.code),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    app.clock.advance(Duration::days(31));
    app.mature().await;
    let token = app.login(&p.brand.email, "brand").await;
    let batch = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    let file = app
        .get(
            &format!("/v1/brand/payouts/{}?format=paypal", text(&batch.body["id"])),
            Some(&token),
        )
        .await;
    assert_eq!(file.status, 200);
    // A quoted cell is still a formula to a spreadsheet: look at the cell's text.
    assert!(
        !file
            .text
            .lines()
            .any(|line| line.trim_start_matches('"').starts_with(['=', '+', '-', '@'])),
        "{}",
        file.text
    );
}
