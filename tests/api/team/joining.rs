//! Inviting a teammate and joining with the e-mailed token.

use chrono::Duration;
use reftrack::clock::Clock;
use reftrack::service::team::{self, Join, JoinError};
use serde_json::json;

use super::TEAM_PASSWORD;
use crate::helpers::spawn_app;
use crate::mail::app_with_mail;

#[tokio::test]
async fn an_invited_teammate_joins_with_the_emailed_token_and_signs_in_as_staff() {
    let (app, sink) = app_with_mail().await;
    let owner = app.sign_up_brand("acme").await;
    let invite = app
        .invite_member(&owner.access_token, "Sam@Acme.example", "staff")
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    let now = app.clock.now();
    assert_eq!(invite.body["email"], "sam@acme.example");
    assert_eq!(invite.body["role"], "staff");
    assert_eq!(invite.body["status"], "pending");
    let expires_at: chrono::DateTime<chrono::Utc> = invite.body["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires_at, now + Duration::days(7));
    let mut fields: Vec<&str> = invite.body.as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["created_at", "email", "expires_at", "id", "role", "status"]);

    // The token is in the e-mail only, with the console's join page.
    let token = app.team_token(&sink, "sam@acme.example", 0).await;
    let letter = sink.to("sam@acme.example").pop().unwrap();
    assert_eq!(letter.subject(), "Acme Coffee invites you to its team on reftrack");
    let link = format!("https://go.example/console/join?token={token}");
    assert!(
        letter.text().contains(&format!("Join Acme Coffee: {link}")),
        "{}",
        letter.text()
    );
    assert!(letter.html().contains(&format!("href=\"{link}\"")), "{}", letter.html());
    assert!(
        letter.text().contains("owner@acme.example invited you"),
        "{}",
        letter.text()
    );
    assert!(!invite.text.contains(&token));
    let listed = app.team(&owner.access_token).await;
    assert!(!listed.text.contains(&token));
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed.body["items"][0]["email"], "owner@acme.example");
    assert_eq!(listed.body["items"][0]["role"], "owner");
    assert_eq!(listed.body["invitations"], json!([invite.body]));
    assert_eq!(listed.body["next_cursor"], json!(null));

    // The console's page reads the offer without spending it.
    let offer = team::offer(&app.db, &token, app.clock.now()).await.unwrap();
    assert_eq!(
        (offer.brand_name.as_str(), offer.email.as_str(), offer.role.as_str()),
        ("Acme Coffee", "sam@acme.example", "staff")
    );

    let joined = app.accept_member(&token, TEAM_PASSWORD).await;
    assert_eq!(joined.status, 201, "{}", joined.text);
    assert_eq!(joined.body["brand"]["id"], json!(owner.id));
    assert_eq!(joined.body["user"]["email"], "sam@acme.example");
    assert_eq!(joined.body["user"]["role"], "staff");
    assert_eq!(joined.body["token_type"], "Bearer");
    assert_eq!(joined.body["expires_in"], 900);
    let staff_token = joined.body["access_token"].as_str().unwrap();
    let brand = app.get("/v1/brand", Some(staff_token)).await;
    assert_eq!((brand.status, &brand.body["id"]), (200, &json!(owner.id)));
    let refreshed = app
        .post(
            "/v1/auth/refresh",
            None,
            &json!({"refresh_token": joined.body["refresh_token"]}),
        )
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);

    // Staff signs in like any brand user; the team shows two members, nothing pending.
    let login = app.sign_in_member("sam@acme.example", TEAM_PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.text);
    let listed = app.team(&owner.access_token).await;
    let roles: Vec<(&str, &str)> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(roles, [("owner@acme.example", "owner"), ("sam@acme.example", "staff")]);
    assert_eq!(listed.body["invitations"], json!([]));

    // The token joins once.
    app.accept_member(&token, TEAM_PASSWORD)
        .await
        .assert_problem(410, "invitation_used");
    assert!(matches!(
        team::offer(&app.db, &token, app.clock.now()).await,
        Err(JoinError::Used)
    ));
}

#[tokio::test]
async fn expired_revoked_and_unknown_tokens_do_not_join_and_a_weak_password_is_refused() {
    let (app, sink) = app_with_mail().await;
    let owner = app.sign_up_brand("acme").await;
    let late = app
        .invited(&sink, &owner.access_token, "late@acme.example", "staff")
        .await;
    let withdrawn = app
        .invited(&sink, &owner.access_token, "gone@acme.example", "owner")
        .await;
    let listed = app.team(&owner.access_token).await;
    let invitation = listed.body["invitations"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["email"] == "gone@acme.example")
        .and_then(|i| i["id"].as_str())
        .unwrap()
        .to_owned();
    let revoked = app
        .delete(
            &format!("/v1/brand/users/invitations/{invitation}"),
            Some(&owner.access_token),
        )
        .await;
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    app.accept_member(&withdrawn, TEAM_PASSWORD)
        .await
        .assert_problem(410, "invitation_revoked");

    let short = app.accept_member(&late, "short").await;
    short.assert_problem(422, "validation_failed");
    assert_eq!(short.fields(), ["password"]);
    app.accept_member("not-a-token", TEAM_PASSWORD)
        .await
        .assert_problem(404, "invitation_not_found");

    // Seven days on, the invitation has expired; it no longer counts as pending either.
    app.clock.advance(Duration::days(7));
    app.accept_member(&late, TEAM_PASSWORD)
        .await
        .assert_problem(410, "invitation_expired");
    assert!(matches!(
        team::offer(&app.db, &late, app.clock.now()).await,
        Err(JoinError::Expired)
    ));
    let owner_token = app.login(&owner.email, "brand").await;
    assert_eq!(app.team(&owner_token).await.body["invitations"], json!([]));
    assert_eq!(app.count("brand_users"), 1);
    // A new invitation of the same address is sent, and joins.
    let again = app.invited(&sink, &owner_token, "late@acme.example", "staff").await;
    assert_eq!(app.accept_member(&again, TEAM_PASSWORD).await.status, 201);
}

/// One e-mail is one brand account: two brands may invite the same address, and the
/// first acceptance wins; the other is refused.
#[tokio::test]
async fn an_address_joins_one_brand_only() {
    let (app, sink) = app_with_mail().await;
    let acme = app.sign_up_brand("acme").await;
    let globex = app.sign_up_brand("globex").await;
    let to_acme = app.invited(&sink, &acme.access_token, "kim@example.com", "staff").await;
    let to_globex = app
        .invited(&sink, &globex.access_token, "kim@example.com", "staff")
        .await;
    assert_eq!(app.accept_member(&to_acme, TEAM_PASSWORD).await.status, 201);
    app.accept_member(&to_globex, TEAM_PASSWORD)
        .await
        .assert_problem(409, "email_taken");
    // Nothing was spent by the refusal.
    assert_eq!(
        app.count("brand_user_invitations WHERE accepted_at IS NULL AND email = 'kim@example.com'"),
        1
    );
}

/// The console's join page uses the same use case and signs in with a portal session.
#[tokio::test]
async fn the_console_joins_with_a_portal_session() {
    let (app, sink) = app_with_mail().await;
    let owner = app.sign_up_brand("acme").await;
    let token = app
        .invited(&sink, &owner.access_token, "lou@acme.example", "staff")
        .await;
    let join = Join {
        token: token.clone(),
        password: reftrack::domain::Password::parse(TEAM_PASSWORD).unwrap(),
    };
    let begun = team::accept_on_web(&app.db, join, app.clock.now()).await.unwrap();
    let session = reftrack::service::web_sessions::find(&app.db, &begun.token, app.clock.now())
        .await
        .unwrap()
        .unwrap();
    let lou = app.member_id(&owner.access_token, "lou@acme.example").await;
    assert_eq!(session.subject.id, lou);
    assert_eq!(
        session.subject.account,
        reftrack::store::refresh_tokens::AccountKind::Brand
    );
    app.accept_member(&token, TEAM_PASSWORD)
        .await
        .assert_problem(410, "invitation_used");
}

/// Without mail nobody could ever read the token, so no invitation is made.
#[tokio::test]
async fn without_mail_no_invitation_is_made() {
    let app = spawn_app().await;
    let owner = app.sign_up_brand("acme").await;
    app.invite_member(&owner.access_token, "sam@acme.example", "staff")
        .await
        .assert_problem(409, "mail_not_configured");
    assert_eq!(app.count("brand_user_invitations"), 0);
}
