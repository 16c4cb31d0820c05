//! The influencer's invitation inbox: `GET /v1/me/invitations`, and accepting or
//! declining an invitation by its id.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{Reply, SignedUpBrand, TestApp, program_body, spawn_app};
use crate::webhooks::Receiver;

/// An invitation made by `brand`: (id, token).
async fn invite(app: &TestApp, brand: &SignedUpBrand, program: &str, email: &str) -> (String, String) {
    let reply = app
        .post(
            "/v1/brand/invitations",
            Some(&brand.access_token),
            &json!({"email": email, "program_id": program}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let field = |name: &str| reply.body[name].as_str().unwrap_or_default().to_owned();
    (field("id"), field("token"))
}

async fn inbox(app: &TestApp, token: &str, query: &str) -> Reply {
    let reply = app.get(&format!("/v1/me/invitations{query}"), Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply
}

fn items(reply: &Reply) -> Vec<Value> {
    reply.body["items"].as_array().cloned().unwrap_or_default()
}

fn ids(reply: &Reply) -> Vec<String> {
    items(reply)
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Two brands, each with a program: (acme, acme's program, globex, globex's program).
async fn two_brands(app: &TestApp) -> (SignedUpBrand, String, SignedUpBrand, String) {
    let acme = app.sign_up_brand("acme").await;
    let acme_program = app.create_program(&acme.access_token, &program_body()).await;
    let globex = app.sign_up_brand("globex").await;
    let globex_program = app.create_program(&globex.access_token, &program_body()).await;
    (acme, acme_program, globex, globex_program)
}

#[tokio::test]
async fn the_inbox_shows_every_invitation_sent_to_the_login_email_newest_first_with_its_state() {
    let app = spawn_app().await;
    let (acme, acme_program, globex, globex_program) = two_brands(&app).await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    // Typed in another case by the brand: stored, and matched, lower-cased.
    let (first, _) = invite(&app, &acme, &acme_program, "ANA@Example.com").await;
    let (second, second_token) = invite(&app, &globex, &globex_program, "ana@example.com").await;
    let (bobs, _) = invite(&app, &acme, &acme_program, "bob@example.com").await;
    let accepted = app
        .post(
            "/v1/me/invitations/accept",
            Some(&ana.access_token),
            &json!({"token": second_token}),
        )
        .await;
    assert_eq!(accepted.status, 201, "{}", accepted.text);

    let page = inbox(&app, &ana.access_token, "").await;
    assert_eq!(ids(&page), [second.clone(), first.clone()], "newest first, only Ana's");
    assert_eq!(page.body["next_cursor"], Value::Null);
    assert!(!page.text.contains(&bobs));
    assert!(!page.text.contains(&second_token), "the token is never shown");
    assert!(!page.text.contains("token"), "{}", page.text);
    let [newest, oldest] = [&items(&page)[0], &items(&page)[1]];
    assert_eq!(newest["status"], "accepted");
    assert_eq!(newest["membership_id"], accepted.body["id"]);
    assert_eq!(newest["accepted_at"], "2026-11-02T12:00:00Z");
    assert_eq!(
        newest["brand"],
        json!({"id": globex.id, "name": "Acme Coffee", "slug": "globex"})
    );
    assert_eq!(oldest["status"], "pending");
    assert_eq!(oldest["membership_id"], Value::Null);
    assert_eq!(oldest["accepted_at"], Value::Null);
    assert_eq!(oldest["declined_at"], Value::Null);
    assert_eq!(oldest["created_at"], "2026-11-02T12:00:00Z");
    assert_eq!(oldest["expires_at"], "2026-11-16T12:00:00Z");
    assert_eq!(oldest["brand"]["slug"], "acme");
    // The program with the terms the brand API shows for it.
    let program = app
        .get(&format!("/v1/brand/programs/{acme_program}"), Some(&acme.access_token))
        .await;
    for field in ["id", "name", "currency", "terms_version", "terms"] {
        assert_eq!(oldest["program"][field], program.body[field], "program.{field}");
    }
    assert_eq!(oldest["program"]["terms"]["commission"]["rate"], "10");

    // Pages of one, by the cursor.
    let one = inbox(&app, &ana.access_token, "?limit=1").await;
    assert_eq!(ids(&one), std::slice::from_ref(&second));
    let cursor = one.body["next_cursor"].as_str().unwrap_or_default().to_owned();
    assert_eq!(cursor, second);
    let two = inbox(&app, &ana.access_token, &format!("?limit=1&cursor={cursor}")).await;
    assert_eq!(
        (ids(&two), &two.body["next_cursor"]),
        (vec![first.clone()], &Value::Null)
    );
    app.get("/v1/me/invitations?cursor=nope", Some(&ana.access_token))
        .await
        .assert_problem(422, "validation_failed");

    // After 14 days the pending one has expired; the accepted one stays accepted.
    app.clock.advance(Duration::days(14));
    let token = app.login("ana@example.com", "influencer").await;
    let later = inbox(&app, &token, "").await;
    let statuses: Vec<Value> = items(&later).iter().map(|i| i["status"].clone()).collect();
    assert_eq!(statuses, [json!("accepted"), json!("expired")]);

    // Bob's inbox holds only his; a brand cannot read an inbox.
    let bob = app.sign_up_influencer("bob@example.com").await;
    assert_eq!(ids(&inbox(&app, &bob.access_token, "").await), [bobs]);
    let brand_token = app.login(&acme.email, "brand").await;
    let refused = app.get("/v1/me/invitations", Some(&brand_token)).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
}

#[tokio::test]
async fn accepting_by_id_follows_the_rules_of_accepting_by_token() {
    let app = spawn_app().await;
    let (acme, acme_program, globex, globex_program) = two_brands(&app).await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let bob = app.sign_up_influencer("bob@example.com").await;
    let (to_ana, token) = invite(&app, &acme, &acme_program, "ana@example.com").await;
    let (again_to_ana, _) = invite(&app, &acme, &acme_program, "ana@example.com").await;
    let accept = |id: &str, who: &str| {
        let (app, path, who) = (&app, format!("/v1/me/invitations/{id}/accept"), who.to_owned());
        async move { app.post(&path, Some(&who), &json!({})).await }
    };

    // Another person's invitation is not told apart from one that does not exist.
    let theirs = accept(&to_ana, &bob.access_token).await;
    let nobodys = accept(&uuid::Uuid::now_v7().to_string(), &bob.access_token).await;
    theirs.assert_problem(404, "invitation_not_found");
    assert_eq!(theirs.body, nobodys.body);
    accept("not-a-uuid", &ana.access_token)
        .await
        .assert_problem(404, "not_found");

    let joined = accept(&to_ana, &ana.access_token).await;
    assert_eq!(joined.status, 201, "{}", joined.text);
    assert_eq!(joined.body["status"], "active");
    assert_eq!(joined.body["brand"]["slug"], "acme");
    assert_eq!(joined.body["program_id"], json!(acme_program));
    let code = joined.body["codes"][0]["code"].as_str().unwrap_or_default();
    assert_eq!(
        joined.body["codes"][0]["referral_link"],
        json!(format!("https://go.example/r/acme/{code}"))
    );
    // Spent, whichever way it is named again.
    accept(&to_ana, &ana.access_token)
        .await
        .assert_problem(410, "invitation_used");
    app.post(
        "/v1/me/invitations/accept",
        Some(&ana.access_token),
        &json!({"token": token}),
    )
    .await
    .assert_problem(410, "invitation_used");
    // A second invitation of a brand she already works with.
    accept(&again_to_ana, &ana.access_token)
        .await
        .assert_problem(409, "already_member");
    let brand_view = app.get("/v1/brand/ambassadors", Some(&acme.access_token)).await;
    assert_eq!(brand_view.body["items"].as_array().map(Vec::len), Some(1));

    // Expired after 14 days.
    let (from_globex, _) = invite(&app, &globex, &globex_program, "ana@example.com").await;
    app.clock.advance(Duration::days(14));
    let ana_token = app.login("ana@example.com", "influencer").await;
    accept(&from_globex, &ana_token)
        .await
        .assert_problem(410, "invitation_expired");
    assert_eq!(app.count("memberships"), 1);
}

#[tokio::test]
async fn declining_is_idempotent_final_and_told_to_the_brand() {
    let app = spawn_app().await;
    let (acme, acme_program, globex, globex_program) = two_brands(&app).await;
    let receiver = Receiver::start();
    let (hook, _) = app
        .add_webhook(&acme.access_token, &receiver.url, &["invitation.declined"])
        .await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let bob = app.sign_up_influencer("bob@example.com").await;
    let me = Some(ana.access_token.as_str());
    let (id, token) = invite(&app, &acme, &acme_program, "ana@example.com").await;
    let decline = |id: &str, who: &str| {
        let (app, path, who) = (&app, format!("/v1/me/invitations/{id}/decline"), who.to_owned());
        async move { app.post(&path, Some(&who), &json!({})).await }
    };

    decline(&id, &bob.access_token)
        .await
        .assert_problem(404, "invitation_not_found");
    app.clock.advance(Duration::minutes(5));
    let declined = decline(&id, &ana.access_token).await;
    assert_eq!(declined.status, 200, "{}", declined.text);
    assert_eq!(declined.body["id"], json!(id));
    assert_eq!(declined.body["status"], "declined");
    assert_eq!(declined.body["declined_at"], "2026-11-02T12:05:00Z");
    assert_eq!(declined.body["accepted_at"], Value::Null);
    assert_eq!(declined.body["brand"]["slug"], "acme");
    assert_eq!(items(&inbox(&app, &ana.access_token, "").await)[0], declined.body);
    // Again, later: the same answer, and nothing new told.
    app.clock.advance(Duration::minutes(5));
    let again = decline(&id, &ana.access_token).await;
    assert_eq!((again.status, &again.body), (200, &declined.body));

    // It can no longer be accepted, by id or by token.
    app.post(&format!("/v1/me/invitations/{id}/accept"), me, &json!({}))
        .await
        .assert_problem(410, "invitation_declined");
    app.post("/v1/me/invitations/accept", me, &json!({"token": token}))
        .await
        .assert_problem(410, "invitation_declined");
    assert_eq!(app.count("memberships"), 0);

    // The brand's systems are told once.
    app.webhook_pass().await;
    let got = receiver.got();
    assert_eq!(got.len(), 1, "{got:?}");
    let event = got[0].json();
    assert_eq!(event["type"], "invitation.declined");
    assert_eq!(
        event["data"],
        json!({"invitation_id": id, "program_id": acme_program, "email": "ana@example.com",
               "declined_at": "2026-11-02T12:05:00Z"})
    );
    let deliveries = app
        .get(
            &format!("/v1/brand/webhooks/{hook}/deliveries"),
            Some(&acme.access_token),
        )
        .await;
    assert_eq!(deliveries.body["items"].as_array().map(Vec::len), Some(1));

    // An accepted or expired invitation is not declined.
    let (accepted, _) = invite(&app, &globex, &globex_program, "ana@example.com").await;
    let joined = app
        .post(&format!("/v1/me/invitations/{accepted}/accept"), me, &json!({}))
        .await;
    assert_eq!(joined.status, 201, "{}", joined.text);
    decline(&accepted, &ana.access_token)
        .await
        .assert_problem(409, "invitation_already_accepted");
    let (lapsing, _) = invite(&app, &acme, &acme_program, "ana@example.com").await;
    app.clock.advance(Duration::days(14));
    let ana_token = app.login("ana@example.com", "influencer").await;
    decline(&lapsing, &ana_token)
        .await
        .assert_problem(409, "invitation_already_expired");
    // A declined one stays declined after its expiry, and declining it still answers.
    let late = decline(&id, &ana_token).await;
    assert_eq!((late.status, &late.body["status"]), (200, &json!("declined")));
    assert_eq!(app.count("invitations WHERE declined_at IS NOT NULL"), 1);
}

/// An acceptance and a decline of one invitation at the same moment: exactly one wins,
/// and the other is refused as if it came second (on PostgreSQL the update's condition
/// is what decides; SQLite runs them one after the other).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_and_declining_at_once_one_of_them_wins() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let program = app.create_program(&brand.access_token, &program_body()).await;
    for round in 0..6 {
        let email = format!("ana{round}@example.com");
        let ana = app.sign_up_influencer(&email).await;
        let (id, _) = invite(&app, &brand, &program, &email).await;
        let call = |action: &'static str| {
            let client = app.client.clone();
            let url = app.url(&format!("/v1/me/invitations/{id}/{action}"));
            let token = ana.access_token.clone();
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                crate::helpers::read(response).await
            })
        };
        let (accept, decline) = (call("accept"), call("decline"));
        let joined = |task: Result<Reply, tokio::task::JoinError>| task.unwrap_or_else(|e| panic!("{e}"));
        let (accept, decline) = (joined(accept.await), joined(decline.await));
        match (accept.status, decline.status) {
            (201, 409) => assert_eq!(decline.code(), "invitation_already_accepted"),
            (410, 200) => assert_eq!(accept.code(), "invitation_declined"),
            other => panic!("round {round}: {other:?}: {} / {}", accept.text, decline.text),
        }
    }
    assert_eq!(
        app.count("invitations WHERE accepted_at IS NOT NULL AND declined_at IS NOT NULL"),
        0
    );
    assert_eq!(
        app.count("invitations WHERE accepted_at IS NOT NULL") + app.count("invitations WHERE declined_at IS NOT NULL"),
        6
    );
    // The database itself refuses an invitation both accepted and declined.
    let last = app.sign_up_influencer("last@example.com").await;
    let (id, _) = invite(&app, &brand, &program, "last@example.com").await;
    let joined = app
        .post(
            &format!("/v1/me/invitations/{id}/accept"),
            Some(&last.access_token),
            &json!({}),
        )
        .await;
    assert_eq!(joined.status, 201, "{}", joined.text);
    let both = app
        .db
        .write(|conn| {
            diesel::RunQueryDsl::execute(
                diesel::sql_query("UPDATE invitations SET declined_at = accepted_at WHERE accepted_at IS NOT NULL"),
                conn,
            )
            .map_err(reftrack::store::StoreError::from)
        })
        .await;
    assert!(both.is_err(), "{both:?}");
}
