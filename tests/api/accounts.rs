//! Sign-up, profiles and the validation of every account field.

use serde_json::json;

use crate::helpers::{PASSWORD, brand_body, spawn_app};

#[tokio::test]
async fn brand_sign_up_creates_brand_and_signs_owner_in() {
    let app = spawn_app().await;
    let reply = app
        .post("/v1/brands", None, &brand_body("acme-coffee", "Owner@Acme.Example"))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let brand = &reply.body["brand"];
    assert_eq!(brand["slug"], "acme-coffee");
    assert_eq!(brand["currency"], "USD");
    assert_eq!(brand["landing_url"], "https://acme.example/shop?src=ig");
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 900);

    let token = reply.body["access_token"].as_str().unwrap_or_default();
    let me = app.get("/v1/brand", Some(token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["id"], brand["id"]);

    // The e-mail was normalised: any case logs in.
    let login = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "OWNER@acme.example", "password": PASSWORD, "account": "brand"}),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
}

#[tokio::test]
async fn brand_sign_up_reports_every_invalid_field() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/v1/brands",
            None,
            &json!({
                "name": "  ",
                "slug": "Acme Shop",
                "landing_url": "javascript:alert(1)",
                "currency": "ABC",
                "owner_email": "not-an-email",
                "owner_password": "short",
            }),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        reply.fields(),
        [
            "name",
            "slug",
            "landing_url",
            "currency",
            "owner_email",
            "owner_password"
        ]
    );
}

#[tokio::test]
async fn each_field_rule_is_enforced() {
    let app = spawn_app().await;
    let cases = [
        ("slug", json!("ab")),
        ("slug", json!("a".repeat(41))),
        ("slug", json!("UPPER")),
        ("landing_url", json!("ftp://acme.example")),
        ("landing_url", json!("https://user:pw@acme.example")),
        ("landing_url", json!("/relative")),
        ("currency", json!("usd")),
        ("currency", json!("XAU")),
        ("owner_email", json!("ana@localhost")),
        ("owner_password", json!("1234567")),
        ("owner_password", json!("x".repeat(129))),
        ("name", json!("x".repeat(201))),
    ];
    for (field, value) in cases {
        let mut body = brand_body("valid-slug", "owner@valid.example");
        body[field] = value.clone();
        let reply = app.post("/v1/brands", None, &body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), [field], "{field} = {value}");
    }
    // Boundaries that are allowed.
    let mut body = brand_body("abc", "owner@abc.example");
    body["owner_password"] = json!("é".repeat(128));
    body["currency"] = json!("JPY");
    assert_eq!(app.post("/v1/brands", None, &body).await.status, 201);
}

#[tokio::test]
async fn wrong_types_missing_and_unknown_fields_are_validation_errors() {
    let app = spawn_app().await;
    let mut body = brand_body("acme", "owner@acme.example");
    body["currency"] = json!(840);
    let reply = app.post("/v1/brands", None, &body).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["currency"]);

    let mut body = brand_body("acme", "owner@acme.example");
    body["is_admin"] = json!(true);
    let reply = app.post("/v1/brands", None, &body).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["is_admin"]);

    let mut body = brand_body("acme", "owner@acme.example");
    body.as_object_mut().map(|o| o.remove("slug"));
    let reply = app.post("/v1/brands", None, &body).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["slug"]);
}

#[tokio::test]
async fn slug_and_email_are_unique() {
    let app = spawn_app().await;
    app.sign_up_brand("acme").await;
    let reply = app
        .post("/v1/brands", None, &brand_body("acme", "other@acme.example"))
        .await;
    reply.assert_problem(409, "slug_taken");
    let reply = app
        .post("/v1/brands", None, &brand_body("acme-two", "OWNER@acme.example"))
        .await;
    reply.assert_problem(409, "email_taken");

    app.sign_up_influencer("ana@example.com").await;
    let reply = app
        .post(
            "/v1/influencers",
            None,
            &json!({"email": "Ana@Example.com", "password": PASSWORD, "display_name": "Ana"}),
        )
        .await;
    reply.assert_problem(409, "email_taken");
}

#[tokio::test]
async fn concurrent_sign_ups_with_one_slug_create_one_brand() {
    let app = spawn_app().await;
    // Ten: one address's sign-up budget.
    let requests = (0..10).map(|i| {
        let body = brand_body("race", &format!("owner{i}@race.example"));
        let client = app.client.clone();
        let url = app.url("/v1/brands");
        async move {
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    });
    let mut statuses = futures_join(requests).await;
    statuses.sort_unstable();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
}

async fn futures_join<F: std::future::Future<Output = u16> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<u16> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap_or(0));
    }
    out
}

#[tokio::test]
async fn brand_profile_can_be_edited_but_not_its_slug() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let token = Some(brand.access_token.as_str());
    let reply = app
        .patch(
            "/v1/brand",
            token,
            &json!({"name": "Acme Roasters", "landing_url": "https://roasters.example/"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["name"], "Acme Roasters");
    assert_eq!(reply.body["landing_url"], "https://roasters.example/");
    assert_eq!(reply.body["slug"], "acme");

    app.patch("/v1/brand", token, &json!({"slug": "other"}))
        .await
        .assert_problem(422, "validation_failed");
    let reply = app
        .patch("/v1/brand", token, &json!({"landing_url": "mailto:x@y.z"}))
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["landing_url"]);
    assert_eq!(app.get("/v1/brand", token).await.body["name"], "Acme Roasters");
}

#[tokio::test]
async fn influencer_profile_and_payout_email() {
    let app = spawn_app().await;
    let ana = app.sign_up_influencer("Ana@Example.com").await;
    let token = Some(ana.access_token.as_str());
    let me = app.get("/v1/me", token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["email"], "ana@example.com");
    assert_eq!(
        me.body["payout_email"], "ana@example.com",
        "defaults to the login e-mail"
    );

    let reply = app
        .patch(
            "/v1/me",
            token,
            &json!({"payout_email": "Pay@Ana.example", "display_name": " Ana B "}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["payout_email"], "pay@ana.example");
    assert_eq!(reply.body["display_name"], "Ana B");

    let reply = app.patch("/v1/me", token, &json!({"display_name": "Ana C"})).await;
    assert_eq!(reply.body["payout_email"], "pay@ana.example", "absent fields are kept");

    let reply = app.patch("/v1/me", token, &json!({"payout_email": null})).await;
    assert_eq!(reply.body["payout_email"], "ana@example.com", "null resets");

    let reply = app
        .patch("/v1/me", token, &json!({"payout_email": "nope", "display_name": ""}))
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["display_name", "payout_email"]);
    app.patch("/v1/me", token, &json!({"email": "x@y.z"}))
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn influencer_sign_up_validates_fields() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/v1/influencers",
            None,
            &json!({"email": "x", "password": "short", "display_name": ""}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["email", "password", "display_name"]);
}
