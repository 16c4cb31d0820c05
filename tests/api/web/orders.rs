//! The orders pages: the list with its filters and pages, and one order in full.

use chrono::{TimeZone, Utc};

use super::{Page, SESSION};
use crate::dashboard::{ana, cancel, jpy_brand, mature_at, order_at, recorded, refund, yen_order};
use crate::helpers::spawn_app;
use crate::orders::order_body;

/// The shop order ids of the list's rows, top to bottom.
fn rows(page: &Page) -> Vec<String> {
    page.html
        .split("<th scope=\"row\"><a href=\"/app/orders/")
        .skip(1)
        .map(|rest| rest.split('>').nth(1).unwrap().split('<').next().unwrap().to_owned())
        .collect()
}

/// The `href` of the link whose text is `text`, unescaped (askama writes `&` as `&#38;`).
fn link(page: &Page, text: &str) -> String {
    let end = page
        .html
        .find(&format!("\">{text}</a>"))
        .unwrap_or_else(|| panic!("no {text} link in {}", page.html));
    let start = page.html[..end].rfind("href=\"").unwrap() + "href=\"".len();
    page.html[start..end].replace("&#38;", "&")
}

#[tokio::test]
async fn the_orders_page_shows_money_countdowns_and_attribution_and_filters_by_brand_and_status() {
    let app = spawn_app().await;
    let acme = app.program_with_ambassador("acme").await;
    let bean = jpy_brand(&app, "bean", "Bean Tea", &ana("acme"), &acme.influencer).await;
    recorded(&app, &acme, &order_at("1001", &acme.code, "2026-10-01T12:00:00Z")).await;
    recorded(&app, &acme, &order_body("1002", Some(&acme.code))).await;
    refund(&app, &acme, "1002", "r1", 1000).await;
    recorded(&app, &bean, &yen_order("J-1", &bean.code)).await;
    recorded(&app, &acme, &order_body("1003", Some(&acme.code))).await;
    cancel(&app, &acme, "1003").await;
    mature_at(&app, Utc.with_ymd_and_hms(2026, 11, 2, 12, 30, 0).unwrap()).await;
    let session = app.sign_in(&ana("acme"), "influencer").await;
    let cookies = [(SESSION, session.as_str())];

    let all = app.get_page("/app/orders", &cookies).await;
    assert_eq!(all.status, 200, "{}", all.html);
    assert!(
        all.html
            .contains(r#"<a href="/app/orders" aria-current="page">Orders</a>"#)
    );
    assert_eq!(rows(&all), ["1003", "J-1", "1002", "1001"]);
    for shown in [
        "$59.49",
        "$5.95",
        "$1.00",
        "¥5,000",
        "¥500",
        "2 Nov 2026",
        "1 Oct 2026",
        "Bean Tea",
        "Acme Coffee",
        "Payable",
        "Reversed",
        "payable in 29 days",
        "the customer used your code",
    ] {
        assert!(all.html.contains(shown), "{shown} is not shown: {}", all.html);
    }
    // The brand select offers both brands.
    for brand in [&acme.brand.id, &bean.brand.id] {
        assert!(
            all.html.contains(&format!("<option value=\"{brand}\">")),
            "{}",
            all.html
        );
    }

    let pending = app.get_page("/app/orders?status=pending", &cookies).await;
    assert_eq!(rows(&pending), ["J-1", "1002"]);
    assert!(pending.html.contains(r#"<option value="pending" selected>"#));
    let approved = app.get_page("/app/orders?status=approved&brand=", &cookies).await;
    assert_eq!(rows(&approved), ["1001"]);
    let bean_only = app
        .get_page(&format!("/app/orders?brand={}&status=", bean.brand.id), &cookies)
        .await;
    assert_eq!(rows(&bean_only), ["J-1"]);
    assert!(
        bean_only
            .html
            .contains(&format!("<option value=\"{}\" selected>Bean Tea", bean.brand.id))
    );
    let both = app
        .get_page(&format!("/app/orders?brand={}&status=pending", acme.brand.id), &cookies)
        .await;
    assert_eq!(rows(&both), ["1002"]);
    let none = app.get_page("/app/orders?status=paid", &cookies).await;
    assert_eq!((none.status, rows(&none).len()), (200, 0));
    assert!(none.html.contains("No orders match these filters."));

    // A filter the page does not know is a 400 page that says so.
    for (query, says) in [
        (
            "status=lost",
            "must be one of pending, held, approved, paid, reversed, rejected, none",
        ),
        ("brand=nope", "not one of your brands"),
        ("after=nope", "not one this list gave"),
    ] {
        let refused = app.get_page(&format!("/app/orders?{query}"), &cookies).await;
        assert_eq!(refused.status, 400, "{query}: {}", refused.html);
        assert!(refused.html.contains(says), "{query}: {}", refused.html);
        assert!(refused.html.contains("<h1>"), "{query}: a page, not a bare message");
    }
}

#[tokio::test]
async fn the_older_orders_link_carries_the_cursor_and_the_filters() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    for n in 1..=27 {
        recorded(&app, &p, &order_body(&format!("o{n:02}"), Some(&p.code))).await;
    }
    let session = app.sign_in(&ana("acme"), "influencer").await;
    let cookies = [(SESSION, session.as_str())];
    let first = app
        .get_page(&format!("/app/orders?status=pending&brand={}", p.brand.id), &cookies)
        .await;
    let shown = rows(&first);
    assert_eq!(shown.len(), 25);
    assert_eq!((shown[0].as_str(), shown[24].as_str()), ("o27", "o03"));
    assert!(!first.html.contains("Newest orders"));
    let older = link(&first, "Older orders →");
    assert!(older.contains("status=pending"), "{older}");
    assert!(older.contains(&format!("brand={}", p.brand.id)), "{older}");
    assert!(older.contains("after="), "{older}");
    let second = app.get_page(&older, &cookies).await;
    assert_eq!(second.status, 200, "{}", second.html);
    assert_eq!(rows(&second), ["o02", "o01"]);
    assert!(!second.html.contains("Older orders"));
    let newest = link(&second, "← Newest orders");
    assert_eq!(rows(&app.get_page(&newest, &cookies).await).len(), 25);
}

#[tokio::test]
async fn an_orders_page_shows_its_lines_refunds_and_terms_and_another_influencers_is_404() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = recorded(&app, &p, &order_body("1002", Some(&p.code))).await;
    refund(&app, &p, "1002", "r1", 1000).await;
    let (_, _, bo_code) = app.add_ambassador(&p, &p.brand.access_token, "bo@acme.example").await;
    let bos = recorded(&app, &p, &order_body("2001", Some(&bo_code))).await;
    let id = order["id"].as_str().unwrap();
    let session = app.sign_in(&ana("acme"), "influencer").await;
    let cookies = [(SESSION, session.as_str())];

    let list = app.get_page("/app/orders", &cookies).await;
    assert!(
        list.html.contains(&format!("href=\"/app/orders/{id}\">1002</a>")),
        "{}",
        list.html
    );
    let detail = app.get_page(&format!("/app/orders/{id}"), &cookies).await;
    assert_eq!(detail.status, 200, "{}", detail.html);
    for shown in [
        "<h1>Order 1002</h1>",
        "Acme Coffee",
        "$59.49",
        "$5.95",
        "$1.00",
        "10 %",
        "version 1",
        "2 Dec 2026, 12:00 UTC (payable in 30 days)",
        "Code: the customer used your code",
        "BEANS",
        "$25.00",
        "r1",
        "reversal",
        "-$1.00",
    ] {
        assert!(detail.html.contains(shown), "{shown} is not shown: {}", detail.html);
    }

    // Bo's order and an order that does not exist are both 404 for Ana.
    for other in [
        bos["id"].as_str().unwrap().to_owned(),
        uuid::Uuid::now_v7().to_string(),
        "not-an-id".to_owned(),
    ] {
        let page = app.get_page(&format!("/app/orders/{other}"), &cookies).await;
        assert_eq!(page.status, 404, "{other}: {}", page.html);
    }
    let bo = app.sign_in("bo@acme.example", "influencer").await;
    let theirs = app.get_page(&format!("/app/orders/{id}"), &[(SESSION, &bo)]).await;
    assert_eq!(theirs.status, 404, "{}", theirs.html);
    // A brand user has no orders page here.
    let brand = app.sign_in(&p.brand.email, "brand").await;
    let elsewhere = app.get_page("/app/orders", &[(SESSION, &brand)]).await;
    assert_eq!((elsewhere.status, elsewhere.location()), (303, "/console"));
}
