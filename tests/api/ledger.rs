//! The append-only ledger, the maturation job and free-item rewards.

use std::sync::Arc;

use tokio::sync::Barrier;

use chrono::Duration;
use diesel::RunQueryDsl;
use serde_json::{Value, json};

use crate::helpers::{Program, Reply, TestApp, spawn_app};
use crate::orders::{order_body, record};

async fn order(app: &TestApp, api_key_of: &Program, order_id: &str, code: &str) -> Value {
    let reply = record(app, api_key_of, &order_body(order_id, Some(code))).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

async fn refund(app: &TestApp, p: &Program, order_id: &str, refund_id: &str, amount: i64) -> Reply {
    let reply = app
        .post(
            &format!("/v1/checkout/orders/{order_id}/refunds"),
            Some(&p.api_key),
            &json!({"refund_id": refund_id, "amount": amount}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply
}

async fn cancel(app: &TestApp, p: &Program, order_id: &str) {
    let reply = app
        .post(
            &format!("/v1/checkout/orders/{order_id}/cancel"),
            Some(&p.api_key),
            &json!({}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

fn approved_entries(app: &TestApp) -> i64 {
    app.count("ledger_entries WHERE approved_at IS NOT NULL")
}

fn unapproved_entries(app: &TestApp) -> i64 {
    app.count("ledger_entries WHERE approved_at IS NULL")
}

/// Moves the clock past the 30-day hold of everything recorded so far.
fn past_the_hold(app: &TestApp) {
    app.clock.advance(Duration::days(30) + Duration::minutes(1));
}

async fn my_rewards(app: &TestApp, email: &str) -> Vec<Value> {
    let token = app.login(email, "influencer").await;
    let reply = app.get("/v1/me/rewards", Some(&token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["items"].as_array().cloned().unwrap_or_default()
}

fn ana(p_slug: &str) -> String {
    format!("ana@{p_slug}.example")
}

// ---------------------------------------------------------------------------------
// Maturation
// ---------------------------------------------------------------------------------

#[tokio::test]
async fn commission_is_approved_only_after_the_hold_and_only_once() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let o = order(&app, &p, "1001", &p.code).await;
    assert_eq!(o["commission"]["status"], "pending");
    assert_eq!(o["commission"]["available_at"], "2026-12-02T12:00:00Z");

    assert_eq!(app.mature().await.approved, 0, "nothing is due at once");
    app.clock.advance(Duration::days(30) - Duration::minutes(1));
    assert_eq!(app.mature().await.approved, 0, "one minute before the hold ends");
    assert_eq!(unapproved_entries(&app), 1);

    app.clock.advance(Duration::minutes(2));
    let report = app.mature().await;
    assert_eq!(report.approved, 1);
    assert_eq!(approved_entries(&app), 1);
    assert_eq!(
        app.count("ledger_entries WHERE kind = 'commission' AND amount = 595 AND approved_at IS NOT NULL"),
        1
    );
    let again = app.mature().await;
    assert_eq!(
        (again.approved, again.rewards_granted),
        (0, 0),
        "a second pass is a no-op"
    );
}

#[tokio::test]
async fn a_reversal_during_the_hold_matures_with_its_commission_and_after_approval_at_once() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    order(&app, &p, "1001", &p.code).await;
    order(&app, &p, "1002", &p.code).await;
    refund(&app, &p, "1001", "r1", 1000).await;
    assert_eq!(unapproved_entries(&app), 3, "the reversal waits with its commission");
    assert_eq!(
        app.count(
            "ledger_entries r WHERE r.kind = 'reversal' AND r.available_at = \
             (SELECT c.available_at FROM ledger_entries c WHERE c.order_id = r.order_id AND c.kind = 'commission')"
        ),
        1
    );
    past_the_hold(&app);
    assert_eq!(app.mature().await.approved, 3);

    // After approval a refund nets against the payable balance at once.
    refund(&app, &p, "1002", "r1", 1000).await;
    assert_eq!(unapproved_entries(&app), 0, "approved when written");
    assert_eq!(app.mature().await.approved, 0);
    assert_eq!(approved_entries(&app), 4);
}

#[tokio::test]
async fn the_database_refuses_to_change_an_amount_or_delete_a_ledger_entry() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    order(&app, &p, "1001", &p.code).await;
    past_the_hold(&app);
    app.mature().await;
    order(&app, &p, "1002", &p.code).await;
    let sum = "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS n FROM ledger_entries";
    assert_eq!(app.scalar(sum), 1190);

    let db = app.db.clone();
    let outcomes = tokio::task::spawn_blocking(move || {
        let mut conn = db.write_conn().unwrap_or_else(|e| panic!("{e:?}"));
        [
            "UPDATE ledger_entries SET amount = amount + 1",
            "UPDATE ledger_entries SET amount = 0 WHERE approved_at IS NULL",
            "UPDATE ledger_entries SET currency = 'EUR'",
            "UPDATE ledger_entries SET approved_at = available_at WHERE approved_at IS NOT NULL",
            "DELETE FROM ledger_entries",
            "DELETE FROM ledger_entries WHERE approved_at IS NULL",
        ]
        .map(|sql| (sql, diesel::sql_query(sql).execute(&mut **conn).is_err()))
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    for (sql, refused) in outcomes {
        assert!(refused, "the database accepted: {sql}");
    }
    assert_eq!(app.scalar(sum), 1190);
    assert_eq!(app.count("ledger_entries"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_passes_approve_each_entry_and_grant_each_reward_exactly_once() {
    let app = spawn_app().await;
    let mut terms = crate::helpers::program_body();
    terms["rewards"] = json!([
        {"every_orders": 3, "sku": "FREE-BAG", "description": "A free bag of coffee"},
        {"every_amount": 20000, "sku": "FREE-MUG", "description": "A free mug"}
    ]);
    let p = app.program_with_terms("acme", &terms).await;
    let (_, _, bo) = app.add_ambassador(&p, &p.brand.access_token, "bo@acme.example").await;
    let (_, _, cy) = app.add_ambassador(&p, &p.brand.access_token, "cy@acme.example").await;
    // Ana: 9 orders, one cancelled → 8 qualify, 47592 → 2 bags + 2 mugs.
    for i in 0..9 {
        order(&app, &p, &format!("a{i}"), &p.code).await;
    }
    cancel(&app, &p, "a0").await;
    // Bo: 6 orders, 35694 → 2 bags + 1 mug.
    for i in 0..6 {
        order(&app, &p, &format!("b{i}"), &bo).await;
    }
    // Cy: 4 orders, one refunded in part: 23796 − 2000 = 21796 → 1 bag + 1 mug.
    for i in 0..4 {
        order(&app, &p, &format!("c{i}"), &cy).await;
    }
    refund(&app, &p, "c0", "r1", 2000).await;
    let entries = app.count("ledger_entries");
    assert_eq!(entries, 21);
    past_the_hold(&app);

    let now = reftrack::clock::Clock::now(app.clock.as_ref());
    let start = Arc::new(Barrier::new(4));
    let passes: Vec<_> = (0..4)
        .map(|_| {
            let (db, start) = (app.db.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                reftrack::service::maturation::run_pass(&db, now).await
            })
        })
        .collect();
    let (mut approved, mut granted) = (0, 0);
    for pass in passes {
        let report = pass
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("a concurrent pass failed: {e:?}"));
        approved += report.approved;
        granted += report.rewards_granted;
    }
    assert_eq!(
        i64::try_from(approved).unwrap_or(-1),
        entries,
        "each entry approved exactly once"
    );
    assert_eq!(unapproved_entries(&app), 0);
    assert_eq!(granted, 9);
    assert_eq!(app.count("rewards"), 9, "each reward granted exactly once");
    assert_eq!(app.count("rewards WHERE sku = 'FREE-BAG'"), 5);
    assert_eq!(app.count("rewards WHERE sku = 'FREE-MUG'"), 4);
    let after = app.mature().await;
    assert_eq!((after.approved, after.rewards_granted), (0, 0));
}

// ---------------------------------------------------------------------------------
// Rewards
// ---------------------------------------------------------------------------------

#[tokio::test]
async fn the_third_matured_order_earns_a_reward() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    for i in 0..3 {
        order(&app, &p, &format!("o{i}"), &p.code).await;
    }
    assert_eq!(app.mature().await.rewards_granted, 0, "orders count once approved");
    assert!(my_rewards(&app, &ana("acme")).await.is_empty());

    past_the_hold(&app);
    let report = app.mature().await;
    assert_eq!((report.approved, report.rewards_granted), (3, 1));
    let rewards = my_rewards(&app, &ana("acme")).await;
    assert_eq!(rewards.len(), 1, "{rewards:?}");
    assert_eq!(rewards[0]["status"], "earned");
    assert_eq!(rewards[0]["sku"], "FREE-BAG");
    assert_eq!(rewards[0]["description"], "A free bag of coffee");
    assert_eq!(rewards[0]["membership_id"], json!(p.membership_id));
    assert_eq!(rewards[0]["brand_id"], json!(p.brand.id));
    assert_eq!(app.mature().await.rewards_granted, 0);
    assert_eq!(my_rewards(&app, &ana("acme")).await.len(), 1);
}

#[tokio::test]
async fn fully_refunded_and_self_referred_orders_do_not_qualify_but_partly_refunded_ones_do() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    order(&app, &p, "o1", &p.code).await;
    order(&app, &p, "o2", &p.code).await;
    order(&app, &p, "o3", &p.code).await;
    cancel(&app, &p, "o3").await;
    let mut own = order_body("o4", Some(&p.code));
    own["customer_email"] = json!(ana("acme"));
    let reply = record(&app, &p, &own).await;
    assert_eq!(reply.body["flags"], json!(["self_referral"]), "{}", reply.text);
    past_the_hold(&app);
    let report = app.mature().await;
    assert_eq!(report.rewards_granted, 0, "only 2 orders qualify: {report:?}");
    assert!(my_rewards(&app, &ana("acme")).await.is_empty());

    order(&app, &p, "o5", &p.code).await;
    refund(&app, &p, "o5", "r1", 5000).await;
    past_the_hold(&app);
    assert_eq!(app.mature().await.rewards_granted, 1, "o5 is refunded only in part");
    assert_eq!(my_rewards(&app, &ana("acme")).await.len(), 1);
}

#[tokio::test]
async fn a_grant_is_never_taken_back_after_a_later_refund() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    for i in 0..3 {
        order(&app, &p, &format!("o{i}"), &p.code).await;
    }
    past_the_hold(&app);
    assert_eq!(app.mature().await.rewards_granted, 1);
    cancel(&app, &p, "o0").await;
    app.mature().await;
    let rewards = my_rewards(&app, &ana("acme")).await;
    assert_eq!(rewards.len(), 1);
    assert_eq!(rewards[0]["status"], "earned");
    // Back to 3 qualifying orders: the reward for 3 was granted already, not a second one.
    order(&app, &p, "o3", &p.code).await;
    past_the_hold(&app);
    assert_eq!(app.mature().await.rewards_granted, 0);
    assert_eq!(app.count("rewards"), 1);
}

#[tokio::test]
async fn rewards_by_amount_count_net_sales_after_refunds() {
    let app = spawn_app().await;
    let mut terms = crate::helpers::program_body();
    terms["rewards"] = json!([{"every_amount": 10000, "sku": "FREE-MUG", "description": "A free mug"}]);
    let p = app.program_with_terms("acme", &terms).await;
    order(&app, &p, "o1", &p.code).await;
    order(&app, &p, "o2", &p.code).await;
    refund(&app, &p, "o2", "r1", 1899).await;
    past_the_hold(&app);
    let report = app.mature().await;
    assert_eq!(report.rewards_granted, 0, "5949 + 4050 = 9999 < 10000");

    let small = record(
        &app,
        &p,
        &json!({"order_id": "o3", "code": p.code, "currency": "USD",
                "lines": [{"sku": "FILTERS", "quantity": 1, "unit_price": 1000}], "discount_total": 0}),
    )
    .await;
    assert_eq!(small.status, 201, "{}", small.text);
    past_the_hold(&app);
    assert_eq!(app.mature().await.rewards_granted, 1, "10999 ≥ 10000");
    let rewards = my_rewards(&app, &ana("acme")).await;
    assert_eq!(rewards.len(), 1);
    assert_eq!(rewards[0]["sku"], "FREE-MUG");
}

#[tokio::test]
async fn a_reward_is_claimed_and_fulfilled_once_each_and_only_by_its_owners() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let q = app.program_with_ambassador("globex").await;
    app.sign_up_influencer("eve@elsewhere.example").await;
    for i in 0..6 {
        order(&app, &p, &format!("o{i}"), &p.code).await;
    }
    past_the_hold(&app);
    assert_eq!(app.mature().await.rewards_granted, 2);
    let rewards = my_rewards(&app, &ana("acme")).await;
    let (first, second) = (
        rewards[0]["id"].as_str().unwrap_or("?").to_owned(),
        rewards[1]["id"].as_str().unwrap_or("?").to_owned(),
    );
    let ana_token = app.login(&ana("acme"), "influencer").await;
    let brand = app.login(&p.brand.email, "brand").await;
    let other_brand = app.login(&q.brand.email, "brand").await;
    let eve = app.login("eve@elsewhere.example", "influencer").await;
    let globex_ana = app.login(&ana("globex"), "influencer").await;

    // Claiming.
    let shipping = json!({"shipping_name": "Ana Influencer", "shipping_address": "1 Main St\nSpringfield"});
    let claim = |token: String, id: String| {
        let (app, shipping) = (&app, shipping.clone());
        async move {
            app.post(&format!("/v1/me/rewards/{id}/claim"), Some(&token), &shipping)
                .await
        }
    };
    claim(eve.clone(), first.clone())
        .await
        .assert_problem(404, "reward_not_found");
    claim(globex_ana.clone(), first.clone())
        .await
        .assert_problem(404, "reward_not_found");
    let bad = app
        .post(
            &format!("/v1/me/rewards/{first}/claim"),
            Some(&ana_token),
            &json!({"shipping_name": " ", "shipping_address": "1 Main St"}),
        )
        .await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.fields(), ["shipping_name"]);
    let claimed = claim(ana_token.clone(), first.clone()).await;
    assert_eq!(claimed.status, 200, "{}", claimed.text);
    assert_eq!(claimed.body["status"], "claimed");
    assert_eq!(claimed.body["shipping_name"], "Ana Influencer");
    assert_eq!(claimed.body["shipping_address"], "1 Main St\nSpringfield");
    claim(ana_token.clone(), first.clone())
        .await
        .assert_problem(409, "reward_not_claimable");
    app.post(
        &format!("/v1/me/rewards/{}/claim", uuid::Uuid::now_v7()),
        Some(&ana_token),
        &shipping,
    )
    .await
    .assert_problem(404, "reward_not_found");

    // Listing for the brand.
    let list = |token: String, status: &'static str| {
        let app = &app;
        async move {
            let reply = app
                .get(&format!("/v1/brand/rewards?status={status}"), Some(&token))
                .await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            reply.body["items"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|r| r["id"].as_str().map(str::to_owned))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    };
    assert_eq!(list(brand.clone(), "claimed").await, std::slice::from_ref(&first));
    assert_eq!(list(brand.clone(), "earned").await, std::slice::from_ref(&second));
    assert!(list(other_brand.clone(), "claimed").await.is_empty());
    app.get("/v1/brand/rewards?status=lost", Some(&brand))
        .await
        .assert_problem(422, "validation_failed");

    // Fulfilling.
    let fulfil = |token: String, id: String| {
        let app = &app;
        async move {
            app.post(
                &format!("/v1/brand/rewards/{id}/fulfil"),
                Some(&token),
                &json!({"tracking": "1Z999AA10123456784"}),
            )
            .await
        }
    };
    let unclaimed = fulfil(brand.clone(), second.clone()).await;
    assert_eq!(unclaimed.status, 409, "{}", unclaimed.text);
    fulfil(other_brand.clone(), first.clone())
        .await
        .assert_problem(404, "reward_not_found");
    let wrong_kind = app
        .post(
            &format!("/v1/brand/rewards/{first}/fulfil"),
            Some(&ana_token),
            &json!({}),
        )
        .await;
    assert_eq!(
        wrong_kind.status, 401,
        "an influencer cannot fulfil: {}",
        wrong_kind.text
    );
    let done = fulfil(brand.clone(), first.clone()).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["status"], "fulfilled");
    assert_eq!(done.body["tracking"], "1Z999AA10123456784");
    let twice = fulfil(brand.clone(), first.clone()).await;
    assert_eq!(twice.status, 409, "{}", twice.text);
    assert_eq!(twice.code(), unclaimed.code());
    claim(ana_token.clone(), first.clone())
        .await
        .assert_problem(409, "reward_not_claimable");
    assert_eq!(list(brand.clone(), "fulfilled").await, std::slice::from_ref(&first));
    let mine = my_rewards(&app, &ana("acme")).await;
    assert_eq!(mine[0]["status"], "fulfilled");
    assert_eq!(mine[0]["tracking"], "1Z999AA10123456784");
    assert_eq!(mine[1]["status"], "earned");
    // The other brand's influencer sees none of it.
    let theirs = app.get("/v1/me/rewards", Some(&globex_ana)).await;
    assert_eq!(theirs.body["items"], json!([]));
}
