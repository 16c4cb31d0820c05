//! What a role may do, enforced by the use cases: staff run the programme and its money,
//! owners alone hold the keys to the brand's systems and its team.

use std::collections::BTreeSet;

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use super::TEAM_PASSWORD;
use crate::mail::app_with_mail;

/// Every operation of `openapi.yaml` that documents `403 forbidden_role`, as (method,
/// path template).
fn documented_owner_only() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
    let spec: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut out = BTreeSet::new();
    for (path, item) in spec["paths"].as_mapping().into_iter().flatten() {
        for (method, op) in item.as_mapping().into_iter().flatten() {
            if op["responses"]["403"]["$ref"].as_str() == Some("#/components/responses/ForbiddenRole") {
                out.insert((
                    method.as_str().unwrap().to_uppercase(),
                    path.as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    out
}

fn sale(order_id: &str, code: &str) -> Value {
    json!({"order_id": order_id, "code": code, "currency": "USD", "discount_total": 0,
           "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 10_000}]})
}

#[tokio::test]
async fn staff_is_refused_every_owner_only_route_and_runs_everything_else() {
    let (app, sink) = app_with_mail().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let mut first_order = String::new();
    for (i, order_id) in ["1001", "1002", "1003"].iter().enumerate() {
        let key = format!("k-{i}");
        let reply = app
            .post_keyed(
                "/v1/checkout/orders",
                &p.api_key,
                Some(key.as_str()),
                &sale(order_id, &p.code),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        if i == 0 {
            first_order = reply.body["id"].as_str().unwrap().to_owned();
        }
    }
    // The owner's own things, which staff must not reach.
    let keys = app.get("/v1/brand/api-keys", Some(&owner)).await;
    let key_id = keys.body["items"][0]["id"].as_str().unwrap().to_owned();
    let store = app.connect(&owner, "woocommerce", None).await;
    let (hook, _) = app.add_webhook(&owner, "https://hooks.example/in", &[]).await;
    let owner_id = app.member_id(&owner, &p.brand.email).await;
    let pending = app.invite_member(&owner, "pat@acme.example", "staff").await;
    let invitation = pending.body["id"].as_str().unwrap().to_owned();
    let staff = app.seat(&sink, &owner, "sam@acme.example", "staff").await;

    // Past the hold, with fresh tokens: a batch of what is payable, made by staff.
    app.clock.advance(Duration::days(31));
    app.mature().await;
    let owner = app.login(&p.brand.email, "brand").await;
    let login = app.sign_in_member(&staff.email, TEAM_PASSWORD).await;
    let staff_token = login.body["access_token"].as_str().unwrap().to_owned();
    let s = Some(staff_token.as_str());
    let batch = app.post("/v1/brand/payouts", s, &json!({"currency": "USD"})).await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    let payout = batch.body["id"].as_str().unwrap().to_owned();

    let id = uuid::Uuid::now_v7().to_string();
    let owner_only: Vec<(Method, &str, String, Option<Value>)> = vec![
        (
            Method::POST,
            "/v1/brand/api-keys",
            "/v1/brand/api-keys".into(),
            Some(json!({"name": "k"})),
        ),
        (Method::GET, "/v1/brand/api-keys", "/v1/brand/api-keys".into(), None),
        (
            Method::DELETE,
            "/v1/brand/api-keys/{id}",
            format!("/v1/brand/api-keys/{key_id}"),
            None,
        ),
        (
            Method::POST,
            "/v1/brand/integrations",
            "/v1/brand/integrations".into(),
            Some(json!({"platform": "woocommerce", "name": "Shop"})),
        ),
        (
            Method::GET,
            "/v1/brand/integrations",
            "/v1/brand/integrations".into(),
            None,
        ),
        (
            Method::GET,
            "/v1/brand/integrations/{id}",
            format!("/v1/brand/integrations/{}", store.id),
            None,
        ),
        (
            Method::PATCH,
            "/v1/brand/integrations/{id}",
            format!("/v1/brand/integrations/{}", store.id),
            Some(json!({"name": "Mine now"})),
        ),
        (
            Method::DELETE,
            "/v1/brand/integrations/{id}",
            format!("/v1/brand/integrations/{}", store.id),
            None,
        ),
        (
            Method::GET,
            "/v1/brand/integrations/{id}/events",
            format!("/v1/brand/integrations/{}/events", store.id),
            None,
        ),
        (
            Method::POST,
            "/v1/brand/integrations/{id}/events/{event_id}/retry",
            format!("/v1/brand/integrations/{}/events/{id}/retry", store.id),
            None,
        ),
        (
            Method::POST,
            "/v1/brand/webhooks",
            "/v1/brand/webhooks".into(),
            Some(json!({"url": "https://evil.example/in"})),
        ),
        (Method::GET, "/v1/brand/webhooks", "/v1/brand/webhooks".into(), None),
        (
            Method::GET,
            "/v1/brand/webhooks/{id}",
            format!("/v1/brand/webhooks/{hook}"),
            None,
        ),
        (
            Method::PATCH,
            "/v1/brand/webhooks/{id}",
            format!("/v1/brand/webhooks/{hook}"),
            Some(json!({"url": "https://evil.example/in"})),
        ),
        (
            Method::DELETE,
            "/v1/brand/webhooks/{id}",
            format!("/v1/brand/webhooks/{hook}"),
            None,
        ),
        (
            Method::POST,
            "/v1/brand/webhooks/{id}/rotate-secret",
            format!("/v1/brand/webhooks/{hook}/rotate-secret"),
            None,
        ),
        (
            Method::POST,
            "/v1/brand/webhooks/{id}/test",
            format!("/v1/brand/webhooks/{hook}/test"),
            None,
        ),
        (
            Method::GET,
            "/v1/brand/webhooks/{id}/deliveries",
            format!("/v1/brand/webhooks/{hook}/deliveries"),
            None,
        ),
        (
            Method::POST,
            "/v1/brand/webhooks/{id}/deliveries/{delivery_id}/retry",
            format!("/v1/brand/webhooks/{hook}/deliveries/{id}/retry"),
            None,
        ),
        (
            Method::POST,
            "/v1/brand/users",
            "/v1/brand/users".into(),
            Some(json!({"email": "eve@evil.example", "role": "owner"})),
        ),
        (Method::GET, "/v1/brand/users", "/v1/brand/users".into(), None),
        (
            Method::PATCH,
            "/v1/brand/users/{id}",
            format!("/v1/brand/users/{}", staff.id),
            Some(json!({"role": "owner"})),
        ),
        (
            Method::DELETE,
            "/v1/brand/users/{id}",
            format!("/v1/brand/users/{owner_id}"),
            None,
        ),
        (
            Method::DELETE,
            "/v1/brand/users/invitations/{id}",
            format!("/v1/brand/users/invitations/{invitation}"),
            None,
        ),
        (
            Method::POST,
            "/v1/brand/payouts/{id}/paid",
            format!("/v1/brand/payouts/{payout}/paid"),
            None,
        ),
        (
            Method::POST,
            "/v1/brand/ambassadors/{id}/adjustments",
            format!("/v1/brand/ambassadors/{}/adjustments", p.membership_id),
            Some(json!({"kind": "bonus", "amount": 100, "reason": "A staff member's gift"})),
        ),
        (
            Method::POST,
            "/v1/brand/orders/{id}/reassign",
            format!("/v1/brand/orders/{first_order}/reassign"),
            Some(json!({"ambassador_id": p.membership_id, "reason": "Moving it"})),
        ),
        (
            Method::PUT,
            "/v1/brand/fx-rates",
            "/v1/brand/fx-rates".into(),
            Some(json!({"rates": [{"from": "EUR", "to": "USD", "rate": "2"}]})),
        ),
        (
            Method::POST,
            "/v1/brand/deals",
            "/v1/brand/deals".to_owned(),
            Some(json!({"ambassador_id": p.membership_id, "title": "Reels", "fee": 100,
                        "deliverables": [{"platform": "tiktok", "kind": "video", "count": 1,
                                          "due_on": (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string()}]})),
        ),
        (
            Method::POST,
            "/v1/brand/deals/{id}/withdraw",
            format!("/v1/brand/deals/{id}/withdraw"),
            None,
        ),
        (
            Method::POST,
            "/v1/brand/deals/{id}/counter/accept",
            format!("/v1/brand/deals/{id}/counter/accept"),
            None,
        ),
        (
            Method::POST,
            "/v1/brand/deals/{id}/counter/decline",
            format!("/v1/brand/deals/{id}/counter/decline"),
            None,
        ),
        (
            Method::POST,
            "/v1/brand/deals/{id}/cancel",
            format!("/v1/brand/deals/{id}/cancel"),
            None,
        ),
    ];
    // The list is exactly the operations openapi.yaml documents a 403 for.
    let listed: BTreeSet<(String, String)> = owner_only
        .iter()
        .map(|(m, route, ..)| (m.to_string(), (*route).to_owned()))
        .collect();
    assert_eq!(listed, documented_owner_only());

    // Same objects as above, unknown ids too: the role is checked before anything is
    // looked up, so staff learn nothing of what exists.
    for (method, route, path, body) in &owner_only {
        let reply = app.request(method.clone(), path, s, body.as_ref()).await;
        reply.assert_problem(403, "forbidden_role");
        let unknown = path
            .replace(&key_id, &id)
            .replace(&store.id, &id)
            .replace(&hook, &id)
            .replace(&p.membership_id, &id)
            .replace(&first_order, &id);
        let reply = app.request(method.clone(), &unknown, s, body.as_ref()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (403, "forbidden_role"),
            "{method} {route}"
        );
    }
    // Nothing changed.
    assert_eq!(app.count("api_keys WHERE revoked_at IS NULL"), 1);
    assert_eq!(
        app.count("integrations WHERE deleted_at IS NULL AND name = 'My woocommerce shop'"),
        1
    );
    assert_eq!(
        app.count("webhook_endpoints WHERE deleted_at IS NULL AND url = 'https://hooks.example/in'"),
        1
    );
    assert_eq!(app.count("brand_users WHERE role = 'owner'"), 1);
    assert_eq!(app.count("brand_user_invitations WHERE revoked_at IS NULL"), 2);
    assert_eq!(app.count("ledger_entries WHERE kind = 'bonus'"), 0);
    assert_eq!(app.count("deals"), 0);
    assert_eq!(app.count("fx_rates"), 0);
    let batch = app.get(&format!("/v1/brand/payouts/{payout}"), s).await;
    assert_eq!(batch.body["status"], "pending", "{}", batch.text);

    // Everything else is staff's: the programme, its ambassadors and orders, payouts.
    let program = app.post("/v1/brand/programs", s, &crate::helpers::program_body()).await;
    assert_eq!(program.status, 201, "{}", program.text);
    for path in [
        "/v1/brand",
        "/v1/brand/programs",
        "/v1/brand/ambassadors",
        "/v1/brand/orders",
        "/v1/brand/rewards",
        "/v1/brand/stats",
        "/v1/brand/payouts",
        "/v1/brand/reports/payouts",
    ] {
        let reply = app.get(path, s).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    }
    let orders = app.get("/v1/brand/orders", s).await;
    assert_eq!(orders.body["items"].as_array().map(Vec::len), Some(3));
    // Staff review commissions: past the role, the commission's state answers (these
    // are approved, so they can no longer be held).
    let order = orders.body["items"][0]["id"].as_str().unwrap();
    app.request(
        Method::POST,
        &format!("/v1/brand/orders/{order}/hold"),
        s,
        Some(&json!({"reason": "Checking with the customer"})),
    )
    .await
    .assert_problem(409, "commission_not_pending");
    let cancelled = app
        .post(&format!("/v1/brand/payouts/{payout}/cancel"), s, &json!({}))
        .await;
    assert_eq!(
        (cancelled.status, &cancelled.body["status"]),
        (200, &json!("cancelled")),
        "{}",
        cancelled.text
    );

    // The owner keeps every power: a new batch, marked paid by the owner.
    let again = app.post("/v1/brand/payouts", s, &json!({"currency": "USD"})).await;
    assert_eq!(again.status, 201, "{}", again.text);
    let paid = app
        .post(
            &format!("/v1/brand/payouts/{}/paid", again.body["id"].as_str().unwrap()),
            Some(&owner),
            &json!({}),
        )
        .await;
    assert_eq!(
        (paid.status, &paid.body["status"]),
        (200, &json!("paid")),
        "{}",
        paid.text
    );

    // A role changed by the owner applies at the next request, with the same token.
    let promoted = app
        .patch(
            &format!("/v1/brand/users/{}", staff.id),
            Some(&owner),
            &json!({"role": "owner"}),
        )
        .await;
    assert_eq!(
        (promoted.status, &promoted.body["role"]),
        (200, &json!("owner")),
        "{}",
        promoted.text
    );
    assert_eq!(app.get("/v1/brand/api-keys", s).await.status, 200);
    let demoted = app
        .patch(
            &format!("/v1/brand/users/{}", staff.id),
            Some(&owner),
            &json!({"role": "staff"}),
        )
        .await;
    assert_eq!(demoted.status, 200, "{}", demoted.text);
    app.get("/v1/brand/api-keys", s)
        .await
        .assert_problem(403, "forbidden_role");
}
