//! Fulfilling a reward names the carrier beside the tracking reference; both sides see
//! it on every reward they read.

use chrono::Duration;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_carrier_is_kept_with_the_tracking_and_shown_to_brand_and_ambassador() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    for i in 0..6 {
        let reply = app
            .post(
                "/v1/checkout/orders",
                Some(&p.api_key),
                &json!({"order_id": format!("o{i}"), "code": p.code, "currency": "USD", "discount_total": 0,
                        "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 10_000}]}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    app.clock.advance(Duration::days(31));
    assert_eq!(app.mature().await.rewards_granted, 2);
    let ana = app.login("ana@acme.example", "influencer").await;
    let brand = app.login(&p.brand.email, "brand").await;
    let mine = app.get("/v1/me/rewards", Some(&ana)).await;
    let ids: Vec<String> = mine.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(mine.body["items"][0]["carrier"], json!(null), "{}", mine.text);
    for id in &ids {
        let claimed = app
            .post(
                &format!("/v1/me/rewards/{id}/claim"),
                Some(&ana),
                &json!({"shipping_name": "Ana", "shipping_address": "1 Main St"}),
            )
            .await;
        assert_eq!(claimed.status, 200, "{}", claimed.text);
    }
    let fulfil = |id: &str| format!("/v1/brand/rewards/{id}/fulfil");

    // Refused carriers: blank, two lines, invisible characters, too long; each with
    // a bad tracking reference listed too.
    for carrier in [" ", "DHL\nExpress", "DHL\u{200B}", &"x".repeat(101)] {
        let reply = app
            .post(
                &fulfil(&ids[0]),
                Some(&brand),
                &json!({"carrier": carrier, "tracking": ""}),
            )
            .await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), ["tracking", "carrier"], "{carrier:?}");
    }
    let first = app
        .post(
            &fulfil(&ids[0]),
            Some(&brand),
            &json!({"carrier": "  DHL Express ", "tracking": "JD014600006281230704"}),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        (first.body["carrier"].clone(), first.body["tracking"].clone()),
        (json!("DHL Express"), json!("JD014600006281230704"))
    );
    // A carrier alone, and neither.
    let second = app
        .post(&fulfil(&ids[1]), Some(&brand), &json!({"carrier": "Royal Mail"}))
        .await;
    assert_eq!(
        (second.body["carrier"].clone(), second.body["tracking"].clone()),
        (json!("Royal Mail"), json!(null))
    );

    let listed = app.get("/v1/brand/rewards?status=fulfilled", Some(&brand)).await;
    let carriers: Vec<_> = listed.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["carrier"].clone())
        .collect();
    assert_eq!(carriers, [json!("DHL Express"), json!("Royal Mail")]);
    let mine = app.get("/v1/me/rewards", Some(&ana)).await;
    assert_eq!(mine.body["items"][0]["carrier"], "DHL Express");
    assert_eq!(mine.body["items"][0]["tracking"], "JD014600006281230704");
    assert_eq!(mine.body["items"][1]["carrier"], "Royal Mail");
}
