//! The invitation e-mail: to the invited address, with the brand, what the program
//! offers and a token that accepts.

use serde_json::json;

use super::app_with_mail;
use crate::helpers::{program_body, spawn_app};

#[tokio::test]
async fn an_invitation_arrives_with_the_offer_and_a_token_that_accepts() {
    let (app, sink) = app_with_mail().await;
    let brand = app.sign_up_brand("acme").await;
    let program = app.create_program(&brand.access_token, &program_body()).await;
    let invite = app
        .post(
            "/v1/brand/invitations",
            Some(&brand.access_token),
            &json!({"email": "Lea@Example.com", "program_id": program}),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    let mail = app.mail_until(&sink, |m| m.len() == 1).await;
    let letter = &mail[0];
    assert_eq!(letter.envelope_to, ["lea@example.com"]);
    assert!(letter.subject().contains("invites you"), "{}", letter.subject());
    let text = letter.text();
    for expected in [
        "Commission: 10 % of each sale you refer",
        "Your followers get: 15 % off",
        "Free item: A free bag of coffee for every 3 orders",
        "30 days after the order",
        "sign up at https://go.example/signup with this e-mail address",
        "sign in at https://go.example/login",
        "See your invitations: https://go.example/app/invitations",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    assert!(letter.html().contains("10 % of each sale you refer"));
    assert!(letter.html().contains("href=\"https://go.example/app/invitations\""));
    let token = letter.code_after("Your invitation code");
    assert_eq!(token, invite.body["token"].as_str().unwrap());

    // The token from the e-mail accepts.
    let lea = app.sign_up_influencer("lea@example.com").await;
    let accept = app
        .post(
            "/v1/me/invitations/accept",
            Some(&lea.access_token),
            &json!({"token": token}),
        )
        .await;
    assert_eq!(accept.status, 201, "{}", accept.text);
    // Sent once, and its sealed text is gone.
    app.dispatch_pass().await;
    assert_eq!(sink.received().len(), 1);
    assert_eq!(
        app.count("mail_messages WHERE status = 'sent' AND message_sealed = ''"),
        1
    );
}

#[tokio::test]
async fn without_smtp_nothing_is_written_and_the_api_answers_as_before() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    assert!(!p.code.is_empty());
    assert_eq!(app.count("mail_messages"), 0);
    let reset = app
        .post(
            "/v1/auth/password-reset",
            None,
            &json!({"email": "ana@acme.example", "account": "influencer"}),
        )
        .await;
    assert_eq!(reset.status, 202, "{}", reset.text);
    app.dispatch_pass().await;
    assert_eq!(app.count("mail_messages"), 0);
    assert_eq!(app.count("password_resets"), 0);
}
