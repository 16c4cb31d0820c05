//! `GET /v1/me/codes`: the influencer's referral codes in every brand.

use serde_json::{Value, json};

use crate::helpers::{Reply, program_body, spawn_app};

fn items(reply: &Reply) -> Vec<Value> {
    reply.body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn my_codes_lists_every_code_in_every_brand_with_its_brand_membership_and_link() {
    let app = spawn_app().await;
    let acme = app.sign_up_brand("acme").await;
    let globex = app.sign_up_brand("globex").await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let bob = app.sign_up_influencer("bob@example.com").await;
    let mut memberships = Vec::new();
    for brand in [&acme, &globex] {
        let program = app.create_program(&brand.access_token, &program_body()).await;
        memberships.push(
            app.join(&brand.access_token, &program, "ana@example.com", &ana.access_token)
                .await,
        );
    }
    let (in_acme, in_globex) = (&memberships[0], &memberships[1]);
    let acme_membership = in_acme["id"].as_str().unwrap_or_default();
    // A vanity code beside the generated one, and the generated one switched off.
    let vanity = app
        .post(
            &format!("/v1/brand/ambassadors/{acme_membership}/codes"),
            Some(&acme.access_token),
            &json!({"code": "ana-summer", "max_uses": 100}),
        )
        .await;
    assert_eq!(vanity.status, 201, "{}", vanity.text);
    let off = app
        .patch(
            &format!(
                "/v1/brand/codes/{}",
                in_acme["codes"][0]["id"].as_str().unwrap_or_default()
            ),
            Some(&acme.access_token),
            &json!({"active": false, "stripe_promotion_code": "promo_1MiM6KLkdIwHu7ix"}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    // Globex ends Ana's membership: her code there is still hers to see.
    let ended = app
        .patch(
            &format!("/v1/brand/ambassadors/{}", in_globex["id"].as_str().unwrap_or_default()),
            Some(&globex.access_token),
            &json!({"status": "ended"}),
        )
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);

    let mine = app.get("/v1/me/codes", Some(&ana.access_token)).await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.body["next_cursor"], Value::Null);
    let codes = items(&mine);
    let texts: Vec<&Value> = codes.iter().map(|c| &c["code"]).collect();
    // Oldest first: the order they were issued in.
    assert_eq!(
        texts,
        [
            &in_acme["codes"][0]["code"],
            &in_globex["codes"][0]["code"],
            &json!("ANA-SUMMER")
        ]
    );
    let [first, second, third] = [&codes[0], &codes[1], &codes[2]];
    assert_eq!(
        first["brand"],
        json!({"id": acme.id, "name": "Acme Coffee", "slug": "acme"})
    );
    assert_eq!(first["membership_id"], in_acme["id"]);
    assert_eq!(first["membership_status"], "active");
    assert_eq!(first["active"], false);
    assert_eq!(second["brand"]["slug"], "globex");
    assert_eq!(second["membership_status"], "ended");
    assert_eq!(third["max_uses"], 100);
    assert_eq!(third["uses"], 0);
    assert_eq!(third["expires_at"], Value::Null);
    assert_eq!(third["referral_link"], "https://go.example/r/acme/ANA-SUMMER");
    // The brand's Stripe set-up is the brand's: not shown to the ambassador.
    assert!(!mine.text.contains("promo_"), "{}", mine.text);
    // Each code reads as the brand's list shows it, link included.
    let brand_list = app
        .get(
            &format!("/v1/brand/ambassadors/{acme_membership}/codes"),
            Some(&acme.access_token),
        )
        .await;
    for theirs in items(&brand_list) {
        let ours = codes
            .iter()
            .find(|c| c["id"] == theirs["id"])
            .cloned()
            .unwrap_or_default();
        for field in [
            "code",
            "membership_id",
            "active",
            "max_uses",
            "uses",
            "expires_at",
            "referral_link",
            "created_at",
            "updated_at",
        ] {
            assert_eq!(ours[field], theirs[field], "{field} of {}", theirs["code"]);
        }
    }

    // Pages of two, by the cursor.
    let page = app.get("/v1/me/codes?limit=2", Some(&ana.access_token)).await;
    assert_eq!(items(&page).len(), 2);
    let cursor = page.body["next_cursor"].as_str().unwrap_or_default().to_owned();
    assert_eq!(json!(cursor), codes[1]["id"]);
    let rest = app
        .get(
            &format!("/v1/me/codes?limit=2&cursor={cursor}"),
            Some(&ana.access_token),
        )
        .await;
    assert_eq!(
        (items(&rest), &rest.body["next_cursor"]),
        (vec![codes[2].clone()], &Value::Null)
    );

    // Another influencer sees none of them.
    let bobs = app.get("/v1/me/codes", Some(&bob.access_token)).await;
    assert_eq!((bobs.status, &bobs.body["items"]), (200, &json!([])));
}
