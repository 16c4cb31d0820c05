//! One dashboard over several brands, and one influencer's reports never showing
//! another's.

use serde_json::json;

use super::{ana, dashboard, earnings_csv, jpy_brand, order_ids, recorded, yen_order};
use crate::helpers::spawn_app;
use crate::orders::order_body;

#[tokio::test]
async fn one_dashboard_shows_every_brand_and_the_brand_filter_narrows_it() {
    let app = spawn_app().await;
    let acme = app.program_with_ambassador("acme").await;
    let bean = jpy_brand(&app, "bean", "Bean Tea", &ana("acme"), &acme.influencer).await;
    recorded(&app, &acme, &order_body("1001", Some(&acme.code))).await;
    assert_eq!(
        recorded(&app, &bean, &yen_order("J-1", &bean.code)).await["commission"]["amount"],
        500
    );
    let token = &acme.influencer.access_token;

    let both = dashboard(&app, token, "").await;
    let brands = both["brands"].as_array().cloned().unwrap_or_default();
    assert_eq!(brands.len(), 2);
    assert_eq!(
        (
            brands[0]["brand_id"].clone(),
            brands[0]["currency"].clone(),
            brands[0]["totals"]["pending"].clone()
        ),
        (json!(acme.brand.id), json!("USD"), json!(595))
    );
    assert_eq!(
        (
            brands[1]["brand_id"].clone(),
            brands[1]["currency"].clone(),
            brands[1]["totals"]["pending"].clone()
        ),
        (json!(bean.brand.id), json!("JPY"), json!(500))
    );
    assert_eq!(brands[1]["brand_name"], "Bean Tea");
    assert_eq!(brands[1]["membership_id"], json!(bean.membership_id));
    assert_eq!(brands[1]["codes"][0]["code"], json!(bean.code));
    assert_eq!(brands[1]["codes"][0]["net_sales"], 5000);
    assert_eq!(brands[1]["recent_orders"][0]["order_id"], "J-1");
    assert_eq!(brands[0]["recent_orders"][0]["order_id"], "1001");

    let only_bean = dashboard(&app, token, &format!("?brand_id={}", bean.brand.id)).await;
    assert_eq!(only_bean["brands"].as_array().map(Vec::len), Some(1));
    assert_eq!(only_bean["brands"][0], brands[1]);

    // A brand the influencer does not work with: no entries, not an error.
    let other = app.sign_up_brand("other").await;
    let none = dashboard(&app, token, &format!("?brand_id={}", other.id)).await;
    assert_eq!(none["brands"], json!([]));
    assert_eq!(none["influencer"]["id"], json!(acme.influencer.id));

    let orders = app
        .get(&format!("/v1/me/orders?brand_id={}", bean.brand.id), Some(token))
        .await;
    assert_eq!(orders.status, 200, "{}", orders.text);
    assert_eq!(orders.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(orders.body["items"][0]["order_id"], "J-1");
    assert_eq!(orders.body["items"][0]["currency"], "JPY");
    assert_eq!(orders.body["items"][0]["brand_name"], "Bean Tea");
}

#[tokio::test]
async fn another_influencer_sees_none_of_it() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    recorded(&app, &p, &order_body("1001", Some(&p.code))).await;
    app.click("acme", &p.code, "agent").await;
    // Bo is an ambassador of the same program, with an order of her own.
    let (bo, bo_membership, bo_code) = app.add_ambassador(&p, &p.brand.access_token, "bo@acme.example").await;
    recorded(&app, &p, &order_body("2001", Some(&bo_code))).await;
    // Cy works with no brand at all.
    let cy = app.sign_up_influencer("cy@else.example").await;

    let bo_view = dashboard(&app, &bo.access_token, "").await;
    assert_eq!(bo_view["brands"].as_array().map(Vec::len), Some(1));
    let entry = &bo_view["brands"][0];
    assert_eq!(entry["membership_id"], json!(bo_membership));
    assert_eq!(entry["totals"]["pending"], 595, "only her own order");
    assert_eq!(entry["codes"].as_array().map(Vec::len), Some(1));
    assert_eq!(entry["codes"][0]["code"], json!(bo_code));
    assert_eq!(entry["codes"][0]["clicks"], 0);
    assert_eq!(entry["recent_orders"][0]["order_id"], "2001");
    assert_eq!(entry["recent_orders"].as_array().map(Vec::len), Some(1));
    assert!(!bo_view.to_string().contains(&p.code));
    let bo_orders = app.get("/v1/me/orders", Some(&bo.access_token)).await;
    assert_eq!(order_ids(&bo_orders), ["2001"]);
    let ana_orders = app.get("/v1/me/orders", Some(&p.influencer.access_token)).await;
    assert_eq!(order_ids(&ana_orders), ["1001"]);
    // Ana's cursor does not reach into Ana's orders for Bo.
    let ana_id = ana_orders.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let after = app
        .get(&format!("/v1/me/orders?cursor={ana_id}"), Some(&bo.access_token))
        .await;
    assert_eq!(order_ids(&after), Vec::<String>::new());

    let cy_view = dashboard(&app, &cy.access_token, "").await;
    assert_eq!(cy_view["brands"], json!([]));
    let cy_brand = dashboard(&app, &cy.access_token, &format!("?brand_id={}", p.brand.id)).await;
    assert_eq!(cy_brand["brands"], json!([]));
    let cy_orders = app.get("/v1/me/orders", Some(&cy.access_token)).await;
    assert_eq!(cy_orders.body["items"], json!([]));
    let cy_csv = earnings_csv(&app, &cy.access_token).await;
    assert_eq!(cy_csv.len(), 1, "the header only");

    let bo_csv = earnings_csv(&app, &bo.access_token).await;
    assert_eq!(bo_csv.len(), 2);
    assert_eq!(bo_csv[1][4], "2001");
}
