//! The rewards page and the claim form.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use super::SESSION;
use crate::helpers::{Program, TestApp, spawn_app};
use crate::orders::order_body;

async fn orders(app: &TestApp, p: &Program, count: usize) {
    for n in 0..count {
        let reply = app
            .post(
                "/v1/checkout/orders",
                Some(&p.api_key),
                &order_body(&format!("o{n}"), Some(&p.code)),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
}

async fn api_rewards(app: &TestApp, email: &str) -> Vec<Value> {
    let token = app.login(email, "influencer").await;
    let reply = app.get("/v1/me/rewards", Some(&token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["items"].as_array().cloned().unwrap_or_default()
}

fn id(reward: &Value) -> String {
    reward["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn rewards_are_listed_and_claimed_with_a_shipping_address_through_a_csrf_checked_form() {
    let app = spawn_app().await;
    let acme = app.program_with_ambassador("acme").await;
    let globex = app.program_with_ambassador("globex").await;
    // Three orders a free bag: two for Ana of Acme, one for Ana of Globex.
    orders(&app, &acme, 6).await;
    orders(&app, &globex, 3).await;
    app.clock.advance(Duration::days(30) + Duration::minutes(1));
    assert_eq!(app.mature().await.rewards_granted, 3);
    let mine = api_rewards(&app, "ana@acme.example").await;
    let (first, second) = (id(&mine[0]), id(&mine[1]));
    let theirs = id(&api_rewards(&app, "ana@globex.example").await[0]);
    let session = app.sign_in("ana@acme.example", "influencer").await;
    let cookies = [(SESSION, session.as_str())];

    let list = app.get_page("/app/rewards", &cookies).await;
    assert_eq!(list.status, 200, "{}", list.html);
    assert!(
        list.html
            .contains(r#"<a href="/app/rewards" aria-current="page">Rewards</a>"#)
    );
    assert_eq!(list.html.matches("A free bag of coffee").count(), 2, "{}", list.html);
    assert_eq!(list.html.matches("<mark>earned</mark>").count(), 2);
    assert!(list.html.contains("Earned 2 Dec 2026"));
    for reward in [&first, &second] {
        assert!(list.html.contains(&format!("href=\"/app/rewards/{reward}/claim\"")));
    }
    let claim_path = format!("/app/rewards/{first}/claim");
    let form = app.get_page(&claim_path, &cookies).await;
    assert_eq!(form.status, 200, "{}", form.html);
    assert!(form.html.contains("A free bag of coffee"));
    assert!(form.html.contains(r#"<label for="shipping_address">"#));
    let csrf = form.hidden("csrf");
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let session = session.clone();
        let app = &app;
        async move {
            let body: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.page(Method::POST, &path, &[(SESSION, &session)], Some(&body)).await
        }
    };
    let fields = |token: &str, name: &str, address: &str| {
        vec![
            ("csrf", token.to_owned()),
            ("shipping_name", name.to_owned()),
            ("shipping_address", address.to_owned()),
        ]
    };

    // Without the session's token: 403, and nothing is claimed.
    let missing = post(claim_path.clone(), fields("", "Ana", "1 Main St")[1..].to_vec()).await;
    assert_eq!(missing.status, 403, "{}", missing.html);
    let forged = post(claim_path.clone(), fields("forged", "Ana", "1 Main St")).await;
    assert_eq!(forged.status, 403, "{}", forged.html);
    assert_eq!(api_rewards(&app, "ana@acme.example").await[0]["status"], "earned");

    // A missing name: the form again, 422, with the error by the field and the address kept.
    let refused = post(claim_path.clone(), fields(&csrf, "  ", "1 Main St\r\nSpringfield")).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(
        refused
            .html
            .contains(r#"<small id="shipping_name-error" class="error">"#)
    );
    assert!(!refused.html.contains("shipping_address-error"));
    assert!(
        refused.html.contains("1 Main St\nSpringfield</textarea>"),
        "{}",
        refused.html
    );
    assert_eq!(api_rewards(&app, "ana@acme.example").await[0]["status"], "earned");

    // Another influencer's reward: 404 on the form and on the claim.
    let other = format!("/app/rewards/{theirs}/claim");
    assert_eq!(app.get_page(&other, &cookies).await.status, 404);
    let stolen = post(other.clone(), fields(&csrf, "Ana", "1 Main St")).await;
    assert_eq!(stolen.status, 404, "{}", stolen.html);
    let nobodys = format!("/app/rewards/{}/claim", uuid::Uuid::now_v7());
    assert_eq!(app.get_page(&nobodys, &cookies).await.status, 404);
    assert_eq!(api_rewards(&app, "ana@globex.example").await[0]["status"], "earned");

    // A good claim: 303 to the list, which says so; the API shows it claimed, the
    // browser's CR LF line breaks stored as the API's.
    let claimed = post(
        claim_path.clone(),
        fields(&csrf, "Ana Influencer", "1 Main St\r\nSpringfield"),
    )
    .await;
    assert_eq!((claimed.status, claimed.location()), (303, "/app/rewards?claimed=1"));
    let after = api_rewards(&app, "ana@acme.example").await;
    assert_eq!(after[0]["status"], "claimed");
    assert_eq!(after[0]["shipping_name"], "Ana Influencer");
    assert_eq!(after[0]["shipping_address"], "1 Main St\nSpringfield");
    assert_eq!(after[1]["status"], "earned");
    let list = app.get_page("/app/rewards?claimed=1", &cookies).await;
    assert!(list.html.contains("Claimed: the brand ships it"), "{}", list.html);
    assert!(list.html.contains("shipping to Ana Influencer"));
    assert!(!list.html.contains(&format!("href=\"{claim_path}\"")));
    assert!(list.html.contains(&format!("href=\"/app/rewards/{second}/claim\"")));

    // Claimed already: the form and a second claim say so, 409.
    let again = app.get_page(&claim_path, &cookies).await;
    assert_eq!(again.status, 409, "{}", again.html);
    assert!(again.html.contains("already claimed"));
    let twice = post(claim_path.clone(), fields(&csrf, "Ana", "2 Other St")).await;
    assert_eq!(twice.status, 409, "{}", twice.html);
    assert_eq!(
        api_rewards(&app, "ana@acme.example").await[0]["shipping_address"],
        "1 Main St\nSpringfield"
    );

    // Shipped: the tracking reference shows.
    let brand = app.login(&acme.brand.email, "brand").await;
    let fulfilled = app
        .post(
            &format!("/v1/brand/rewards/{first}/fulfil"),
            Some(&brand),
            &json!({"tracking": "1Z999AA10123456784"}),
        )
        .await;
    assert_eq!(fulfilled.status, 200, "{}", fulfilled.text);
    let list = app.get_page("/app/rewards", &cookies).await;
    assert!(list.html.contains("<mark>shipped</mark>"), "{}", list.html);
    assert!(list.html.contains("Tracking: <code>1Z999AA10123456784</code>"));
}
