//! The console's payouts: the payable report, a batch created through the page (a
//! second press finds nothing to pay), its files byte for byte the API's, marked paid;
//! another batch created and cancelled; refusals said on a page (staff may not mark a
//! batch paid); another brand's batch 404 on every route.

use chrono::Duration;
use reqwest::Method;
use serde_json::json;

use super::console::post_console;
use super::{Page, SESSION};
use crate::helpers::smtp_sink::SmtpSink;
use crate::helpers::{PASSWORD, Program, TestApp, spawn_app};
use crate::mail::app_with_mail;

async fn sell(app: &TestApp, p: &Program, order_id: &str, unit_price: i64) {
    let body = json!({"order_id": order_id, "code": p.code, "currency": "USD", "discount_total": 0,
                      "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": unit_price}]});
    let reply = app.post("/v1/checkout/orders", Some(&p.api_key), &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

/// Two orders of 150.00 and 100.00 at 10 % for each program, matured: 25.00 payable.
async fn matured(app: &TestApp, programs: &[&Program], prefix: &str) {
    for p in programs {
        sell(app, p, &format!("{prefix}-1"), 15_000).await;
        sell(app, p, &format!("{prefix}-2"), 10_000).await;
    }
    app.clock.advance(Duration::days(31));
    app.mature().await;
}

/// The batch id a "created" redirect names.
fn created_batch(answer: &Page) -> String {
    assert_eq!(answer.status, 303, "{}", answer.html);
    let location = answer.location();
    let id = location
        .strip_prefix("/console/payouts/")
        .and_then(|rest| rest.strip_suffix("?done=created"))
        .unwrap_or_else(|| panic!("{location}"));
    id.to_owned()
}

async fn batch_status(app: &TestApp, token: &str, id: &str) -> String {
    let reply = app.get(&format!("/v1/brand/payouts/{id}"), Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["status"].as_str().unwrap().to_owned()
}

/// A download through the console and the same file through the API, byte for byte.
async fn same_file(app: &TestApp, session: &str, token: &str, page_path: &str, api_path: &str) -> String {
    let page = app.get_page(page_path, &[(SESSION, session)]).await;
    assert_eq!(page.status, 200, "{page_path}: {}", page.html);
    let api = app.get(api_path, Some(token)).await;
    assert_eq!(api.status, 200, "{api_path}: {}", api.text);
    assert_eq!(page.html, api.text, "{page_path}");
    assert!(!page.html.is_empty());
    for header in ["content-type", "content-disposition"] {
        assert_eq!(page.headers.get(header), api.headers.get(header), "{header}");
    }
    page.html
}

#[tokio::test]
async fn a_batch_is_created_downloaded_and_paid_and_another_cancelled() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let renamed = app
        .patch(
            "/v1/me",
            Some(&p.influencer.access_token),
            &json!({"display_name": "<script>alert(1)</script> Ana"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    matured(&app, &[&p], "A").await;
    let token = app.login(&p.brand.email, "brand").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let cookies = [(SESSION, session.as_str())];

    let report = app.get_page("/console/payouts", &cookies).await;
    assert_eq!(report.status, 200, "{}", report.html);
    assert!(
        report.html.contains("$25.00") && report.html.contains("$20.00"),
        "{}",
        report.html
    );
    assert!(report.html.contains("<strong>Yes</strong>"));
    assert!(report.html.contains("&#60;script&#62;alert(1)&#60;/script&#62; Ana"));
    assert!(!report.html.contains("<script>alert(1)"));
    assert!(report.html.contains("Create payout batch"));
    assert!(report.html.contains("No payout batch yet."));

    // Without the form's CSRF token nothing is created.
    let forged = app
        .page(
            Method::POST,
            "/console/payouts",
            &cookies,
            Some(&[("csrf", "forged"), ("currency", "USD")]),
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(app.count("payouts"), 0);

    let created = post_console(&app, &session, &report, "/console/payouts", &[("currency", "USD")]).await;
    let id = created_batch(&created);
    // Pressed again (or from a second tab): everything payable is in the first batch.
    let again = post_console(&app, &session, &report, "/console/payouts", &[("currency", "USD")]).await;
    assert_eq!(again.status, 422, "{}", again.html);
    assert!(again.html.contains("Nothing to pay"));
    assert_eq!(app.count("payouts"), 1);
    app.post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await
        .assert_problem(422, "nothing_to_pay");

    let batch = app
        .get_page(&format!("/console/payouts/{id}?done=created"), &cookies)
        .await;
    assert_eq!(batch.status, 200, "{}", batch.html);
    assert!(batch.html.contains("role=\"status\""));
    assert!(batch.html.contains("$25.00") && batch.html.contains("ana@acme.example"));
    assert!(
        batch
            .html
            .contains(&format!("href=\"/console/payouts/{id}/payout.csv\""))
    );
    assert!(
        batch
            .html
            .contains(&format!("href=\"/console/payouts/{id}/paypal.csv\""))
    );
    let csv = same_file(
        &app,
        &session,
        &token,
        &format!("/console/payouts/{id}/payout.csv"),
        &format!("/v1/brand/payouts/{id}?format=csv"),
    )
    .await;
    assert!(csv.contains(",25.00,"), "{csv}");
    same_file(
        &app,
        &session,
        &token,
        &format!("/console/payouts/{id}/paypal.csv"),
        &format!("/v1/brand/payouts/{id}?format=paypal"),
    )
    .await;
    same_file(
        &app,
        &session,
        &token,
        &format!("/console/payouts/{id}/paypal.csv?part=1"),
        &format!("/v1/brand/payouts/{id}?format=paypal&part=1"),
    )
    .await;
    let no_part = app
        .get_page(&format!("/console/payouts/{id}/paypal.csv?part=2"), &cookies)
        .await;
    assert_eq!(no_part.status, 404, "{}", no_part.html);

    let paid_path = format!("/console/payouts/{id}/paid");
    let forged = app
        .page(Method::POST, &paid_path, &cookies, Some(&[("csrf", "forged")]))
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(batch_status(&app, &token, &id).await, "pending");
    let paid = post_console(&app, &session, &batch, &paid_path, &[]).await;
    assert_eq!(
        (paid.status, paid.location()),
        (303, format!("/console/payouts/{id}?done=paid").as_str())
    );
    assert_eq!(batch_status(&app, &token, &id).await, "paid");
    let shown = app.get_page(&format!("/console/payouts/{id}"), &cookies).await;
    assert!(
        shown.html.contains("Paid") && !shown.html.contains("Mark paid"),
        "{}",
        shown.html
    );
    for action in ["paid", "cancel"] {
        let refused = post_console(&app, &session, &batch, &format!("/console/payouts/{id}/{action}"), &[]).await;
        assert_eq!(refused.status, 409, "{action}: {}", refused.html);
        assert!(refused.html.contains("The batch is paid"), "{}", refused.html);
    }

    // A second batch, cancelled: its balances are payable again and its files refused.
    matured(&app, &[&p], "B").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let token = app.login(&p.brand.email, "brand").await;
    let report = app.get_page("/console/payouts", &[(SESSION, &session)]).await;
    assert!(
        report.html.contains(&format!("href=\"/console/payouts/{id}\"")),
        "the first batch is listed"
    );
    let second =
        created_batch(&post_console(&app, &session, &report, "/console/payouts", &[("currency", "USD")]).await);
    let cancel_path = format!("/console/payouts/{second}/cancel");
    let forged = app
        .page(
            Method::POST,
            &cancel_path,
            &[(SESSION, &session)],
            Some(&[("csrf", "forged")]),
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(batch_status(&app, &token, &second).await, "pending");
    let cancelled = post_console(&app, &session, &report, &cancel_path, &[]).await;
    assert_eq!(
        (cancelled.status, cancelled.location()),
        (303, "/console/payouts?done=cancelled")
    );
    assert_eq!(batch_status(&app, &token, &second).await, "cancelled");
    let report = app
        .get_page("/console/payouts?done=cancelled", &[(SESSION, &session)])
        .await;
    assert!(report.html.contains("role=\"status\"") && report.html.contains("$25.00"));
    let file = app
        .get_page(&format!("/console/payouts/{second}/payout.csv"), &[(SESSION, &session)])
        .await;
    assert_eq!(file.status, 409, "{}", file.html);
    assert!(file.html.contains("This batch was cancelled"));
}

#[tokio::test]
async fn another_brands_batch_is_404_on_every_route() {
    let app = spawn_app().await;
    let acme = app.program_with_ambassador("acme").await;
    let beans = app.program_with_ambassador("beans").await;
    matured(&app, &[&acme, &beans], "X").await;
    let beans_token = app.login(&beans.brand.email, "brand").await;
    let theirs = app
        .post("/v1/brand/payouts", Some(&beans_token), &json!({"currency": "USD"}))
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    let theirs = theirs.body["id"].as_str().unwrap().to_owned();
    let session = app.sign_in(&acme.brand.email, "brand").await;
    let cookies = [(SESSION, session.as_str())];
    let report = app.get_page("/console/payouts", &cookies).await;
    assert!(!report.html.contains(&theirs));
    for path in [
        format!("/console/payouts/{theirs}"),
        format!("/console/payouts/{theirs}/payout.csv"),
        format!("/console/payouts/{theirs}/paypal.csv"),
        format!("/console/payouts/{}", uuid::Uuid::now_v7()),
    ] {
        assert_eq!(app.get_page(&path, &cookies).await.status, 404, "{path}");
    }
    for action in ["paid", "cancel"] {
        let answer = post_console(
            &app,
            &session,
            &report,
            &format!("/console/payouts/{theirs}/{action}"),
            &[],
        )
        .await;
        assert_eq!(answer.status, 404, "{action}");
    }
    assert_eq!(batch_status(&app, &beans_token, &theirs).await, "pending");
    // A currency that is not one is said beside its box; the batches are still listed.
    let bad = app.get_page("/console/payouts?currency=dollars", &cookies).await;
    assert_eq!(bad.status, 400, "{}", bad.html);
    assert!(bad.html.contains("id=\"currency-error\""));
}

/// A staff member of the brand, signed in to the console: invited by the owner, joined
/// with the e-mailed token.
pub(super) async fn staff_session(app: &TestApp, sink: &SmtpSink, owner_token: &str, email: &str) -> String {
    let invite = app
        .post(
            "/v1/brand/users",
            Some(owner_token),
            &json!({"email": email, "role": "staff"}),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text);
    let mail = app
        .mail_until(sink, |m| m.iter().any(|m| m.envelope_to == [email]))
        .await;
    let letter = mail.iter().find(|m| m.envelope_to == [email]).unwrap();
    let token = letter.code_after("Your invitation code");
    let joined = app
        .post(
            "/v1/brand/users/accept",
            None,
            &json!({"token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(joined.status, 201, "{}", joined.text);
    app.sign_in(email, "brand").await
}

#[tokio::test]
async fn staff_make_and_cancel_batches_but_only_an_owner_marks_one_paid() {
    let (app, sink) = app_with_mail().await;
    let p = app.program_with_ambassador("acme").await;
    matured(&app, &[&p], "S").await;
    let owner = app.login(&p.brand.email, "brand").await;
    let staff = staff_session(&app, &sink, &owner, "pat@acme.example").await;
    let report = app.get_page("/console/payouts", &[(SESSION, &staff)]).await;
    assert_eq!(report.status, 200, "{}", report.html);
    let id = created_batch(&post_console(&app, &staff, &report, "/console/payouts", &[("currency", "USD")]).await);
    let batch = app
        .get_page(&format!("/console/payouts/{id}"), &[(SESSION, &staff)])
        .await;
    assert_eq!(batch.status, 200, "{}", batch.html);
    assert!(
        !batch.html.contains("/paid\""),
        "staff are not offered it: {}",
        batch.html
    );
    assert!(batch.html.contains("an owner of the brand marks it paid"));
    let refused = post_console(&app, &staff, &batch, &format!("/console/payouts/{id}/paid"), &[]).await;
    assert_eq!(refused.status, 403, "{}", refused.html);
    assert!(refused.html.contains("Only an owner can do this"));
    assert_eq!(batch_status(&app, &owner, &id).await, "pending");
    let cancelled = post_console(&app, &staff, &batch, &format!("/console/payouts/{id}/cancel"), &[]).await;
    assert_eq!(cancelled.status, 303, "{}", cancelled.html);
    assert_eq!(batch_status(&app, &owner, &id).await, "cancelled");
}
