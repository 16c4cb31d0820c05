//! The API frame: problem+json for every failure, operator endpoints, limits, and no
//! input that produces a 5xx.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let health = app.get("/healthz", None).await;
    assert_eq!((health.status, health.body["status"].as_str()), (200, Some("ok")));
    let ready = app.get("/readyz", None).await;
    assert_eq!((ready.status, ready.body["status"].as_str()), (200, Some("ready")));
    let spec = app.get("/openapi.yaml", None).await;
    assert_eq!(spec.status, 200);
    assert!(spec.content_type().starts_with("application/yaml"));
    assert!(spec.text.starts_with("openapi: 3.1"));
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = spawn_app().await;
    app.get("/v1/nothing-here", None)
        .await
        .assert_problem(404, "route_not_found");
    let put = app.request(reqwest::Method::PUT, "/v1/brand", None, None).await;
    put.assert_problem(405, "method_not_allowed");
    assert_eq!(
        put.headers.get("allow").and_then(|v| v.to_str().ok()),
        Some("GET, PATCH")
    );
    let delete = app.delete("/v1/brands", None).await;
    delete.assert_problem(405, "method_not_allowed");
    assert_eq!(delete.headers.get("allow").and_then(|v| v.to_str().ok()), Some("POST"));
}

#[tokio::test]
async fn malformed_json_is_400_and_oversized_bodies_413() {
    let app = spawn_app().await;
    app.post_raw("/v1/brands", None, "{\"name\": ")
        .await
        .assert_problem(400, "malformed_json");
    app.post_raw("/v1/brands", None, "[1, 2")
        .await
        .assert_problem(400, "malformed_json");
    app.post_raw("/v1/brands", None, "")
        .await
        .assert_problem(400, "malformed_json");
    app.post_raw("/v1/brands", None, "{} trailing")
        .await
        .assert_problem(400, "malformed_json");

    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(70 * 1024));
    app.post_raw("/v1/brands", None, big)
        .await
        .assert_problem(413, "payload_too_large");

    let reply = crate::helpers::read(
        app.client
            .post(app.url("/v1/brands"))
            .header("content-type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    reply.assert_problem(415, "unsupported_media_type");
}

#[tokio::test]
async fn hostile_bodies_never_produce_a_server_error() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let bodies = [
        json!(null),
        json!([]),
        json!("string"),
        json!(12),
        json!({}),
        json!({"name": null}),
        json!({"name": {"nested": [1, 2, 3]}}),
        json!({"email": "\u{0000}@x.io", "password": "\u{0000}".repeat(8), "display_name": "\u{202e}"}),
        json!({"email": "a@b.co", "password": "p".repeat(10_000), "account": "brand"}),
        json!({"refresh_token": "x".repeat(60_000)}),
        json!({"slug": "-".repeat(40), "name": "🙂".repeat(200), "landing_url": "https://[::1]:99999/", "currency": "USD",
               "owner_email": "é@é.é", "owner_password": "🙂".repeat(128)}),
    ];
    let endpoints = [
        ("/v1/brands", None),
        ("/v1/influencers", None),
        ("/v1/auth/login", None),
        ("/v1/auth/refresh", None),
        ("/v1/auth/logout", None),
        ("/v1/brand/api-keys", Some(brand.access_token.as_str())),
    ];
    for (path, token) in endpoints {
        for body in &bodies {
            let reply = app.post(path, token, body).await;
            assert!(reply.status < 500, "{path} {body}: {}", reply.text);
            if reply.status >= 400 {
                assert!(
                    reply.content_type().starts_with("application/problem+json"),
                    "{path}: {}",
                    reply.text
                );
            }
        }
    }
    for body in &bodies {
        for (path, token) in [("/v1/brand", &brand.access_token), ("/v1/me", &ana.access_token)] {
            let reply = app.patch(path, Some(token), body).await;
            assert!(reply.status < 500, "{path} {body}: {}", reply.text);
        }
    }
}

/// Text with a NUL byte is refused by PostgreSQL; it must be answered like any other
/// bad input on both backends, never reach the database as a 500.
#[tokio::test]
async fn nul_bytes_in_lookups_are_ordinary_misses() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let login = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "owner\u{0}@acme.example", "password": "whatever1", "account": "brand"}),
        )
        .await;
    login.assert_problem(401, "invalid_credentials");
    app.get("/r/ac%00me/CODE", None)
        .await
        .assert_problem(404, "brand_not_found");
    let orders = app
        .get("/v1/brand/orders?code=A%00B", Some(&p.brand.access_token))
        .await;
    assert_eq!(
        (orders.status, orders.body["items"].clone()),
        (200, json!([])),
        "{}",
        orders.text
    );
    let check = app.get("/v1/checkout/codes/A%00B", Some(&p.api_key)).await;
    check.assert_problem(404, "code_not_found");
}

/// A body must be a JSON object: serde alone would read `[null, null]` as a struct of
/// two optional fields and answer 200.
#[tokio::test]
async fn a_body_that_is_not_an_object_is_422() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    for body in [json!([null, null]), json!([]), json!(null), json!(7)] {
        let reply = app.patch("/v1/brand", Some(&brand.access_token), &body).await;
        reply.assert_problem(422, "validation_failed");
        let reply = app.patch("/v1/me", Some(&ana.access_token), &body).await;
        reply.assert_problem(422, "validation_failed");
    }
}

/// JSON Schema counts `30.0` and `3e1` as the integer 30, so `type: integer` in the
/// spec admits them; a real fraction is still refused. The number's text is read as a
/// decimal, never through a float (a float reads `2251799813685247.0` as …247.2).
#[tokio::test]
async fn whole_numbers_written_as_floats_are_integers() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let token = Some(brand.access_token.as_str());
    let reply = app
        .post_raw(
            "/v1/brand/programs",
            token,
            r#"{"name": "Floats", "commission": {"type": "flat", "amount": 5e2},
                "hold_days": 30.0, "min_payout": 999999999999.0}"#,
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let terms = &reply.body["terms"];
    assert_eq!(
        (
            &terms["hold_days"],
            &terms["min_payout"],
            &terms["commission"]["amount"]
        ),
        (&json!(30), &json!(999_999_999_999_i64), &json!(500))
    );
    let fraction = app
        .post(
            "/v1/brand/programs",
            token,
            &json!({"name": "Fraction", "commission": {"type": "percent", "rate": "10"}, "hold_days": 30.5}),
        )
        .await;
    fraction.assert_problem(422, "validation_failed");
    assert_eq!(fraction.fields(), ["hold_days"]);
    // Read from the text, never through a float: past 2^53 the number is still the
    // integer it says (so it meets the amount bound, not a type error), and a fraction
    // too small for a float to hold is still a fraction.
    let huge = app
        .post_raw(
            "/v1/brand/programs",
            token,
            r#"{"name": "Huge", "commission": {"type": "flat", "amount": 500},
                "min_payout": 9007199254740993.0}"#,
        )
        .await;
    huge.assert_problem(422, "validation_failed");
    assert_eq!(huge.fields(), ["min_payout"]);
    assert!(
        huge.text.contains("must be 0 to 1000000000000 minor units"),
        "{}",
        huge.text
    );
    let tiny_fraction = app
        .post_raw(
            "/v1/brand/programs",
            token,
            r#"{"name": "Tiny", "commission": {"type": "flat", "amount": 500.00000000000000001}}"#,
        )
        .await;
    tiny_fraction.assert_problem(422, "validation_failed");
    assert_eq!(tiny_fraction.fields(), ["commission.amount"]);
}
