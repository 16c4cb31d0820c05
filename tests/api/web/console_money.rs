//! The console's money control, through the API's use cases: an order's commission is
//! held, released and rejected from its page (with the review history, who acted and
//! why), an owner adds a bonus or an adjustment on the ambassador's page; a form sent
//! twice acts once; staff review but are refused money of their own making; every form
//! needs its CSRF token; another brand's ids are 404. The ambassador reads a held order
//! as under review without the brand's reason, and a rejection and adjustments with it.

use reqwest::Method;
use serde_json::Value;

use super::console::post_console;
use super::console_payouts::staff_session;
use super::{Page, SESSION};
use crate::helpers::{Program, TestApp, spawn_app};
use crate::mail::app_with_mail;
use crate::orders::order_body;

const HOLD_WHY: &str = "Chargeback opened by the customer";
const REJECT_WHY: &str = "Bought by the ambassador for a friend";

/// Records an order through the ambassador's code; returns our id of it.
pub(super) async fn sale(app: &TestApp, p: &Program, order_id: &str) -> String {
    let reply = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &order_body(order_id, Some(&p.code)),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body["id"].as_str().unwrap().to_owned()
}

pub(super) async fn page_at(app: &TestApp, session: &str, path: &str) -> Page {
    let page = app.get_page(path, &[(SESSION, session)]).await;
    assert_eq!(page.status, 200, "{path}: {}", page.html);
    page
}

/// Sends the review form `action` of the order's page `from`, with its key.
async fn review(app: &TestApp, session: &str, from: &Page, order: &str, action: &str, reason: &str) -> Page {
    let key = from.hidden("key");
    let path = format!("/console/orders/{order}/{action}");
    post_console(app, session, from, &path, &[("key", &key), ("reason", reason)]).await
}

pub(super) fn form_for(order: &str, action: &str) -> String {
    format!("action=\"/console/orders/{order}/{action}\"")
}

pub(super) async fn api_order(app: &TestApp, p: &Program, order: &str) -> Value {
    let reply = app
        .get(&format!("/v1/brand/orders/{order}"), Some(&p.brand.access_token))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

#[tokio::test]
async fn an_owner_holds_releases_and_rejects_on_the_order_page_and_the_ambassador_reads_it() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = sale(&app, &p, "1001").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let path = format!("/console/orders/{order}");

    // A pending commission offers hold and reject, not release.
    let page = page_at(&app, &session, &path).await;
    assert!(
        page.html.contains("Nobody has reviewed this commission."),
        "{}",
        page.html
    );
    assert!(page.html.contains(&form_for(&order, "hold")));
    assert!(page.html.contains(&form_for(&order, "reject")));
    assert!(!page.html.contains(&form_for(&order, "release")));

    // A bad reason is said beside its field, and nothing is written.
    for bad in ["   ", "two\nlines"] {
        let refused = review(&app, &session, &page, &order, "hold", bad).await;
        assert_eq!(refused.status, 422, "{}", refused.html);
        assert!(refused.html.contains("id=\"hold-reason-error\""), "{}", refused.html);
        assert!(refused.html.contains("aria-invalid=\"true\""), "{}", refused.html);
    }
    assert_eq!(app.count("commission_reviews"), 0);

    // Held, and the same form sent twice holds once.
    let held = review(&app, &session, &page, &order, "hold", HOLD_WHY).await;
    assert_eq!(
        (held.status, held.location()),
        (303, format!("{path}?done=held").as_str())
    );
    let again = review(&app, &session, &page, &order, "hold", HOLD_WHY).await;
    assert_eq!((again.status, again.location()), (303, held.location()));
    assert_eq!(app.count("commission_reviews"), 1);
    let page = page_at(&app, &session, held.location()).await;
    for shown in [
        "Held for review",
        "Under review",
        "Held",
        HOLD_WHY,
        p.brand.email.as_str(),
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    assert!(page.html.contains(&form_for(&order, "release")));
    assert!(!page.html.contains(&form_for(&order, "hold")));
    assert_eq!(api_order(&app, &p, &order).await["commission"]["status"], "held");

    // The ambassador sees it under review, without the brand's reason.
    let ana = app.sign_in("ana@acme.example", "influencer").await;
    for portal in [format!("/app/orders/{order}"), "/app/orders".to_owned()] {
        let mine = page_at(&app, &ana, &portal).await;
        assert!(mine.html.contains("Under review"), "{portal}: {}", mine.html);
        assert!(!mine.html.contains("Chargeback"), "{portal}: {}", mine.html);
    }

    // The hold form of a page opened before the hold: refused by the state, said on the page.
    let stale = review(&app, &session, &page, &order, "hold", "again").await;
    assert_eq!(stale.status, 409, "{}", stale.html);
    assert!(
        stale.html.contains("The commission is already held for review."),
        "{}",
        stale.html
    );
    assert_eq!(app.count("commission_reviews"), 1);

    // Released without a note, then rejected with the reason the ambassador reads.
    let released = review(&app, &session, &page, &order, "release", "").await;
    assert_eq!(
        (released.status, released.location()),
        (303, format!("{path}?done=released").as_str())
    );
    let page = page_at(&app, &session, released.location()).await;
    let bad = review(&app, &session, &page, &order, "reject", "").await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    assert!(bad.html.contains("id=\"reject-reason-error\""), "{}", bad.html);
    let rejected = review(&app, &session, &page, &order, "reject", REJECT_WHY).await;
    assert_eq!(
        (rejected.status, rejected.location()),
        (303, format!("{path}?done=rejected").as_str())
    );
    let page = page_at(&app, &session, rejected.location()).await;
    for action in ["hold", "release", "reject"] {
        assert!(
            !page.html.contains(&form_for(&order, action)),
            "{action}: {}",
            page.html
        );
    }
    assert!(
        page.html.contains("Released") && page.html.contains(REJECT_WHY),
        "{}",
        page.html
    );
    let api = api_order(&app, &p, &order).await;
    assert_eq!(api["commission"]["status"], "rejected", "{api}");
    assert_eq!(api["reviews"].as_array().unwrap().len(), 3, "{api}");

    let mine = page_at(&app, &ana, &format!("/app/orders/{order}")).await;
    assert!(mine.html.contains("Rejected"), "{}", mine.html);
    assert!(
        mine.html
            .contains(&format!("The brand rejected this commission: {REJECT_WHY}")),
        "{}",
        mine.html
    );
    assert!(!mine.html.contains(&p.brand.email), "never which teammate acted");
    let brand = page_at(&app, &ana, &format!("/app/brands/{}", p.brand.id)).await;
    assert!(brand.html.contains(REJECT_WHY), "{}", brand.html);
}

#[tokio::test]
async fn an_owner_adds_a_bonus_and_an_adjustment_once_each_and_the_ambassador_reads_why() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let path = format!("/console/ambassadors/{}", p.membership_id);
    let action = format!("{path}/adjustments");
    let page = page_at(&app, &session, &path).await;
    assert!(page.html.contains(&format!("action=\"{action}\"")), "{}", page.html);
    assert!(page.html.contains("Amount in USD"), "{}", page.html);
    let key = page.hidden("key");
    let send = |kind: &'static str, amount: &'static str, reason: &'static str| {
        let (app, session, page, action, key) = (&app, &session, &page, &action, &key);
        async move {
            let fields = [
                ("key", key.as_str()),
                ("kind", kind),
                ("amount", amount),
                ("reason", reason),
            ];
            post_console(app, session, page, action, &fields).await
        }
    };

    // Refused fields are said beside themselves; what was typed stays; nothing is written.
    let refused = send("bonus", "12,50", " ").await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    for field in ["amount", "reason"] {
        assert!(
            refused.html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {}",
            refused.html
        );
    }
    assert!(refused.html.contains("value=\"12,50\""), "{}", refused.html);
    let negative_bonus = send("bonus", "-5", "Oops").await;
    assert_eq!(negative_bonus.status, 422, "{}", negative_bonus.html);
    assert!(
        negative_bonus.html.contains("a bonus must be more than zero"),
        "{}",
        negative_bonus.html
    );
    let zero = send("adjustment", "0.00", "Nothing").await;
    assert_eq!(zero.status, 422, "{}", zero.html);
    assert!(zero.html.contains("id=\"amount-error\""), "{}", zero.html);
    assert_eq!(app.count("ledger_entries"), 0);

    // A bonus, sent twice, is added once; the same key with other values adds nothing.
    let bonus = send("bonus", "25", "Launch video beat every target").await;
    assert_eq!(
        (bonus.status, bonus.location()),
        (303, format!("{path}?done=bonus").as_str())
    );
    let again = send("bonus", "25", "Launch video beat every target").await;
    assert_eq!((again.status, again.location()), (303, bonus.location()));
    let reused = send("bonus", "99", "Launch video beat every target").await;
    assert_eq!(reused.status, 409, "{}", reused.html);
    assert!(reused.html.contains("only the first one counted"), "{}", reused.html);
    assert_eq!(app.count("ledger_entries WHERE kind = 'bonus'"), 1);

    // A negative adjustment from a fresh page (a fresh key).
    let page = page_at(&app, &session, bonus.location()).await;
    assert!(page.html.contains("The bonus is on their statement"), "{}", page.html);
    let fields = [
        ("key", page.hidden("key")),
        ("kind", "adjustment".to_owned()),
        ("amount", "-12.50".to_owned()),
        ("reason", "Double-counted sample order".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let adjusted = post_console(&app, &session, &page, &action, &fields).await;
    assert_eq!(
        (adjusted.status, adjusted.location()),
        (303, format!("{path}?done=adjustment").as_str())
    );
    let entries = app
        .get(
            &format!("/v1/brand/ambassadors/{}/entries", p.membership_id),
            Some(&p.brand.access_token),
        )
        .await;
    let amounts: Vec<(Value, Value)> = entries.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].clone(), e["amount"].clone()))
        .collect();
    assert_eq!(
        amounts,
        [
            (Value::from("adjustment"), Value::from(-1_250)),
            (Value::from("bonus"), Value::from(2_500))
        ],
        "{}",
        entries.text
    );
    let page = page_at(&app, &session, &path).await;
    for shown in [
        "Launch video beat every target",
        "Double-counted sample order",
        "$12.50",
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }

    // The ambassador's statement names each with its reason.
    let ana = app.sign_in("ana@acme.example", "influencer").await;
    let brand = page_at(&app, &ana, &format!("/app/brands/{}", p.brand.id)).await;
    for shown in ["bonus", "Launch video beat every target", "Double-counted sample order"] {
        assert!(brand.html.contains(shown), "{shown}: {}", brand.html);
    }
}

#[tokio::test]
async fn every_money_form_needs_its_csrf_token_and_another_brands_ids_are_404() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let other = app.program_with_ambassador("rival").await;
    let order = sale(&app, &p, "1001").await;
    let theirs = sale(&app, &other, "9001").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let cookies = [(SESSION, session.as_str())];
    let page = page_at(&app, &session, &format!("/console/orders/{order}")).await;
    let key = page.hidden("key");

    let forged: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("/console/orders/{order}/hold"), vec![("reason", "x")]),
        (format!("/console/orders/{order}/release"), vec![]),
        (format!("/console/orders/{order}/reject"), vec![("reason", "x")]),
        (
            format!("/console/ambassadors/{}/adjustments", p.membership_id),
            vec![("kind", "bonus"), ("amount", "5"), ("reason", "x")],
        ),
    ];
    for (path, fields) in &forged {
        let mut all = vec![("csrf", "forged"), ("key", key.as_str())];
        all.extend(fields.iter().copied());
        let refused = app.page(Method::POST, path, &cookies, Some(&all)).await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.html);
    }
    assert_eq!(app.count("commission_reviews"), 0);
    assert_eq!(app.count("ledger_entries WHERE kind = 'bonus'"), 0);

    // Another brand's order and ambassador are 404, as none is; nothing of theirs moves.
    let missing = uuid::Uuid::now_v7().to_string();
    for id in [&theirs, &missing] {
        assert_eq!(
            app.get_page(&format!("/console/orders/{id}"), &cookies).await.status,
            404
        );
        for action in ["hold", "reject"] {
            let refused = review(&app, &session, &page, id, action, "not yours").await;
            assert_eq!(refused.status, 404, "{action}: {}", refused.html);
        }
    }
    for id in [&other.membership_id, &missing] {
        let fields = [
            ("key", key.as_str()),
            ("kind", "bonus"),
            ("amount", "5"),
            ("reason", "not yours"),
        ];
        let refused = post_console(
            &app,
            &session,
            &page,
            &format!("/console/ambassadors/{id}/adjustments"),
            &fields,
        )
        .await;
        assert_eq!(refused.status, 404, "{}", refused.html);
    }
    assert_eq!(app.count("commission_reviews"), 0);
    assert_eq!(app.count("ledger_entries WHERE kind = 'bonus'"), 0);

    // A form without the page's one-time key is refused as one the console did not render.
    let keyless = post_console(
        &app,
        &session,
        &page,
        &format!("/console/orders/{order}/hold"),
        &[("reason", "no key")],
    )
    .await;
    assert_eq!(keyless.status, 400, "{}", keyless.html);
    assert_eq!(app.count("commission_reviews"), 0);
}

#[tokio::test]
async fn staff_review_commissions_but_see_no_adjustment_form_and_are_refused_one() {
    let (app, sink) = app_with_mail().await;
    let p = app.program_with_ambassador("acme").await;
    let order = sale(&app, &p, "1001").await;
    let owner = app.login(&p.brand.email, "brand").await;
    let staff = staff_session(&app, &sink, &owner, "pat@acme.example").await;

    let path = format!("/console/ambassadors/{}", p.membership_id);
    let page = page_at(&app, &staff, &path).await;
    assert!(!page.html.contains("/adjustments\""), "{}", page.html);
    let owner_session = app.sign_in(&p.brand.email, "brand").await;
    let key = page_at(&app, &owner_session, &path).await.hidden("key");
    let fields = [
        ("key", key.as_str()),
        ("kind", "bonus"),
        ("amount", "50"),
        ("reason", "From staff"),
    ];
    let refused = post_console(&app, &staff, &page, &format!("{path}/adjustments"), &fields).await;
    assert_eq!(refused.status, 403, "{}", refused.html);
    assert!(refused.html.contains("Only an owner"), "{}", refused.html);
    assert_eq!(app.count("ledger_entries WHERE kind = 'bonus'"), 0);

    // Staff may hold a commission; the history names them.
    let order_page = page_at(&app, &staff, &format!("/console/orders/{order}")).await;
    let held = review(&app, &staff, &order_page, &order, "hold", HOLD_WHY).await;
    assert_eq!(held.status, 303, "{}", held.html);
    let seen = page_at(&app, &owner_session, held.location()).await;
    assert!(seen.html.contains("pat@acme.example"), "{}", seen.html);
}
