//! The portal's deal pages: the influencer's deals with every brand, a deal offered with
//! an invitation that asks to join first, the answers and proof with their refusals
//! beside the fields or above the forms, a deliverable past its due date read overdue on
//! both doors, and a title with markup shown as text.

use chrono::Duration;
use serde_json::json;

use super::console::post_console;
use super::console_money::page_at;
use super::deal_steps::{TITLE, counter, id_in, offered, offered_to, prove};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_deal_offered_with_an_invitation_asks_to_join_the_brand_first() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let invite = app
        .post(
            "/v1/brand/invitations",
            Some(&p.brand.access_token),
            &json!({"email": "nova@acme.example", "program_id": p.program_id}),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    let invitation = invite.body["id"].as_str().unwrap().to_owned();
    app.sign_up_influencer("nova@acme.example").await;
    let owner = app.sign_in(&p.brand.email, "brand").await;
    let form = page_at(&app, &owner, "/console/deals/new").await;
    assert!(form.html.contains("Invited, not joined yet"), "{}", form.html);
    let id = offered_to(&app, &owner, &format!("invitation:{invitation}"), &[]).await;
    let console = page_at(&app, &owner, &format!("/console/deals/{id}")).await;
    assert!(
        console.html.contains("nova@acme.example (invited, not joined yet)"),
        "{}",
        console.html
    );

    let nova = app.sign_in("nova@acme.example", "influencer").await;
    let list = page_at(&app, &nova, "/app/deals").await;
    assert!(list.html.contains("join Acme Coffee first"), "{}", list.html);
    assert!(
        list.html.contains("href=\"/app/deals\" aria-current=\"page\""),
        "{}",
        list.html
    );
    let path = format!("/app/deals/{id}");
    let page = page_at(&app, &nova, &path).await;
    assert!(page.html.contains("Join Acme Coffee first"), "{}", page.html);
    assert!(page.html.contains("href=\"/app/invitations\""), "{}", page.html);
    assert!(!page.html.contains(&format!("{path}/accept")), "{}", page.html);
    let early = post_console(&app, &nova, &page, &format!("{path}/accept"), &[]).await;
    assert_eq!(early.status, 409, "{}", early.html);
    assert!(
        early.html.contains("The influencer has not joined the brand yet"),
        "{}",
        early.html
    );

    // Joined through the invitations page, the deal is theirs to accept.
    let joined = post_console(
        &app,
        &nova,
        &page,
        &format!("/app/invitations/{invitation}/accept"),
        &[],
    )
    .await;
    assert_eq!(joined.status, 303, "{}", joined.html);
    let page = page_at(&app, &nova, &path).await;
    assert!(!page.html.contains("Join Acme Coffee first"), "{}", page.html);
    let accepted = post_console(&app, &nova, &page, &format!("{path}/accept"), &[]).await;
    assert_eq!(
        accepted.location(),
        format!("{path}?done=accepted"),
        "{}",
        accepted.html
    );
    let page = page_at(&app, &nova, accepted.location()).await;
    assert!(page.html.contains("Accepted: the deal is on."), "{}", page.html);
    assert!(page.html.contains(&format!("{path}/deliverables/")), "{}", page.html);
}

#[tokio::test]
async fn answers_and_proof_are_refused_beside_their_fields_or_above_the_forms() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = app.sign_in(&p.brand.email, "brand").await;
    let id = offered(&app, &owner, &p).await;
    let ana = app.sign_in("ana@acme.example", "influencer").await;
    let path = format!("/app/deals/{id}");

    let page = page_at(&app, &ana, &path).await;
    for shown in [
        "Accept at $50.00 per item",
        "Your fee per item, in USD",
        "Waiting for you",
        "proposed by the brand",
        "A kilo of beans",
        "To ship",
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    assert!(!page.html.contains(&p.brand.email), "never which brand user acted");
    let unreadable = counter(&app, &ana, &id, "12,50", "").await;
    assert_eq!(unreadable.status, 422, "{}", unreadable.html);
    assert!(
        unreadable.html.contains(&format!("id=\"counter-{id}-fee-error\"")),
        "{}",
        unreadable.html
    );
    assert!(unreadable.html.contains("value=\"12,50\""), "{}", unreadable.html);
    let same = counter(&app, &ana, &id, "50.00", "").await;
    assert_eq!(same.status, 409, "{}", same.html);
    assert!(
        same.html
            .contains("The counter-offer proposes the fee already on the table."),
        "{}",
        same.html
    );
    assert!(
        !page.html.contains("/deliverables/"),
        "no proof form before the deal is accepted"
    );
    let accepted = post_console(&app, &ana, &page, &format!("{path}/accept"), &[]).await;
    assert_eq!(accepted.status, 303, "{}", accepted.html);

    let page = page_at(&app, &ana, &path).await;
    let deliverable = id_in(&page, &format!("{path}/deliverables/"));
    let action = format!("{path}/deliverables/{deliverable}/proofs");
    let fields = [
        ("url", "ftp://instagram.example/p/1"),
        ("published_at", "2026-12-01T10:00"),
        ("views", "many"),
    ];
    let refused = post_console(&app, &ana, &page, &action, &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    for field in ["url", "published_at", "views"] {
        assert!(
            refused
                .html
                .contains(&format!("id=\"proof-{deliverable}-{field}-error\"")),
            "{field}: {}",
            refused.html
        );
    }
    assert!(refused.html.contains("must not be in the future"), "{}", refused.html);
    assert!(
        refused.html.contains("value=\"ftp://instagram.example/p/1\""),
        "{}",
        refused.html
    );
    assert_eq!(app.count("deliverable_proofs"), 0);
    let elsewhere = format!("{path}/deliverables/{}/proofs", uuid::Uuid::now_v7());
    let fields = [
        ("url", "https://instagram.example/p/1"),
        ("published_at", "2026-11-01T10:00"),
    ];
    let missing = post_console(&app, &ana, &page, &elsewhere, &fields).await;
    assert_eq!(missing.status, 404, "another deal's deliverable: {}", missing.html);

    // Sent once, the one item has proof waiting: no form for another, and a second is refused.
    assert_eq!(
        prove(&app, &ana, &id, "https://instagram.example/p/1").await.status,
        303
    );
    let page = page_at(&app, &ana, &path).await;
    assert!(page.html.contains("Waiting for review"), "{}", page.html);
    assert!(!page.html.contains(&action), "{}", page.html);
    let fields = [
        ("url", "https://instagram.example/p/2"),
        ("published_at", "2026-11-01T10:00"),
    ];
    let full = post_console(&app, &ana, &page, &action, &fields).await;
    assert_eq!(full.status, 409, "{}", full.html);
    assert!(
        full.html.contains("already has proof approved or waiting"),
        "{}",
        full.html
    );
    assert_eq!(app.count("deliverable_proofs"), 1);
}

#[tokio::test]
async fn a_title_with_markup_is_shown_as_text_on_every_deal_page() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = app.sign_in(&p.brand.email, "brand").await;
    let title = "<script>alert(\"deal\")</script> & more";
    let to = format!("ambassador:{}", p.membership_id);
    let id = offered_to(
        &app,
        &owner,
        &to,
        &[("title", title), ("gifts[0].description", "<b>Beans</b>")],
    )
    .await;
    let ana = app.sign_in("ana@acme.example", "influencer").await;
    for (session, path) in [
        (&owner, "/console/deals".to_owned()),
        (&owner, format!("/console/deals/{id}")),
        (&owner, format!("/console/ambassadors/{}", p.membership_id)),
        (&ana, "/app/deals".to_owned()),
        (&ana, format!("/app/deals/{id}")),
    ] {
        let page = page_at(&app, session, &path).await;
        assert!(
            page.html
                .contains("&#60;script&#62;alert(&#34;deal&#34;)&#60;/script&#62; &#38; more"),
            "{path}: {}",
            page.html
        );
        assert!(!page.html.contains("<script>alert"), "{path}");
        assert!(!page.html.contains("<b>Beans"), "{path}");
    }
}

#[tokio::test]
async fn a_deliverable_past_its_due_date_reads_overdue_on_both_doors() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = app.sign_in(&p.brand.email, "brand").await;
    let id = offered(&app, &owner, &p).await;
    let none = page_at(&app, &owner, "/console/deals?due=overdue").await;
    assert!(none.html.contains("Nothing is overdue."), "{}", none.html);
    let ana = app.sign_in("ana@acme.example", "influencer").await;
    let page = page_at(&app, &ana, &format!("/app/deals/{id}")).await;
    let accepted = post_console(&app, &ana, &page, &format!("/app/deals/{id}/accept"), &[]).await;
    assert_eq!(accepted.status, 303, "{}", accepted.html);
    let due = page_at(&app, &owner, "/console/deals").await;
    assert!(
        due.html.contains("20 Nov 2026") && !due.html.contains("status-overdue"),
        "{}",
        due.html
    );

    // A day after the due date (new sessions: the old ones idled out).
    app.clock.advance(Duration::days(19));
    let owner = app.sign_in(&p.brand.email, "brand").await;
    let ana = app.sign_in("ana@acme.example", "influencer").await;
    let overdue = page_at(&app, &owner, "/console/deals?due=overdue").await;
    assert!(overdue.html.contains("Deliverables overdue"), "{}", overdue.html);
    assert!(
        overdue.html.contains(TITLE) && overdue.html.contains(">overdue</mark>"),
        "{}",
        overdue.html
    );
    for (session, path) in [
        (&owner, format!("/console/deals/{id}")),
        (&ana, format!("/app/deals/{id}")),
    ] {
        let page = page_at(&app, session, &path).await;
        assert!(page.html.contains(">overdue</mark>"), "{path}: {}", page.html);
    }
}
