//! The console's "Move to another ambassador" form on an order's page, through the use
//! case of `POST /v1/brand/orders/{id}/reassign`: an owner moves an order once however
//! often the form is sent, the history says from whom to whom and why, refusals are said
//! on the page; staff see no form and are refused one; the form needs its CSRF token;
//! another brand's order is 404 and an ambassador not of the brand is a field error.

use reqwest::Method;
use serde_json::json;

use super::console::post_console;
use super::console_money::{api_order, form_for, page_at, sale};
use super::console_payouts::staff_session;
use super::{Page, SESSION};
use crate::helpers::{TestApp, spawn_app};
use crate::mail::app_with_mail;

const WHY: &str = "Bo's story drove the sale";

/// Sends the reassign form of the order's page `from`, with its key.
async fn reassign(app: &TestApp, session: &str, from: &Page, order: &str, to: &str, reason: &str) -> Page {
    let key = from.hidden("key");
    let path = format!("/console/orders/{order}/reassign");
    let fields = [("key", key.as_str()), ("ambassador", to), ("reason", reason)];
    post_console(app, session, from, &path, &fields).await
}

fn offers(page: &Page, membership: &str) -> bool {
    page.html.contains(&format!("<option value=\"{membership}\""))
}

#[tokio::test]
async fn an_owner_moves_an_order_once_and_cannot_move_it_back() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let token = p.brand.access_token.clone();
    let (_, bo, _) = app.add_ambassador(&p, &token, "bo@acme.example").await;
    let (_, cy, _) = app.add_ambassador(&p, &token, "cy@acme.example").await;
    let ended = app
        .patch(
            &format!("/v1/brand/ambassadors/{cy}"),
            Some(&token),
            &json!({"status": "ended"}),
        )
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    let order = sale(&app, &p, "1001").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let path = format!("/console/orders/{order}");

    // The brand's other ambassadors are offered: not the order's own, not an ended one.
    let page = page_at(&app, &session, &path).await;
    assert!(page.html.contains(&form_for(&order, "reassign")), "{}", page.html);
    assert!(page.html.contains("Move to another ambassador"), "{}", page.html);
    assert!(offers(&page, &bo), "{}", page.html);
    assert!(!offers(&page, &p.membership_id) && !offers(&page, &cy), "{}", page.html);

    // A bad reason, no ambassador, an id not of the brand's: said beside the field.
    let refused = reassign(&app, &session, &page, &order, &bo, "  ").await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(
        refused.html.contains("id=\"reassign-reason-error\""),
        "{}",
        refused.html
    );
    let stranger = app.program_with_ambassador("rival").await.membership_id;
    for to in ["", "not-an-id", stranger.as_str(), &uuid::Uuid::now_v7().to_string()] {
        let refused = reassign(&app, &session, &page, &order, to, WHY).await;
        assert_eq!(refused.status, 422, "{to}: {}", refused.html);
        assert!(
            refused.html.contains("id=\"reassign-to-error\""),
            "{to}: {}",
            refused.html
        );
    }
    assert_eq!(app.count("commission_reviews"), 0);

    // Moved, and the same form sent twice moves it once.
    let moved = reassign(&app, &session, &page, &order, &bo, WHY).await;
    assert_eq!(
        (moved.status, moved.location()),
        (303, format!("{path}?done=reassigned").as_str())
    );
    let again = reassign(&app, &session, &page, &order, &bo, WHY).await;
    assert_eq!((again.status, again.location()), (303, moved.location()));
    assert_eq!(app.count("commission_reviews"), 1);
    assert_eq!(
        app.count("ledger_entries"),
        3,
        "Ana's commission and its reversal, Bo's"
    );
    let api = api_order(&app, &p, &order).await;
    assert_eq!(api["ambassador_id"], bo.as_str(), "{api}");
    assert_eq!(api["attribution"]["reason"], "reassigned", "{api}");

    let page = page_at(&app, &session, moved.location()).await;
    for shown in [
        "Moved: the first ambassador",
        "Reassigned",
        "from Ana Influencer (ana@acme.example) to Ana Influencer (bo@acme.example)",
        p.brand.email.as_str(),
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    assert!(page.html.contains("Bo&#x27;s story") || page.html.contains("Bo&#39;s story"));
    assert!(offers(&page, &p.membership_id) && !offers(&page, &bo), "{}", page.html);

    // Back to Ana, or to an ambassador ended since the page was rendered: the sentence.
    let back = reassign(&app, &session, &page, &order, &p.membership_id, "Undo").await;
    assert_eq!(back.status, 409, "{}", back.html);
    assert!(
        back.html.contains("was reassigned away; correct it with adjustments."),
        "{}",
        back.html
    );
    let to_ended = reassign(&app, &session, &page, &order, &cy, "Cy").await;
    assert_eq!(to_ended.status, 409, "{}", to_ended.html);
    assert!(to_ended.html.contains("membership has ended."), "{}", to_ended.html);
    assert_eq!(app.count("commission_reviews"), 1);
    assert_eq!(api_order(&app, &p, &order).await["ambassador_id"], bo.as_str());
}

#[tokio::test]
async fn staff_see_no_form_and_are_refused_and_the_form_needs_csrf_and_the_brands_order() {
    let (app, sink) = app_with_mail().await;
    let p = app.program_with_ambassador("acme").await;
    let (_, bo, _) = app.add_ambassador(&p, &p.brand.access_token, "bo@acme.example").await;
    let order = sale(&app, &p, "1001").await;
    let other = app.program_with_ambassador("rival").await;
    let theirs = sale(&app, &other, "9001").await;
    let owner = app.login(&p.brand.email, "brand").await;
    let staff = staff_session(&app, &sink, &owner, "pat@acme.example").await;
    let path = format!("/console/orders/{order}");

    // Staff see no form; one sent anyway is the owner-only page, and nothing moves.
    let staff_page = page_at(&app, &staff, &path).await;
    assert!(
        !staff_page.html.contains(&form_for(&order, "reassign")),
        "{}",
        staff_page.html
    );
    assert!(!offers(&staff_page, &bo), "{}", staff_page.html);
    let refused = reassign(&app, &staff, &staff_page, &order, &bo, WHY).await;
    assert_eq!(refused.status, 403, "{}", refused.html);
    assert!(refused.html.contains("Only an owner"), "{}", refused.html);

    // An owner's form without the CSRF token.
    let session = app.sign_in(&p.brand.email, "brand").await;
    let page = page_at(&app, &session, &path).await;
    let key = page.hidden("key");
    let forged = [
        ("csrf", "forged"),
        ("key", key.as_str()),
        ("ambassador", bo.as_str()),
        ("reason", WHY),
    ];
    let refused = app
        .page(
            Method::POST,
            &format!("{path}/reassign"),
            &[(SESSION, session.as_str())],
            Some(&forged),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.html);

    // Another brand's order, and one that does not exist: 404.
    for id in [theirs.clone(), uuid::Uuid::now_v7().to_string()] {
        let refused = reassign(&app, &session, &page, &id, &bo, WHY).await;
        assert_eq!(refused.status, 404, "{id}: {}", refused.html);
    }
    assert_eq!(app.count("commission_reviews"), 0);
    assert_eq!(
        api_order(&app, &p, &order).await["ambassador_id"],
        p.membership_id.as_str()
    );
    assert_eq!(
        api_order(&app, &other, &theirs).await["ambassador_id"],
        other.membership_id.as_str()
    );
}
