//! The influencer's pages: overview, codes and links, the invitation inbox.

use super::SESSION;
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_overview_shows_each_brands_money_formatted() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &crate::orders::order_body("1001", Some(&p.code)),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let session = app.sign_in("ana@acme.example", "influencer").await;
    let overview = app.get_page("/app", &[(SESSION, &session)]).await;
    assert!(overview.html.contains("Acme Coffee"), "{}", overview.html);
    assert!(overview.html.contains("$5.95"), "{}", overview.html);
    // A brand user signs in to the same form, and is sent to the console.
    let brand = app.sign_in(&p.brand.email, "brand").await;
    let elsewhere = app.get_page("/app", &[(SESSION, &brand)]).await;
    assert_eq!((elsewhere.status, elsewhere.location()), (303, "/console"));
}

#[tokio::test]
async fn the_codes_page_shows_each_code_with_its_link_and_a_qr_code() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let session = app.sign_in("ana@acme.example", "influencer").await;
    let codes = app.get_page("/app/codes", &[(SESSION, &session)]).await;
    assert_eq!(codes.status, 200, "{}", codes.html);
    let link = format!("https://go.example/r/acme/{}", p.code);
    assert!(codes.html.contains(&format!("value=\"{link}\"")), "{}", codes.html);
    assert!(codes.html.contains("src=\"data:image/svg+xml;base64,"));
    assert!(codes.html.contains("Acme Coffee"));
    // A brand user has no codes page of its own.
    let brand = app.sign_in(&p.brand.email, "brand").await;
    let elsewhere = app.get_page("/app/codes", &[(SESSION, &brand)]).await;
    assert_eq!((elsewhere.status, elsewhere.location()), (303, "/console"));
}

#[tokio::test]
async fn invitations_are_accepted_and_declined_from_the_inbox_with_the_sessions_csrf_token() {
    let app = spawn_app().await;
    let acme = app.program_with_ambassador("acme").await;
    let beans = app.program_with_ambassador("beans").await;
    app.sign_up_influencer("lea@example.com").await;
    for (brand, program) in [(&acme, &acme.program_id), (&beans, &beans.program_id)] {
        let invite = app
            .post(
                "/v1/brand/invitations",
                Some(&brand.brand.access_token),
                &serde_json::json!({"email": "lea@example.com", "program_id": program}),
            )
            .await;
        assert_eq!(invite.status, 201, "{}", invite.text);
    }
    let session = app.sign_in("lea@example.com", "influencer").await;
    let inbox = app.get_page("/app/invitations", &[(SESSION, &session)]).await;
    assert_eq!(inbox.status, 200, "{}", inbox.html);
    let pending = r#"<mark class="status-pending">pending</mark>"#;
    assert_eq!(inbox.html.matches(pending).count(), 2, "{}", inbox.html);
    assert!(inbox.html.contains("Commission: 10 % of each sale you refer"));
    let csrf = inbox.hidden("csrf");
    let actions: Vec<String> = inbox
        .html
        .split("action=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .filter(|action| action.starts_with("/app/invitations/"))
        .collect();
    assert_eq!(actions.len(), 4, "{actions:?}");
    // Without the session's token nothing changes.
    let forged = app
        .page(
            reqwest::Method::POST,
            &actions[0],
            &[(SESSION, &session)],
            Some(&[("csrf", "forged")]),
        )
        .await;
    assert_eq!(forged.status, 403);
    let accepted = app
        .page(
            reqwest::Method::POST,
            &actions[0],
            &[(SESSION, &session)],
            Some(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(
        (accepted.status, accepted.location()),
        (303, "/app/invitations?done=accepted")
    );
    let declined = app
        .page(
            reqwest::Method::POST,
            &actions[3],
            &[(SESSION, &session)],
            Some(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(
        (declined.status, declined.location()),
        (303, "/app/invitations?done=declined")
    );
    let after = app
        .get_page("/app/invitations?done=declined", &[(SESSION, &session)])
        .await;
    let accepted = r#"<mark class="status-accepted">accepted</mark>"#;
    let declined = r#"<mark class="status-declined">declined</mark>"#;
    assert_eq!(after.html.matches(accepted).count(), 1, "{}", after.html);
    assert_eq!(after.html.matches(declined).count(), 1, "{}", after.html);
    assert!(after.html.contains("Declined; the brand is told."));
    // The membership is real: the API lists Lea's new code.
    let lea = app.login("lea@example.com", "influencer").await;
    let mine = app.get("/v1/me/codes", Some(&lea)).await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1, "{}", mine.text);
    // Another influencer cannot act on Lea's invitation: 404, as in the API.
    let ana = app.sign_in("ana@acme.example", "influencer").await;
    let ana_csrf = app
        .get_page("/app/invitations", &[(SESSION, &ana)])
        .await
        .hidden_or_none("csrf");
    let theirs = app
        .page(
            reqwest::Method::POST,
            &actions[3],
            &[(SESSION, &ana)],
            Some(&[("csrf", &ana_csrf)]),
        )
        .await;
    assert_eq!(theirs.status, 404, "{}", theirs.html);
}

#[tokio::test]
async fn the_profile_page_changes_what_patch_me_changes_and_shows_field_errors() {
    let app = spawn_app().await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let session = app.sign_in("ana@example.com", "influencer").await;
    let profile = app.get_page("/app/profile", &[(SESSION, &session)]).await;
    assert_eq!(profile.status, 200, "{}", profile.html);
    assert!(profile.html.contains("value=\"Ana Influencer\""));
    assert_eq!(
        profile.html.matches(" checked").count(),
        2,
        "both notifications start on"
    );
    let csrf = profile.hidden("csrf");
    let form = |name: &'static str, payout: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("display_name", name.to_owned()),
            ("payout_email", payout.to_owned()),
            ("payouts", "on".to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let session = session.clone();
        let app = &app;
        async move {
            let body: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.page(
                reqwest::Method::POST,
                "/app/profile",
                &[(SESSION, &session)],
                Some(&body),
            )
            .await
        }
    };
    let refused = post(form("   ", "not-an-address")).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert_eq!(refused.html.matches("class=\"error\"").count(), 2, "{}", refused.html);
    assert!(
        refused.html.contains("value=\"not-an-address\""),
        "the typed value is kept"
    );
    let mut forged = form("Ana B", "");
    forged[0].1 = "forged".to_owned();
    assert_eq!(post(forged).await.status, 403);
    let saved = post(form("Ana B", "pay@example.com")).await;
    assert_eq!((saved.status, saved.location()), (303, "/app/profile?saved=1"));
    // The API sees the same profile: sale e-mails off (unticked), payouts on.
    let me = app.get("/v1/me", Some(&ana.access_token)).await;
    assert_eq!(me.body["display_name"], "Ana B");
    assert_eq!(me.body["payout_email"], "pay@example.com");
    assert_eq!(
        me.body["notifications"],
        serde_json::json!({"sales": false, "payouts": true})
    );
    let again = app.get_page("/app/profile?saved=1", &[(SESSION, &session)]).await;
    assert!(again.html.contains("Saved."));
    assert!(again.html.contains("value=\"pay@example.com\""));
}
