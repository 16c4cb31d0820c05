//! Two tiers on the web: the ambassador's invitation link on their brand page, its page
//! for a visitor and for a signed-in influencer (who joins with the form), a link that
//! invites nobody, and the recruiter named on the console's ambassador page.

use serde_json::json;

use super::SESSION;
use super::console::post_console;
use crate::helpers::{program_body, spawn_app};

#[tokio::test]
async fn a_creator_joins_through_an_ambassadors_invitation_link_and_the_brand_sees_who_recruited_them() {
    let app = spawn_app().await;
    let mut terms = program_body();
    terms["override_rate"] = json!("12.5");
    let p = app.program_with_terms("acme", &terms).await;
    let ana = app.sign_in("ana@acme.example", "influencer").await;
    let dashboard = app.get("/v1/me/dashboard", Some(&p.influencer.access_token)).await;
    let brand_id = dashboard.body["brands"][0]["brand_id"].as_str().unwrap().to_owned();
    let home = app
        .get_page(&format!("/app/brands/{brand_id}"), &[(SESSION, &ana)])
        .await;
    let link = format!("/join/acme/{}", p.code);
    assert!(
        home.html.contains(&link),
        "Ana's page shows her invitation link: {}",
        home.html
    );

    // A visitor reads the offer and is asked to sign in first.
    let visitor = app.get_page(&link, &[]).await;
    assert_eq!(visitor.status, 200, "{}", visitor.html);
    assert!(visitor.html.contains("invites you to join"), "{}", visitor.html);
    assert!(
        visitor.html.contains("earns 12.5 % of your commission"),
        "{}",
        visitor.html
    );
    assert!(visitor.html.contains("href=\"/signup\""), "{}", visitor.html);
    assert!(!visitor.html.contains("<form method=\"post\""), "{}", visitor.html);

    // Ben, signed in, joins with the form; forged, the form is refused.
    app.sign_up_influencer("ben@example.com").await;
    let ben = app.sign_in("ben@example.com", "influencer").await;
    let offer = app.get_page(&link, &[(SESSION, &ben)]).await;
    assert!(offer.html.contains("<form method=\"post\""), "{}", offer.html);
    let forged = app
        .page(
            reqwest::Method::POST,
            &link,
            &[(SESSION, &ben)],
            Some(&[("csrf", "forged")]),
        )
        .await;
    assert_eq!(forged.status, 403);
    let joined = post_console(&app, &ben, &offer, &link, &[]).await;
    assert_eq!(joined.status, 303, "{}", joined.html);
    assert_eq!(joined.location(), format!("/app/brands/{brand_id}"));
    let again = post_console(&app, &ben, &offer, &link, &[]).await;
    assert_eq!(again.status, 409, "{}", again.html);
    assert!(again.html.contains("already an ambassador"), "{}", again.html);

    // The brand sees whose recruit Ben is.
    let list = app.get("/v1/brand/ambassadors", Some(&p.brand.access_token)).await;
    let ben_id = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["recruited_by"] == json!(p.membership_id))
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("{}", list.text));
    let console = app.sign_in(&p.brand.email, "brand").await;
    let page = app
        .get_page(&format!("/console/ambassadors/{ben_id}"), &[(SESSION, &console)])
        .await;
    assert!(page.html.contains("Recruited by"), "{}", page.html);
    assert!(
        page.html.contains(&format!("/console/ambassadors/{}", p.membership_id)),
        "{}",
        page.html
    );

    // A link that invites nobody says so.
    let nobody = app.get_page("/join/acme/NOSUCHCODE", &[]).await;
    assert_eq!(nobody.status, 404, "{}", nobody.html);
    assert!(nobody.html.contains("invites nobody"), "{}", nobody.html);
}
