//! Sending: a transient refusal is retried, a permanent one fails the message, and the
//! brand's owner hears when reftrack disables a webhook endpoint.

use serde_json::json;

use super::app_with_mail;
use crate::webhooks::Receiver;

#[tokio::test]
async fn a_transient_refusal_is_retried_and_a_permanent_one_gives_up() {
    let (app, sink) = app_with_mail().await;
    let brand = app.sign_up_brand("acme").await;
    let program = app
        .create_program(&brand.access_token, &crate::helpers::program_body())
        .await;
    sink.refuse_next(&["451 4.3.0 try again later"]);
    let invite = |email: &'static str| {
        let app = &app;
        let program = program.clone();
        let token = brand.access_token.clone();
        async move {
            let reply = app
                .post(
                    "/v1/brand/invitations",
                    Some(&token),
                    &json!({"email": email, "program_id": program}),
                )
                .await;
            assert_eq!(reply.status, 201, "{}", reply.text);
        }
    };
    invite("lea@example.com").await;
    // The first attempt is refused; the retry (at once, in tests) goes through.
    app.mail_until(&sink, |m| m.len() == 1).await;
    assert_eq!(app.scalar("SELECT CAST(attempts AS BIGINT) AS n FROM mail_messages"), 2);

    sink.refuse_next(&["550 5.1.1 <mia@example.com> no such user"]);
    invite("mia@example.com").await;
    for _ in 0..4 {
        app.dispatch_pass().await;
    }
    assert_eq!(sink.received().len(), 1);
    assert_eq!(app.count("mail_messages WHERE status = 'failed' AND attempts = 1"), 1);
    // The SMTP answer is kept for the operator, without the address it quoted.
    assert_eq!(
        app.count(
            "mail_messages WHERE status = 'failed' AND last_error LIKE '%no such user%' AND last_error NOT LIKE '%@%'"
        ),
        1
    );
}

#[tokio::test]
async fn the_owner_is_told_when_an_endpoint_is_disabled() {
    let (app, sink) = app_with_mail().await;
    let p = app.program_with_ambassador("acme").await;
    let receiver = Receiver::start();
    receiver.answer(&[410]);
    app.add_webhook(&p.brand.access_token, &receiver.url, &["order.recorded"])
        .await;
    let reply = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &crate::orders::order_body("1001", Some(&p.code)),
        )
        .await;
    assert_eq!(reply.status, 201);
    let mail = app
        .mail_until(&sink, |m| m.iter().any(|m| m.envelope_to == ["owner@acme.example"]))
        .await;
    let notice = mail.iter().find(|m| m.envelope_to == ["owner@acme.example"]).unwrap();
    assert_eq!(notice.subject(), "Acme Coffee: a webhook endpoint was disabled");
    assert!(notice.text().contains(&receiver.url), "{}", notice.text());
    assert!(notice.text().contains("410 Gone"), "{}", notice.text());
}
