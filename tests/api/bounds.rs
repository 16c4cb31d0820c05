//! One tenant must never stop another: money is bounded at every door, sums over many
//! rows cannot overflow, and a membership whose stored figures are impossible fails
//! alone (maturation, dashboard, statistics, payouts). Reward grants are bounded per
//! pass. Issue "Hardening", findings 1–3.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{Program, TestApp, program_body, spawn_app};
use crate::orders::{order_body, record};

const OVER: i64 = 1_000_000_000_001;

impl TestApp {
    /// Runs one statement on the writer, as an operator (or old data) would have.
    pub(crate) fn execute(&self, sql: &str) -> usize {
        self.db
            .write_blocking(|conn| {
                diesel::RunQueryDsl::execute(diesel::sql_query(sql), conn).map_err(reftrack::store::StoreError::from)
            })
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
    }
}

async fn placed(app: &TestApp, p: &Program, order_id: &str) {
    let reply = record(app, p, &order_body(order_id, Some(&p.code))).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

fn past_the_hold(app: &TestApp) {
    app.clock.advance(Duration::days(30) + Duration::minutes(1));
}

/// Ana is an ambassador of `good` (an honest brand) and of `bad`, whose two orders
/// were stored with net amounts that no sum of them fits in 64 bits, as the review
/// did through unbounded unit prices before the doors were bounded.
async fn honest_and_poisoned(app: &TestApp) -> (Program, Program) {
    let good = app.program_with_ambassador("good").await;
    let mut terms = program_body();
    terms["commission"] = json!({"type": "flat", "amount": 500});
    terms["rewards"] = json!([{"every_amount": 10000, "sku": "FREE-MUG", "description": "A free mug"}]);
    let bad = app.program_with_terms("bad", &terms).await;
    let ana = app.login("ana@good.example", "influencer").await;
    let joined = app
        .join(&bad.brand.access_token, &bad.program_id, "ana@good.example", &ana)
        .await;
    let bad = Program {
        membership_id: joined["id"].as_str().unwrap_or_default().to_owned(),
        code: joined["codes"][0]["code"].as_str().unwrap_or_default().to_owned(),
        ..bad
    };
    placed(app, &good, "g1").await;
    placed(app, &bad, "b1").await;
    placed(app, &bad, "b2").await;
    let poisoned = app.execute(&format!(
        "UPDATE orders SET net_amount = 5000000000000000000, subtotal = 5000000000000000000 \
         WHERE membership_id = '{}'",
        bad.membership_id
    ));
    assert_eq!(poisoned, 2);
    (good, bad)
}

#[tokio::test]
async fn a_poisoned_membership_is_skipped_and_every_other_commission_is_approved() {
    let app = spawn_app().await;
    let (good, bad) = honest_and_poisoned(&app).await;
    past_the_hold(&app);

    let report = app.mature().await;
    assert_eq!(report.failures, 1, "{report:?}");
    assert_eq!(report.approved, 1, "the honest commission is approved: {report:?}");
    let approved = |membership: &str| {
        app.count(&format!(
            "ledger_entries WHERE membership_id = '{membership}' AND approved_at IS NOT NULL"
        ))
    };
    assert_eq!(approved(&good.membership_id), 1);
    assert_eq!(
        approved(&bad.membership_id),
        0,
        "the failed membership's work rolled back"
    );

    // The next pass is not stuck either: a new honest order matures past the poison.
    placed(&app, &good, "g2").await;
    past_the_hold(&app);
    let report = app.mature().await;
    assert_eq!((report.approved, report.failures), (1, 1), "{report:?}");
    assert_eq!(approved(&good.membership_id), 2);
}

#[tokio::test]
async fn a_poisoned_brand_leaves_the_influencers_other_brands_on_the_dashboard() {
    let app = spawn_app().await;
    let (good, bad) = honest_and_poisoned(&app).await;
    let ana = app.login("ana@good.example", "influencer").await;
    let reply = app.get("/v1/me/dashboard", Some(&ana)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let brands = reply.body["brands"].as_array().cloned().unwrap_or_default();
    let memberships: Vec<&str> = brands.iter().filter_map(|b| b["membership_id"].as_str()).collect();
    assert_eq!(memberships, [good.membership_id.as_str()], "{}", reply.text);
    assert_eq!(brands[0]["totals"]["pending"], 595);

    // The poisoned brand's own statistics answer too; the impossible totals are null.
    let bad_stats = app.get("/v1/brand/stats", Some(&bad.brand.access_token)).await;
    assert_eq!(bad_stats.status, 200, "{}", bad_stats.text);
    assert_eq!(bad_stats.body["orders"], 2);
    assert_eq!(bad_stats.body["net_sales"], Value::Null);
    assert_eq!(bad_stats.body["top_ambassadors"], json!([]));
    let good_stats = app.get("/v1/brand/stats", Some(&good.brand.access_token)).await;
    assert_eq!(good_stats.status, 200, "{}", good_stats.text);
    assert_eq!(good_stats.body["net_sales"], 5949);
}

#[tokio::test]
async fn reward_grants_are_capped_per_pass_and_the_rest_come_in_later_passes() {
    let app = spawn_app().await;
    let mut terms = program_body();
    terms["rewards"] = json!([{"every_amount": 100, "sku": "STICKER", "description": "A sticker"}]);
    let p = app.program_with_terms("acme", &terms).await;
    let mut body = order_body("big", Some(&p.code));
    // Net 25,000 → 250 stickers due, more than one pass grants.
    body["lines"] = json!([{"sku": "BEANS", "quantity": 10, "unit_price": 2600}]);
    body["discount_total"] = json!(1000);
    let reply = record(&app, &p, &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["net_amount"], 25_000);
    past_the_hold(&app);

    let grants: Vec<usize> = [
        app.mature().await,
        app.mature().await,
        app.mature().await,
        app.mature().await,
    ]
    .iter()
    .map(|r| r.rewards_granted)
    .collect();
    assert_eq!(grants, [100, 100, 50, 0]);
    assert_eq!(app.count("rewards"), 250);
    assert_eq!(app.count("reward_backlog"), 0, "the backlog is cleared once caught up");

    // The influencer reads them a page at a time.
    let ana = app.login("ana@acme.example", "influencer").await;
    let first = app.get("/v1/me/rewards?limit=200", Some(&ana)).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["items"].as_array().map(Vec::len), Some(200));
    let cursor = first.body["next_cursor"].as_str().unwrap_or_default().to_owned();
    assert!(!cursor.is_empty(), "{}", first.text);
    let rest = app
        .get(&format!("/v1/me/rewards?limit=200&cursor={cursor}"), Some(&ana))
        .await;
    assert_eq!(rest.body["items"].as_array().map(Vec::len), Some(50));
    assert_eq!(rest.body["next_cursor"], Value::Null);
    let bad_limit = app.get("/v1/me/rewards?limit=201", Some(&ana)).await;
    assert_eq!(bad_limit.status, 422, "{}", bad_limit.text);
}

#[tokio::test]
async fn reward_thresholds_have_a_floor_for_the_currency() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    for (currency, every_amount, accepted) in [
        ("USD", 1, false),
        ("USD", 99, false),
        ("USD", 100, true),
        ("JPY", 100, true),
        ("KWD", 999, false),
        ("KWD", 1000, true),
    ] {
        let mut body = program_body();
        body["currency"] = json!(currency);
        body["rewards"] = json!([{"every_amount": every_amount, "sku": "S", "description": "d"}]);
        let reply = app.post("/v1/brand/programs", Some(&brand.access_token), &body).await;
        if accepted {
            assert_eq!(reply.status, 201, "{currency} {every_amount}: {}", reply.text);
        } else {
            assert_eq!(reply.status, 422, "{currency} {every_amount}: {}", reply.text);
            assert_eq!(reply.fields(), ["rewards[0].every_amount"], "{}", reply.text);
        }
    }
}

#[tokio::test]
async fn amounts_above_the_bound_are_refused_at_every_door_and_record_nothing() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = |change: &dyn Fn(&mut Value)| {
        let mut body = order_body("o1", Some(&p.code));
        change(&mut body);
        body
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            order(&|b| b["lines"] = json!([{"sku": "X", "quantity": 1, "unit_price": 5_000_000_000_000_000_000i64}])),
            "lines[0].unit_price",
        ),
        (
            order(&|b| b["lines"] = json!([{"sku": "X", "quantity": 2, "unit_price": 600_000_000_000i64}])),
            "lines[0].unit_price",
        ),
        (
            order(&|b| {
                b["lines"] = json!([
                    {"sku": "X", "quantity": 1, "unit_price": 600_000_000_000i64},
                    {"sku": "Y", "quantity": 1, "unit_price": 600_000_000_000i64}
                ])
            }),
            "lines",
        ),
        (order(&|b| b["shipping_total"] = json!(OVER)), "shipping_total"),
        (order(&|b| b["tax_total"] = json!(OVER)), "tax_total"),
    ];
    for (body, field) in cases {
        let reply = record(&app, &p, &body).await;
        assert_eq!(reply.status, 422, "{}", reply.text);
        assert_eq!(reply.fields(), [field], "{}", reply.text);
    }
    assert_eq!(app.count("orders"), 0);

    let mut quote = json!({"currency": "USD", "shipping_total": OVER,
        "lines": [{"sku": "X", "quantity": 1, "unit_price": 100}]});
    let reply = app.post("/v1/checkout/quote", Some(&p.api_key), &quote).await;
    assert_eq!(reply.fields(), ["shipping_total"], "{}", reply.text);
    quote["shipping_total"] = json!(0);
    quote["lines"][0]["unit_price"] = json!(OVER);
    let reply = app.post("/v1/checkout/quote", Some(&p.api_key), &quote).await;
    assert_eq!(reply.fields(), ["lines[0].unit_price"], "{}", reply.text);

    // At the bound itself an order is fine, and a refund above the bound is refused.
    let at_bound = order(&|b| {
        b["lines"] = json!([{"sku": "X", "quantity": 1, "unit_price": 1_000_000_000_000i64}]);
        b["discount_total"] = json!(0);
    });
    let reply = record(&app, &p, &at_bound).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let reply = app
        .post(
            "/v1/checkout/orders/o1/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r1", "amount": OVER}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.fields(), ["amount"]);
    assert_eq!(app.count("refunds"), 0);

    // Program terms: every amount is bounded the same way.
    for (terms_change, field) in [
        (
            json!({"commission": {"type": "flat", "amount": OVER}}),
            "commission.amount",
        ),
        (
            json!({"commission": {"type": "percent", "rate": "10", "max_per_order": OVER}}),
            "commission.max_per_order",
        ),
        (json!({"min_payout": OVER}), "min_payout"),
        (
            json!({"customer_discount": {"type": "fixed", "amount": OVER}}),
            "customer_discount.amount",
        ),
    ] {
        let mut body = program_body();
        for (k, v) in terms_change.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        let reply = app.post("/v1/brand/programs", Some(&p.brand.access_token), &body).await;
        assert_eq!(reply.status, 422, "{}", reply.text);
        assert_eq!(reply.fields(), [field], "{}", reply.text);
    }
}
