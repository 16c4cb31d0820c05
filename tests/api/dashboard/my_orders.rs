//! `GET /v1/me/orders`: each commission with its hold and reversals, and cursor pages.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::{ana, cancel, mature_at, order_at, order_ids, recorded, refund, text};
use crate::helpers::spawn_app;
use crate::orders::order_body;

#[tokio::test]
async fn my_orders_show_each_commission_with_its_hold_and_reversals() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    recorded(&app, &p, &order_at("1001", &p.code, "2026-10-01T12:00:00Z")).await;
    let mut b = order_body("1002", Some(&p.code));
    b["customer_email"] = json!("buyer@shopper.example");
    recorded(&app, &p, &b).await;
    refund(&app, &p, "1002", "r1", 1000).await;
    let mut own = order_body("1003", Some(&p.code));
    own["customer_email"] = json!(ana("acme"));
    recorded(&app, &p, &own).await;
    mature_at(&app, Utc.with_ymd_and_hms(2026, 11, 2, 12, 30, 0).unwrap()).await;
    let token = app.login(&ana("acme"), "influencer").await;

    let reply = app.get("/v1/me/orders", Some(&token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(order_ids(&reply), ["1003", "1002", "1001"]);
    assert_eq!(reply.body["next_cursor"], Value::Null);
    let items = &reply.body["items"];
    assert_eq!(items[0]["status"], "none", "a self-referral earns nothing");
    assert_eq!(items[0]["commission"], 0);
    assert_eq!(items[0]["available_at"], Value::Null);
    assert_eq!(items[0]["attribution"]["reason"], "self_referral");
    let pending = &items[1];
    assert!(pending["id"].is_string());
    assert_eq!(pending["brand_id"], json!(p.brand.id));
    assert_eq!(pending["brand_name"], "Acme Coffee");
    assert_eq!(pending["currency"], "USD");
    assert_eq!(pending["placed_at"], "2026-11-02T12:00:00Z");
    assert_eq!(pending["net_amount"], 5949);
    assert_eq!(pending["rate"], "10");
    assert_eq!(pending["terms_version"], 1);
    assert_eq!(pending["commission"], 595);
    assert_eq!(pending["reversed"], 100);
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["available_at"], "2026-12-02T12:00:00Z", "payable on");
    assert_eq!(pending["attribution"], json!({"method": "code", "reason": "code"}));
    assert_eq!(items[2]["status"], "approved");
    assert_eq!(items[2]["available_at"], "2026-10-31T12:00:00Z");
    assert!(!reply.text.contains("shopper.example") && !reply.text.contains("candidates"));

    cancel(&app, &p, "1002").await;
    let reply = app.get("/v1/me/orders", Some(&token)).await;
    assert_eq!(reply.body["items"][1]["status"], "reversed");
    assert_eq!(reply.body["items"][1]["reversed"], 595);

    // The brand sees the same status and payable date for each order.
    let brand_token = app.login(&p.brand.email, "brand").await;
    for item in reply.body["items"].as_array().cloned().unwrap_or_default() {
        let brand_view = app
            .get(&format!("/v1/brand/orders/{}", text(&item["id"])), Some(&brand_token))
            .await;
        assert_eq!(brand_view.status, 200, "{}", brand_view.text);
        assert_eq!(
            brand_view.body["commission"]["status"], item["status"],
            "{}",
            item["order_id"]
        );
        assert_eq!(brand_view.body["commission"]["available_at"], item["available_at"]);
    }
}

#[tokio::test]
async fn my_orders_pages_neither_repeat_nor_skip_when_orders_arrive_between_pages() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    for n in 1..=5 {
        recorded(&app, &p, &order_body(&format!("o{n}"), Some(&p.code))).await;
    }
    let token = &p.influencer.access_token;
    let first = app.get("/v1/me/orders?limit=2", Some(token)).await;
    assert_eq!(order_ids(&first), ["o5", "o4"]);
    let cursor = first.body["next_cursor"].as_str().unwrap_or_default().to_owned();
    assert_eq!(cursor, first.body["items"][1]["id"].as_str().unwrap_or_default());

    // New orders arrive while the influencer pages.
    recorded(&app, &p, &order_body("o6", Some(&p.code))).await;
    recorded(&app, &p, &order_body("o7", Some(&p.code))).await;
    let second = app
        .get(&format!("/v1/me/orders?limit=2&cursor={cursor}"), Some(token))
        .await;
    assert_eq!(order_ids(&second), ["o3", "o2"]);
    let cursor = second.body["next_cursor"].as_str().unwrap_or_default().to_owned();
    let third = app
        .get(&format!("/v1/me/orders?limit=2&cursor={cursor}"), Some(token))
        .await;
    assert_eq!(order_ids(&third), ["o1"]);
    assert_eq!(third.body["next_cursor"], Value::Null);

    let fresh = app.get("/v1/me/orders?limit=200", Some(token)).await;
    assert_eq!(order_ids(&fresh), ["o7", "o6", "o5", "o4", "o3", "o2", "o1"]);

    for bad in ["?limit=0", "?limit=201", "?cursor=nope", "?brand_id=nope", "?page=2"] {
        app.get(&format!("/v1/me/orders{bad}"), Some(token))
            .await
            .assert_problem(422, "validation_failed");
    }
}

#[tokio::test]
async fn my_orders_filter_by_status_as_the_brands_list_does() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    recorded(&app, &p, &order_at("1001", &p.code, "2026-10-01T12:00:00Z")).await;
    recorded(&app, &p, &order_body("1002", Some(&p.code))).await;
    recorded(&app, &p, &order_body("1003", Some(&p.code))).await;
    cancel(&app, &p, "1003").await;
    mature_at(&app, Utc.with_ymd_and_hms(2026, 11, 2, 12, 30, 0).unwrap()).await;
    let token = app.login(&ana("acme"), "influencer").await;
    let brand_token = app.login(&p.brand.email, "brand").await;
    for (status, expected) in [
        ("pending", vec!["1002"]),
        ("approved", vec!["1001"]),
        ("reversed", vec!["1003"]),
        ("paid", vec![]),
        ("none", vec![]),
        ("", vec!["1003", "1002", "1001"]),
    ] {
        let mine = app.get(&format!("/v1/me/orders?status={status}"), Some(&token)).await;
        assert_eq!(mine.status, 200, "{}", mine.text);
        assert_eq!(order_ids(&mine), expected, "status={status}");
        if !status.is_empty() {
            // The same rule as the brand's list.
            let brands = app
                .get(&format!("/v1/brand/orders?status={status}"), Some(&brand_token))
                .await;
            assert_eq!(order_ids(&brands), expected, "brand status={status}");
        }
    }
    let both = app
        .get(
            &format!("/v1/me/orders?status=pending&brand_id={}", p.brand.id),
            Some(&token),
        )
        .await;
    assert_eq!(order_ids(&both), ["1002"]);
    let refused = app.get("/v1/me/orders?status=lost", Some(&token)).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.fields(), ["status"]);
    let brands_refusal = app.get("/v1/brand/orders?status=lost", Some(&brand_token)).await;
    assert_eq!(refused.body["errors"], brands_refusal.body["errors"]);
    let two = app.get("/v1/me/orders?status=lost&brand_id=nope", Some(&token)).await;
    assert_eq!(two.fields(), ["brand_id", "status"]);
}

#[tokio::test]
async fn my_order_reads_in_full_and_another_influencers_is_not_found() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let ordered = recorded(&app, &p, &order_body("1002", Some(&p.code))).await;
    refund(&app, &p, "1002", "r1", 1000).await;
    let (bo, _, bo_code) = app.add_ambassador(&p, &p.brand.access_token, "bo@acme.example").await;
    let bos = recorded(&app, &p, &order_body("2001", Some(&bo_code))).await;
    let unattributed = recorded(&app, &p, &order_body("3001", None)).await;
    let token = &p.influencer.access_token;

    let id = text(&ordered["id"]);
    let detail = app.get(&format!("/v1/me/orders/{id}"), Some(token)).await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    let listed = app.get("/v1/me/orders", Some(token)).await;
    for field in [
        "id",
        "order_id",
        "net_amount",
        "commission",
        "reversed",
        "status",
        "available_at",
        "attribution",
    ] {
        assert_eq!(detail.body[field], listed.body["items"][0][field], "{field}");
    }
    assert_eq!(detail.body["reversed"], 100);
    assert_eq!(detail.body["lines"][0]["sku"], "BEANS");
    assert_eq!(detail.body["lines"][1]["rate"], "10");
    assert_eq!(detail.body["refunds"][0]["refund_id"], "r1");
    assert_eq!(detail.body["refunds"][0]["reversal"], 100);
    let kinds: Vec<&str> = detail.body["ledger_entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["commission", "reversal"]);
    assert!(!detail.text.contains("candidates") && !detail.text.contains("customer"));

    // Bo's order, an unattributed one and no order at all answer alike.
    let nobodys = app
        .get(&format!("/v1/me/orders/{}", uuid::Uuid::now_v7()), Some(token))
        .await;
    nobodys.assert_problem(404, "order_not_found");
    for other in [&bos, &unattributed] {
        let reply = app
            .get(&format!("/v1/me/orders/{}", text(&other["id"])), Some(token))
            .await;
        assert_eq!((reply.status, &reply.body), (404, &nobodys.body));
    }
    let bo_sees = app.get(&format!("/v1/me/orders/{id}"), Some(&bo.access_token)).await;
    assert_eq!((bo_sees.status, &bo_sees.body), (404, &nobodys.body));
}
