//! The overview's chart and activity, and the one-brand page: terms in words, tier
//! standing, codes, free-item progress and the statement.

use serde_json::json;

use super::SESSION;
use crate::helpers::spawn_app;
use crate::orders::order_body;

fn tiered_terms() -> serde_json::Value {
    json!({
        "name": "Ambassadors",
        "commission": {"type": "percent", "rate": "10", "tiers": [{"from_amount": 100000, "rate": "15"}]},
        "customer_discount": {"type": "percent", "value": "15"},
        "hold_days": 30,
        "rewards": [{"every_orders": 3, "sku": "FREE-BAG", "description": "A free bag of coffee"}],
        "min_payout": 2000
    })
}

#[tokio::test]
async fn the_brand_page_says_the_terms_the_standing_the_progress_and_the_statement() {
    let app = spawn_app().await;
    let p = app.program_with_terms("acme", &tiered_terms()).await;
    let order = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &order_body("1001", Some(&p.code)),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let session = app.sign_in("ana@acme.example", "influencer").await;
    let page = app
        .get_page(&format!("/app/brands/{}", p.brand.id), &[(SESSION, &session)])
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
    let html = &page.html;
    for expected in [
        "<h1>Acme Coffee</h1>",
        // Money, and when the pending commission becomes payable (hold of 30 days).
        "$5.95",
        "Next money becomes payable in 30 days (2 Dec 2026).",
        // The terms in words.
        "10 % of each sale you refer",
        "15 % from $1,000.00 a month",
        "15 % off",
        "once at least $20.00 is payable",
        // Where the ambassador stands this month: $59.49 of $1,000.00.
        "This month so far: $59.49 in sales through you, so new orders earn 10 %.",
        "$940.51 more this month and they earn 15 %.",
        // Free-item progress: the order counts once its hold is over.
        "0 of 3 orders",
        "<progress value=\"0\" max=\"3\"",
        // The code with its link, a copy button and a QR code.
        &format!("value=\"https://go.example/r/acme/{}\"", p.code),
        "data-copy=\"link-1\"",
        "alt=\"QR code of the referral link",
        // The statement.
        "pending, payable in 30 days",
    ] {
        assert!(html.contains(expected), "`{expected}` is missing from {html}");
    }
    // The overview links each brand to its page.
    let overview = app.get_page("/app", &[(SESSION, &session)]).await;
    assert!(
        overview.html.contains(&format!("href=\"/app/brands/{}\"", p.brand.id)),
        "{}",
        overview.html
    );
}

#[tokio::test]
async fn another_brand_or_a_malformed_id_is_not_found() {
    let app = spawn_app().await;
    let _acme = app.program_with_ambassador("acme").await;
    let beans = app.program_with_ambassador("beans").await;
    let session = app.sign_in("ana@acme.example", "influencer").await;
    for path in [
        format!("/app/brands/{}", beans.brand.id),
        "/app/brands/not-an-id".to_owned(),
        "/app/brands/01968f13-5b6c-7d8e-9f0a-1b2c3d4e5f6a".to_owned(),
    ] {
        let page = app.get_page(&path, &[(SESSION, &session)]).await;
        assert_eq!(page.status, 404, "{path}: {}", page.html);
    }
    // Not signed in: to the sign-in page.
    let anonymous = app.get_page(&format!("/app/brands/{}", beans.brand.id), &[]).await;
    assert_eq!((anonymous.status, anonymous.location()), (303, "/login"));
}

#[tokio::test]
async fn the_overview_charts_commission_by_month_and_counts_the_periods_activity() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    // Two visitors (the same one twice would count once).
    app.click("acme", &p.code, "Mozilla/5.0 (phone)").await;
    app.click("acme", &p.code, "Mozilla/5.0 (laptop)").await;
    let order = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &order_body("1001", Some(&p.code)),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let session = app.sign_in("ana@acme.example", "influencer").await;
    let overview = app.get_page("/app", &[(SESSION, &session)]).await;
    assert_eq!(overview.status, 200, "{}", overview.html);
    let html = &overview.html;
    for expected in [
        "Last 12 months: 1 Dec 2025 to 2 Nov 2026",
        "<span class=\"label\">Clicks</span><span class=\"value\">2</span>",
        "<span class=\"label\">Orders</span><span class=\"value\">1</span>",
        "<span class=\"label\">Conversion</span><span class=\"value\">50 %</span>",
        "img class=\"chart\" src=\"data:image/svg+xml;base64,",
        // The chart's table: the order's month holds its commission.
        "<th scope=\"row\">Nov 2026</th><td>$5.95</td><td>$5.95</td>",
        "<th scope=\"row\">Dec 2025</th><td>$0.00</td>",
        "Next money becomes payable in 30 days (2 Dec 2026).",
    ] {
        assert!(html.contains(expected), "`{expected}` is missing from {html}");
    }
    let month = app.get_page("/app?months=1", &[(SESSION, &session)]).await;
    assert_eq!(month.status, 200);
    assert!(
        month.html.contains("This month: 1 Nov 2026 to 2 Nov 2026"),
        "{}",
        month.html
    );
    assert!(month.html.contains("<option value=\"1\" selected>"), "{}", month.html);
    let refused = app.get_page("/app?months=7", &[(SESSION, &session)]).await;
    assert_eq!(refused.status, 400, "{}", refused.html);
    assert!(refused.html.contains("1, 3 or 12 months"));
}
