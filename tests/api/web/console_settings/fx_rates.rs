//! The exchange rate table on its page: saved through the use case of
//! `PUT /v1/brand/fx-rates` (what the page saves, the API lists), each refused cell
//! shown beside itself, staff shown the table and refused the save.

use serde_json::json;

use super::{forged, owner, page_ok};
use crate::helpers::spawn_app;
use crate::mail::app_with_mail;
use crate::web::SESSION;
use crate::web::console::post_console;
use crate::web::console_payouts::staff_session;

const PATH: &str = "/console/settings/fx-rates";

#[tokio::test]
async fn the_owner_saves_the_table_on_the_page_and_each_refused_rate_is_shown_beside_itself() {
    let app = spawn_app().await;
    let (brand, session) = owner(&app, "acme").await;
    let page = page_ok(&app, &session, PATH).await;
    assert!(page.html.contains("id=\"rate_2\""), "three blank rows: {}", page.html);

    let bad = [
        ("from_0", "EUR"),
        ("to_0", "USD"),
        ("rate_0", "1,08"),
        ("from_1", "USD"),
        ("to_1", "USD"),
        ("rate_1", "1"),
    ];
    let refused = post_console(&app, &session, &page, PATH, &bad).await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(refused.html.contains("id=\"rate_0-error\""), "{}", refused.html);
    assert!(refused.html.contains("id=\"to_1-error\""), "{}", refused.html);
    assert!(
        refused.html.contains("value=\"1,08\""),
        "what was typed is kept: {}",
        refused.html
    );
    assert_eq!(
        forged(
            &app,
            &session,
            PATH,
            &[("from_0", "EUR"), ("to_0", "USD"), ("rate_0", "1.1")]
        )
        .await
        .status,
        403
    );
    let api = app.get("/v1/brand/fx-rates", Some(&brand.access_token)).await;
    assert_eq!(api.body, json!({"rates": []}));

    // A blank row is no pair; a currency typed in lower case is read in upper case.
    let good = [
        ("from_0", "eur"),
        ("to_0", "usd"),
        ("rate_0", "1.0825"),
        ("from_1", ""),
        ("to_1", ""),
        ("rate_1", ""),
        ("from_2", "GBP"),
        ("to_2", "USD"),
        ("rate_2", "1.27"),
    ];
    let saved = post_console(&app, &session, &page, PATH, &good).await;
    assert_eq!(
        (saved.status, saved.location()),
        (303, "/console/settings/fx-rates?done=saved")
    );
    let api = app.get("/v1/brand/fx-rates", Some(&brand.access_token)).await;
    let pairs: Vec<(String, String, String)> = api.body["rates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["from"].to_string(), r["to"].to_string(), r["rate"].to_string()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("\"EUR\"".into(), "\"USD\"".into(), "\"1.0825\"".into()),
            ("\"GBP\"".into(), "\"USD\"".into(), "\"1.27\"".into())
        ]
    );
    let shown = page_ok(&app, &session, "/console/settings/fx-rates?done=saved").await;
    assert!(shown.html.contains("value=\"1.0825\""), "{}", shown.html);
    assert!(shown.html.contains("role=\"status\""), "{}", shown.html);
}

#[tokio::test]
async fn staff_see_the_rates_and_are_refused_a_save() {
    let (app, sink) = app_with_mail().await;
    let p = app.program_with_ambassador("acme").await;
    let set = app
        .request(
            reqwest::Method::PUT,
            "/v1/brand/fx-rates",
            Some(&p.brand.access_token),
            Some(&json!({"rates": [{"from": "EUR", "to": "USD", "rate": "1.1"}]})),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    let staff = staff_session(&app, &sink, &p.brand.access_token, "pat@acme.example").await;
    let page = app.get_page(PATH, &[(SESSION, &staff)]).await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("<td>1.1</td>"), "{}", page.html);
    assert!(
        page.html.contains("Only the brand's owners can change the rates"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("Save the rates"), "{}", page.html);
    let refused = post_console(
        &app,
        &staff,
        &page,
        PATH,
        &[("from_0", "EUR"), ("to_0", "USD"), ("rate_0", "9")],
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.html);
    assert!(refused.html.contains("Only an owner"), "{}", refused.html);
    let api = app.get("/v1/brand/fx-rates", Some(&p.brand.access_token)).await;
    assert_eq!(api.body["rates"][0]["rate"], "1.1");
}
