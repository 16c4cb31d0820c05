//! The console's deal pages, through the deals use cases: an owner offers a deal from
//! the form (refused fields beside themselves, a form sent twice offering once), every
//! page answers, staff are refused what commits money (offer, withdraw, answer a
//! counter-offer, cancel) but decide proof and ship gifts, every form needs its CSRF
//! token, another brand's deal is 404; and the whole path from the offer to the flat
//! fee on the ambassador's statement and its reversal.

use reqwest::Method;
use serde_json::Value;

use super::console::post_console;
use super::console_money::page_at;
use super::deal_steps::{
    TITLE, any_page, counter, decide, id_in, offer_fields, offered, prove, send, send_offer, team, with,
};
use super::{Page, SESSION};
use crate::helpers::{Program, TestApp, spawn_app};

const REJECT_WHY: &str = "The caption lacks #acmecoffee";
const REMOVED_WHY: &str = "The post was deleted after two days";

/// The influencer's totals with the brand, from the API's dashboard.
async fn totals(app: &TestApp, p: &Program) -> Value {
    let token = app.login(&format!("ana@{}.example", "acme"), "influencer").await;
    let board = app.get("/v1/me/dashboard", Some(&token)).await;
    assert_eq!(board.status, 200, "{}", board.text);
    let brand = board.body["brands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["brand_id"] == p.brand.id.as_str())
        .cloned()
        .unwrap();
    brand["totals"].clone()
}

#[tokio::test]
async fn the_offer_form_says_each_refused_field_beside_it_and_offers_once() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = app.sign_in(&p.brand.email, "brand").await;
    let ambassador = format!("ambassador:{}", p.membership_id);

    // The ambassador page offers a deal to them, preselected.
    let theirs = page_at(&app, &owner, &format!("/console/ambassadors/{}", p.membership_id)).await;
    assert!(
        theirs.html.contains("No deal with this ambassador yet."),
        "{}",
        theirs.html
    );
    let link = format!("/console/deals/new?ambassador={}", p.membership_id);
    assert!(theirs.html.contains(&link), "{}", theirs.html);
    let form = page_at(&app, &owner, &link).await;
    assert!(
        form.html.contains(&format!("<option value=\"{ambassador}\" selected>")),
        "{}",
        form.html
    );
    assert!(
        form.html.contains("href=\"/console/deals\" aria-current=\"page\""),
        "{}",
        form.html
    );

    let bad = with(
        offer_fields(&ambassador),
        &[
            ("title", " "),
            ("fee", "12,50"),
            ("deliverables[0].due_on", "2026-10-01"),
            ("deliverables[1].count", "two"),
            ("gifts[0].quantity", "0"),
        ],
    );
    let refused = send_offer(&app, &owner, &form, &bad).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    for input in [
        "title",
        "fee",
        "deliverables[0].due_on",
        "deliverables[1].count",
        "gifts[0].quantity",
    ] {
        assert!(
            refused.html.contains(&format!("id=\"{input}-error\"")),
            "{input}: {}",
            refused.html
        );
    }
    assert!(refused.html.contains("The deal was not offered"), "{}", refused.html);
    assert!(
        refused.html.contains("value=\"12,50\""),
        "what was typed stays: {}",
        refused.html
    );
    assert!(refused.html.contains("must be today or later"), "{}", refused.html);
    assert_eq!(app.count("deals"), 0);

    // Sent twice with the same key, the offer is made once; the page says so.
    let good = offer_fields(&ambassador);
    let first = send_offer(&app, &owner, &form, &good).await;
    assert_eq!(first.status, 303, "{}", first.html);
    let again = send_offer(&app, &owner, &form, &good).await;
    assert_eq!((again.status, again.location()), (303, first.location()));
    assert_eq!(app.count("deals"), 1);
    let reused = send_offer(&app, &owner, &form, &with(good, &[("fee", "99")])).await;
    assert_eq!(reused.status, 409, "{}", reused.html);
    assert!(reused.html.contains("only the first one counted"), "{}", reused.html);
    assert_eq!(app.count("deals"), 1);

    let page = page_at(&app, &owner, first.location()).await;
    for shown in [
        "Offered: the ambassador has it",
        TITLE,
        "$50.00",
        "$48.00",
        "1 × Instagram post",
        "20 Nov 2026",
        "keep each up 30 days",
        "#acmecoffee in the caption",
        "A kilo of beans",
        "Waiting for the ambassador",
        "proposed by you",
        "Tag @acme.\nNo other coffee brand",
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    assert!(page.html.contains("/withdraw\""), "{}", page.html);
}

#[tokio::test]
async fn every_deal_page_answers_and_another_brands_deal_is_404() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let rival = app.program_with_ambassador("rival").await;
    let owner = app.sign_in(&p.brand.email, "brand").await;
    let id = offered(&app, &owner, &p).await;
    let ana = app.sign_in("ana@acme.example", "influencer").await;

    let list = page_at(&app, &owner, "/console/deals").await;
    for shown in [
        TITLE,
        "Ana Influencer",
        "Offered",
        "$50.00",
        "$48.00",
        "Waiting for the ambassador",
    ] {
        assert!(list.html.contains(shown), "{shown}: {}", list.html);
    }
    assert!(
        list.html.contains("No accepted deal is waiting for proof."),
        "{}",
        list.html
    );
    for path in [
        "/console/deals?status=offered",
        "/console/deals?due=overdue",
        "/console/deals/new",
        &format!("/console/deals/{id}"),
        &format!("/console/ambassadors/{}", p.membership_id),
    ] {
        let page = page_at(&app, &owner, path).await;
        assert!(page.html.contains("<h1>"), "{path}");
    }
    let none = page_at(&app, &owner, "/console/deals?status=accepted").await;
    assert!(none.html.contains("No deal has this status."), "{}", none.html);
    let unknown = any_page(&app, &owner, "/console/deals?status=lost").await;
    assert_eq!(unknown.status, 400, "{}", unknown.html);
    assert!(unknown.html.contains("must be one of offered"), "{}", unknown.html);
    for path in ["/app/deals".to_owned(), format!("/app/deals/{id}")] {
        let page = page_at(&app, &ana, &path).await;
        assert!(page.html.contains(TITLE), "{path}: {}", page.html);
    }

    // Another brand's owner and ambassador: 404 to read and to act.
    let theirs = app.sign_in(&rival.brand.email, "brand").await;
    assert_eq!(
        any_page(&app, &theirs, &format!("/console/deals/{id}")).await.status,
        404
    );
    let from = page_at(&app, &theirs, "/console/deals").await;
    let missing = uuid::Uuid::now_v7().to_string();
    for action in [
        format!("/console/deals/{id}/withdraw"),
        format!("/console/deals/{id}/cancel"),
        format!("/console/deals/{id}/proofs/{missing}/approve"),
        format!("/console/deals/{id}/gifts/{missing}/shipment"),
    ] {
        let refused = post_console(&app, &theirs, &from, &action, &[("shipment", "delivered")]).await;
        assert_eq!(refused.status, 404, "{action}: {}", refused.html);
    }
    let stranger = app.sign_in("ana@rival.example", "influencer").await;
    assert_eq!(any_page(&app, &stranger, &format!("/app/deals/{id}")).await.status, 404);
    let mine = page_at(&app, &stranger, "/app/deals").await;
    assert!(!mine.html.contains(TITLE), "{}", mine.html);
    let refused = post_console(&app, &stranger, &mine, &format!("/app/deals/{id}/accept"), &[]).await;
    assert_eq!(refused.status, 404, "{}", refused.html);
    assert_eq!(app.count("deals WHERE status = 'offered'"), 1);
}

#[tokio::test]
async fn every_deal_form_needs_its_csrf_token() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = app.sign_in(&p.brand.email, "brand").await;
    let id = offered(&app, &owner, &p).await;
    let ana = app.sign_in("ana@acme.example", "influencer").await;
    let any = uuid::Uuid::now_v7().to_string();
    let forged = |path: String, session: String| (path, session);
    for (path, session) in [
        forged("/console/deals".to_owned(), owner.clone()),
        forged(format!("/console/deals/{id}/withdraw"), owner.clone()),
        forged(format!("/console/deals/{id}/accept-counter"), owner.clone()),
        forged(format!("/console/deals/{id}/proofs/{any}/approve"), owner.clone()),
        forged(format!("/console/deals/{id}/gifts/{any}/shipment"), owner.clone()),
        forged(format!("/app/deals/{id}/accept"), ana.clone()),
        forged(format!("/app/deals/{id}/counter"), ana.clone()),
        forged(format!("/app/deals/{id}/deliverables/{any}/proofs"), ana.clone()),
    ] {
        let fields = [("csrf", "forged"), ("fee", "60"), ("shipment", "delivered")];
        let refused = app
            .page(Method::POST, &path, &[(SESSION, session.as_str())], Some(&fields))
            .await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.html);
    }
    assert_eq!(app.count("deals WHERE status = 'offered'"), 1);
    assert_eq!(app.count("deal_versions"), 1);
}

#[tokio::test]
async fn staff_are_refused_what_commits_money_but_decide_proof_and_ship_gifts() {
    let (app, p, owner, staff, ana, _sink) = team().await;

    // The offer: the form and what it sends.
    let refused = any_page(&app, &staff, "/console/deals/new").await;
    assert_eq!(refused.status, 403, "{}", refused.html);
    assert!(refused.html.contains("Only an owner"), "{}", refused.html);
    let list = page_at(&app, &staff, "/console/deals").await;
    assert!(!list.html.contains("/console/deals/new"), "{}", list.html);
    let owners_form = page_at(&app, &owner, "/console/deals/new").await;
    let fields = offer_fields(&format!("ambassador:{}", p.membership_id));
    let key = owners_form.hidden("key");
    let mut all: Vec<(&str, &str)> = vec![("key", &key)];
    all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    let refused = post_console(&app, &staff, &list, "/console/deals", &all).await;
    assert_eq!(refused.status, 403, "{}", refused.html);
    assert_eq!(app.count("deals"), 0);

    let id = offered(&app, &owner, &p).await;
    let path = format!("/console/deals/{id}");
    let page = page_at(&app, &staff, &path).await;
    assert!(!page.html.contains("/withdraw\""), "{}", page.html);
    assert!(
        page.html.contains("Only an owner of the brand can withdraw"),
        "{}",
        page.html
    );
    let owner_only = |page: Page| {
        assert_eq!(page.status, 403, "{}", page.html);
        assert!(page.html.contains("Only an owner"), "{}", page.html);
    };
    owner_only(send(&app, &staff, &path, &format!("{path}/withdraw"), &[]).await);
    assert_eq!(counter(&app, &ana, &id, "60", "").await.status, 303);
    for answer in ["accept", "decline"] {
        owner_only(send(&app, &staff, &path, &format!("{path}/{answer}-counter"), &[]).await);
    }
    assert_eq!(app.count("deals WHERE status = 'offered' AND awaiting = 'brand'"), 1);
    let accepted = send(&app, &owner, &path, &format!("{path}/accept-counter"), &[]).await;
    assert_eq!(accepted.location(), format!("{path}?done=counter-accepted"));
    owner_only(send(&app, &staff, &path, &format!("{path}/cancel"), &[]).await);
    assert_eq!(app.count("deals WHERE status = 'accepted'"), 1);

    // Staff approve proof and ship the gift.
    assert_eq!(
        prove(&app, &ana, &id, "https://instagram.example/p/1").await.status,
        303
    );
    let approved = decide(&app, &staff, &id, "approve", &[]).await;
    assert_eq!(
        approved.location(),
        format!("{path}?done=approved"),
        "{}",
        approved.html
    );
    let page = page_at(&app, &staff, &path).await;
    let gift = id_in(&page, &format!("{path}/gifts/"));
    let ship = format!("{path}/gifts/{gift}/shipment");
    let blank = post_console(
        &app,
        &staff,
        &page,
        &ship,
        &[("shipment", "shipped"), ("carrier", "DHL")],
    )
    .await;
    assert_eq!(blank.status, 422, "{}", blank.html);
    assert!(
        blank.html.contains(&format!("id=\"ship-{gift}-tracking-error\"")),
        "{}",
        blank.html
    );
    assert!(blank.html.contains("value=\"DHL\""), "{}", blank.html);
    let fields = [("shipment", "shipped"), ("carrier", "DHL"), ("tracking", "1Z999")];
    let shipped = post_console(&app, &staff, &page, &ship, &fields).await;
    assert_eq!(shipped.location(), format!("{path}?done=shipped"), "{}", shipped.html);
    let delivered = post_console(&app, &staff, &page, &ship, &[("shipment", "delivered")]).await;
    assert_eq!(
        delivered.location(),
        format!("{path}?done=delivered"),
        "{}",
        delivered.html
    );
    let backwards = post_console(
        &app,
        &staff,
        &page,
        &ship,
        &[("shipment", "shipped"), ("carrier", "UPS"), ("tracking", "2")],
    )
    .await;
    assert_eq!(backwards.status, 409, "{}", backwards.html);
    assert!(
        backwards.html.contains("A gift&#39;s shipment only moves forward."),
        "{}",
        backwards.html
    );
    let mine = page_at(&app, &ana, &format!("/app/deals/{id}")).await;
    for shown in ["Delivered", "DHL 1Z999", "Completed"] {
        assert!(mine.html.contains(shown), "{shown}: {}", mine.html);
    }
    assert!(!mine.html.contains("pat@acme.example") && !mine.html.contains(&p.brand.email));
}

#[tokio::test]
async fn the_whole_path_from_offer_to_the_flat_fee_and_its_reversal() {
    let (app, p, owner, staff, ana, _sink) = team().await;
    let id = offered(&app, &owner, &p).await;
    let path = format!("/console/deals/{id}");
    let portal = format!("/app/deals/{id}");

    // The influencer counters at $60.00 with a note; the owner accepts it.
    let countered = counter(&app, &ana, &id, "60", "Two stories cost more").await;
    assert_eq!(
        countered.location(),
        format!("{portal}?done=countered"),
        "{}",
        countered.html
    );
    let waiting = page_at(&app, &ana, &portal).await;
    assert!(waiting.html.contains("Your fee is with the brand"), "{}", waiting.html);
    assert!(!waiting.html.contains(&format!("{portal}/accept")), "{}", waiting.html);
    let page = page_at(&app, &owner, &path).await;
    for shown in [
        "$60.00 per item",
        "proposed by the ambassador",
        "Two stories cost more",
        "Waiting for you",
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    let accepted = send(&app, &owner, &path, &format!("{path}/accept-counter"), &[]).await;
    assert_eq!(accepted.status, 303, "{}", accepted.html);
    let list = page_at(&app, &ana, "/app/deals").await;
    for shown in ["Accepted", "$60.00 per item", "Next due 20 Nov 2026"] {
        assert!(list.html.contains(shown), "{shown}: {}", list.html);
    }
    let due = page_at(&app, &owner, "/console/deals").await;
    assert!(
        due.html.contains("0 of 1 approved") && due.html.contains("20 Nov 2026"),
        "{}",
        due.html
    );

    // Proof, rejected by staff with the reason the influencer reads, then sent again.
    let first = prove(&app, &ana, &id, "https://instagram.example/p/1").await;
    assert_eq!(first.location(), format!("{portal}?done=proof"), "{}", first.html);
    let empty = decide(&app, &staff, &id, "reject", &[("reason", " ")]).await;
    assert_eq!(empty.status, 422, "{}", empty.html);
    let rejected = decide(&app, &staff, &id, "reject", &[("reason", REJECT_WHY)]).await;
    assert_eq!(
        rejected.location(),
        format!("{path}?done=rejected"),
        "{}",
        rejected.html
    );
    let mine = page_at(&app, &ana, &portal).await;
    assert!(
        mine.html.contains(REJECT_WHY) && mine.html.contains("Rejected"),
        "{}",
        mine.html
    );
    assert!(!mine.html.contains("pat@acme.example"), "never which teammate acted");
    let link = "href=\"https://instagram.example/p/1\" rel=\"noopener noreferrer nofollow\"";
    assert!(mine.html.contains(link), "{}", mine.html);
    let second = prove(&app, &ana, &id, "https://instagram.example/p/2").await;
    assert_eq!(second.status, 303, "{}", second.html);

    // The owner approves: the flat fee is pending on the statement until the post stayed up.
    let approved = decide(&app, &owner, &id, "approve", &[]).await;
    assert_eq!(approved.status, 303, "{}", approved.html);
    let page = page_at(&app, &owner, &path).await;
    assert!(
        page.html.contains("Completed") && page.html.contains("1,200 views · 80 likes"),
        "{}",
        page.html
    );
    assert_eq!(totals(&app, &p).await["pending"], 6_000);
    let statement = page_at(&app, &ana, &format!("/app/brands/{}", p.brand.id)).await;
    assert!(
        statement.html.contains("flat fee") && statement.html.contains("$60.00"),
        "{}",
        statement.html
    );

    // Reported removed before its 30 days: the fee is reversed with the reason.
    let bad_time = decide(
        &app,
        &owner,
        &id,
        "removed",
        &[("reason", REMOVED_WHY), ("removed_at", "2026-10-01T10:00")],
    )
    .await;
    assert_eq!(bad_time.status, 422, "{}", bad_time.html);
    assert!(bad_time.html.contains("-removed_at-error\""), "{}", bad_time.html);
    let removed = decide(
        &app,
        &owner,
        &id,
        "removed",
        &[("reason", REMOVED_WHY), ("removed_at", "")],
    )
    .await;
    assert_eq!(removed.location(), format!("{path}?done=removed"), "{}", removed.html);
    let money = totals(&app, &p).await;
    assert_eq!(
        (
            money["pending"].clone(),
            money["approved"].clone(),
            money["reversed"].clone()
        ),
        (0.into(), 0.into(), 6_000.into()),
        "{money}"
    );
    let statement = page_at(&app, &ana, &format!("/app/brands/{}", p.brand.id)).await;
    assert!(statement.html.contains(REMOVED_WHY), "{}", statement.html);
    let mine = page_at(&app, &ana, &portal).await;
    assert!(
        mine.html.contains("Removed") && mine.html.contains(REMOVED_WHY),
        "{}",
        mine.html
    );
}
