//! The route tables the sweeps walk: every served route, and every write route with a
//! body it would accept and the credential it takes.

use reqwest::Method;
use serde_json::{Value, json};

use super::{cart, new_id};
use crate::helpers::{PASSWORD, Program, brand_body, program_body};

/// The route table, with each method as the HTTP client spells it.
pub(super) fn served_routes() -> Vec<(Method, &'static str)> {
    reftrack::api::routes()
        .into_iter()
        .map(|(m, p)| (Method::from_bytes(m.as_str().as_bytes()).unwrap_or(Method::GET), p))
        .collect()
}

/// A path of the route table made concrete.
pub(super) fn concrete(path: &str) -> String {
    path.replace("{id}", &new_id())
        .replace("{code}", "ANYCODE1")
        .replace("{order_id}", "1001")
        .replace("{brand_slug}", "acme")
}

/// Routes that take no body at all (nothing to assign), and the shop webhook, whose
/// body is the platform's, stored as signed and never assigned to anything (it has its
/// own tests: tests/api/integrations/deliveries.rs).
pub(super) const BODILESS_WRITES: [&str; 18] = [
    "/v1/notifications/unsubscribe",
    "/v1/me/invitations/{id}/accept",
    "/v1/me/invitations/{id}/decline",
    "/v1/brand/webhooks/{id}/rotate-secret",
    "/v1/brand/webhooks/{id}/test",
    "/v1/brand/webhooks/{id}/deliveries/{delivery_id}/retry",
    "/v1/brand/payouts/{id}/paid",
    "/v1/brand/payouts/{id}/cancel",
    "/v1/checkout/orders/{order_id}/cancel",
    "/v1/brand/integrations/{id}/events/{event_id}/retry",
    "/v1/integrations/{id}/webhook",
    "/v1/brand/deals/{id}/withdraw",
    "/v1/brand/deals/{id}/counter/accept",
    "/v1/brand/deals/{id}/counter/decline",
    "/v1/brand/deals/{id}/cancel",
    "/v1/brand/proofs/{id}/approve",
    "/v1/me/deals/{id}/accept",
    "/v1/me/deals/{id}/decline",
];

/// Every write route with a JSON body, with a body it would accept and the credential
/// it takes: (method, route template, concrete path, credential, body).
pub(super) fn write_routes(p: &Program) -> Vec<(Method, &'static str, String, Option<String>, Value)> {
    let brand = Some(p.brand.access_token.clone());
    let shop = Some(p.api_key.clone());
    let me = Some(p.influencer.access_token.clone());
    let order = json!({"order_id": "1001", "code": p.code, "currency": "USD", "discount_total": 0,
                       "lines": [{"sku": "A", "quantity": 1, "unit_price": 100}]});
    vec![
        (
            Method::POST,
            "/v1/brands",
            "/v1/brands".into(),
            None,
            brand_body("evil", "evil@evil.example"),
        ),
        (
            Method::POST,
            "/v1/influencers",
            "/v1/influencers".into(),
            None,
            json!({"email": "eve@evil.example", "password": PASSWORD, "display_name": "Eve"}),
        ),
        (
            Method::POST,
            "/v1/auth/login",
            "/v1/auth/login".into(),
            None,
            json!({"email": "ana@acme.example", "password": PASSWORD, "account": "influencer"}),
        ),
        (
            Method::POST,
            "/v1/auth/refresh",
            "/v1/auth/refresh".into(),
            None,
            json!({"refresh_token": p.brand.refresh_token}),
        ),
        (
            Method::POST,
            "/v1/auth/logout",
            "/v1/auth/logout".into(),
            None,
            json!({"refresh_token": p.brand.refresh_token}),
        ),
        (
            Method::POST,
            "/v1/auth/password-reset",
            "/v1/auth/password-reset".into(),
            None,
            json!({"email": "ana@acme.example", "account": "influencer"}),
        ),
        (
            Method::POST,
            "/v1/auth/password-reset/confirm",
            "/v1/auth/password-reset/confirm".into(),
            None,
            json!({"token": "not-a-token", "new_password": PASSWORD}),
        ),
        (
            Method::PATCH,
            "/v1/brand",
            "/v1/brand".into(),
            brand.clone(),
            json!({"name": "Acme"}),
        ),
        (
            Method::POST,
            "/v1/brand/api-keys",
            "/v1/brand/api-keys".into(),
            brand.clone(),
            json!({"name": "k"}),
        ),
        (
            Method::POST,
            "/v1/brand/users",
            "/v1/brand/users".into(),
            brand.clone(),
            json!({"email": "eve@evil.example", "role": "staff"}),
        ),
        (
            Method::PATCH,
            "/v1/brand/users/{id}",
            format!("/v1/brand/users/{}", new_id()),
            brand.clone(),
            json!({"role": "staff"}),
        ),
        (
            Method::POST,
            "/v1/brand/users/accept",
            "/v1/brand/users/accept".into(),
            None,
            json!({"token": "not-a-token", "password": PASSWORD}),
        ),
        (
            Method::POST,
            "/v1/brand/programs",
            "/v1/brand/programs".into(),
            brand.clone(),
            program_body(),
        ),
        (
            Method::POST,
            "/v1/brand/programs/preview",
            "/v1/brand/programs/preview".into(),
            brand.clone(),
            json!({"terms": {"commission": {"type": "percent", "rate": "10"}},
                   "cart": {"lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 10_000}]}}),
        ),
        (
            Method::POST,
            "/v1/brand/integrations",
            "/v1/brand/integrations".into(),
            brand.clone(),
            json!({"platform": "woocommerce", "name": "Shop"}),
        ),
        (
            Method::POST,
            "/v1/brand/webhooks",
            "/v1/brand/webhooks".into(),
            brand.clone(),
            json!({"url": "https://hooks.example/in"}),
        ),
        (
            Method::PATCH,
            "/v1/brand/webhooks/{id}",
            format!("/v1/brand/webhooks/{}", new_id()),
            brand.clone(),
            json!({"description": "CRM"}),
        ),
        (
            Method::PATCH,
            "/v1/brand/integrations/{id}",
            format!("/v1/brand/integrations/{}", new_id()),
            brand.clone(),
            json!({"name": "Shop"}),
        ),
        (
            Method::PATCH,
            "/v1/brand/programs/{id}",
            format!("/v1/brand/programs/{}", p.program_id),
            brand.clone(),
            json!({"hold_days": 1}),
        ),
        (
            Method::POST,
            "/v1/brand/invitations",
            "/v1/brand/invitations".into(),
            brand.clone(),
            json!({"email": "eve@evil.example", "program_id": p.program_id}),
        ),
        (
            Method::PATCH,
            "/v1/brand/ambassadors/{id}",
            format!("/v1/brand/ambassadors/{}", p.membership_id),
            brand.clone(),
            json!({"status": "paused"}),
        ),
        (
            Method::POST,
            "/v1/brand/ambassadors/{id}/codes",
            format!("/v1/brand/ambassadors/{}/codes", p.membership_id),
            brand.clone(),
            json!({"code": "ANA2026"}),
        ),
        (
            Method::PATCH,
            "/v1/brand/codes/{id}",
            format!("/v1/brand/codes/{}", p.code_id),
            brand.clone(),
            json!({"max_uses": 5}),
        ),
        (
            Method::POST,
            "/v1/brand/rewards/{id}/fulfil",
            format!("/v1/brand/rewards/{}/fulfil", new_id()),
            brand.clone(),
            json!({"tracking": "1Z", "carrier": "UPS"}),
        ),
        (
            Method::POST,
            "/v1/brand/ambassadors/{id}/adjustments",
            format!("/v1/brand/ambassadors/{}/adjustments", p.membership_id),
            brand.clone(),
            json!({"kind": "bonus", "amount": 100, "reason": "Thanks"}),
        ),
        (
            Method::POST,
            "/v1/brand/orders/{id}/hold",
            format!("/v1/brand/orders/{}/hold", new_id()),
            brand.clone(),
            json!({"reason": "Checking"}),
        ),
        (
            Method::POST,
            "/v1/brand/orders/{id}/release",
            format!("/v1/brand/orders/{}/release", new_id()),
            brand.clone(),
            json!({"reason": "Checked"}),
        ),
        (
            Method::POST,
            "/v1/brand/orders/{id}/reassign",
            format!("/v1/brand/orders/{}/reassign", new_id()),
            brand.clone(),
            json!({"ambassador_id": p.membership_id, "reason": "Moving it"}),
        ),
        (
            Method::POST,
            "/v1/brand/orders/{id}/reject",
            format!("/v1/brand/orders/{}/reject", new_id()),
            brand.clone(),
            json!({"reason": "Fraud"}),
        ),
        (
            Method::POST,
            "/v1/brand/payouts",
            "/v1/brand/payouts".into(),
            brand.clone(),
            json!({"currency": "USD"}),
        ),
        (
            Method::POST,
            "/v1/checkout/quote",
            "/v1/checkout/quote".into(),
            shop.clone(),
            cart(Some(&p.code)),
        ),
        (
            Method::POST,
            "/v1/checkout/orders",
            "/v1/checkout/orders".into(),
            shop.clone(),
            order,
        ),
        (
            Method::POST,
            "/v1/checkout/orders/{order_id}/refunds",
            "/v1/checkout/orders/1001/refunds".into(),
            shop,
            json!({"refund_id": "r-1", "amount": 10}),
        ),
        (
            Method::PATCH,
            "/v1/me",
            "/v1/me".into(),
            me.clone(),
            json!({"display_name": "Ana"}),
        ),
        (
            Method::POST,
            "/v1/me/password",
            "/v1/me/password".into(),
            me.clone(),
            json!({"current_password": "not the password", "new_password": "a new long passphrase"}),
        ),
        (
            Method::POST,
            "/v1/me/invitations/accept",
            "/v1/me/invitations/accept".into(),
            me.clone(),
            json!({"token": "whatever"}),
        ),
        (
            Method::POST,
            "/v1/me/recruiters/join",
            "/v1/me/recruiters/join".into(),
            me.clone(),
            json!({"brand_slug": "acme", "code": "NOSUCHCODE"}),
        ),
        (
            Method::PUT,
            "/v1/brand/fx-rates",
            "/v1/brand/fx-rates".into(),
            brand.clone(),
            json!({"rates": [{"from": "EUR", "to": "USD", "rate": "1.1"}]}),
        ),
        (
            Method::POST,
            "/v1/me/rewards/{id}/claim",
            format!("/v1/me/rewards/{}/claim", new_id()),
            me.clone(),
            json!({"shipping_name": "Ana", "shipping_address": "1 Main St"}),
        ),
        (
            Method::POST,
            "/v1/me/deals/{id}/counter",
            format!("/v1/me/deals/{}/counter", new_id()),
            me.clone(),
            json!({"fee": 3000}),
        ),
        (
            Method::POST,
            "/v1/me/deals/{id}/deliverables/{deliverable_id}/proofs",
            format!("/v1/me/deals/{}/deliverables/{}/proofs", new_id(), new_id()),
            me,
            json!({"url": "https://example.com/p/1", "published_at": "2026-01-01T00:00:00Z"}),
        ),
        (
            Method::POST,
            "/v1/brand/deals",
            "/v1/brand/deals".into(),
            brand.clone(),
            json!({"ambassador_id": p.membership_id, "title": "Reels", "fee": 100,
                   "deliverables": [{"platform": "instagram", "kind": "reel", "count": 1, "due_on": "2099-01-01"}]}),
        ),
        (
            Method::POST,
            "/v1/brand/deals/{id}/gifts/{gift_id}/shipment",
            format!("/v1/brand/deals/{}/gifts/{}/shipment", new_id(), new_id()),
            brand.clone(),
            json!({"shipment": "delivered"}),
        ),
        (
            Method::POST,
            "/v1/brand/proofs/{id}/reject",
            format!("/v1/brand/proofs/{}/reject", new_id()),
            brand.clone(),
            json!({"reason": "Wrong code"}),
        ),
        (
            Method::POST,
            "/v1/brand/proofs/{id}/removed",
            format!("/v1/brand/proofs/{}/removed", new_id()),
            brand,
            json!({"reason": "Deleted"}),
        ),
    ]
}
