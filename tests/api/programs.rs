//! Programs with versioned, validated terms.

use serde_json::json;

use crate::helpers::{program_body, spawn_app};

#[tokio::test]
async fn create_program_defaults_currency_and_terms() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let token = Some(brand.access_token.as_str());
    let reply = app
        .post(
            "/v1/brand/programs",
            token,
            &json!({"name": "Basic", "commission": {"type": "percent", "rate": "12.50"}}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["currency"], "USD", "the brand's currency");
    assert_eq!(reply.body["terms_version"], 1);
    let terms = &reply.body["terms"];
    assert_eq!(
        terms["commission"]["rate"], "12.5",
        "rates are normalised decimal strings"
    );
    assert_eq!(terms["hold_days"], 30);
    assert_eq!(terms["attribution"], "code_first");
    assert_eq!(terms["min_payout"], 0);
    assert_eq!(terms["customer_discount"], json!(null));

    let id = reply.body["id"].as_str().unwrap_or_default();
    let got = app.get(&format!("/v1/brand/programs/{id}"), token).await;
    assert_eq!(got.body, reply.body);
    let list = app.get("/v1/brand/programs", token).await;
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn invalid_terms_report_every_field() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let reply = app
        .post(
            "/v1/brand/programs",
            Some(&brand.access_token),
            &json!({
                "name": "",
                "currency": "EURO",
                "commission": {"type": "percent", "rate": "101", "tiers": [{"from_amount": 500, "rate": "5"}, {"from_amount": 100, "rate": "7"}]},
                "customer_discount": {"type": "fixed", "amount": -5},
                "hold_days": 400,
                "rewards": [{"sku": "X", "description": "no trigger"}],
                "min_payout": -1,
                "attribution": "last_click"
            }),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    let fields = reply.fields();
    for expected in [
        "name",
        "currency",
        "commission.rate",
        "commission.tiers[1].from_amount",
        "customer_discount.amount",
        "hold_days",
        "rewards[0]",
        "min_payout",
        "attribution",
    ] {
        assert!(
            fields.iter().any(|f| f.starts_with(expected)),
            "{expected} missing from {fields:?}"
        );
    }
    // A float where a decimal string belongs is a type error.
    let reply = app
        .post(
            "/v1/brand/programs",
            Some(&brand.access_token),
            &json!({"name": "x", "commission": {"type": "percent", "rate": 10.5}}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["commission.rate"]);
}

#[tokio::test]
async fn every_terms_change_is_a_new_version_and_old_versions_are_kept() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let token = Some(brand.access_token.as_str());
    let id = app.create_program(&brand.access_token, &program_body()).await;
    let path = format!("/v1/brand/programs/{id}");

    let renamed = app.patch(&path, token, &json!({"name": "Renamed"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["terms_version"], 1, "a rename is not a terms change");

    let same = app.patch(&path, token, &json!({"hold_days": 30})).await;
    assert_eq!(same.body["terms_version"], 1, "unchanged terms make no version");

    let changed = app
        .patch(
            &path,
            token,
            &json!({"commission": {"type": "percent", "rate": "20"}, "hold_days": 14}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["terms_version"], 2);
    assert_eq!(changed.body["terms"]["commission"]["rate"], "20");
    assert_eq!(
        changed.body["terms"]["customer_discount"]["value"], "15",
        "untouched fields are kept"
    );

    let cleared = app.patch(&path, token, &json!({"customer_discount": null})).await;
    assert_eq!(cleared.body["terms_version"], 3);
    assert_eq!(cleared.body["terms"]["customer_discount"], json!(null));

    let versions = app.get(&format!("{path}/versions"), token).await;
    let items = versions.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["version"], 1);
    assert_eq!(items[0]["terms"]["commission"]["rate"], "10");
    assert_eq!(items[0]["terms"]["hold_days"], 30);
    assert_eq!(items[1]["terms"]["commission"]["rate"], "20");

    let bad = app.patch(&path, token, &json!({"hold_days": -1})).await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(
        app.get(&path, token).await.body["terms_version"],
        3,
        "a refused patch changes nothing"
    );
}

#[tokio::test]
async fn another_brands_program_is_404() {
    let app = spawn_app().await;
    let acme = app.sign_up_brand("acme").await;
    let globex = app.sign_up_brand("globex").await;
    let id = app.create_program(&acme.access_token, &program_body()).await;
    let token = Some(globex.access_token.as_str());
    app.get(&format!("/v1/brand/programs/{id}"), token)
        .await
        .assert_problem(404, "program_not_found");
    app.patch(&format!("/v1/brand/programs/{id}"), token, &json!({"name": "mine"}))
        .await
        .assert_problem(404, "program_not_found");
    app.get(&format!("/v1/brand/programs/{id}/versions"), token)
        .await
        .assert_problem(404, "program_not_found");
    assert_eq!(app.get("/v1/brand/programs", token).await.body["items"], json!([]));
    app.post(
        "/v1/brand/invitations",
        token,
        &json!({"email": "x@y.example", "program_id": id}),
    )
    .await
    .assert_problem(404, "program_not_found");
}

#[tokio::test]
async fn lists_paginate_with_a_cursor() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    for i in 0..5 {
        app.create_program(
            &brand.access_token,
            &json!({"name": format!("P{i}"), "commission": {"type": "flat", "amount": 500}}),
        )
        .await;
    }
    let token = Some(brand.access_token.as_str());
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/brand/programs?limit=2&cursor={c}"),
            None => "/v1/brand/programs?limit=2".to_owned(),
        };
        let page = app.get(&path, token).await;
        assert_eq!(page.status, 200, "{}", page.text);
        for item in page.body["items"].as_array().into_iter().flatten() {
            names.push(item["name"].as_str().unwrap_or_default().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(names, ["P0", "P1", "P2", "P3", "P4"]);
    app.get("/v1/brand/programs?limit=0", token)
        .await
        .assert_problem(422, "validation_failed");
    app.get("/v1/brand/programs?limit=201", token)
        .await
        .assert_problem(422, "validation_failed");
    app.get("/v1/brand/programs?cursor=zzz", token)
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn currency_is_locked_once_the_program_has_orders() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let path = format!("/v1/brand/programs/{}", p.program_id);
    let token = Some(p.brand.access_token.as_str());
    let moved = app.patch(&path, token, &json!({"currency": "EUR"})).await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["terms_version"], 2, "a currency change is a new version");
    let back = app.patch(&path, token, &json!({"currency": "USD"})).await;
    assert_eq!(back.body["currency"], "USD");
    let order = json!({"order_id": "1", "code": p.code, "currency": "USD", "discount_total": 0,
                       "lines": [{"sku": "A", "quantity": 1, "unit_price": 1000}]});
    assert_eq!(
        app.post("/v1/checkout/orders", Some(&p.api_key), &order).await.status,
        201
    );
    app.patch(&path, token, &json!({"currency": "EUR"}))
        .await
        .assert_problem(409, "currency_locked");
    assert_eq!(
        app.patch(&path, token, &json!({"hold_days": 10})).await.status,
        200,
        "other terms still change"
    );
}
