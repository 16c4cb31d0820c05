//! API1 Broken object level authorization.

use reqwest::Method;
use serde_json::{Value, json};

use super::world::world;
use super::{bearer, call, column, new_id, sale, text};
use crate::helpers::smtp_sink::SmtpSink;
use crate::helpers::{PASSWORD, TestApp};
use crate::mail::app_with_mail;

/// One row of the cross-tenant sweep.
struct Probe {
    method: Method,
    /// The path, with `{id}` where the object's id goes.
    path: String,
    /// The body, with `{id}` where the object's id goes.
    body: Option<Value>,
    credential: String,
    foreign: String,
    unknown: String,
}

fn probe(method: Method, path: &str, body: Option<Value>, credential: &str, foreign: &str, unknown: &str) -> Probe {
    Probe {
        method,
        path: path.to_owned(),
        body,
        credential: credential.to_owned(),
        foreign: foreign.to_owned(),
        unknown: unknown.to_owned(),
    }
}

/// A teammate who joined the brand of `owner_token` (their user id), and a pending
/// invitation of it (its id).
async fn team_of(app: &TestApp, sink: &SmtpSink, owner_token: &str) -> (String, String) {
    let invite = |email: &'static str| {
        let body = json!({"email": email, "role": "staff"});
        async move { app.post("/v1/brand/users", Some(owner_token), &body).await }
    };
    let joined = invite("sam@acme.example").await;
    assert_eq!(joined.status, 201, "{}", joined.text);
    let mail = app
        .mail_until(sink, |m| m.iter().any(|m| m.envelope_to == ["sam@acme.example"]))
        .await;
    let token = mail
        .iter()
        .find(|m| m.envelope_to == ["sam@acme.example"])
        .map(|m| m.code_after("Your invitation code"))
        .unwrap_or_default();
    let accepted = app
        .post(
            "/v1/brand/users/accept",
            None,
            &json!({"token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    let pending = invite("pat@acme.example").await;
    assert_eq!(pending.status, 201, "{}", pending.text);
    (text(&accepted.body["user"]["id"]), text(&pending.body["id"]))
}

/// Every route that names an object, called by the other brand (or its ambassador or
/// its shop) with this brand's id, answers exactly what it answers for an id that
/// does not exist: the same 404 problem, never a 403, never data, no change.
#[tokio::test]
async fn another_tenants_objects_answer_exactly_like_objects_that_do_not_exist() {
    let (app, sink) = app_with_mail().await;
    let (a, b) = world(&app).await;
    let (teammate, team_invitation) = team_of(&app, &sink, &a.brand_token).await;
    let brand = bearer(&b.brand_token);
    let shop = bearer(&b.p.api_key);
    let ambassador = bearer(&b.ambassador_token);
    let shipping = json!({"shipping_name": "Eve", "shipping_address": "1 Other St"});
    let unknown = new_id();
    let u = unknown.as_str();
    // The invitation that made this brand's ambassador (sent to ana@acme.example).
    let invitation = column(
        &app,
        &format!("SELECT id AS t FROM invitations WHERE brand_id = '{}'", a.p.brand.id),
    )
    .concat();
    let (brand, shop, ambassador) = (brand.as_str(), shop.as_str(), ambassador.as_str());
    let probes = vec![
        probe(Method::GET, "/v1/brand/programs/{id}", None, brand, &a.p.program_id, u),
        probe(
            Method::PATCH,
            "/v1/brand/programs/{id}",
            Some(json!({"name": "Taken over", "hold_days": 0})),
            brand,
            &a.p.program_id,
            u,
        ),
        probe(
            Method::GET,
            "/v1/brand/programs/{id}/versions",
            None,
            brand,
            &a.p.program_id,
            u,
        ),
        probe(
            Method::POST,
            "/v1/brand/invitations",
            Some(json!({"email": "eve@globex.example", "program_id": "{id}"})),
            brand,
            &a.p.program_id,
            u,
        ),
        probe(
            Method::PATCH,
            &format!("/v1/brand/ambassadors/{}", b.p.membership_id),
            Some(json!({"program_id": "{id}"})),
            brand,
            &a.p.program_id,
            u,
        ),
        probe(
            Method::GET,
            "/v1/brand/ambassadors/{id}",
            None,
            brand,
            &a.p.membership_id,
            u,
        ),
        probe(
            Method::PATCH,
            "/v1/brand/ambassadors/{id}",
            Some(json!({"status": "ended"})),
            brand,
            &a.p.membership_id,
            u,
        ),
        probe(
            Method::POST,
            "/v1/brand/ambassadors/{id}/codes",
            Some(json!({"code": "HIJACK10"})),
            brand,
            &a.p.membership_id,
            u,
        ),
        probe(
            Method::GET,
            "/v1/brand/ambassadors/{id}/codes",
            None,
            brand,
            &a.p.membership_id,
            u,
        ),
        probe(
            Method::PATCH,
            "/v1/brand/codes/{id}",
            Some(json!({"active": false})),
            brand,
            &a.p.code_id,
            u,
        ),
        probe(
            Method::POST,
            "/v1/brand/rewards/{id}/fulfil",
            Some(json!({"tracking": "1Z999"})),
            brand,
            &a.reward,
            u,
        ),
        probe(Method::GET, "/v1/brand/orders/{id}", None, brand, &a.order, u),
        probe(Method::GET, "/v1/brand/payouts/{id}", None, brand, &a.payout, u),
        probe(
            Method::GET,
            "/v1/brand/payouts/{id}?format=csv",
            None,
            brand,
            &a.payout,
            u,
        ),
        probe(
            Method::GET,
            "/v1/brand/payouts/{id}?format=paypal",
            None,
            brand,
            &a.payout,
            u,
        ),
        probe(Method::POST, "/v1/brand/payouts/{id}/paid", None, brand, &a.payout, u),
        probe(Method::POST, "/v1/brand/payouts/{id}/cancel", None, brand, &a.payout, u),
        probe(Method::DELETE, "/v1/brand/api-keys/{id}", None, brand, &a.api_key_id, u),
        probe(
            Method::PATCH,
            "/v1/brand/users/{id}",
            Some(json!({"role": "owner"})),
            brand,
            &teammate,
            u,
        ),
        probe(Method::DELETE, "/v1/brand/users/{id}", None, brand, &teammate, u),
        probe(
            Method::DELETE,
            "/v1/brand/users/invitations/{id}",
            None,
            brand,
            &team_invitation,
            u,
        ),
        probe(
            Method::GET,
            "/v1/checkout/codes/{id}",
            None,
            shop,
            &a.p.code,
            "NOSUCH42",
        ),
        probe(
            Method::POST,
            "/v1/checkout/quote",
            Some(json!({"code": "{id}", "currency": "USD", "lines": [{"sku": "A", "quantity": 1, "unit_price": 100}]})),
            shop,
            &a.p.code,
            "NOSUCH42",
        ),
        probe(
            Method::POST,
            "/v1/checkout/orders/{id}/refunds",
            Some(json!({"refund_id": "r-1", "amount": 100})),
            shop,
            "acme-2",
            "no-such-order",
        ),
        probe(
            Method::POST,
            "/v1/checkout/orders/{id}/cancel",
            None,
            shop,
            "acme-2",
            "no-such-order",
        ),
        probe(Method::GET, "/v1/me/orders/{id}", None, ambassador, &a.order, u),
        probe(
            Method::POST,
            "/v1/me/rewards/{id}/claim",
            Some(shipping),
            ambassador,
            &a.reward,
            u,
        ),
        probe(
            Method::POST,
            "/v1/me/invitations/{id}/accept",
            None,
            ambassador,
            &invitation,
            u,
        ),
        probe(
            Method::POST,
            "/v1/me/invitations/{id}/decline",
            None,
            ambassador,
            &invitation,
            u,
        ),
    ];
    let fill = |template: &str, id: &str| template.replace("{id}", id);
    for p in &probes {
        let body_with = |id: &str| {
            p.body
                .as_ref()
                .map(|b| serde_json::from_str::<Value>(&fill(&b.to_string(), id)).unwrap_or(Value::Null))
        };
        let (method, path) = (&p.method, &p.path);
        let theirs = call(
            &app,
            method.clone(),
            &fill(path, &p.foreign),
            Some(&p.credential),
            body_with(&p.foreign).as_ref(),
        )
        .await;
        let nobodys = call(
            &app,
            method.clone(),
            &fill(path, &p.unknown),
            Some(&p.credential),
            body_with(&p.unknown).as_ref(),
        )
        .await;
        assert_eq!(nobodys.status, 404, "{method} {path} (unknown id): {}", nobodys.text);
        theirs.assert_problem(404, nobodys.code());
        assert_eq!(theirs.body, nobodys.body, "{method} {path}: a foreign id is told apart");
    }

    // Lists and reports of the other brand show none of this brand's objects.
    let a_ids = [
        &invitation,
        &a.p.program_id,
        &a.p.membership_id,
        &a.p.code_id,
        &a.p.code,
        &a.reward,
        &a.order,
        &a.payout,
        &a.api_key_id,
        &a.click,
        &a.p.brand.id,
        &teammate,
        &team_invitation,
    ];
    let lists = [
        "/v1/brand".to_owned(),
        "/v1/brand/programs?limit=200".into(),
        "/v1/brand/ambassadors?limit=200".into(),
        "/v1/brand/rewards?limit=200".into(),
        "/v1/brand/orders?limit=200".into(),
        format!("/v1/brand/orders?ambassador_id={}", a.p.membership_id),
        format!("/v1/brand/orders?code={}", a.p.code),
        "/v1/brand/orders.csv".into(),
        format!("/v1/brand/orders.csv?ambassador_id={}", a.p.membership_id),
        format!("/v1/brand/orders.csv?code={}", a.p.code),
        "/v1/brand/payouts?limit=200".into(),
        "/v1/brand/api-keys".into(),
        "/v1/brand/users".into(),
        "/v1/brand/reports/payouts".into(),
        "/v1/brand/reports/payouts?format=csv".into(),
        "/v1/brand/stats".into(),
    ];
    for path in &lists {
        let reply = app.get(path, Some(&b.brand_token)).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        for id in a_ids {
            assert!(!reply.text.contains(id.as_str()), "{path} shows {id}: {}", reply.text);
        }
    }
    // The CSV file names orders by the shop's id: none of this brand's is in the other's.
    let file = app.get("/v1/brand/orders.csv", Some(&b.brand_token)).await;
    assert!(
        file.text.contains("globex-2") && !file.text.contains("acme-") && !file.text.contains("@acme.example"),
        "{}",
        file.text
    );
    for path in [
        format!("/v1/brand/orders?ambassador_id={}", a.p.membership_id),
        format!("/v1/brand/orders?code={}", a.p.code),
    ] {
        assert_eq!(
            app.get(&path, Some(&b.brand_token)).await.body["items"],
            json!([]),
            "{path}"
        );
    }
    // The other brand's ambassador, asking for this brand by id.
    let theirs = |path: String| {
        let app = &app;
        let token = b.ambassador_token.clone();
        async move { app.get(&path, Some(&token)).await }
    };
    let dashboard = theirs(format!("/v1/me/dashboard?brand_id={}", a.p.brand.id)).await;
    assert_eq!((dashboard.status, &dashboard.body["brands"]), (200, &json!([])));
    let orders = theirs(format!("/v1/me/orders?brand_id={}", a.p.brand.id)).await;
    assert_eq!((orders.status, &orders.body["items"]), (200, &json!([])));
    for path in [
        "/v1/me/codes",
        "/v1/me/invitations",
        "/v1/me/rewards",
        "/v1/me/orders",
        "/v1/me/dashboard",
        "/v1/me/earnings.csv",
    ] {
        let reply = theirs(path.to_owned()).await;
        assert_eq!(reply.status, 200, "{path}");
        for id in a_ids {
            assert!(!reply.text.contains(id.as_str()), "{path} shows {id}");
        }
        assert!(!reply.text.contains("acme-2"), "{path} shows an order of acme");
    }

    // The other brand's shop, sending this brand's code and click: recorded for the
    // shop's brand, unattributed, and this brand's code is not spent.
    let uses_before = app
        .get(
            &format!("/v1/brand/ambassadors/{}/codes", a.p.membership_id),
            Some(&a.brand_token),
        )
        .await
        .body["items"][0]["uses"]
        .clone();
    let mut body = sale("globex-9", &a.p.code);
    body["click_id"] = json!(a.click);
    let order = app.post("/v1/checkout/orders", Some(&b.p.api_key), &body).await;
    assert_eq!(order.status, 201, "{}", order.text);
    assert_eq!(order.body["attributed"], false, "{}", order.text);
    assert_eq!(order.body["commission"]["amount"], 0);
    let uses_after = app
        .get(
            &format!("/v1/brand/ambassadors/{}/codes", a.p.membership_id),
            Some(&a.brand_token),
        )
        .await
        .body["items"][0]["uses"]
        .clone();
    assert_eq!(uses_before, uses_after);

    // Nothing of this brand changed.
    let token = Some(a.brand_token.as_str());
    let program = app.get(&format!("/v1/brand/programs/{}", a.p.program_id), token).await;
    assert_eq!(
        (program.body["name"].clone(), program.body["terms_version"].clone()),
        (json!("Ambassadors"), json!(1))
    );
    let ambassador = app
        .get(&format!("/v1/brand/ambassadors/{}", a.p.membership_id), token)
        .await;
    assert_eq!(ambassador.body["status"], "active");
    assert_eq!(ambassador.body["program_id"], json!(a.p.program_id));
    assert_eq!(ambassador.body["codes"].as_array().map(Vec::len), Some(1));
    assert_eq!(ambassador.body["codes"][0]["active"], true);
    let payout = app.get(&format!("/v1/brand/payouts/{}", a.payout), token).await;
    assert_eq!(payout.body["status"], "pending");
    let rewards = app.get("/v1/me/rewards", Some(&a.ambassador_token)).await;
    assert_eq!(rewards.body["items"][0]["status"], "earned");
    assert_eq!(app.get("/v1/checkout/api-key", Some(&a.p.api_key)).await.status, 200);
    assert_eq!(app.count("refunds"), 0);
    assert_eq!(app.count("invitations WHERE accepted_at IS NULL"), 0);
    let team = app.get("/v1/brand/users", token).await;
    assert_eq!(team.body["items"][1]["id"], json!(teammate), "{}", team.text);
    assert_eq!(team.body["items"][1]["role"], "staff", "{}", team.text);
    assert_eq!(
        team.body["invitations"][0]["id"],
        json!(team_invitation),
        "{}",
        team.text
    );
}
