//! The checkout's code check and quote (brand API key).

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_valid_code_returns_discount_and_ambassador() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let reply = app
        .get(
            &format!("/v1/checkout/codes/{}", p.code.to_lowercase()),
            Some(&p.api_key),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["code"], json!(p.code));
    assert_eq!(reply.body["valid"], true);
    assert_eq!(reply.body["currency"], "USD");
    assert_eq!(reply.body["discount"], json!({"type": "percent", "value": "15"}));
    assert_eq!(reply.body["ambassador"], json!({"display_name": "Ana Influencer"}));
}

#[tokio::test]
async fn every_unusable_code_is_the_same_404() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let mut token = p.brand.access_token.clone();
    let check = |code: String| {
        let app = &app;
        let key = p.api_key.clone();
        async move { app.get(&format!("/v1/checkout/codes/{code}"), Some(&key)).await }
    };
    let unknown = check("NOSUCHCODE".into()).await;
    unknown.assert_problem(404, "code_not_found");

    // Expired.
    let expiring = app
        .post(
            &format!("/v1/brand/ambassadors/{}/codes", p.membership_id),
            Some(&token),
            &json!({"code": "SOON", "expires_at": "2026-11-03T00:00:00Z"}),
        )
        .await;
    assert_eq!(expiring.status, 201, "{}", expiring.text);
    app.clock.advance(chrono::Duration::days(2));
    token = app.login(&p.brand.email, "brand").await;
    let token = Some(token.as_str());
    let expired = check("SOON".into()).await;
    assert_eq!(expired.body, unknown.body);

    // Paused ambassador.
    app.patch(
        &format!("/v1/brand/ambassadors/{}", p.membership_id),
        token,
        &json!({"status": "paused"}),
    )
    .await;
    let paused = check(p.code.clone()).await;
    assert_eq!((paused.status, &paused.body), (404, &unknown.body));
    // Inactive code of an active ambassador.
    app.patch(
        &format!("/v1/brand/ambassadors/{}", p.membership_id),
        token,
        &json!({"status": "active"}),
    )
    .await;
    app.patch(
        &format!("/v1/brand/codes/{}", p.code_id),
        token,
        &json!({"active": false}),
    )
    .await;
    let inactive = check(p.code.clone()).await;
    assert_eq!((inactive.status, &inactive.body), (404, &unknown.body));
}

#[tokio::test]
async fn another_brands_key_sees_404_for_a_code() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let q = app.program_with_ambassador("globex").await;
    app.get(&format!("/v1/checkout/codes/{}", p.code), Some(&q.api_key))
        .await
        .assert_problem(404, "code_not_found");
    let quote = app
        .post(
            "/v1/checkout/quote",
            Some(&q.api_key),
            &json!({"code": p.code, "currency": "USD", "lines": [{"sku": "A", "quantity": 1, "unit_price": 1000}]}),
        )
        .await;
    quote.assert_problem(404, "code_not_found");
}

#[tokio::test]
async fn quote_applies_the_discount_and_names_the_ambassador_without_writing() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let body = json!({
        "code": p.code,
        "currency": "USD",
        "lines": [{"sku": "BEANS", "quantity": 2, "unit_price": 2500}, {"sku": "MUG", "category": "gear", "quantity": 1, "unit_price": 1999}],
        "shipping_total": 495
    });
    let first = app.post("/v1/checkout/quote", Some(&p.api_key), &body).await;
    assert_eq!(first.status, 200, "{}", first.text);
    // 15 % of 6999 = 1049.85 → 1050 (half away from zero, once).
    assert_eq!(first.body["subtotal"], 6999);
    assert_eq!(first.body["discount_total"], 1050);
    assert_eq!(first.body["net_amount"], 5949);
    assert_eq!(first.body["shipping_total"], 495);
    assert_eq!(first.body["total"], 6444);
    assert_eq!(first.body["attribution_method"], "code");
    assert_eq!(first.body["supporting"], json!({"display_name": "Ana Influencer"}));

    // No side effects: the same quote again is identical and the code's uses are unchanged.
    let second = app.post("/v1/checkout/quote", Some(&p.api_key), &body).await;
    assert_eq!(first.body, second.body);
    let codes = app
        .get(
            &format!("/v1/brand/ambassadors/{}/codes", p.membership_id),
            Some(&p.brand.access_token),
        )
        .await;
    assert_eq!(codes.body["items"][0]["uses"], 0);

    // No referral: nothing to discount.
    let plain = app
        .post(
            "/v1/checkout/quote",
            Some(&p.api_key),
            &json!({"currency": "USD", "lines": [{"sku": "A", "quantity": 1, "unit_price": 1000}]}),
        )
        .await;
    assert_eq!(plain.body["discount_total"], 0);
    assert_eq!(plain.body["attribution_method"], "none");
    assert_eq!(plain.body["supporting"], json!(null));
}

#[tokio::test]
async fn quote_via_a_referral_click_and_currency_mismatch() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let response = app
        .client
        .get(app.url(&format!("/r/acme/{}", p.code)))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let click = url::Url::parse(&location)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "click_id")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default();
    let lines = json!([{"sku": "A", "quantity": 1, "unit_price": 1000}]);
    let by_link = app
        .post(
            "/v1/checkout/quote",
            Some(&p.api_key),
            &json!({"click_id": click, "currency": "USD", "lines": lines}),
        )
        .await;
    assert_eq!(by_link.status, 200, "{}", by_link.text);
    assert_eq!(by_link.body["attribution_method"], "link");
    assert_eq!(by_link.body["discount_total"], 150);

    let eur = app
        .post(
            "/v1/checkout/quote",
            Some(&p.api_key),
            &json!({"code": p.code, "currency": "EUR", "lines": lines}),
        )
        .await;
    eur.assert_problem(422, "currency_mismatch");
}

#[tokio::test]
async fn quote_validates_lines_and_amounts() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let reply = app
        .post(
            "/v1/checkout/quote",
            Some(&p.api_key),
            &json!({"currency": "usd", "shipping_total": -1, "lines": [
                {"sku": "", "quantity": 0, "unit_price": -5},
                {"sku": "B", "quantity": 1_000_001, "unit_price": 1}
            ]}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        reply.fields(),
        [
            "currency",
            "shipping_total",
            "lines[0].sku",
            "lines[0].quantity",
            "lines[0].unit_price",
            "lines[1].quantity"
        ]
    );
    let overflow = app
        .post(
            "/v1/checkout/quote",
            Some(&p.api_key),
            &json!({"currency": "USD", "lines": [{"sku": "A", "quantity": 1_000_000, "unit_price": i64::MAX}]}),
        )
        .await;
    overflow.assert_problem(422, "validation_failed");
    let empty = app
        .post(
            "/v1/checkout/quote",
            Some(&p.api_key),
            &json!({"currency": "USD", "lines": []}),
        )
        .await;
    empty.assert_problem(422, "validation_failed");
    // A brand JWT is the wrong credential here.
    app.post(
        "/v1/checkout/quote",
        Some(&p.brand.access_token),
        &json!({"currency": "USD", "lines": []}),
    )
    .await
    .assert_problem(401, "wrong_credential");
}

#[tokio::test]
async fn a_burst_of_misses_locks_the_key_out_of_code_checks() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let mut statuses = Vec::new();
    for i in 0..40 {
        let reply = app
            .get(&format!("/v1/checkout/codes/GUESS{i:03}"), Some(&p.api_key))
            .await;
        statuses.push(reply.status);
        if reply.status == 429 {
            reply.assert_problem(429, "rate_limited");
            assert!(reply.headers.get("retry-after").is_some());
        }
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    // While locked out, even a valid code answers 429: hits and misses look alike.
    let valid = app
        .get(&format!("/v1/checkout/codes/{}", p.code), Some(&p.api_key))
        .await;
    valid.assert_problem(429, "rate_limited");
    // Another key of another brand is unaffected.
    let q = app.program_with_ambassador("globex").await;
    assert_eq!(
        app.get(&format!("/v1/checkout/codes/{}", q.code), Some(&q.api_key))
            .await
            .status,
        200
    );
}
