//! The console's team page and the join page: an owner invites a teammate on the web,
//! the teammate joins from the e-mailed link with a password and lands in the console;
//! staff are refused every owner-only page and form by the use cases (403, nothing
//! made); the last owner stays; members change role, leave, and invitations are revoked.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use super::account::{post_form, sessionless_form};
use super::console::post_console;
use super::{Page, SESSION};
use crate::helpers::smtp_sink::SmtpSink;
use crate::helpers::{SignedUpBrand, TestApp, spawn_app};
use crate::mail::app_with_mail;

const TEAM: &str = "/console/settings/team";
const PASSWORD: &str = "a teammate's passphrase";

async fn owner(app: &TestApp, slug: &str) -> (SignedUpBrand, String) {
    let brand = app.sign_up_brand(slug).await;
    let session = app.sign_in(&brand.email, "brand").await;
    (brand, session)
}

async fn page_at(app: &TestApp, session: &str, path: &str, status: u16) -> Page {
    let page = app.get_page(path, &[(SESSION, session)]).await;
    assert_eq!(page.status, status, "{path}: {}", page.html);
    page
}

async fn forged(app: &TestApp, session: &str, path: &str, fields: &[(&str, &str)]) -> Page {
    let mut all = vec![("csrf", "forged")];
    all.extend_from_slice(fields);
    app.page(Method::POST, path, &[(SESSION, session)], Some(&all)).await
}

async fn team(app: &TestApp, token: &str) -> Value {
    let reply = app.get("/v1/brand/users", Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

/// Invites `email` through the team page and returns the token of the e-mail it got.
async fn invite_on_page(app: &TestApp, sink: &SmtpSink, session: &str, email: &str, role: &str) -> String {
    let before = sink.to(email).len();
    let page = page_at(app, session, TEAM, 200).await;
    let sent = post_console(app, session, &page, TEAM, &[("email", email), ("role", role)]).await;
    assert_eq!(
        (sent.status, sent.location()),
        (303, "/console/settings/team?done=invited"),
        "{}",
        sent.html
    );
    let mail = app
        .mail_until(sink, |m| m.iter().filter(|m| m.envelope_to == [email]).count() > before)
        .await;
    let letter = mail.iter().rev().find(|m| m.envelope_to == [email]).unwrap();
    letter.code_after("Your invitation code")
}

/// Opens the e-mail's link and joins with the password; returns the new session.
async fn join_on_page(app: &TestApp, token: &str) -> String {
    let (_, cookie, csrf) = sessionless_form(app, &format!("/console/join?token={token}")).await;
    let joined = post_form(
        app,
        "/console/join",
        &cookie,
        &[
            ("csrf", &csrf),
            ("token", token),
            ("new_password", PASSWORD),
            ("confirm_password", PASSWORD),
        ],
    )
    .await;
    assert_eq!((joined.status, joined.location()), (303, "/console"), "{}", joined.html);
    joined.cookie_value(SESSION)
}

#[tokio::test]
async fn an_invited_teammate_joins_on_the_web_and_as_staff_is_refused_every_owner_page() {
    let (app, sink) = app_with_mail().await;
    let (brand, session) = owner(&app, "acme").await;
    let page = page_at(&app, &session, TEAM, 200).await;
    assert!(
        page.html.contains("owner@acme.example") && page.html.contains("(you)"),
        "{}",
        page.html
    );

    let refused = post_console(&app, &session, &page, TEAM, &[("email", "not mail"), ("role", "boss")]).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(
        refused.html.contains("id=\"email-error\"") && refused.html.contains("id=\"role-error\""),
        "{}",
        refused.html
    );
    let fields = [("email", "sam@acme.example"), ("role", "staff")];
    assert_eq!(forged(&app, &session, TEAM, &fields).await.status, 403);
    assert_eq!(team(&app, &brand.access_token).await["invitations"], json!([]));

    let token = invite_on_page(&app, &sink, &session, "sam@acme.example", "staff").await;
    let listed = page_at(&app, &session, TEAM, 200).await;
    assert!(
        listed.html.contains("sam@acme.example") && !listed.html.contains(&token),
        "{}",
        listed.html
    );
    let again = post_console(&app, &session, &listed, TEAM, &fields).await;
    assert_eq!(again.status, 409, "{}", again.html);
    assert!(again.html.contains("id=\"email-error\""), "{}", again.html);

    // The e-mail's link: who invites whom as what, and a password twice.
    let link = format!("/console/join?token={token}");
    let (offer, cookie, csrf) = sessionless_form(&app, &link).await;
    assert!(offer.html.contains("Join Acme Coffee as staff"), "{}", offer.html);
    assert!(offer.html.contains("value=\"sam@acme.example\""), "{}", offer.html);
    let mismatch = [
        ("csrf", csrf.as_str()),
        ("token", token.as_str()),
        ("new_password", PASSWORD),
        ("confirm_password", "something else"),
    ];
    let refused = post_form(&app, "/console/join", &cookie, &mismatch).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(
        refused.html.contains("id=\"confirm_password-error\""),
        "{}",
        refused.html
    );
    let mut no_token = mismatch;
    no_token[0].1 = "forged";
    no_token[3].1 = PASSWORD;
    assert_eq!(post_form(&app, "/console/join", &cookie, &no_token).await.status, 403);
    assert_eq!(
        team(&app, &brand.access_token).await["items"].as_array().map(Vec::len),
        Some(1)
    );

    let staff = join_on_page(&app, &token).await;
    let console = page_at(&app, &staff, "/console", 200).await;
    assert!(console.html.contains("<h1>Overview</h1>"), "{}", console.html);
    let members = team(&app, &brand.access_token).await;
    assert_eq!(members["items"][1]["email"], "sam@acme.example");
    assert_eq!(members["items"][1]["role"], "staff");
    assert_eq!(members["invitations"], json!([]));
    let used = app.get_page(&link, &[]).await;
    assert_eq!(used.status, 410, "{}", used.html);
    assert!(used.html.contains("accepted already"), "{}", used.html);

    // Staff: the settings list the owners' sections as such; each of them refuses.
    let settings = page_at(&app, &staff, "/console/settings", 200).await;
    assert!(settings.html.contains("owners only"), "{}", settings.html);
    let shop = app.connect(&brand.access_token, "shopify", Some("shpss_key")).await;
    let (hook, _) = app
        .add_webhook(&brand.access_token, "https://crm.acme.example/hook", &[])
        .await;
    for path in [
        "/console/settings/api-keys".to_owned(),
        "/console/settings/integrations".to_owned(),
        format!("/console/settings/integrations/{}", shop.id),
        "/console/settings/webhooks".to_owned(),
        format!("/console/settings/webhooks/{hook}"),
        TEAM.to_owned(),
    ] {
        let refused = page_at(&app, &staff, &path, 403).await;
        assert!(
            refused.html.contains("Only an owner of the brand can"),
            "{path}: {}",
            refused.html
        );
    }
    let posts: [(&str, &[(&str, &str)]); 5] = [
        ("/console/settings/api-keys", &[("name", "Staff key")]),
        (
            "/console/settings/integrations",
            &[("platform", "woocommerce"), ("name", "Staff shop")],
        ),
        ("/console/settings/webhooks", &[("url", "https://staff.example/hook")]),
        (TEAM, &[("email", "kim@acme.example"), ("role", "owner")]),
        ("/console/settings/webhooks/{hook}/rotate", &[]),
    ];
    for (path, fields) in posts {
        let path = path.replace("{hook}", &hook);
        let refused = post_console(&app, &staff, &settings, &path, fields).await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.html);
        assert!(
            refused.html.contains("Only an owner of the brand can"),
            "{path}: {}",
            refused.html
        );
    }
    let owner_token = &brand.access_token;
    assert!(
        app.get("/v1/brand/api-keys", Some(owner_token)).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.get("/v1/brand/integrations", Some(owner_token)).await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        app.get("/v1/brand/webhooks", Some(owner_token)).await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(team(&app, owner_token).await["invitations"], json!([]));
    // The brand's profile is staff's too.
    let saved = post_console(
        &app,
        &staff,
        &settings,
        "/console/settings",
        &[("name", "Acme Roasters"), ("landing_url", "https://acme.example")],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.html);
}

#[tokio::test]
async fn the_last_owner_stays_members_change_role_and_leave_and_invitations_are_revoked() {
    let (app, sink) = app_with_mail().await;
    let (brand, session) = owner(&app, "acme").await;
    let (other, _) = owner(&app, "beans").await;
    let their_invite = app
        .post(
            "/v1/brand/users",
            Some(&other.access_token),
            &json!({"email": "lee@beans.example", "role": "staff"}),
        )
        .await;
    assert_eq!(their_invite.status, 201, "{}", their_invite.text);
    let their_owner = team(&app, &other.access_token).await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = team(&app, &brand.access_token).await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = page_at(&app, &session, TEAM, 200).await;

    // The service keeps one owner and says so.
    let demote = format!("{TEAM}/members/{me}/role");
    let refused = post_console(&app, &session, &page, &demote, &[("role", "staff")]).await;
    assert_eq!(refused.status, 409, "{}", refused.html);
    assert!(refused.html.contains("at least one owner"), "{}", refused.html);
    let leave = format!("{TEAM}/members/{me}/remove");
    let confirm = page_at(&app, &session, &leave, 200).await;
    assert!(confirm.html.contains("You leave the brand"), "{}", confirm.html);
    let refused = post_console(&app, &session, &confirm, &leave, &[]).await;
    assert_eq!(refused.status, 409, "{}", refused.html);
    assert!(refused.html.contains("at least one owner"), "{}", refused.html);

    let token = invite_on_page(&app, &sink, &session, "sam@acme.example", "staff").await;
    let sam_session = join_on_page(&app, &token).await;
    let sam = team(&app, &brand.access_token).await["items"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let promote = format!("{TEAM}/members/{sam}/role");
    assert_eq!(forged(&app, &session, &promote, &[("role", "owner")]).await.status, 403);
    assert_eq!(team(&app, &brand.access_token).await["items"][1]["role"], "staff");
    let promoted = post_console(&app, &session, &page, &promote, &[("role", "owner")]).await;
    assert_eq!(
        (promoted.status, promoted.location()),
        (303, "/console/settings/team?done=role")
    );
    assert_eq!(team(&app, &brand.access_token).await["items"][1]["role"], "owner");
    // The role applies at once: Sam now manages the team, and may step down again.
    let sams_page = page_at(&app, &sam_session, TEAM, 200).await;
    let down = post_console(&app, &sam_session, &sams_page, &promote, &[("role", "staff")]).await;
    assert_eq!((down.status, down.location()), (303, "/console/settings"));
    assert_eq!(team(&app, &brand.access_token).await["items"][1]["role"], "staff");
    page_at(&app, &sam_session, TEAM, 403).await;

    // Removing a member ends their session.
    let remove = format!("{TEAM}/members/{sam}/remove");
    let confirm = page_at(&app, &session, &remove, 200).await;
    assert!(confirm.html.contains("sam@acme.example"), "{}", confirm.html);
    assert_eq!(forged(&app, &session, &remove, &[]).await.status, 403);
    assert_eq!(
        team(&app, &brand.access_token).await["items"].as_array().map(Vec::len),
        Some(2)
    );
    let removed = post_console(&app, &session, &confirm, &remove, &[]).await;
    assert_eq!(
        (removed.status, removed.location()),
        (303, "/console/settings/team?done=removed")
    );
    assert_eq!(
        team(&app, &brand.access_token).await["items"].as_array().map(Vec::len),
        Some(1)
    );
    let gone = app.get_page("/console", &[(SESSION, &sam_session)]).await;
    assert_eq!((gone.status, gone.location()), (303, "/login"));

    // A revoked invitation's link no longer joins.
    let token = invite_on_page(&app, &sink, &session, "kim@acme.example", "owner").await;
    let pending = team(&app, &brand.access_token).await["invitations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoke = format!("{TEAM}/invitations/{pending}/revoke");
    assert_eq!(forged(&app, &session, &revoke, &[]).await.status, 403);
    assert_eq!(
        team(&app, &brand.access_token).await["invitations"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let revoked = post_console(&app, &session, &page, &revoke, &[]).await;
    assert_eq!(
        (revoked.status, revoked.location()),
        (303, "/console/settings/team?done=revoked")
    );
    assert_eq!(team(&app, &brand.access_token).await["invitations"], json!([]));
    let link = app.get_page(&format!("/console/join?token={token}"), &[]).await;
    assert_eq!(link.status, 410, "{}", link.html);
    assert!(link.html.contains("revoked"), "{}", link.html);

    // Another brand's member and invitation are not found, and stay.
    let their_id = their_invite.body["id"].as_str().unwrap();
    assert_eq!(
        app.get_page(&format!("{TEAM}/members/{their_owner}/remove"), &[(SESSION, &session)])
            .await
            .status,
        404
    );
    for (path, fields) in [
        (format!("{TEAM}/members/{their_owner}/role"), vec![("role", "staff")]),
        (format!("{TEAM}/members/{their_owner}/remove"), vec![]),
        (format!("{TEAM}/invitations/{their_id}/revoke"), vec![]),
    ] {
        assert_eq!(
            post_console(&app, &session, &page, &path, &fields).await.status,
            404,
            "{path}"
        );
    }
    let theirs = team(&app, &other.access_token).await;
    assert_eq!(
        (
            theirs["items"][0]["role"].as_str(),
            theirs["invitations"].as_array().map(Vec::len)
        ),
        (Some("owner"), Some(1))
    );
}

#[tokio::test]
async fn without_mail_the_team_page_says_no_one_can_be_invited() {
    let app = spawn_app().await;
    let (brand, session) = owner(&app, "acme").await;
    let page = page_at(&app, &session, TEAM, 200).await;
    assert!(page.html.contains("no mail set up"), "{}", page.html);
    assert!(!page.html.contains("Send the invitation"), "{}", page.html);
    let refused = post_console(
        &app,
        &session,
        &page,
        TEAM,
        &[("email", "sam@acme.example"), ("role", "staff")],
    )
    .await;
    assert_eq!(refused.status, 409, "{}", refused.html);
    assert!(refused.html.contains("no mail set up"), "{}", refused.html);
    assert_eq!(team(&app, &brand.access_token).await["invitations"], json!([]));
}

#[tokio::test]
async fn a_join_link_that_cannot_join_says_why() {
    let (app, sink) = app_with_mail().await;
    let (_, session) = owner(&app, "acme").await;
    for path in [
        "/console/join",
        "/console/join?token=",
        "/console/join?token=not-a-token",
    ] {
        let page = app.get_page(path, &[]).await;
        assert_eq!(page.status, 400, "{path}: {}", page.html);
        assert!(page.html.contains("not an invitation"), "{}", page.html);
    }
    let token = invite_on_page(&app, &sink, &session, "sam@acme.example", "staff").await;
    let link = format!("/console/join?token={token}");
    let (_, cookie, csrf) = sessionless_form(&app, &link).await;
    app.clock.advance(Duration::days(8));
    let expired = app.get_page(&link, &[]).await;
    assert_eq!(expired.status, 410, "{}", expired.html);
    assert!(expired.html.contains("expired"), "{}", expired.html);
    let late = post_form(
        &app,
        "/console/join",
        &cookie,
        &[
            ("csrf", &csrf),
            ("token", &token),
            ("new_password", PASSWORD),
            ("confirm_password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(late.status, 410, "{}", late.html);
    assert!(
        late.headers.get(reqwest::header::SET_COOKIE).is_none(),
        "nobody is signed in"
    );
}
