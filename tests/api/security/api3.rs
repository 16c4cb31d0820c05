//! API3 Broken object property level authorization: mass assignment and what answers
//! may carry.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::json;

use super::routes::{BODILESS_WRITES, served_routes, write_routes};
use super::world::world;
use super::{CUSTOMER_EMAIL, cart, column, sale};
use crate::helpers::{JWT_SECRET, Reply, program_body, spawn_app};
use crate::integrations::STRIPE_SECRET;

/// The fields a caller must never set on each write route (ids, tenant, state, money,
/// secrets, roles): each is refused as an unknown field, 422 naming it, before anything
/// is written.
fn privileged_fields(route: &str) -> &'static [&'static str] {
    match route {
        "/v1/brands" => &["id", "brand_id", "role", "status"],
        "/v1/influencers" => &["id", "payout_email", "status"],
        "/v1/auth/login" => &["aud", "role", "sub"],
        "/v1/auth/refresh" => &["account", "sub"],
        "/v1/auth/logout" => &["family_id"],
        "/v1/auth/password-reset" => &["subject_id", "token", "brand_id"],
        "/v1/auth/password-reset/confirm" => &["account", "subject_id", "email"],
        "/v1/brand" => &["slug", "currency", "id", "created_at"],
        "/v1/brand/api-keys" => &["brand_id", "secret", "key_hash", "prefix"],
        "/v1/brand/users" => &["brand_id", "id", "status", "token", "invited_by"],
        "/v1/brand/users/{id}" => &["brand_id", "email", "id", "password_hash"],
        "/v1/brand/users/accept" => &["email", "role", "brand_id", "invitation_id"],
        "/v1/brand/programs" => &["brand_id", "id", "terms_version"],
        "/v1/brand/programs/{id}" => &["brand_id", "terms_version", "id"],
        "/v1/brand/programs/preview" => &["brand_id", "program_id", "membership_id"],
        "/v1/brand/integrations" => &["id", "brand_id", "secret_sealed", "webhook_url"],
        "/v1/brand/integrations/{id}" => &["platform", "brand_id", "secret_sealed", "webhook_url"],
        "/v1/brand/webhooks" => &["id", "brand_id", "secret", "enabled", "disabled_reason"],
        "/v1/brand/webhooks/{id}" => &["id", "brand_id", "secret", "disabled_reason", "secret_sealed"],
        "/v1/brand/invitations" => &["brand_id", "token", "expires_at"],
        "/v1/brand/ambassadors/{id}" => &["influencer_id", "brand_id", "codes"],
        "/v1/brand/ambassadors/{id}/codes" => &["membership_id", "uses", "active", "brand_id"],
        "/v1/brand/codes/{id}" => &["code", "uses", "membership_id"],
        "/v1/brand/rewards/{id}/fulfil" => &["status", "fulfilled_at", "brand_id"],
        "/v1/brand/ambassadors/{id}/adjustments" => &["membership_id", "currency", "created_by", "status"],
        "/v1/brand/orders/{id}/hold" => &["status", "acted_by", "review"],
        "/v1/brand/orders/{id}/release" => &["status", "acted_by", "review"],
        "/v1/brand/orders/{id}/reject" => &["amount", "acted_by", "review"],
        "/v1/brand/orders/{id}/reassign" => &["commission", "membership_id", "acted_by"],
        "/v1/brand/payouts" => &["total", "status", "items", "brand_id"],
        "/v1/checkout/quote" => &["discount_total", "brand_id", "net_amount"],
        "/v1/checkout/orders" => &[
            "commission",
            "commission_rate",
            "ambassador_id",
            "brand_id",
            "net_amount",
            "flags",
        ],
        "/v1/checkout/orders/{order_id}/refunds" => &["reversal", "brand_id"],
        "/v1/me" => &["email", "id", "password_hash"],
        "/v1/me/password" => &["password_hash", "email", "keep_session"],
        "/v1/me/invitations/accept" => &["program_id", "brand_id", "email"],
        "/v1/me/recruiters/join" => &["recruited_by", "program_id", "membership_id", "status"],
        "/v1/brand/fx-rates" => &["brand_id", "updated_at"],
        "/v1/me/rewards/{id}/claim" => &["status", "membership_id"],
        "/v1/me/deals/{id}/counter" => &["version", "proposed_by", "declined_at"],
        "/v1/me/deals/{id}/deliverables/{deliverable_id}/proofs" => &["state", "fee_entry_id", "brand_id"],
        "/v1/brand/deals" => &["brand_id", "status", "created_by", "currency", "accepted_version"],
        "/v1/brand/deals/{id}/gifts/{gift_id}/shipment" => &["shipped_at", "delivered_at", "deal_id"],
        "/v1/brand/proofs/{id}/reject" => &["state", "decided_by"],
        "/v1/brand/proofs/{id}/removed" => &["reversal_entry_id", "state", "decided_by"],
        _ => &[],
    }
}

#[tokio::test]
async fn no_write_route_lets_a_caller_set_ids_tenant_state_or_money() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let routes = write_routes(&p);

    // Every write route of the route table with a body is here.
    let covered: BTreeSet<(String, &str)> = routes.iter().map(|(m, r, ..)| (m.to_string(), *r)).collect();
    let served: BTreeSet<(String, &str)> = served_routes()
        .into_iter()
        .filter(|(m, p)| {
            (*m == Method::POST || *m == Method::PATCH || *m == Method::PUT) && !BODILESS_WRITES.contains(p)
        })
        .map(|(m, p)| (m.to_string(), p))
        .collect();
    assert_eq!(covered, served);

    let (brands, programs, keys, orders) = (
        app.count("brands"),
        app.count("programs"),
        app.count("api_keys"),
        app.count("orders"),
    );
    let mut failures = Vec::new();
    for (method, route, path, token, body) in &routes {
        let fields = privileged_fields(route);
        assert!(!fields.is_empty(), "{route}: no privileged fields listed");
        for field in fields {
            let mut tampered = body.clone();
            tampered[*field] = json!("0190a000-0000-7000-8000-000000000000");
            let reply = app
                .request(method.clone(), path, token.as_deref(), Some(&tampered))
                .await;
            if (reply.status, reply.code()) != (422, "validation_failed") || reply.fields() != [*field] {
                failures.push(format!("{method} {path} with `{field}`: {}", reply.text));
            }
        }
    }
    // Nested objects refuse unknown fields too.
    let mut line_rate = write_routes(&p)
        .into_iter()
        .find(|(_, r, ..)| *r == "/v1/checkout/orders")
        .map(|(.., body)| body)
        .unwrap_or_default();
    line_rate["lines"][0]["rate"] = json!("100");
    let reply = app.post("/v1/checkout/orders", Some(&p.api_key), &line_rate).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["lines[0].rate"]);
    let mut rich = program_body();
    rich["commission"]["brand_id"] = json!(p.brand.id);
    let reply = app.post("/v1/brand/programs", Some(&p.brand.access_token), &rich).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["commission.brand_id"]);

    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        (
            app.count("brands"),
            app.count("programs"),
            app.count("api_keys"),
            app.count("orders")
        ),
        (brands, programs, keys, orders),
        "a refused request wrote something"
    );
    let brand = app.get("/v1/brand", Some(&p.brand.access_token)).await;
    assert_eq!(
        (brand.body["slug"].clone(), brand.body["currency"].clone()),
        (json!("acme"), json!("USD"))
    );
}

/// No answer of any GET route (JSON and CSV), nor of the checkout writes, carries a
/// password hash, an API-key or token hash, a secret, a customer e-mail or its keyed
/// hash, a visitor hash or the instance secrets.
#[tokio::test]
async fn no_answer_carries_secrets_hashes_or_customer_data() {
    let (app, sink) = crate::mail::app_with_mail().await;
    let (a, _b) = world(&app).await;
    // A pending invitation to the team: its token is in the e-mail only.
    let invited = app
        .post(
            "/v1/brand/users",
            Some(&a.brand_token),
            &json!({"email": "pat@acme.example", "role": "staff"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    let team_token = app
        .mail_until(&sink, |m| m.iter().any(|m| m.envelope_to == ["pat@acme.example"]))
        .await
        .iter()
        .find(|m| m.envelope_to == ["pat@acme.example"])
        .map(|m| m.code_after("Your invitation code"))
        .unwrap_or_default();
    assert!(!team_token.is_empty());
    let brand = Some(a.brand_token.as_str());
    let me = Some(a.ambassador_token.as_str());
    let shop = Some(a.p.api_key.as_str());
    let store = app.connect(&a.brand_token, "stripe", Some(STRIPE_SECRET)).await;
    let delivered = app
        .deliver_stripe(
            &store,
            &crate::integrations::fixture("stripe/checkout_session_completed.json"),
        )
        .await;
    assert_eq!(delivered.status, 200, "{}", delivered.text);
    app.settled_events(&a.brand_token, &store.id).await;
    let (hook, hook_secret) = app.add_webhook(&a.brand_token, "https://hooks.example/in", &[]).await;
    let due_on = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    let deal = app
        .post(
            "/v1/brand/deals",
            brand,
            &json!({"ambassador_id": a.p.membership_id, "title": "Reels", "fee": 1500,
                    "deliverables": [{"platform": "instagram", "kind": "reel", "count": 1, "due_on": due_on}],
                    "gifts": [{"sku": "KIT", "description": "Kit", "quantity": 1, "unit_value": 900}]}),
        )
        .await;
    assert_eq!(deal.status, 201, "{}", deal.text);
    let deal = deal.body["id"].as_str().unwrap_or_default().to_owned();
    let mut answers: Vec<(String, Reply)> = Vec::new();
    let gets: Vec<(String, Option<&str>)> = vec![
        ("/v1/brand/deals".into(), brand),
        (format!("/v1/brand/deals/{deal}"), brand),
        ("/v1/brand/deliverables".into(), brand),
        ("/v1/me/deals".into(), me),
        (format!("/v1/me/deals/{deal}"), me),
        ("/v1/brand".into(), brand),
        ("/v1/brand/api-keys".into(), brand),
        ("/v1/brand/users".into(), brand),
        ("/v1/brand/programs".into(), brand),
        (format!("/v1/brand/programs/{}", a.p.program_id), brand),
        (format!("/v1/brand/programs/{}/versions", a.p.program_id), brand),
        ("/v1/brand/ambassadors".into(), brand),
        (format!("/v1/brand/ambassadors/{}", a.p.membership_id), brand),
        (format!("/v1/brand/ambassadors/{}/codes", a.p.membership_id), brand),
        (format!("/v1/brand/ambassadors/{}/entries", a.p.membership_id), brand),
        ("/v1/brand/rewards".into(), brand),
        ("/v1/brand/fx-rates".into(), brand),
        ("/v1/brand/orders".into(), brand),
        ("/v1/brand/orders.csv".into(), brand),
        (format!("/v1/brand/orders/{}", a.order), brand),
        ("/v1/brand/stats".into(), brand),
        ("/v1/brand/integrations".into(), brand),
        (format!("/v1/brand/integrations/{}", store.id), brand),
        (format!("/v1/brand/integrations/{}/events", store.id), brand),
        ("/v1/brand/webhooks".into(), brand),
        (format!("/v1/brand/webhooks/{hook}"), brand),
        (format!("/v1/brand/webhooks/{hook}/deliveries"), brand),
        ("/v1/brand/reports/payouts".into(), brand),
        ("/v1/brand/reports/payouts?format=csv".into(), brand),
        ("/v1/brand/payouts".into(), brand),
        (format!("/v1/brand/payouts/{}", a.payout), brand),
        (format!("/v1/brand/payouts/{}?format=csv", a.payout), brand),
        (format!("/v1/brand/payouts/{}?format=paypal", a.payout), brand),
        ("/v1/checkout/api-key".into(), shop),
        (format!("/v1/checkout/codes/{}", a.p.code), shop),
        ("/v1/me".into(), me),
        ("/v1/me/codes".into(), me),
        ("/v1/me/invitations".into(), me),
        ("/v1/me/rewards".into(), me),
        ("/v1/me/dashboard".into(), me),
        ("/v1/me/orders".into(), me),
        (format!("/v1/me/orders/{}", a.order), me),
        ("/v1/me/earnings.csv".into(), me),
        (format!("/r/acme/{}", a.p.code), None),
        (
            format!(
                "/v1/notifications/unsubscribe?token={}",
                app.unsubscribe_token(&a.p.influencer.id)
            ),
            None,
        ),
        ("/healthz".into(), None),
        ("/readyz".into(), None),
        ("/metrics".into(), None),
    ];
    // Every GET route but the spec (documentation) is read here.
    let read_routes: BTreeSet<&str> = [
        "/v1/brand/deals",
        "/v1/brand/deals/{id}",
        "/v1/brand/deliverables",
        "/v1/me/deals",
        "/v1/me/deals/{id}",
        "/v1/brand",
        "/v1/brand/api-keys",
        "/v1/brand/users",
        "/v1/brand/programs",
        "/v1/brand/programs/{id}",
        "/v1/brand/programs/{id}/versions",
        "/v1/brand/fx-rates",
        "/v1/brand/ambassadors",
        "/v1/brand/ambassadors/{id}",
        "/v1/brand/ambassadors/{id}/codes",
        "/v1/brand/ambassadors/{id}/entries",
        "/v1/brand/rewards",
        "/v1/brand/orders",
        "/v1/brand/orders.csv",
        "/v1/brand/orders/{id}",
        "/v1/brand/stats",
        "/v1/brand/integrations",
        "/v1/brand/integrations/{id}",
        "/v1/brand/integrations/{id}/events",
        "/v1/brand/webhooks",
        "/v1/brand/webhooks/{id}",
        "/v1/brand/webhooks/{id}/deliveries",
        "/v1/brand/reports/payouts",
        "/v1/brand/payouts",
        "/v1/brand/payouts/{id}",
        "/v1/checkout/api-key",
        "/v1/checkout/codes/{code}",
        "/v1/me",
        "/v1/me/codes",
        "/v1/me/invitations",
        "/v1/me/rewards",
        "/v1/me/dashboard",
        "/v1/me/orders",
        "/v1/me/orders/{id}",
        "/v1/me/earnings.csv",
        "/r/{brand_slug}/{code}",
        "/v1/notifications/unsubscribe",
        "/healthz",
        "/readyz",
        "/metrics",
    ]
    .into_iter()
    .collect();
    let served: BTreeSet<&str> = served_routes()
        .into_iter()
        .filter(|(m, p)| *m == Method::GET && *p != "/openapi.yaml")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(read_routes, served);
    for (path, token) in gets {
        let reply = app.get(&path, token).await;
        assert!(matches!(reply.status, 200 | 302), "{path}: {}", reply.text);
        answers.push((path, reply));
    }
    // The checkout's writes answer with what they stored.
    let order = app.post("/v1/checkout/orders", shop, &sale("acme-9", &a.p.code)).await;
    assert_eq!(order.status, 201, "{}", order.text);
    answers.push(("record order".into(), order));
    let refund = app
        .post(
            "/v1/checkout/orders/acme-9/refunds",
            shop,
            &json!({"refund_id": "r-1", "amount": 100}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    answers.push(("refund".into(), refund));
    answers.push((
        "quote".into(),
        app.post("/v1/checkout/quote", shop, &cart(Some(&a.p.code))).await,
    ));

    let customer_hashes = column(
        &app,
        "SELECT customer_email_hash AS t FROM orders WHERE customer_email_hash IS NOT NULL",
    );
    assert!(!customer_hashes.is_empty(), "the world has customer e-mails");
    answers.push(("invite a teammate".into(), invited));
    let mut secrets: Vec<(String, String)> = vec![
        ("a team invitation token".into(), team_token.clone()),
        ("customer e-mail".into(), CUSTOMER_EMAIL.into()),
        ("argon2 hash".into(), "$argon2".into()),
        ("a field named password".into(), "password".into()),
        ("a field named …_hash".into(), "_hash".into()),
        ("the API key".into(), a.p.api_key.clone()),
        ("a shop's signing secret".into(), STRIPE_SECRET.into()),
        ("a webhook endpoint's secret".into(), hook_secret.clone()),
        ("the JWT secret".into(), JWT_SECRET.into()),
        ("a refresh token".into(), a.p.brand.refresh_token.clone()),
        ("a refresh token".into(), a.p.influencer.refresh_token.clone()),
    ];
    for (name, sql) in [
        (
            "customer e-mail hash",
            "SELECT customer_email_hash AS t FROM orders WHERE customer_email_hash IS NOT NULL",
        ),
        ("password hash", "SELECT password_hash AS t FROM brand_users"),
        ("password hash", "SELECT password_hash AS t FROM influencers"),
        ("API key hash", "SELECT key_hash AS t FROM api_keys"),
        ("refresh token hash", "SELECT token_hash AS t FROM refresh_tokens"),
        ("invitation token hash", "SELECT token_hash AS t FROM invitations"),
        (
            "team invitation token hash",
            "SELECT token_hash AS t FROM brand_user_invitations",
        ),
        ("visitor IP hash", "SELECT ip_hash AS t FROM clicks"),
        ("visitor agent hash", "SELECT ua_hash AS t FROM clicks"),
        ("instance secret", "SELECT value AS t FROM settings"),
        ("sealed signing secret", "SELECT secret_sealed AS t FROM integrations"),
        (
            "sealed webhook secret",
            "SELECT secret_sealed AS t FROM webhook_endpoints",
        ),
    ] {
        secrets.extend(column(&app, sql).into_iter().map(|value| (name.to_owned(), value)));
    }
    for (what, reply) in &answers {
        let location = reply
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        for (name, secret) in &secrets {
            assert!(
                !reply.text.contains(secret.as_str()) && !location.contains(secret.as_str()),
                "{what} carries a {name}: {}",
                reply.text
            );
        }
    }
}
