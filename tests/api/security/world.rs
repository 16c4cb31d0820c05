//! A world of two brands: each owns one of everything a brand can own, for the
//! cross-tenant tests.

use chrono::Duration;
use serde_json::json;

use super::{sale, text};
use crate::helpers::{Program, TestApp};

/// One brand with everything a brand can own, and fresh tokens.
pub(super) struct Tenant {
    pub(super) p: Program,
    pub(super) brand_token: String,
    pub(super) ambassador_token: String,
    pub(super) api_key_id: String,
    /// reftrack's id of the order the shop calls `1001`.
    pub(super) order: String,
    pub(super) reward: String,
    pub(super) payout: String,
    pub(super) click: String,
}

/// Two brands (`acme`, `globex`), each with a program, an API key, an ambassador, three
/// orders past their hold, a click, an earned reward and a pending payout batch.
pub(super) async fn world(app: &TestApp) -> (Tenant, Tenant) {
    let mut built = Vec::new();
    for slug in ["acme", "globex"] {
        let p = app.program_with_ambassador(slug).await;
        for (i, order_id) in ["1001".to_owned(), format!("{slug}-2"), format!("{slug}-3")]
            .iter()
            .enumerate()
        {
            // Both brands send the same order id under the same Idempotency-Key: each
            // is recorded for its own brand, never a replay of or a conflict with the
            // other brand's.
            let key = format!("checkout-{i}");
            let reply = app
                .post_keyed("/v1/checkout/orders", &p.api_key, Some(&key), &sale(order_id, &p.code))
                .await;
            assert_eq!((reply.status, reply.replayed()), (201, false), "{slug}: {}", reply.text);
            assert_eq!(reply.body["attributed"], true, "{}", reply.text);
        }
        let click = app.click(slug, &p.code, "Mozilla/5.0 (security review)").await;
        built.push((slug, p, click));
    }
    app.clock.advance(Duration::days(31));
    assert_eq!(app.mature().await.rewards_granted, 2);
    let mut tenants = Vec::new();
    for (slug, p, click) in built {
        let brand_token = app.login(&p.brand.email, "brand").await;
        let ambassador_token = app.login(&format!("ana@{slug}.example"), "influencer").await;
        let payout = app
            .post("/v1/brand/payouts", Some(&brand_token), &json!({"currency": "USD"}))
            .await;
        assert_eq!(payout.status, 201, "{}", payout.text);
        let rewards = app.get("/v1/me/rewards", Some(&ambassador_token)).await;
        let orders = app.get("/v1/brand/orders?limit=200", Some(&brand_token)).await;
        let order = orders.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| o["order_id"] == "1001")
            .map(|o| text(&o["id"]))
            .unwrap_or_default();
        let keys = app.get("/v1/brand/api-keys", Some(&brand_token)).await;
        let tenant = Tenant {
            brand_token,
            ambassador_token,
            api_key_id: text(&keys.body["items"][0]["id"]),
            order,
            reward: text(&rewards.body["items"][0]["id"]),
            payout: text(&payout.body["id"]),
            click,
            p,
        };
        for (name, id) in [
            ("api key", &tenant.api_key_id),
            ("order", &tenant.order),
            ("reward", &tenant.reward),
            ("payout", &tenant.payout),
        ] {
            assert!(!id.is_empty(), "{slug}: no {name} id");
        }
        tenants.push(tenant);
    }
    let b = tenants.pop().unwrap_or_else(|| panic!("two tenants"));
    let a = tenants.pop().unwrap_or_else(|| panic!("two tenants"));
    (a, b)
}
