//! Commission and attribution of recorded orders.

use serde_json::{Value, json};

use super::{ledger_entries_of, order_body, order_of, order_worth, recorded, terms};
use crate::helpers::spawn_app;

#[tokio::test]
async fn half_way_cases_round_once_per_order_away_from_zero() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    // 10 % of 1005 = 100.5 → 101 (half-even would give 100).
    let order = recorded(&app, &p, &order_worth("half-1", Some(&p.code), 1005)).await;
    assert_eq!(order["commission"]["amount"], 101, "{order}");
    // 10 % of 1015 = 101.5 → 102.
    let order = recorded(&app, &p, &order_worth("half-2", Some(&p.code), 1015)).await;
    assert_eq!(order["commission"]["amount"], 102, "{order}");
    // Two lines of 5 at 10 %: 0.5 + 0.5 = 1.0 → 1, rounded once per order (per line would give 2).
    let lines = json!([{"sku": "A", "quantity": 1, "unit_price": 5}, {"sku": "B", "quantity": 1, "unit_price": 5}]);
    let order = recorded(&app, &p, &order_of("half-3", Some(&p.code), lines, 0)).await;
    assert_eq!(order["commission"]["amount"], 1, "{order}");
    // 10 % of 5 = 0.5 → 1.
    let order = recorded(&app, &p, &order_worth("half-4", Some(&p.code), 5)).await;
    assert_eq!(order["commission"]["amount"], 1, "{order}");
}

#[tokio::test]
async fn sku_override_beats_category_override_which_beats_the_base_rate() {
    let app = spawn_app().await;
    let p = app
        .program_with_terms(
            "acme",
            &terms(json!({
                "type": "percent",
                "rate": "10",
                "overrides": [{"sku": "MUG", "rate": "20"}, {"category": "gear", "rate": "5"}]
            })),
        )
        .await;
    let lines = json!([
        {"sku": "BEANS", "quantity": 2, "unit_price": 2500},
        {"sku": "MUG", "category": "gear", "quantity": 1, "unit_price": 1999},
        {"sku": "GRINDER", "category": "gear", "quantity": 1, "unit_price": 3000}
    ]);
    // Subtotal 9999, discount 999, net 9000, spread in proportion:
    // (5000 × 10 % + 1999 × 20 % + 3000 × 5 %) × 9000 / 9999 = 1049.8 × 0.90009… = 944.91 → 945.
    let order = recorded(&app, &p, &order_of("ovr-1", Some(&p.code), lines, 999)).await;
    assert_eq!(order["net_amount"], 9000);
    assert_eq!(order["commission"]["amount"], 945, "{order}");
    assert_eq!(order["commission"]["rate"], Value::Null, "lines earned different rates");

    // A line whose only match is its category earns the category's rate.
    let lines = json!([{"sku": "KETTLE", "category": "gear", "quantity": 1, "unit_price": 4000}]);
    let order = recorded(&app, &p, &order_of("ovr-2", Some(&p.code), lines, 0)).await;
    assert_eq!(order["commission"]["amount"], 200, "{order}");
    assert_eq!(order["commission"]["rate"], "5");
    // The SKU override applies whatever the category.
    let lines = json!([{"sku": "MUG", "category": "gifts", "quantity": 1, "unit_price": 1000}]);
    let order = recorded(&app, &p, &order_of("ovr-3", Some(&p.code), lines, 0)).await;
    assert_eq!(order["commission"]["amount"], 200, "{order}");
    assert_eq!(order["commission"]["rate"], "20");
}

#[tokio::test]
async fn volume_tier_counts_this_months_earlier_net_and_an_order_keeps_the_tier_it_starts_in() {
    let app = spawn_app().await;
    let p = app
        .program_with_terms(
            "acme",
            &terms(json!({"type": "percent", "rate": "10", "tiers": [{"from_amount": 10000, "rate": "15"}]})),
        )
        .await;
    let at = |mut body: Value, placed_at: &str| {
        body["placed_at"] = json!(placed_at);
        body
    };
    // Last month's sales do not count toward November's tier.
    let october = recorded(
        &app,
        &p,
        &at(order_worth("t-oct", Some(&p.code), 50_000), "2026-10-31T23:59:59Z"),
    )
    .await;
    assert_eq!(october["commission"]["rate"], "10");
    let a = recorded(
        &app,
        &p,
        &at(order_worth("t-a", Some(&p.code), 9000), "2026-11-01T00:00:00Z"),
    )
    .await;
    assert_eq!(
        (a["commission"]["rate"].clone(), a["commission"]["amount"].clone()),
        (json!("10"), json!(900))
    );
    // Starts at 9000 and crosses 10000: the whole order takes 10 % (200), not a split (250).
    let b = recorded(
        &app,
        &p,
        &at(order_worth("t-b", Some(&p.code), 2000), "2026-11-02T09:00:00Z"),
    )
    .await;
    assert_eq!(
        (b["commission"]["rate"].clone(), b["commission"]["amount"].clone()),
        (json!("10"), json!(200))
    );
    // Month to date is now 11000; refunding 1000 of B leaves exactly 10000: the tier applies from it.
    let refund = app
        .post(
            "/v1/checkout/orders/t-b/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r1", "amount": 1000}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    let c = recorded(
        &app,
        &p,
        &at(order_worth("t-c", Some(&p.code), 1000), "2026-11-02T10:00:00Z"),
    )
    .await;
    assert_eq!(
        (c["commission"]["rate"].clone(), c["commission"]["amount"].clone()),
        (json!("15"), json!(150))
    );
    // Orders later in the month see C too; an order placed before C does not.
    let d = recorded(
        &app,
        &p,
        &at(order_worth("t-d", Some(&p.code), 1000), "2026-11-02T11:00:00Z"),
    )
    .await;
    assert_eq!(d["commission"]["rate"], "15");
    let early = recorded(
        &app,
        &p,
        &at(order_worth("t-early", Some(&p.code), 1000), "2026-11-01T12:00:00Z"),
    )
    .await;
    assert_eq!(early["commission"]["rate"], "10", "only 9000 was sold before it");
}

#[tokio::test]
async fn max_per_order_caps_the_commission() {
    let app = spawn_app().await;
    let p = app
        .program_with_terms(
            "acme",
            &terms(json!({"type": "percent", "rate": "10", "max_per_order": 500})),
        )
        .await;
    let capped = recorded(&app, &p, &order_body("cap-1", Some(&p.code))).await;
    assert_eq!(capped["commission"]["amount"], 500, "595 capped at 500: {capped}");
    let under = recorded(&app, &p, &order_worth("cap-2", Some(&p.code), 4000)).await;
    assert_eq!(under["commission"]["amount"], 400);
    let exact = recorded(&app, &p, &order_worth("cap-3", Some(&p.code), 5000)).await;
    assert_eq!(exact["commission"]["amount"], 500);
}

#[tokio::test]
async fn flat_commission_pays_the_amount_per_order_whatever_the_net() {
    let app = spawn_app().await;
    let p = app
        .program_with_terms("acme", &terms(json!({"type": "flat", "amount": 700})))
        .await;
    let big = recorded(&app, &p, &order_body("flat-1", Some(&p.code))).await;
    assert_eq!(big["commission"]["amount"], 700, "{big}");
    assert_eq!(big["commission"]["rate"], Value::Null);
    let small = recorded(&app, &p, &order_worth("flat-2", Some(&p.code), 100)).await;
    assert_eq!(small["commission"]["amount"], 700);
}

#[tokio::test]
async fn self_referral_in_any_case_earns_nothing_and_is_flagged() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let mut body = order_body("self-1", Some(&p.code));
    body["customer_email"] = json!("  ANA@Acme.EXAMPLE ");
    let order = recorded(&app, &p, &body).await;
    assert_eq!(order["commission"]["amount"], 0, "{order}");
    assert_eq!(order["flags"], json!(["self_referral"]));
    assert_eq!(order["attribution"]["reason"], "self_referral");
    assert_eq!(order["net_amount"], 5949);
    assert_eq!(ledger_entries_of(&app, &order), 0, "no money moves for a self-referral");
    // The address itself is never stored.
    assert_eq!(
        app.count("orders WHERE customer_email_hash LIKE '%ana@%' OR customer_email_hash LIKE '%ANA@%'"),
        0
    );

    let mut body = order_body("self-2", Some(&p.code));
    body["customer_email"] = json!("customer@elsewhere.example");
    let order = recorded(&app, &p, &body).await;
    assert_eq!(order["commission"]["amount"], 595);
    assert_eq!(order["flags"], json!([]));
}

#[tokio::test]
async fn orders_without_a_usable_referral_are_recorded_unattributed_with_the_reason() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let token = p.brand.access_token.clone();
    let expiring = app
        .post(
            &format!("/v1/brand/ambassadors/{}/codes", p.membership_id),
            Some(&token),
            &json!({"code": "SOON", "expires_at": "2026-11-02T13:00:00Z"}),
        )
        .await;
    assert_eq!(expiring.status, 201, "{}", expiring.text);

    let unattributed = |order: &Value, reason: &str| {
        assert_eq!(order["attributed"], false, "{order}");
        assert_eq!(order["ambassador_id"], Value::Null, "{order}");
        assert_eq!(order["attribution"]["method"], "none", "{order}");
        assert_eq!(order["attribution"]["reason"], reason, "{order}");
        assert_eq!(order["commission"]["amount"], 0, "{order}");
        assert_eq!(order["commission"]["status"], "none", "{order}");
        assert_eq!(ledger_entries_of(&app, order), 0);
    };

    let none = recorded(&app, &p, &order_body("u-none", None)).await;
    unattributed(&none, "no_referral");
    assert_eq!(none["net_amount"], 5949);
    let unknown = recorded(&app, &p, &order_body("u-unknown", Some("NOSUCHCODE"))).await;
    unattributed(&unknown, "code_not_found");
    assert_eq!(unknown["attribution"]["candidates"][0]["status"], "code_not_found");

    app.clock.advance(chrono::Duration::hours(2));
    let expired = recorded(&app, &p, &order_body("u-expired", Some("SOON"))).await;
    unattributed(&expired, "code_expired");

    let token = app.login(&p.brand.email, "brand").await;
    let ambassador = format!("/v1/brand/ambassadors/{}", p.membership_id);
    let paused = app.patch(&ambassador, Some(&token), &json!({"status": "paused"})).await;
    assert_eq!(paused.status, 200, "{}", paused.text);
    let order = recorded(&app, &p, &order_body("u-paused", Some(&p.code))).await;
    unattributed(&order, "ambassador_paused");

    let active = app.patch(&ambassador, Some(&token), &json!({"status": "active"})).await;
    assert_eq!(active.status, 200, "{}", active.text);
    let off = app
        .patch(
            &format!("/v1/brand/codes/{}", p.code_id),
            Some(&token),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    let order = recorded(&app, &p, &order_body("u-inactive", Some(&p.code))).await;
    unattributed(&order, "code_inactive");

    let ended = app.patch(&ambassador, Some(&token), &json!({"status": "ended"})).await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    let order = recorded(&app, &p, &order_body("u-ended", Some(&p.code))).await;
    unattributed(&order, "ambassador_ended");
    assert_eq!(app.count("orders"), 6);
}

#[tokio::test]
async fn a_click_from_the_referral_link_attributes_the_order() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let click = app.click("acme", &p.code, "UA-1").await;
    let mut body = order_body("link-1", None);
    body["click_id"] = json!(click);
    let order = recorded(&app, &p, &body).await;
    assert_eq!(order["attributed"], true, "{order}");
    assert_eq!(order["ambassador_id"], json!(p.membership_id));
    assert_eq!(order["attribution"]["method"], "link");
    assert_eq!(order["commission"]["amount"], 595);
    assert_eq!(order["attribution"]["candidates"][0]["click_id"], json!(click));

    // A click id that is not one of this brand's clicks attributes nothing.
    let q = app.program_with_ambassador("globex").await;
    let foreign = app.click("globex", &q.code, "UA-1").await;
    let mut body = order_body("link-2", None);
    body["click_id"] = json!(foreign);
    let order = recorded(&app, &p, &body).await;
    assert_eq!(order["attributed"], false, "{order}");
    assert_eq!(order["attribution"]["reason"], "click_not_found");
}

#[tokio::test]
async fn the_programs_rule_decides_between_a_code_and_a_click_of_different_ambassadors() {
    for (rule, winner_is_link) in [("code_first", false), ("link_first", true)] {
        let app = spawn_app().await;
        let mut program = crate::helpers::program_body();
        program["attribution"] = json!(rule);
        let p = app.program_with_terms("acme", &program).await;
        let (_, bo_membership, bo_code) = app.add_ambassador(&p, &p.brand.access_token, "bo@acme.example").await;
        let click = app.click("acme", &bo_code, "UA-1").await;
        let mut body = order_body("both-1", Some(&p.code));
        body["click_id"] = json!(click);
        let order = recorded(&app, &p, &body).await;
        let (method, winner) = if winner_is_link {
            ("link", &bo_membership)
        } else {
            ("code", &p.membership_id)
        };
        assert_eq!(order["attribution"]["method"], method, "{rule}: {order}");
        assert_eq!(order["attribution"]["reason"], rule, "{order}");
        assert_eq!(order["ambassador_id"], json!(winner), "{rule}: {order}");
        let candidates = order["attribution"]["candidates"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(candidates.len(), 2, "both candidates are shown: {order}");
        assert!(candidates.iter().all(|c| c["status"] == "ok"), "{order}");
    }
}

#[tokio::test]
async fn a_code_with_one_use_is_used_up_by_the_first_order() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let created = app
        .post(
            &format!("/v1/brand/ambassadors/{}/codes", p.membership_id),
            Some(&p.brand.access_token),
            &json!({"code": "ONCE", "max_uses": 1}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let check = app.get("/v1/checkout/codes/ONCE", Some(&p.api_key)).await;
    assert_eq!(check.status, 200, "{}", check.text);

    let first = recorded(&app, &p, &order_body("once-1", Some("once"))).await;
    assert_eq!(first["attributed"], true, "{first}");
    assert_eq!(first["code"], "ONCE");
    let second = recorded(&app, &p, &order_body("once-2", Some("ONCE"))).await;
    assert_eq!(second["attributed"], false, "{second}");
    assert_eq!(second["attribution"]["reason"], "code_used_up");
    app.get("/v1/checkout/codes/ONCE", Some(&p.api_key))
        .await
        .assert_problem(404, "code_not_found");
}
