//! The console's orders and free items: the order list agrees with `GET
//! /v1/brand/orders` filter for filter, an order's page shows its attribution record,
//! claimed items are shipped through a CSRF-checked form, and another brand's ids are
//! 404.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use super::console::post_console;
use super::{Page, SESSION};
use crate::helpers::{Program, TestApp, spawn_app};
use crate::orders::order_body;

const SCRIPT_NAME: &str = "<script>alert(1)</script> Ben";

async fn record(app: &TestApp, p: &Program, body: &Value) -> Value {
    let reply = app.post("/v1/checkout/orders", Some(&p.api_key), body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

/// The order ids a console page links to, in the page's order.
fn linked_orders(page: &Page) -> Vec<String> {
    let marker = "href=\"/console/orders/";
    page.html
        .match_indices(marker)
        .map(|(at, _)| page.html[at + marker.len()..at + marker.len() + 36].to_owned())
        .collect()
}

/// The ids of the API's answer to `GET /v1/brand/orders?{query}`.
async fn api_orders(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let reply = app.get(&format!("/v1/brand/orders?{query}"), Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Acme with Ana and Ben (whose name is markup), orders over two days; returns (acme,
/// Ben's membership, Ben's code, a fresh brand token).
async fn acme_with_orders(app: &TestApp) -> (Program, String, String, String) {
    let p = app.program_with_ambassador("acme").await;
    let (ben, ben_id, ben_code) = app.add_ambassador(&p, &p.brand.access_token, "ben@acme.example").await;
    let renamed = app
        .patch("/v1/me", Some(&ben.access_token), &json!({"display_name": SCRIPT_NAME}))
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    for n in 0..3 {
        record(app, &p, &order_body(&format!("A-{n}"), Some(&p.code))).await;
    }
    record(app, &p, &order_body("B-1", Some(&ben_code))).await;
    record(app, &p, &order_body("NONE-1", None)).await;
    app.clock.advance(Duration::days(1));
    record(app, &p, &order_body("A-9", Some(&p.code))).await;
    record(app, &p, &order_body("B-2", Some(&ben_code))).await;
    let token = app.login(&p.brand.email, "brand").await;
    (p, ben_id, ben_code, token)
}

#[tokio::test]
async fn the_order_list_agrees_with_the_api_filter_for_filter_and_escapes_names() {
    let app = spawn_app().await;
    let (p, ben, ben_code, token) = acme_with_orders(&app).await;
    let other = app.program_with_ambassador("beans").await;
    record(&app, &other, &order_body("BEANS-1", Some(&other.code))).await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let cookies = [(SESSION, session.as_str())];

    let all = app.get_page("/console/orders", &cookies).await;
    assert_eq!(all.status, 200, "{}", all.html);
    assert!(
        all.html
            .contains(r#"<a href="/console/orders" aria-current="page">Orders</a>"#)
    );
    assert_eq!(linked_orders(&all), api_orders(&app, &token, "").await);
    assert_eq!(linked_orders(&all).len(), 7, "only the brand's own orders");
    assert!(all.html.contains("Ana Influencer") && all.html.contains(&format!("<code>{}</code>", p.code)));
    assert!(!all.html.contains("<script>alert(1)"), "{}", all.html);
    assert!(
        all.html.contains("&#60;script&#62;alert(1)&#60;/script&#62; Ben"),
        "{}",
        all.html
    );

    let filters = [
        (
            format!("from=2026-11-03&to=2026-11-03&ambassador={ben}"),
            format!("from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z&ambassador_id={ben}"),
            1,
        ),
        (
            "to=2026-11-02&status=pending".to_owned(),
            "to=2026-11-03T00:00:00Z&status=pending".to_owned(),
            4,
        ),
        ("status=none".to_owned(), "status=none".to_owned(), 1),
        (
            format!("code={}", ben_code.to_lowercase()),
            format!("code={}", ben_code.to_lowercase()),
            2,
        ),
        ("code=NOT-A-CODE".to_owned(), "code=NOT-A-CODE".to_owned(), 0),
    ];
    for (page_query, api_query, count) in &filters {
        let page = app.get_page(&format!("/console/orders?{page_query}"), &cookies).await;
        assert_eq!(page.status, 200, "{page_query}: {}", page.html);
        let api = api_orders(&app, &token, api_query).await;
        assert_eq!(linked_orders(&page), api, "{page_query}");
        assert_eq!(api.len(), *count, "{page_query}");
    }
    let bens = app
        .get_page(&format!("/console/orders?ambassador={ben}"), &cookies)
        .await;
    assert_eq!(linked_orders(&bens).len(), 2);
    assert!(
        bens.html.contains(&format!("<option value=\"{ben}\" selected>")),
        "{}",
        bens.html
    );

    // Refused filters are said beside their fields, and nothing is listed.
    let bad = app
        .get_page("/console/orders?from=yesterday&status=lost&ambassador=x", &cookies)
        .await;
    assert_eq!(bad.status, 400, "{}", bad.html);
    for field in ["from", "status", "ambassador"] {
        assert!(
            bad.html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {}",
            bad.html
        );
    }
    assert!(linked_orders(&bad).is_empty());
    assert!(bad.html.contains("value=\"yesterday\""), "what was typed stays");
}

#[tokio::test]
async fn the_csv_download_is_the_apis_file_for_the_same_filters() {
    let app = spawn_app().await;
    let (p, ben, ben_code, token) = acme_with_orders(&app).await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let cookies = [(SESSION, session.as_str())];
    let filtered = format!("from=2026-11-02&to=2026-11-03&status=pending&ambassador={ben}&code={ben_code}");
    let list = app.get_page(&format!("/console/orders?{filtered}"), &cookies).await;
    assert_eq!(list.status, 200, "{}", list.html);
    let link = filtered.replace('&', "&#38;");
    assert!(
        list.html.contains(&format!("href=\"/console/orders.csv?{link}\"")),
        "the download carries the filters: {}",
        list.html
    );
    let files = [
        (String::new(), String::new(), 7),
        (
            filtered,
            format!(
                "from=2026-11-02T00:00:00Z&to=2026-11-04T00:00:00Z&status=pending&ambassador_id={ben}&code={ben_code}"
            ),
            2,
        ),
        ("to=2026-11-02".to_owned(), "to=2026-11-03T00:00:00Z".to_owned(), 5),
    ];
    for (page_query, api_query, rows) in files {
        let page = app
            .get_page(&format!("/console/orders.csv?{page_query}"), &cookies)
            .await;
        assert_eq!(page.status, 200, "{page_query}: {}", page.html);
        let api = app
            .get(&format!("/v1/brand/orders.csv?{api_query}"), Some(&token))
            .await;
        assert_eq!(api.status, 200, "{api_query}: {}", api.text);
        assert_eq!(page.html, api.text, "{page_query}");
        assert_eq!(page.html.lines().count(), rows + 1, "{page_query}: {}", page.html);
        for header in ["content-type", "content-disposition"] {
            assert_eq!(page.headers.get(header), api.headers.get(header), "{header}");
        }
    }
    let all = app.get_page("/console/orders.csv", &cookies).await;
    assert!(
        all.html.contains("<script>alert(1)</script> Ben"),
        "a CSV cell is text, not markup"
    );
    let bad = app.get_page("/console/orders.csv?status=lost", &cookies).await;
    assert_eq!(bad.status, 400, "{}", bad.html);
    let anonymous = app.get_page("/console/orders.csv", &[]).await;
    assert_eq!((anonymous.status, anonymous.location()), (303, "/login"));
}

#[tokio::test]
async fn older_orders_are_a_link_that_keeps_the_filters() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    for n in 0..27 {
        record(&app, &p, &order_body(&format!("P-{n:02}"), Some(&p.code))).await;
    }
    record(&app, &p, &order_body("UNATTRIBUTED", None)).await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let cookies = [(SESSION, session.as_str())];
    let first = app.get_page("/console/orders?status=pending", &cookies).await;
    assert_eq!(first.status, 200, "{}", first.html);
    assert_eq!(linked_orders(&first).len(), 25);
    assert!(first.html.contains(">P-26</a>") && !first.html.contains("UNATTRIBUTED"));
    let marker = "<a href=\"";
    let older_at = first.html.find("Older orders →").unwrap();
    let link_start = first.html[..older_at].rfind(marker).unwrap() + marker.len();
    let href = first.html[link_start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&");
    assert!(href.starts_with("/console/orders?status=pending&after="), "{href}");
    let second = app.get_page(&href, &cookies).await;
    assert_eq!(second.status, 200, "{}", second.html);
    assert_eq!(linked_orders(&second).len(), 2);
    assert!(second.html.contains(">P-00</a>") && second.html.contains("← Newest orders"));
    assert!(!second.html.contains("Older orders →"));
}

#[tokio::test]
async fn an_order_page_shows_every_candidate_and_why_the_winner_won() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let (_, _, ben_code) = app.add_ambassador(&p, &p.brand.access_token, "ben@acme.example").await;
    let click = app.click("acme", &ben_code, "test-browser").await;
    let mut body = order_body("BOTH-1", Some(&p.code));
    body["click_id"] = json!(click);
    let order = record(&app, &p, &body).await;
    let id = order["id"].as_str().unwrap();
    let refund = app
        .post(
            "/v1/checkout/orders/BOTH-1/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "R-1", "amount": 1000}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    let session = app.sign_in(&p.brand.email, "brand").await;
    let cookies = [(SESSION, session.as_str())];

    let page = app.get_page(&format!("/console/orders/{id}"), &cookies).await;
    assert_eq!(page.status, 200, "{}", page.html);
    let token = app.login(&p.brand.email, "brand").await;
    let api = app.get(&format!("/v1/brand/orders/{id}"), Some(&token)).await;
    let candidates = api.body["attribution"]["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 2, "{}", api.text);
    assert!(
        page.html.contains("code and link used; code counts first"),
        "{}",
        page.html
    );
    assert!(page.html.contains(&format!("<code>{}</code>", p.code)));
    assert!(page.html.contains(&format!("<code>{ben_code}</code>")));
    assert!(page.html.contains(&click), "the link's visit is named");
    assert_eq!(page.html.matches("<strong>Winner</strong>").count(), 1);
    // The winner is the code's row, the first one checked.
    let winner_row = page.html[..page.html.find("<strong>Winner</strong>").unwrap()]
        .rsplit("<tr>")
        .next()
        .unwrap();
    assert!(
        winner_row.contains(&p.code) && winner_row.contains(">Code<"),
        "{winner_row}"
    );
    for shown in [
        ">BEANS<",
        ">MUG<",
        ">R-1<",
        ">commission<",
        ">reversal<",
        "$59.49",
        "$5.95",
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    assert!(page.html.contains("Ana Influencer"));

    // Another brand's order, and no order, are 404.
    let other = app.program_with_ambassador("beans").await;
    let theirs = record(&app, &other, &order_body("BEANS-1", Some(&other.code))).await;
    for path in [
        format!("/console/orders/{}", theirs["id"].as_str().unwrap()),
        format!("/console/orders/{}", uuid::Uuid::now_v7()),
        "/console/orders/not-an-id".to_owned(),
    ] {
        assert_eq!(app.get_page(&path, &cookies).await.status, 404, "{path}");
    }
}

#[tokio::test]
async fn a_held_order_says_which_signals_held_it_in_the_list_and_on_its_page() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let mut held = Value::Null;
    for n in 1..=5 {
        let mut body = order_body(&format!("R-{n}"), Some(&p.code));
        body["customer_email"] = json!("cleo@example.com");
        held = record(&app, &p, &body).await;
    }
    assert_eq!(held["signals"], json!(["repeat_customer"]), "{held}");
    let session = app.sign_in(&p.brand.email, "brand").await;
    let cookies = [(SESSION, session.as_str())];

    let list = app.get_page("/console/orders?status=held", &cookies).await;
    assert_eq!(list.status, 200, "{}", list.html);
    assert_eq!(linked_orders(&list), [held["id"].as_str().unwrap().to_owned()]);
    assert!(list.html.contains("Signals: repeat customer"), "{}", list.html);

    let page = app
        .get_page(&format!("/console/orders/{}", held["id"].as_str().unwrap()), &cookies)
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
    for shown in [
        "<dt>Fraud signal</dt><dd>one customer ordered through the ambassador repeatedly in a short time</dd>",
        "by reftrack&#39;s fraud review",
        "Held automatically for review",
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
}

// ---------------------------------------------------------------------------------
// Free items
// ---------------------------------------------------------------------------------

async fn brand_rewards(app: &TestApp, email: &str, status: &str) -> Vec<Value> {
    let token = app.login(email, "brand").await;
    let reply = app
        .get(&format!("/v1/brand/rewards?status={status}"), Some(&token))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["items"].as_array().cloned().unwrap_or_default()
}

/// Acme's Ana earns two free bags (3 orders each) and claims the first.
async fn claimed_reward(app: &TestApp, p: &Program) -> (String, String) {
    for n in 0..6 {
        record(app, p, &order_body(&format!("R-{n}"), Some(&p.code))).await;
    }
    app.clock.advance(Duration::days(30) + Duration::minutes(1));
    assert!(app.mature().await.rewards_granted >= 2);
    let ana = app
        .login(
            &format!("ana@{}", p.brand.email.split('@').nth(1).unwrap()),
            "influencer",
        )
        .await;
    let mine = app.get("/v1/me/rewards", Some(&ana)).await;
    let first = mine.body["items"][0]["id"].as_str().unwrap().to_owned();
    let second = mine.body["items"][1]["id"].as_str().unwrap().to_owned();
    let claim = app
        .post(
            &format!("/v1/me/rewards/{first}/claim"),
            Some(&ana),
            &json!({"shipping_name": "Ana <b>Influencer</b>", "shipping_address": "1 Main St\nSpringfield"}),
        )
        .await;
    assert_eq!(claim.status, 200, "{}", claim.text);
    (first, second)
}

#[tokio::test]
async fn a_claimed_free_item_is_marked_shipped_through_the_form() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let (claimed, earned) = claimed_reward(&app, &p).await;
    let other = app.program_with_ambassador("beans").await;
    let (theirs, _) = claimed_reward(&app, &other).await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let cookies = [(SESSION, session.as_str())];

    let list = app.get_page("/console/rewards", &cookies).await;
    assert_eq!(list.status, 200, "{}", list.html);
    assert!(list.html.contains("1 Main St<br>Springfield"), "{}", list.html);
    assert!(
        list.html.contains("Ana &#60;b&#62;Influencer&#60;/b&#62;"),
        "{}",
        list.html
    );
    assert!(
        list.html
            .contains(&format!("action=\"/console/rewards/{claimed}/fulfil\""))
    );
    assert!(!list.html.contains(&theirs), "only the brand's own items");
    let earned_tab = app.get_page("/console/rewards?status=earned", &cookies).await;
    assert_eq!(earned_tab.status, 200);
    assert!(earned_tab.html.contains(&format!("id=\"reward-{earned}\"")));
    assert!(!earned_tab.html.contains("Mark shipped"));
    let shipped_tab = app.get_page("/console/rewards?status=fulfilled", &cookies).await;
    assert!(shipped_tab.html.contains("No free item has been shipped yet."));
    assert_eq!(app.get_page("/console/rewards?status=lost", &cookies).await.status, 400);

    let path = format!("/console/rewards/{claimed}/fulfil");
    // Without the form's CSRF token: refused, nothing changed.
    let forged = app
        .page(
            Method::POST,
            &path,
            &cookies,
            Some(&[("csrf", "forged"), ("tracking", "1Z")]),
        )
        .await;
    assert_eq!(forged.status, 403);
    // A tracking reference the API refuses is refused beside its box.
    let long = "x".repeat(501);
    let refused = post_console(&app, &session, &list, &path, &[("tracking", &long), ("carrier", "DHL")]).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(
        refused.html.contains(&format!("id=\"tracking-{claimed}-error\"")),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("value=\"DHL\""), "what was typed stays");
    let two_lines = post_console(&app, &session, &list, &path, &[("carrier", "DHL\nExpress")]).await;
    assert_eq!(two_lines.status, 422, "{}", two_lines.html);
    assert!(
        two_lines.html.contains(&format!("id=\"carrier-{claimed}-error\"")),
        "{}",
        two_lines.html
    );
    assert!(brand_rewards(&app, &p.brand.email, "fulfilled").await.is_empty());

    // Another brand's item is 404 and stays as it was.
    let stranger = post_console(&app, &session, &list, &format!("/console/rewards/{theirs}/fulfil"), &[]).await;
    assert_eq!(stranger.status, 404);
    assert!(brand_rewards(&app, &other.brand.email, "fulfilled").await.is_empty());

    let fields = [("tracking", "1Z999AA1"), ("carrier", " DHL Express ")];
    let shipped = post_console(&app, &session, &list, &path, &fields).await;
    assert_eq!(
        (shipped.status, shipped.location()),
        (303, "/console/rewards?done=shipped")
    );
    let fulfilled = brand_rewards(&app, &p.brand.email, "fulfilled").await;
    assert_eq!(fulfilled.len(), 1);
    assert_eq!(fulfilled[0]["id"].as_str(), Some(claimed.as_str()));
    assert_eq!(fulfilled[0]["tracking"], "1Z999AA1");
    assert_eq!(fulfilled[0]["carrier"], "DHL Express");
    let after = app.get_page("/console/rewards?done=shipped", &cookies).await;
    assert!(after.html.contains("role=\"status\""));
    let shipped_tab = app.get_page("/console/rewards?status=fulfilled", &cookies).await;
    assert!(
        shipped_tab.html.contains("<code>1Z999AA1</code>"),
        "{}",
        shipped_tab.html
    );
    assert!(
        shipped_tab.html.contains("Shipped with DHL Express."),
        "{}",
        shipped_tab.html
    );

    // Shipping it again, or an item not claimed yet, is a page that says why.
    let again = post_console(&app, &session, &list, &path, &[]).await;
    assert_eq!(again.status, 409, "{}", again.html);
    assert!(again.html.contains("Already shipped"));
    let unclaimed = post_console(&app, &session, &list, &format!("/console/rewards/{earned}/fulfil"), &[]).await;
    assert_eq!(unclaimed.status, 409, "{}", unclaimed.html);
    assert!(unclaimed.html.contains("Not claimed yet"));
}
