//! API8 Security misconfiguration.

use std::collections::BTreeSet;

use chrono::Duration;
use diesel::RunQueryDsl;
use reqwest::Method;
use serde_json::{Value, json};

use super::{call, cart, new_id, sale, text};
use crate::helpers::{program_body, read, spawn_app};

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
        .write_blocking(|conn| {
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

/// F5 (SECURITY.md): an address may start with `=`, and brands open the PayPal bulk
/// file in a spreadsheet, so `payout_email` is escaped there like in every other export.
#[tokio::test]
async fn a_payout_email_cannot_put_a_formula_into_the_paypal_file() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    // A valid address by the e-mail rule (one `@`, a dotted domain, no space), so it is
    // stored and reaches the file: the escaping there is what is under test. Should the
    // rule ever refuse it, this fails rather than passing without checking the file.
    let formula = "=hyperlink(\"http://evil.example\",\"x\")@x.example";
    let patched = app
        .patch(
            "/v1/me",
            Some(&p.influencer.access_token),
            &json!({"payout_email": formula}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["payout_email"], formula, "{}", patched.text);
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
    assert_eq!(file.status, 200, "{}", file.text);
    // A quoted cell is still a formula to a spreadsheet: look at each cell's text.
    let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(file.text.as_bytes())
        .records()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("not CSV: {e}\n{}", file.text));
    // The ambassador's row is there, its e-mail cell escaped, not dropped or emptied.
    let escaped = format!("'{formula}");
    assert_eq!(
        rows.iter().map(|row| row.get(0)).collect::<Vec<_>>(),
        [Some(escaped.as_str())],
        "{}",
        file.text
    );
    assert!(
        !rows.iter().flatten().any(|cell| cell.starts_with(['=', '+', '-', '@'])),
        "{}",
        file.text
    );
}
