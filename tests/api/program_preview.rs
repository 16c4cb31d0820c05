//! `POST /v1/brand/programs/preview`: draft terms priced on an example cart exactly as
//! a recorded order would be, without writing anything.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

fn cart() -> Value {
    json!({"lines": [{"sku": "BEANS-1KG", "quantity": 2, "unit_price": 2500},
                     {"sku": "MUG", "category": "gear", "quantity": 1, "unit_price": 1999}],
           "shipping_total": 495})
}

#[tokio::test]
async fn a_preview_earns_what_the_same_order_records() {
    let app = spawn_app().await;
    let terms = json!({
        "commission": {"type": "percent", "rate": "10",
                       "overrides": [{"sku": "MUG", "rate": "5"}],
                       "tiers": [{"from_amount": 100_000, "rate": "12.5"}],
                       "max_per_order": 5_000},
        "customer_discount": {"type": "percent", "value": "15"}
    });
    let mut program = terms.clone();
    program["name"] = json!("Ambassadors");
    let p = app.program_with_terms("acme", &program).await;
    let token = Some(p.brand.access_token.as_str());
    let (programs, orders, entries) = (app.count("programs"), app.count("orders"), app.count("ledger_entries"));

    // Below the tier.
    let below = app
        .post(
            "/v1/brand/programs/preview",
            token,
            &json!({"terms": terms, "cart": cart()}),
        )
        .await;
    assert_eq!(below.status, 200, "{}", below.text);
    // 15 % of 6999 = 1049.85 → 1050 off; (5000 × 10 % + 1999 × 5 %) × 5949 / 6999 = 509.94 → 510.
    assert_eq!(
        below.body,
        json!({"currency": "USD", "subtotal": 6999, "discount_total": 1050, "net_amount": 5949,
               "shipping_total": 495, "total": 6444, "commission": 510, "commission_uncapped": 510,
               "capped": false, "rate": null,
               "lines": [{"sku": "BEANS-1KG", "rate": "10", "commission": 425},
                         {"sku": "MUG", "rate": "5", "commission": 85}],
               "tier": null})
    );

    // The same cart through checkout: the discount the quote gives and the commission the
    // order records are the preview's.
    let order = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &json!({"order_id": "1001", "code": p.code, "currency": "USD", "discount_total": 1050,
                    "shipping_total": 495, "lines": cart()["lines"]}),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    assert_eq!(order.body["commission"]["amount"], below.body["commission"]);
    assert_eq!(order.body["net_amount"], below.body["net_amount"]);
    let quote = app
        .post(
            "/v1/checkout/quote",
            Some(&p.api_key),
            &json!({"code": p.code, "currency": "USD", "lines": cart()["lines"], "shipping_total": 495}),
        )
        .await;
    assert_eq!(quote.body["discount_total"], below.body["discount_total"]);
    assert_eq!(quote.body["total"], below.body["total"]);

    // In the tier, and capped.
    let tiered = app
        .post(
            "/v1/brand/programs/preview",
            token,
            &json!({"terms": terms, "cart": cart(), "month_to_date_net": 120_000}),
        )
        .await;
    assert_eq!(tiered.body["tier"], json!({"from_amount": 100_000, "rate": "12.5"}));
    assert_eq!(tiered.body["commission"], 616);
    assert_eq!(tiered.body["lines"][0]["rate"], "12.5");
    let mut capped_terms = terms.clone();
    capped_terms["commission"]["max_per_order"] = json!(300);
    let capped = app
        .post(
            "/v1/brand/programs/preview",
            token,
            &json!({"terms": capped_terms, "cart": cart()}),
        )
        .await;
    assert_eq!(
        (
            capped.body["commission"].clone(),
            capped.body["commission_uncapped"].clone(),
            capped.body["capped"].clone()
        ),
        (json!(300), json!(510), json!(true))
    );

    // Nothing was written by any preview.
    assert_eq!(
        (app.count("programs"), app.count("orders"), app.count("ledger_entries")),
        (programs, orders + 1, entries + 1)
    );
}

#[tokio::test]
async fn a_flat_commission_has_no_line_shares_and_the_currency_is_the_brands_or_given() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let token = Some(brand.access_token.as_str());
    let body = json!({"terms": {"commission": {"type": "flat", "amount": 500},
                                "customer_discount": {"type": "fixed", "amount": 10_000}},
                      "cart": {"lines": [{"sku": "A", "quantity": 1, "unit_price": 2_500}]}});
    let flat = app.post("/v1/brand/programs/preview", token, &body).await;
    assert_eq!(flat.status, 200, "{}", flat.text);
    assert_eq!(flat.body["currency"], "USD");
    assert_eq!(
        flat.body["discount_total"], 2_500,
        "a fixed discount is capped at the subtotal"
    );
    assert_eq!(flat.body["commission"], 0, "nothing sold, nothing earned");
    assert_eq!(
        flat.body["lines"],
        json!([{"sku": "A", "rate": null, "commission": null}])
    );
    let mut euros = body.clone();
    euros["currency"] = json!("EUR");
    euros["terms"]["customer_discount"] = json!(null);
    let euros = app.post("/v1/brand/programs/preview", token, &euros).await;
    assert_eq!(
        (euros.body["currency"].clone(), euros.body["commission"].clone()),
        (json!("EUR"), json!(500))
    );
}

#[tokio::test]
async fn invalid_terms_and_carts_are_422_with_their_paths_in_the_body() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let token = Some(brand.access_token.as_str());
    let reply = app
        .post(
            "/v1/brand/programs/preview",
            token,
            &json!({"terms": {"commission": {"type": "percent", "rate": "101",
                                             "tiers": [{"from_amount": 500, "rate": "5"},
                                                       {"from_amount": 100, "rate": "6"}]},
                              "hold_days": 400},
                    "currency": "usd",
                    "cart": {"lines": [{"sku": " ", "quantity": 0, "unit_price": 100}],
                             "shipping_total": -1},
                    "month_to_date_net": -5}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        reply.fields(),
        [
            "terms.commission.rate",
            "terms.commission.tiers[1].from_amount",
            "terms.hold_days",
            "currency",
            "cart.lines[0].sku",
            "cart.lines[0].quantity",
            "cart.shipping_total",
            "month_to_date_net",
        ]
    );
    // The currency's own rules on the terms (a reward threshold of at least one major
    // unit) name the terms field too.
    let kwd = app
        .post(
            "/v1/brand/programs/preview",
            token,
            &json!({"terms": {"commission": {"type": "percent", "rate": "10"},
                              "rewards": [{"every_amount": 100, "sku": "BAG", "description": "A bag"}]},
                    "currency": "KWD",
                    "cart": {"lines": [{"sku": "A", "quantity": 1, "unit_price": 100}]}}),
        )
        .await;
    kwd.assert_problem(422, "validation_failed");
    assert_eq!(kwd.fields(), ["terms.rewards[0].every_amount"]);
    // Unknown fields are refused, nested ones too; terms and cart are required.
    for (body, field) in [
        (
            json!({"terms": {"commission": {"type": "flat", "amount": 1}}, "cart": {"lines": []}, "brand_id": "x"}),
            "brand_id",
        ),
        (
            json!({"terms": {"commission": {"type": "flat", "amount": 1}, "name": "x"}, "cart": {"lines": []}}),
            "terms.name",
        ),
        (json!({"cart": {"lines": []}}), "terms"),
    ] {
        let reply = app.post("/v1/brand/programs/preview", token, &body).await;
        reply.assert_problem(422, "validation_failed");
        assert!(reply.text.contains(field), "{field}: {}", reply.text);
    }
    let empty_cart = app
        .post(
            "/v1/brand/programs/preview",
            token,
            &json!({"terms": {"commission": {"type": "flat", "amount": 1}}, "cart": {"lines": []}}),
        )
        .await;
    assert_eq!(empty_cart.fields(), ["cart.lines"]);
    let ana = app.sign_up_influencer("ana@example.com").await;
    let wrong = app
        .post("/v1/brand/programs/preview", Some(&ana.access_token), &json!({}))
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    assert_eq!(app.count("programs"), 0);
}
