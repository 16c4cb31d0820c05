//! Sale and payout notifications to the influencer, switched off with `PATCH /v1/me` or
//! the one-click unsubscribe address every notification carries.

use chrono::Duration;
use serde_json::json;

use super::app_with_mail;
use crate::helpers::{Program, TestApp};
use crate::orders::order_body;

async fn order(app: &TestApp, p: &Program, id: &str) {
    let reply = app
        .post("/v1/checkout/orders", Some(&p.api_key), &order_body(id, Some(&p.code)))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

fn sales_to(sink: &crate::helpers::smtp_sink::SmtpSink, address: &str) -> usize {
    sink.to(address)
        .iter()
        .filter(|m| m.subject().starts_with("You earned"))
        .count()
}

#[tokio::test]
async fn a_sale_is_told_once_with_one_click_unsubscribe_that_works() {
    let (app, sink) = app_with_mail().await;
    let p = app.program_with_ambassador("acme").await;
    order(&app, &p, "1001").await;
    let mail = app
        .mail_until(&sink, |m| m.iter().any(|m| m.subject().starts_with("You earned")))
        .await;
    let sale = mail.iter().find(|m| m.subject().starts_with("You earned")).unwrap();
    assert_eq!(sale.envelope_to, ["ana@acme.example"]);
    assert_eq!(sale.subject(), "You earned $5.95 with Acme Coffee");
    let text = sale.text();
    assert!(text.contains("Order: 1001"), "{text}");
    assert!(text.contains("Order total: $59.49"), "{text}");
    assert!(text.contains(&format!("Code: {}", p.code)), "{text}");
    assert!(text.contains("Payable from: 2 December 2026"), "{text}");
    assert_eq!(
        sale.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let unsubscribe = sale.header("List-Unsubscribe").unwrap();
    let url = unsubscribe.trim_start_matches('<').trim_end_matches('>').to_owned();
    let path = url.strip_prefix("https://go.example").unwrap().to_owned();
    assert!(path.starts_with("/v1/notifications/unsubscribe?token="), "{path}");

    // Opening the address in a browser asks first and changes nothing.
    let page = app.get(&path, None).await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    assert!(page.text.contains("<form method=\"post\""), "{}", page.text);
    order(&app, &p, "1002").await;
    app.mail_until(&sink, |m| {
        m.iter().filter(|m| m.subject().starts_with("You earned")).count() == 2
    })
    .await;

    // The mail app's one-click POST switches sale e-mails off; payouts stay on.
    let one_click = app.post_raw(&path, None, "List-Unsubscribe=One-Click").await;
    assert_eq!(one_click.status, 200, "{}", one_click.text);
    let me = app.get("/v1/me", Some(&p.influencer.access_token)).await;
    assert_eq!(me.body["notifications"], json!({"sales": false, "payouts": true}));
    order(&app, &p, "1003").await;
    for _ in 0..3 {
        app.dispatch_pass().await;
    }
    assert_eq!(sales_to(&sink, "ana@acme.example"), 2);
    // Twice is harmless; a forged token is refused.
    assert_eq!(app.post_raw(&path, None, "").await.status, 200);
    let forged = path.replace(".sales.", ".payouts.");
    app.post_raw(&forged, None, "")
        .await
        .assert_problem(400, "invalid_unsubscribe_token");
    app.get(&forged, None)
        .await
        .assert_problem(400, "invalid_unsubscribe_token");
}

#[tokio::test]
async fn patch_me_switches_notifications_and_a_payout_is_told_with_its_amount() {
    let (app, sink) = app_with_mail().await;
    let p = app.program_with_ambassador("acme").await;
    let off = app
        .patch(
            "/v1/me",
            Some(&p.influencer.access_token),
            &json!({"notifications": {"sales": false}}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    assert_eq!(off.body["notifications"], json!({"sales": false, "payouts": true}));
    app.patch(
        "/v1/me",
        Some(&p.influencer.access_token),
        &json!({"notifications": {"sales": "no"}}),
    )
    .await
    .assert_problem(422, "validation_failed");
    for wrong in [json!([false, false]), json!(null), json!(true)] {
        let reply = app
            .patch(
                "/v1/me",
                Some(&p.influencer.access_token),
                &json!({"notifications": wrong}),
            )
            .await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), ["notifications"], "{wrong}");
    }
    // Four orders of $5.95 commission: $23.80, over the $20.00 minimum payout.
    for id in ["1001", "1002", "1003", "1004"] {
        order(&app, &p, id).await;
    }
    app.clock.advance(Duration::days(31));
    assert_eq!(app.mature().await.approved, 4);
    let token = app.login(&p.brand.email, "brand").await;
    let batch = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    let id = batch.body["id"].as_str().unwrap();
    let paid = app
        .post(&format!("/v1/brand/payouts/{id}/paid"), Some(&token), &json!({}))
        .await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    let mail = app
        .mail_until(&sink, |m| m.iter().any(|m| m.subject().contains("paid you")))
        .await;
    let payout = mail.iter().find(|m| m.subject().contains("paid you")).unwrap();
    assert_eq!(payout.subject(), "Acme Coffee paid you $23.80");
    assert_eq!(payout.envelope_to, ["ana@acme.example"]);
    assert!(payout.text().contains("Paid to: ana@acme.example"));
    assert!(payout.header("List-Unsubscribe").unwrap().contains("token="));
    assert_eq!(sales_to(&sink, "ana@acme.example"), 0, "sale e-mails were off");
}
