//! The dashboard's figures: totals, per-code figures, the series, rewards, and the
//! `from`/`to` period.

use chrono::{TimeZone, Utc};
use serde_json::json;

use super::{ana, cancel, dashboard, day, id, ledger_sum, mature_at, order_at, recorded, refund};
use crate::helpers::spawn_app;

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
        json!({"pending": 1685, "approved": 0, "paid": 0, "reversed": 100, "next_payable_at": "2026-11-19T10:00:00Z",
               "by_kind": {"commission": 1785, "reversal": -100, "adjustment": 0, "bonus": 0, "flat_fee": 0, "override": 0}})
    );

    // 1001 matures on 11-19, 1002 (and its reversal) on 11-24.
    mature_at(&app, Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap()).await;
    let token = app.login(&ana("acme"), "influencer").await;
    let body = dashboard(&app, &token, "").await;
    assert_eq!(
        body["brands"][0]["totals"],
        json!({"pending": 1090, "approved": 595, "paid": 0, "reversed": 100, "next_payable_at": "2026-11-24T23:59:59Z",
               "by_kind": {"commission": 1785, "reversal": -100, "adjustment": 0, "bonus": 0, "flat_fee": 0, "override": 0}})
    );

    mature_at(&app, Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()).await;
    // 1003 is cancelled during its hold: its 595 is reversed while still pending.
    cancel(&app, &p, "1003").await;
    let token = app.login(&ana("acme"), "influencer").await;
    let body = dashboard(&app, &token, "?from=2026-10-20&to=2026-11-25").await;
    let brand = &body["brands"][0];
    assert_eq!(
        brand["totals"],
        json!({"pending": 0, "approved": 1090, "paid": 0, "reversed": 695, "next_payable_at": null,
               "by_kind": {"commission": 1785, "reversal": -695, "adjustment": 0, "bonus": 0, "flat_fee": 0, "override": 0}})
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
