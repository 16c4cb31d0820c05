//! The influencer's reports: dashboard, attributed orders and the earnings statement.
//! Figures are checked against sums worked out by hand and against the ledger itself.

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, Program, Reply, SignedUpInfluencer, TestApp, spawn_app};
use crate::orders::{order_body, record};

/// `order_body` (net 5949, 10 % → commission 595) placed at `placed_at`.
fn order_at(order_id: &str, code: &str, placed_at: &str) -> Value {
    let mut body = order_body(order_id, Some(code));
    body["placed_at"] = json!(placed_at);
    body
}

async fn recorded(app: &TestApp, p: &Program, body: &Value) -> Value {
    let reply = record(app, p, body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

async fn refund(app: &TestApp, p: &Program, order_id: &str, refund_id: &str, amount: i64) -> Value {
    let reply = app
        .post(
            &format!("/v1/checkout/orders/{order_id}/refunds"),
            Some(&p.api_key),
            &json!({"refund_id": refund_id, "amount": amount}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

async fn cancel(app: &TestApp, p: &Program, order_id: &str) {
    let reply = app
        .post(
            &format!("/v1/checkout/orders/{order_id}/cancel"),
            Some(&p.api_key),
            &json!({}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
        .to_owned()
}

/// A typed id from its JSON text.
fn id<T: std::str::FromStr>(text: &str) -> T {
    text.parse().unwrap_or_else(|_| panic!("not an id: {text}"))
}

fn ana(slug: &str) -> String {
    format!("ana@{slug}.example")
}

async fn dashboard(app: &TestApp, token: &str, query: &str) -> Value {
    let reply = app.get(&format!("/v1/me/dashboard{query}"), Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

/// Moves the clock to `at` (UTC) and runs a maturation pass there.
async fn mature_at(app: &TestApp, at: chrono::DateTime<Utc>) {
    app.clock.set(at);
    app.mature().await;
}

fn day(body: &Value, brand: usize, date: &str) -> Value {
    body["brands"][brand]["series"]
        .as_array()
        .and_then(|s| s.iter().find(|d| d["date"] == date).cloned())
        .unwrap_or_else(|| panic!("no {date} in the series"))
}

fn ledger_sum(app: &TestApp, membership_id: &str, filter: &str) -> i64 {
    app.scalar(&format!(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS n FROM ledger_entries \
         WHERE membership_id = '{membership_id}' {filter}"
    ))
}

// ---------------------------------------------------------------------------------
// Dashboard figures
// ---------------------------------------------------------------------------------

#[tokio::test]
async fn dashboard_figures_agree_with_hand_sums_and_with_the_ledger() {
    let app = spawn_app().await; // now: 2026-11-02 12:00 UTC
    let p = app.program_with_ambassador("acme").await;
    // Three orders of net 5949 earning 595 each, 30-day hold.
    recorded(&app, &p, &order_at("1001", &p.code, "2026-10-20T10:00:00Z")).await;
    let mut b = order_at("1002", &p.code, "2026-10-25T23:59:59Z");
    b["customer_email"] = json!("buyer@shopper.example");
    recorded(&app, &p, &b).await;
    recorded(&app, &p, &order_at("1003", &p.code, "2026-11-01T00:00:00Z")).await;
    // Refund 1000 of 5949 on 1002: reversal round(595 × 1000 / 5949) = 100.
    assert_eq!(refund(&app, &p, "1002", "r1", 1000).await["reversal"], 100);
    for agent in ["a", "b", "c"] {
        app.click("acme", &p.code, agent).await;
    }

    let token = &p.influencer.access_token;
    let now = dashboard(&app, token, "").await;
    let brand = &now["brands"][0];
    assert_eq!(now["brands"].as_array().map(Vec::len), Some(1));
    assert_eq!(now["influencer"]["id"], json!(p.influencer.id));
    assert_eq!(now["influencer"]["display_name"], "Ana Influencer");
    assert_eq!(brand["brand_id"], json!(p.brand.id));
    assert_eq!(brand["brand_name"], "Acme Coffee");
    assert_eq!(brand["membership_id"], json!(p.membership_id));
    assert_eq!(brand["currency"], "USD");
    // Nothing has matured: 3 × 595 − 100 is pending.
    assert_eq!(
        brand["totals"],
        json!({"pending": 1685, "approved": 0, "paid": 0, "reversed": 100})
    );

    // 1001 matures on 11-19, 1002 (and its reversal) on 11-24.
    mature_at(&app, Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap()).await;
    let token = app.login(&ana("acme"), "influencer").await;
    let body = dashboard(&app, &token, "").await;
    assert_eq!(
        body["brands"][0]["totals"],
        json!({"pending": 1090, "approved": 595, "paid": 0, "reversed": 100})
    );

    mature_at(&app, Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()).await;
    // 1003 is cancelled during its hold: its 595 is reversed while still pending.
    cancel(&app, &p, "1003").await;
    let token = app.login(&ana("acme"), "influencer").await;
    let body = dashboard(&app, &token, "?from=2026-10-20&to=2026-11-25").await;
    let brand = &body["brands"][0];
    assert_eq!(
        brand["totals"],
        json!({"pending": 0, "approved": 1090, "paid": 0, "reversed": 695})
    );
    // The totals are the ledger, to the minor unit.
    let m = &p.membership_id;
    assert_eq!(ledger_sum(&app, m, ""), 1090);
    assert_eq!(
        ledger_sum(&app, m, "AND approved_at IS NOT NULL AND paid_out_in IS NULL"),
        1090
    );
    assert_eq!(ledger_sum(&app, m, "AND approved_at IS NULL"), 0);
    assert_eq!(ledger_sum(&app, m, "AND kind = 'reversal'"), -695);

    // Per code: 3 clicks, 3 orders; net 3 × 5949 − 1000 − 5949; commission 1785 − 695.
    assert_eq!(
        brand["codes"],
        json!([{"code": p.code, "clicks": 3, "orders": 3, "conversion_rate": "1",
                "net_sales": 10898, "commission": 1090}])
    );
    let series = brand["series"].as_array().cloned().unwrap_or_default();
    assert_eq!(series.len(), 37, "2026-10-20 ..= 2026-11-25");
    assert_eq!(series[0]["date"], "2026-10-20");
    assert_eq!(series[36]["date"], "2026-11-25");
    assert_eq!(
        day(&body, 0, "2026-10-20"),
        json!({"date": "2026-10-20", "clicks": 0, "orders": 1, "net_sales": 5949, "commission": 595})
    );
    assert_eq!(
        day(&body, 0, "2026-10-25"),
        json!({"date": "2026-10-25", "clicks": 0, "orders": 1, "net_sales": 4949, "commission": 495})
    );
    assert_eq!(
        day(&body, 0, "2026-11-01"),
        json!({"date": "2026-11-01", "clicks": 0, "orders": 1, "net_sales": 0, "commission": 0})
    );
    assert_eq!(
        day(&body, 0, "2026-11-02"),
        json!({"date": "2026-11-02", "clicks": 3, "orders": 0, "net_sales": 0, "commission": 0})
    );
    let sum = |field: &str| series.iter().map(|d| d[field].as_i64().unwrap_or(0)).sum::<i64>();
    assert_eq!(
        (sum("clicks"), sum("orders"), sum("net_sales"), sum("commission")),
        (3, 3, 10898, 1090)
    );

    // A narrower range narrows the per-code figures and the series, not the totals.
    let narrow = dashboard(&app, &token, "?from=2026-10-21&to=2026-10-31").await;
    assert_eq!(
        narrow["brands"][0]["codes"],
        json!([{"code": p.code, "clicks": 0, "orders": 1, "conversion_rate": null,
                "net_sales": 4949, "commission": 495}])
    );
    assert_eq!(narrow["brands"][0]["totals"], brand["totals"]);
    assert_eq!(narrow["brands"][0]["series"].as_array().map(Vec::len), Some(11));

    // Recent orders, newest first, with where each commission stands.
    assert_eq!(
        brand["recent_orders"],
        json!([
            {"order_id": "1003", "placed_at": "2026-11-01T00:00:00Z", "net_amount": 5949,
             "commission": 0, "status": "reversed", "attribution_method": "code"},
            {"order_id": "1002", "placed_at": "2026-10-25T23:59:59Z", "net_amount": 5949,
             "commission": 495, "status": "approved", "attribution_method": "code"},
            {"order_id": "1001", "placed_at": "2026-10-20T10:00:00Z", "net_amount": 5949,
             "commission": 595, "status": "approved", "attribution_method": "code"},
        ])
    );
    assert!(!body.to_string().contains("shopper.example"), "no customer data");

    // Two qualifying orders (1003 is fully refunded) of one free bag every 3.
    assert_eq!(
        brand["rewards"],
        json!({"progress": [{"sku": "FREE-BAG", "description": "A free bag of coffee", "current": 2, "target": 3}],
               "earned": []})
    );
    // The dashboard's one-statement count is the rule the maturation job grants by.
    let db = app.db.clone();
    let (influencer, membership) = (id(&p.influencer.id), id(&p.membership_id));
    let (single, grouped) = tokio::task::spawn_blocking(move || {
        db.read_blocking(|conn| {
            let single = reftrack::store::rewards::qualifying(conn, membership)?;
            let grouped = reftrack::store::dashboard::qualifying_by_membership(conn, influencer, None)?;
            Ok::<_, reftrack::store::StoreError>((single, grouped))
        })
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(single, (2, 5949 + 4949));
    assert_eq!(
        grouped
            .iter()
            .map(|q| (q.orders, q.amount().unwrap_or(-1)))
            .collect::<Vec<_>>(),
        vec![single]
    );
}

#[tokio::test]
async fn earned_rewards_and_progress_restart_after_a_grant() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    for (i, at) in [
        "2026-10-01T09:00:00Z",
        "2026-10-02T09:00:00Z",
        "2026-10-03T09:00:00Z",
        "2026-10-04T09:00:00Z",
    ]
    .into_iter()
    .enumerate()
    {
        recorded(&app, &p, &order_at(&format!("10{i}"), &p.code, at)).await;
    }
    mature_at(&app, Utc.with_ymd_and_hms(2026, 11, 10, 0, 0, 0).unwrap()).await;
    let token = app.login(&ana("acme"), "influencer").await;
    let body = dashboard(&app, &token, "").await;
    let rewards = &body["brands"][0]["rewards"];
    assert_eq!(rewards["progress"][0]["current"], 1, "4 orders: one grant and 1 of 3");
    let earned = rewards["earned"].as_array().cloned().unwrap_or_default();
    assert_eq!(earned.len(), 1);
    assert_eq!(earned[0]["sku"], "FREE-BAG");
    assert_eq!(earned[0]["status"], "earned");
    assert_eq!(earned[0]["earned_at"], "2026-11-10T00:00:00Z");
    assert!(earned[0]["id"].is_string());
    assert_eq!(body["brands"][0]["totals"]["approved"], 4 * 595);
}

#[tokio::test]
async fn the_series_has_every_day_with_empty_days_as_zeros() {
    let app = spawn_app().await; // today is 2026-11-02
    let p = app.program_with_ambassador("acme").await;
    recorded(&app, &p, &order_at("1001", &p.code, "2026-10-30T08:00:00Z")).await;
    let token = &p.influencer.access_token;

    // By default, the 30 days ending today.
    let body = dashboard(&app, token, "").await;
    let series = body["brands"][0]["series"].as_array().cloned().unwrap_or_default();
    assert_eq!(series.len(), 30);
    assert_eq!(series[0]["date"], "2026-10-04");
    assert_eq!(series[29]["date"], "2026-11-02");
    let zero = |date: &str| json!({"date": date, "clicks": 0, "orders": 0, "net_sales": 0, "commission": 0});
    for point in &series {
        if point["date"] != "2026-10-30" {
            assert_eq!(*point, zero(point["date"].as_str().unwrap_or("")));
        }
    }
    assert_eq!(day(&body, 0, "2026-10-30")["orders"], 1);

    // A range with nothing in it is all zeros, and a range of one day is one point.
    let empty = dashboard(&app, token, "?from=2026-09-01&to=2026-09-03").await;
    assert_eq!(
        empty["brands"][0]["series"],
        json!([zero("2026-09-01"), zero("2026-09-02"), zero("2026-09-03")])
    );
    assert_eq!(empty["brands"][0]["codes"][0]["orders"], 0);
    let one = dashboard(&app, token, "?from=2026-10-30&to=2026-10-30").await;
    assert_eq!(one["brands"][0]["series"].as_array().map(Vec::len), Some(1));
    assert_eq!(one["brands"][0]["series"][0]["net_sales"], 5949);
    // Only `to`: the 30 days ending there. Only `from`: up to today.
    let to_only = dashboard(&app, token, "?to=2026-10-31").await;
    assert_eq!(to_only["brands"][0]["series"][0]["date"], "2026-10-02");
    let from_only = dashboard(&app, token, "?from=2026-11-01").await;
    assert_eq!(from_only["brands"][0]["series"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn from_and_to_must_be_dates_in_order_at_most_366_days_apart() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let token = &p.influencer.access_token;
    for (query, fields) in [
        ("?from=2026-1-05", vec!["from"]),
        ("?from=2026-02-30", vec!["from"]),
        ("?to=yesterday", vec!["to"]),
        ("?from=2026-10-01T00:00:00Z", vec!["from"]),
        ("?from=2026-11-03&to=2026-11-02", vec!["from"]),
        ("?from=2025-01-01&to=2026-01-02", vec!["to"]),
        ("?brand_id=acme", vec!["brand_id"]),
        ("?brand_id=acme&from=x", vec!["brand_id", "from"]),
    ] {
        let reply = app.get(&format!("/v1/me/dashboard{query}"), Some(token)).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), fields, "{query}: {}", reply.text);
    }
    let unknown = app.get("/v1/me/dashboard?since=2026-01-01", Some(token)).await;
    unknown.assert_problem(422, "validation_failed");
    // 366 days with both ends is allowed; 2024 was a leap year.
    dashboard(&app, token, "?from=2024-01-01&to=2024-12-31").await;
    dashboard(&app, token, "?from=2026-11-02&to=2026-11-02").await;

    let brand_token = &p.brand.access_token;
    app.get("/v1/me/dashboard", Some(brand_token))
        .await
        .assert_problem(401, "invalid_token");
    app.get("/v1/me/dashboard", None)
        .await
        .assert_problem(401, "unauthenticated");
}

// ---------------------------------------------------------------------------------
// Several brands
// ---------------------------------------------------------------------------------

/// A second brand, running a JPY program with 10 % commission, that `influencer`
/// (whose login is `email`) joins; returns the program handle with its code.
async fn jpy_brand(app: &TestApp, slug: &str, name: &str, email: &str, influencer: &SignedUpInfluencer) -> Program {
    let reply = app
        .post(
            "/v1/brands",
            None,
            &json!({
                "name": name, "slug": slug, "landing_url": "https://bean.example/",
                "currency": "JPY", "owner_email": format!("owner@{slug}.example"), "owner_password": PASSWORD,
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let brand = crate::helpers::SignedUpBrand {
        id: text(&reply.body["brand"]["id"]),
        email: format!("owner@{slug}.example"),
        access_token: text(&reply.body["access_token"]),
        refresh_token: text(&reply.body["refresh_token"]),
    };
    let mut terms = crate::helpers::program_body();
    terms["currency"] = json!("JPY");
    terms["min_payout"] = json!(1000);
    let program_id = app.create_program(&brand.access_token, &terms).await;
    let (_, api_key) = app.create_api_key(&brand.access_token, "shop").await;
    let membership = app
        .join(&brand.access_token, &program_id, email, &influencer.access_token)
        .await;
    Program {
        program_id,
        api_key,
        membership_id: text(&membership["id"]),
        code: text(&membership["codes"][0]["code"]),
        code_id: text(&membership["codes"][0]["id"]),
        influencer: SignedUpInfluencer {
            id: influencer.id.clone(),
            access_token: influencer.access_token.clone(),
            refresh_token: influencer.refresh_token.clone(),
        },
        brand,
    }
}

/// A JPY order of one 5000-yen item: 10 % earns 500.
fn yen_order(order_id: &str, code: &str) -> Value {
    json!({
        "order_id": order_id,
        "code": code,
        "currency": "JPY",
        "lines": [{"sku": "TEA", "quantity": 1, "unit_price": 5000}],
        "discount_total": 0,
    })
}

#[tokio::test]
async fn one_dashboard_shows_every_brand_and_the_brand_filter_narrows_it() {
    let app = spawn_app().await;
    let acme = app.program_with_ambassador("acme").await;
    let bean = jpy_brand(&app, "bean", "Bean Tea", &ana("acme"), &acme.influencer).await;
    recorded(&app, &acme, &order_body("1001", Some(&acme.code))).await;
    assert_eq!(
        recorded(&app, &bean, &yen_order("J-1", &bean.code)).await["commission"]["amount"],
        500
    );
    let token = &acme.influencer.access_token;

    let both = dashboard(&app, token, "").await;
    let brands = both["brands"].as_array().cloned().unwrap_or_default();
    assert_eq!(brands.len(), 2);
    assert_eq!(
        (
            brands[0]["brand_id"].clone(),
            brands[0]["currency"].clone(),
            brands[0]["totals"]["pending"].clone()
        ),
        (json!(acme.brand.id), json!("USD"), json!(595))
    );
    assert_eq!(
        (
            brands[1]["brand_id"].clone(),
            brands[1]["currency"].clone(),
            brands[1]["totals"]["pending"].clone()
        ),
        (json!(bean.brand.id), json!("JPY"), json!(500))
    );
    assert_eq!(brands[1]["brand_name"], "Bean Tea");
    assert_eq!(brands[1]["membership_id"], json!(bean.membership_id));
    assert_eq!(brands[1]["codes"][0]["code"], json!(bean.code));
    assert_eq!(brands[1]["codes"][0]["net_sales"], 5000);
    assert_eq!(brands[1]["recent_orders"][0]["order_id"], "J-1");
    assert_eq!(brands[0]["recent_orders"][0]["order_id"], "1001");

    let only_bean = dashboard(&app, token, &format!("?brand_id={}", bean.brand.id)).await;
    assert_eq!(only_bean["brands"].as_array().map(Vec::len), Some(1));
    assert_eq!(only_bean["brands"][0], brands[1]);

    // A brand the influencer does not work with: no entries, not an error.
    let other = app.sign_up_brand("other").await;
    let none = dashboard(&app, token, &format!("?brand_id={}", other.id)).await;
    assert_eq!(none["brands"], json!([]));
    assert_eq!(none["influencer"]["id"], json!(acme.influencer.id));

    let orders = app
        .get(&format!("/v1/me/orders?brand_id={}", bean.brand.id), Some(token))
        .await;
    assert_eq!(orders.status, 200, "{}", orders.text);
    assert_eq!(orders.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(orders.body["items"][0]["order_id"], "J-1");
    assert_eq!(orders.body["items"][0]["currency"], "JPY");
    assert_eq!(orders.body["items"][0]["brand_name"], "Bean Tea");
}

// ---------------------------------------------------------------------------------
// GET /v1/me/orders
// ---------------------------------------------------------------------------------

fn order_ids(reply: &Reply) -> Vec<String> {
    reply.body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["order_id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn my_orders_show_each_commission_with_its_hold_and_reversals() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    recorded(&app, &p, &order_at("1001", &p.code, "2026-10-01T12:00:00Z")).await;
    let mut b = order_body("1002", Some(&p.code));
    b["customer_email"] = json!("buyer@shopper.example");
    recorded(&app, &p, &b).await;
    refund(&app, &p, "1002", "r1", 1000).await;
    let mut own = order_body("1003", Some(&p.code));
    own["customer_email"] = json!(ana("acme"));
    recorded(&app, &p, &own).await;
    mature_at(&app, Utc.with_ymd_and_hms(2026, 11, 2, 12, 30, 0).unwrap()).await;
    let token = app.login(&ana("acme"), "influencer").await;

    let reply = app.get("/v1/me/orders", Some(&token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(order_ids(&reply), ["1003", "1002", "1001"]);
    assert_eq!(reply.body["next_cursor"], Value::Null);
    let items = &reply.body["items"];
    assert_eq!(items[0]["status"], "none", "a self-referral earns nothing");
    assert_eq!(items[0]["commission"], 0);
    assert_eq!(items[0]["available_at"], Value::Null);
    assert_eq!(items[0]["attribution"]["reason"], "self_referral");
    let pending = &items[1];
    assert!(pending["id"].is_string());
    assert_eq!(pending["brand_id"], json!(p.brand.id));
    assert_eq!(pending["brand_name"], "Acme Coffee");
    assert_eq!(pending["currency"], "USD");
    assert_eq!(pending["placed_at"], "2026-11-02T12:00:00Z");
    assert_eq!(pending["net_amount"], 5949);
    assert_eq!(pending["rate"], "10");
    assert_eq!(pending["terms_version"], 1);
    assert_eq!(pending["commission"], 595);
    assert_eq!(pending["reversed"], 100);
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["available_at"], "2026-12-02T12:00:00Z", "payable on");
    assert_eq!(pending["attribution"], json!({"method": "code", "reason": "code"}));
    assert_eq!(items[2]["status"], "approved");
    assert_eq!(items[2]["available_at"], "2026-10-31T12:00:00Z");
    assert!(!reply.text.contains("shopper.example") && !reply.text.contains("candidates"));

    cancel(&app, &p, "1002").await;
    let reply = app.get("/v1/me/orders", Some(&token)).await;
    assert_eq!(reply.body["items"][1]["status"], "reversed");
    assert_eq!(reply.body["items"][1]["reversed"], 595);

    // The brand sees the same status and payable date for each order.
    let brand_token = app.login(&p.brand.email, "brand").await;
    for item in reply.body["items"].as_array().cloned().unwrap_or_default() {
        let brand_view = app
            .get(&format!("/v1/brand/orders/{}", text(&item["id"])), Some(&brand_token))
            .await;
        assert_eq!(brand_view.status, 200, "{}", brand_view.text);
        assert_eq!(
            brand_view.body["commission"]["status"], item["status"],
            "{}",
            item["order_id"]
        );
        assert_eq!(brand_view.body["commission"]["available_at"], item["available_at"]);
    }
}

#[tokio::test]
async fn my_orders_pages_neither_repeat_nor_skip_when_orders_arrive_between_pages() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    for n in 1..=5 {
        recorded(&app, &p, &order_body(&format!("o{n}"), Some(&p.code))).await;
    }
    let token = &p.influencer.access_token;
    let first = app.get("/v1/me/orders?limit=2", Some(token)).await;
    assert_eq!(order_ids(&first), ["o5", "o4"]);
    let cursor = first.body["next_cursor"].as_str().unwrap_or_default().to_owned();
    assert_eq!(cursor, first.body["items"][1]["id"].as_str().unwrap_or_default());

    // New orders arrive while the influencer pages.
    recorded(&app, &p, &order_body("o6", Some(&p.code))).await;
    recorded(&app, &p, &order_body("o7", Some(&p.code))).await;
    let second = app
        .get(&format!("/v1/me/orders?limit=2&cursor={cursor}"), Some(token))
        .await;
    assert_eq!(order_ids(&second), ["o3", "o2"]);
    let cursor = second.body["next_cursor"].as_str().unwrap_or_default().to_owned();
    let third = app
        .get(&format!("/v1/me/orders?limit=2&cursor={cursor}"), Some(token))
        .await;
    assert_eq!(order_ids(&third), ["o1"]);
    assert_eq!(third.body["next_cursor"], Value::Null);

    let fresh = app.get("/v1/me/orders?limit=200", Some(token)).await;
    assert_eq!(order_ids(&fresh), ["o7", "o6", "o5", "o4", "o3", "o2", "o1"]);

    for bad in ["?limit=0", "?limit=201", "?cursor=nope", "?brand_id=nope", "?page=2"] {
        app.get(&format!("/v1/me/orders{bad}"), Some(token))
            .await
            .assert_problem(422, "validation_failed");
    }
}

// ---------------------------------------------------------------------------------
// Isolation
// ---------------------------------------------------------------------------------

#[tokio::test]
async fn another_influencer_sees_none_of_it() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    recorded(&app, &p, &order_body("1001", Some(&p.code))).await;
    app.click("acme", &p.code, "agent").await;
    // Bo is an ambassador of the same program, with an order of her own.
    let (bo, bo_membership, bo_code) = app.add_ambassador(&p, &p.brand.access_token, "bo@acme.example").await;
    recorded(&app, &p, &order_body("2001", Some(&bo_code))).await;
    // Cy works with no brand at all.
    let cy = app.sign_up_influencer("cy@else.example").await;

    let bo_view = dashboard(&app, &bo.access_token, "").await;
    assert_eq!(bo_view["brands"].as_array().map(Vec::len), Some(1));
    let entry = &bo_view["brands"][0];
    assert_eq!(entry["membership_id"], json!(bo_membership));
    assert_eq!(entry["totals"]["pending"], 595, "only her own order");
    assert_eq!(entry["codes"].as_array().map(Vec::len), Some(1));
    assert_eq!(entry["codes"][0]["code"], json!(bo_code));
    assert_eq!(entry["codes"][0]["clicks"], 0);
    assert_eq!(entry["recent_orders"][0]["order_id"], "2001");
    assert_eq!(entry["recent_orders"].as_array().map(Vec::len), Some(1));
    assert!(!bo_view.to_string().contains(&p.code));
    let bo_orders = app.get("/v1/me/orders", Some(&bo.access_token)).await;
    assert_eq!(order_ids(&bo_orders), ["2001"]);
    let ana_orders = app.get("/v1/me/orders", Some(&p.influencer.access_token)).await;
    assert_eq!(order_ids(&ana_orders), ["1001"]);
    // Ana's cursor does not reach into Ana's orders for Bo.
    let ana_id = ana_orders.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let after = app
        .get(&format!("/v1/me/orders?cursor={ana_id}"), Some(&bo.access_token))
        .await;
    assert_eq!(order_ids(&after), Vec::<String>::new());

    let cy_view = dashboard(&app, &cy.access_token, "").await;
    assert_eq!(cy_view["brands"], json!([]));
    let cy_brand = dashboard(&app, &cy.access_token, &format!("?brand_id={}", p.brand.id)).await;
    assert_eq!(cy_brand["brands"], json!([]));
    let cy_orders = app.get("/v1/me/orders", Some(&cy.access_token)).await;
    assert_eq!(cy_orders.body["items"], json!([]));
    let cy_csv = earnings_csv(&app, &cy.access_token).await;
    assert_eq!(cy_csv.len(), 1, "the header only");

    let bo_csv = earnings_csv(&app, &bo.access_token).await;
    assert_eq!(bo_csv.len(), 2);
    assert_eq!(bo_csv[1][4], "2001");
}

// ---------------------------------------------------------------------------------
// GET /v1/me/earnings.csv
// ---------------------------------------------------------------------------------

/// The statement's records, header first.
async fn earnings_csv(app: &TestApp, token: &str) -> Vec<Vec<String>> {
    let response = app
        .client
        .get(app.url("/v1/me/earnings.csv"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let text = response.text().await.unwrap_or_default();
    assert!(text.is_empty() || text.ends_with("\r\n"), "RFC 4180 line ends");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")).iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn earnings_csv_has_one_row_per_entry_with_the_currency_digits_and_escaped_text() {
    let app = spawn_app().await;
    let acme = app.program_with_ambassador("acme").await;
    let bean = jpy_brand(&app, "bean", "=Bean, \"Tea\"", &ana("acme"), &acme.influencer).await;
    let usd = recorded(&app, &acme, &order_body("+SUM(A1)", Some(&acme.code))).await;
    recorded(&app, &bean, &yen_order("J-1", &bean.code)).await;
    app.clock.advance(Duration::hours(1));
    refund(&app, &acme, "+SUM(A1)", "r1", 1000).await;
    recorded(&app, &bean, &yen_order("J-2", &bean.code)).await;
    mature_at(&app, Utc.with_ymd_and_hms(2026, 12, 2, 12, 30, 0).unwrap()).await;
    let token = app.login(&ana("acme"), "influencer").await;

    let rows = earnings_csv(&app, &token).await;
    assert_eq!(
        rows[0],
        [
            "entry_id",
            "created_at",
            "brand",
            "kind",
            "order_id",
            "currency",
            "amount",
            "status",
            "available_at",
            "approved_at",
            "payout_id"
        ]
    );
    assert_eq!(rows.len(), 5, "four entries: {rows:?}");
    let cols = |i: usize| -> Vec<&str> { rows[i].iter().map(String::as_str).collect() };
    // Oldest first, across both brands.
    assert_eq!(
        cols(1)[1..],
        [
            "2026-11-02T12:00:00Z",
            "Acme Coffee",
            "commission",
            "'+SUM(A1)",
            "USD",
            "5.95",
            "approved",
            "2026-12-02T12:00:00Z",
            "2026-12-02T12:30:00Z",
            ""
        ]
    );
    assert_eq!(
        cols(2)[1..],
        [
            "2026-11-02T12:00:00Z",
            "'=Bean, \"Tea\"",
            "commission",
            "J-1",
            "JPY",
            "500",
            "approved",
            "2026-12-02T12:00:00Z",
            "2026-12-02T12:30:00Z",
            ""
        ]
    );
    // The reversal waited with its commission; a negative amount stays a number.
    assert_eq!(
        cols(3)[1..],
        [
            "2026-11-02T13:00:00Z",
            "Acme Coffee",
            "reversal",
            "'+SUM(A1)",
            "USD",
            "-1.00",
            "approved",
            "2026-12-02T12:00:00Z",
            "2026-12-02T12:30:00Z",
            ""
        ]
    );
    assert_eq!(
        cols(4)[1..],
        [
            "2026-11-02T13:00:00Z",
            "'=Bean, \"Tea\"",
            "commission",
            "J-2",
            "JPY",
            "500",
            "pending",
            "2026-12-02T13:00:00Z",
            "",
            ""
        ]
    );
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "oldest first by entry id");
    assert_eq!(usd["commission"]["amount"], 595);
    // The CSV agrees with the ledger, entry for entry.
    assert_eq!(app.count("ledger_entries"), 4);

    // The statement reads every membership page by page without skipping or repeating.
    let db = app.db.clone();
    let influencer = id(&acme.influencer.id);
    let paged = tokio::task::spawn_blocking(move || {
        db.read_blocking(|conn| {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = reftrack::store::dashboard::statement_entries(conn, influencer, after, 1)?;
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                seen.extend(page.iter().map(|e| e.id.to_string()));
            }
            Ok::<_, reftrack::store::StoreError>(seen)
        })
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(paged, ids);
}
