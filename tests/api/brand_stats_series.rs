//! `GET /v1/brand/stats`: the series for the console's chart (every day or ISO week of
//! the period, zeros included, adding up to the period's figures) and the commission
//! the brand's ledger owes by where it stands.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{Reply, spawn_app};

/// An order of one line in USD, placed at `placed_at`.
pub fn order(order_id: &str, code: Option<&str>, unit_price: i64, placed_at: &str) -> Value {
    json!({"order_id": order_id, "code": code, "currency": "USD", "discount_total": 0, "placed_at": placed_at,
           "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": unit_price}]})
}

/// `(start, orders, attributed_orders, net_sales, commission)` of every bucket.
fn series(reply: &Reply) -> Vec<(String, i64, i64, i64, i64)> {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["series"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| {
            (
                b["start"].as_str().unwrap_or_default().to_owned(),
                b["orders"].as_i64().unwrap_or(-1),
                b["attributed_orders"].as_i64().unwrap_or(-1),
                b["net_sales"].as_i64().unwrap_or(-1),
                b["commission"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

/// The three figures of `commission_owed` (their parts by kind are
/// [`crate::brand_stats_kinds`]'s).
fn owed_figures(reply: &Reply) -> Value {
    let owed = &reply.body["commission_owed"];
    json!({"pending": owed["pending"], "payable": owed["payable"], "paid": owed["paid"]})
}

fn day(date: &str, figures: (i64, i64, i64, i64)) -> (String, i64, i64, i64, i64) {
    (date.to_owned(), figures.0, figures.1, figures.2, figures.3)
}

#[tokio::test]
async fn the_series_has_every_day_or_week_and_adds_up_to_the_period() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let other = app.program_with_ambassador("globex").await;
    let key = Some(p.api_key.as_str());
    for body in [
        // Before the period: not counted.
        order("B-0", Some(&p.code), 90_000, "2026-10-20T23:59:59Z"),
        // Wednesday 2026-10-21, the first day.
        order("B-1", Some(&p.code), 10_000, "2026-10-21T00:00:00Z"),
        order("B-2", None, 5_000, "2026-10-21T18:30:00Z"),
        // Sunday 2026-11-01, the last day of its ISO week.
        order("B-3", Some(&p.code), 20_000, "2026-11-01T23:59:59.999Z"),
        // Monday 2026-11-02, the last day.
        order("B-4", Some(&p.code), 30_000, "2026-11-02T08:00:00Z"),
    ] {
        let reply = app.post("/v1/checkout/orders", key, &body).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let refund = app
        .post(
            "/v1/checkout/orders/B-3/refunds",
            key,
            &json!({"refund_id": "R-1", "amount": 5_000}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    // Another brand's order on the same day, and this brand's order in another currency.
    let theirs = app
        .post(
            "/v1/checkout/orders",
            Some(&other.api_key),
            &order("G-1", Some(&other.code), 70_000, "2026-10-21T09:00:00Z"),
        )
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    let mut euros = order("E-1", None, 40_000, "2026-10-22T09:00:00Z");
    euros["currency"] = json!("EUR");
    assert_eq!(app.post("/v1/checkout/orders", key, &euros).await.status, 201);

    let token = Some(p.brand.access_token.as_str());
    let daily = app.get("/v1/brand/stats?from=2026-10-21&to=2026-11-02", token).await;
    assert_eq!(daily.body["interval"], "day");
    let days = series(&daily);
    assert_eq!(days.len(), 13, "every day, empty ones included");
    assert_eq!(days[0], day("2026-10-21", (2, 1, 10_000, 1_000)));
    assert_eq!(
        days[1],
        day("2026-10-22", (0, 0, 0, 0)),
        "the EUR order counts in EUR only"
    );
    assert_eq!(days[11], day("2026-11-01", (1, 1, 15_000, 1_500)), "net of the refund");
    assert_eq!(days[12], day("2026-11-02", (1, 1, 30_000, 3_000)));
    assert!(
        days[2..11].iter().all(|d| (d.1, d.2, d.3, d.4) == (0, 0, 0, 0)),
        "{days:?}"
    );
    let total = |i: usize| -> i64 { days.iter().map(|d| [d.1, d.2, d.3, d.4][i]).sum() };
    assert_eq!(
        (total(0), total(1), total(2), total(3)),
        (
            daily.body["orders"].as_i64().unwrap_or(-1),
            daily.body["attributed_orders"].as_i64().unwrap_or(-1),
            daily.body["net_sales"].as_i64().unwrap_or(-1),
            daily.body["commission"].as_i64().unwrap_or(-1),
        )
    );

    let weekly = app
        .get("/v1/brand/stats?from=2026-10-21&to=2026-11-02&interval=week", token)
        .await;
    assert_eq!(weekly.body["interval"], "week");
    assert_eq!(
        series(&weekly),
        [
            // Monday 2026-10-19: the period starts on its Wednesday.
            day("2026-10-19", (2, 1, 10_000, 1_000)),
            day("2026-10-26", (1, 1, 15_000, 1_500)),
            day("2026-11-02", (1, 1, 30_000, 3_000)),
        ]
    );
    let euro_weeks = app
        .get(
            "/v1/brand/stats?from=2026-10-21&to=2026-11-02&interval=week&currency=EUR",
            token,
        )
        .await;
    assert_eq!(series(&euro_weeks)[0], day("2026-10-19", (1, 0, 0, 0)));

    // The default period: the last 30 days, by day.
    let default = app.get("/v1/brand/stats", token).await;
    let default_days = series(&default);
    assert_eq!(default_days.len(), 30);
    assert_eq!(default_days.last().map(|d| d.0.as_str()), Some("2026-11-02"));

    let bad = app.get("/v1/brand/stats?interval=month&from=x", token).await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.fields(), ["from", "interval"]);
    // The longest period by day is 366 buckets.
    let year = app.get("/v1/brand/stats?from=2025-11-02&to=2026-11-02", token).await;
    assert_eq!(series(&year).len(), 366);
}

#[tokio::test]
async fn commission_owed_splits_the_brands_ledger_into_pending_payable_and_paid() {
    let app = spawn_app().await;
    let terms = json!({"name": "Ambassadors", "commission": {"type": "percent", "rate": "10"}, "hold_days": 30});
    let p = app.program_with_terms("acme", &terms).await;
    let other = app.program_with_terms("globex", &terms).await;
    let key = Some(p.api_key.as_str());
    let post = |body: Value| {
        let app = &app;
        async move {
            let reply = app.post("/v1/checkout/orders", key, &body).await;
            assert_eq!(reply.status, 201, "{}", reply.text);
        }
    };
    // Paid: approved (its hold is over), then in a batch marked paid.
    post(order("P-1", Some(&p.code), 10_000, "2026-09-20T10:00:00Z")).await;
    app.mature().await;
    let token = app.login(&p.brand.email, "brand").await;
    let batch = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    let paid = app
        .post(
            &format!(
                "/v1/brand/payouts/{}/paid",
                batch.body["id"].as_str().unwrap_or_default()
            ),
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    // Payable: approved, then a refund reverses a part of it (reversed at once).
    post(order("A-1", Some(&p.code), 30_000, "2026-09-25T10:00:00Z")).await;
    // Pending: in its hold, and a refund reverses a part of it during the hold.
    post(order("H-1", Some(&p.code), 20_000, "2026-11-01T10:00:00Z")).await;
    for (order_id, amount) in [("A-1", 10_000), ("H-1", 5_000)] {
        let refund = app
            .post(
                &format!("/v1/checkout/orders/{order_id}/refunds"),
                key,
                &json!({"refund_id": format!("R-{order_id}"), "amount": amount}),
            )
            .await;
        assert_eq!(refund.status, 201, "{}", refund.text);
    }
    app.mature().await;
    // Another brand's ledger is not this brand's debt.
    let theirs = app
        .post(
            "/v1/checkout/orders",
            Some(&other.api_key),
            &order("G-1", Some(&other.code), 99_000, "2026-09-20T10:00:00Z"),
        )
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    app.mature().await;

    // All time, whatever the period asked for.
    let stats = app
        .get("/v1/brand/stats?from=2020-01-01&to=2020-01-31", Some(&token))
        .await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    assert_eq!(
        owed_figures(&stats),
        json!({"pending": 2_000 - 500, "payable": 3_000 - 1_000, "paid": 1_000})
    );
    let euros = app.get("/v1/brand/stats?currency=EUR", Some(&token)).await;
    assert_eq!(owed_figures(&euros), json!({"pending": 0, "payable": 0, "paid": 0}));
    // The ambassador's dashboard splits the same ledger the same way.
    let ana = app.login("ana@acme.example", "influencer").await;
    let board = app.get("/v1/me/dashboard", Some(&ana)).await;
    let totals = &board.body["brands"][0]["totals"];
    assert_eq!(
        (
            totals["pending"].clone(),
            totals["approved"].clone(),
            totals["paid"].clone()
        ),
        (json!(1_500), json!(2_000), json!(1_000))
    );
    app.clock.advance(Duration::days(40));
    app.mature().await;
    let token = app.login(&p.brand.email, "brand").await;
    let later = app.get("/v1/brand/stats", Some(&token)).await;
    assert_eq!(
        owed_figures(&later),
        json!({"pending": 0, "payable": 3_500, "paid": 1_000})
    );
}
