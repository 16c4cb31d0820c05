//! Refunds and cancellations: proportional reversals that net a fully refunded order
//! to exactly 0, idempotent on `refund_id`, tenant-isolated.

use serde_json::{Value, json};

use crate::helpers::{Program, Reply, TestApp, spawn_app};
use crate::orders::{order_body, record};

/// Records the worked example (net 5949, commission 595) as `order_id`; returns its body.
async fn worked_example(app: &TestApp, p: &Program, order_id: &str) -> Value {
    let reply = record(app, p, &order_body(order_id, Some(&p.code))).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(
        (
            reply.body["net_amount"].as_i64(),
            reply.body["commission"]["amount"].as_i64()
        ),
        (Some(5949), Some(595))
    );
    reply.body
}

async fn refund(app: &TestApp, p: &Program, order_id: &str, body: &Value) -> Reply {
    app.post(
        &format!("/v1/checkout/orders/{order_id}/refunds"),
        Some(&p.api_key),
        body,
    )
    .await
}

async fn refunded(app: &TestApp, p: &Program, order_id: &str, body: &Value) -> Value {
    let reply = refund(app, p, order_id, body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

async fn cancel(app: &TestApp, p: &Program, order_id: &str) -> Reply {
    app.post(
        &format!("/v1/checkout/orders/{order_id}/cancel"),
        Some(&p.api_key),
        &json!({}),
    )
    .await
}

/// Σ of the order's ledger entries (commission minus reversals).
fn ledger_sum(app: &TestApp, order: &Value) -> i64 {
    app.scalar(&format!(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS n FROM ledger_entries WHERE order_id = '{}'",
        order["id"].as_str().unwrap_or("?")
    ))
}

#[tokio::test]
async fn an_amount_refund_reverses_the_proportional_commission() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = worked_example(&app, &p, "1001").await;
    // 595 × 1000 / 5949 = 100.02 → 100.
    let r = refunded(&app, &p, "1001", &json!({"refund_id": "r1", "amount": 1000})).await;
    assert_eq!(r["amount"], 1000);
    assert_eq!(r["reversal"], 100, "{r}");
    assert_eq!(r["refunded_total"], 1000);
    assert_eq!(r["reversed_total"], 100);
    assert_eq!(r["order_id"], "1001");
    assert_eq!(ledger_sum(&app, &order), 495);
    assert_eq!(
        app.count(&format!(
            "ledger_entries WHERE order_id = '{}' AND kind = 'reversal' AND amount = -100",
            order["id"].as_str().unwrap_or("?")
        )),
        1,
        "a reversal is a new negative entry"
    );
    // 595 × 2975 / 5949 = 297.549 → 298 (rounded half away from zero, not truncated).
    let r = refunded(&app, &p, "1001", &json!({"refund_id": "r2", "amount": 2975})).await;
    assert_eq!(r["reversal"], 298, "{r}");
}

#[tokio::test]
async fn partial_refunds_adding_up_to_the_net_reverse_exactly_the_commission() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = worked_example(&app, &p, "1001").await;
    // 595 × 1983 / 5949 = 198.33 → 198 twice; the last refund takes what is left: 199.
    let mut reversals = Vec::new();
    for (i, amount) in [1983, 1983, 1983].into_iter().enumerate() {
        let r = refunded(
            &app,
            &p,
            "1001",
            &json!({"refund_id": format!("r{i}"), "amount": amount}),
        )
        .await;
        reversals.push(r["reversal"].as_i64().unwrap_or(-1));
    }
    assert_eq!(reversals, [198, 198, 199]);
    assert_eq!(ledger_sum(&app, &order), 0, "a fully refunded order nets to 0");
    refund(&app, &p, "1001", &json!({"refund_id": "r9", "amount": 1}))
        .await
        .assert_problem(422, "refund_exceeds_net");
}

#[tokio::test]
async fn a_refund_beyond_what_is_left_is_422_and_changes_nothing() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = worked_example(&app, &p, "1001").await;
    refund(&app, &p, "1001", &json!({"refund_id": "r0", "amount": 5950}))
        .await
        .assert_problem(422, "refund_exceeds_net");
    refunded(&app, &p, "1001", &json!({"refund_id": "r1", "amount": 5000})).await;
    refund(&app, &p, "1001", &json!({"refund_id": "r2", "amount": 950}))
        .await
        .assert_problem(422, "refund_exceeds_net");
    let last = refunded(&app, &p, "1001", &json!({"refund_id": "r3", "amount": 949})).await;
    assert_eq!(last["refunded_total"], 5949);
    assert_eq!(last["reversed_total"], 595);
    assert_eq!(ledger_sum(&app, &order), 0);
    assert_eq!(app.count("refunds"), 2);
    // Amounts that are not positive are validation errors.
    for amount in [0, -5] {
        let reply = refund(&app, &p, "1001", &json!({"refund_id": "r4", "amount": amount})).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), ["amount"]);
    }
}

#[tokio::test]
async fn line_refunds_are_worth_the_lines_share_of_the_net() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = worked_example(&app, &p, "1001").await;
    // The mug: 1999 × 5949 / 6999 = 1699.14 → 1699; reversal 595 × 1699 / 5949 = 169.93 → 170.
    let mug = refunded(
        &app,
        &p,
        "1001",
        &json!({"refund_id": "r1", "lines": [{"sku": "MUG", "quantity": 1}]}),
    )
    .await;
    assert_eq!(
        (mug["amount"].as_i64(), mug["reversal"].as_i64()),
        (Some(1699), Some(170)),
        "{mug}"
    );
    // One bag of beans: cumulative 4499 × 5949 / 6999 = 3824.03 → 3824, so 3824 − 1699 = 2125.
    let bag = refunded(
        &app,
        &p,
        "1001",
        &json!({"refund_id": "r2", "lines": [{"sku": "BEANS", "quantity": 1}]}),
    )
    .await;
    assert_eq!(bag["amount"], 2125, "{bag}");
    // The last bag completes the net and reverses the rest of the commission.
    let last = refunded(
        &app,
        &p,
        "1001",
        &json!({"refund_id": "r3", "lines": [{"sku": "BEANS", "quantity": 1}]}),
    )
    .await;
    assert_eq!(last["refunded_total"], 5949, "{last}");
    assert_eq!(last["reversed_total"], 595);
    assert_eq!(ledger_sum(&app, &order), 0);
}

#[tokio::test]
async fn line_refunds_of_unknown_skus_or_too_many_units_are_422_naming_the_line() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    worked_example(&app, &p, "1001").await;
    let reply = refund(
        &app,
        &p,
        "1001",
        &json!({"refund_id": "r1", "lines": [{"sku": "BEANS", "quantity": 1}, {"sku": "TEAPOT", "quantity": 1}]}),
    )
    .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["lines[1].sku"]);
    let reply = refund(
        &app,
        &p,
        "1001",
        &json!({"refund_id": "r1", "lines": [{"sku": "BEANS", "quantity": 3}]}),
    )
    .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["lines[0].quantity"]);
    // Units already refunded are gone: two bags, then one more is too many.
    refunded(
        &app,
        &p,
        "1001",
        &json!({"refund_id": "r2", "lines": [{"sku": "BEANS", "quantity": 2}]}),
    )
    .await;
    let reply = refund(
        &app,
        &p,
        "1001",
        &json!({"refund_id": "r3", "lines": [{"sku": "MUG", "quantity": 1}, {"sku": "BEANS", "quantity": 1}]}),
    )
    .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["lines[1].quantity"]);
    let reply = refund(
        &app,
        &p,
        "1001",
        &json!({"refund_id": "r4", "lines": [{"sku": "MUG", "quantity": 0}]}),
    )
    .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["lines[0].quantity"]);
    assert_eq!(app.count("refunds"), 1);
}

#[tokio::test]
async fn a_refund_is_idempotent_on_its_refund_id() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = worked_example(&app, &p, "1001").await;
    let body = json!({"refund_id": "r1", "amount": 1000});
    let first = refund(&app, &p, "1001", &body).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(!first.replayed());
    app.clock.advance(chrono::Duration::minutes(10));
    let again = refund(&app, &p, "1001", &body).await;
    assert_eq!((again.status, again.replayed()), (201, true), "{}", again.text);
    assert_eq!(again.text, first.text);
    refund(&app, &p, "1001", &json!({"refund_id": "r1", "amount": 2000}))
        .await
        .assert_problem(422, "idempotency_key_reused");
    refund(
        &app,
        &p,
        "1001",
        &json!({"refund_id": "r1", "lines": [{"sku": "MUG", "quantity": 1}]}),
    )
    .await
    .assert_problem(422, "idempotency_key_reused");
    assert_eq!(app.count("refunds"), 1);
    assert_eq!(ledger_sum(&app, &order), 495, "one reversal only");
    // The same refund_id on another order is another refund.
    worked_example(&app, &p, "1002").await;
    let other = refund(&app, &p, "1002", &body).await;
    assert_eq!((other.status, other.replayed()), (201, false), "{}", other.text);
}

#[tokio::test]
async fn cancel_refunds_the_rest_and_a_second_cancel_replays() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = worked_example(&app, &p, "1001").await;
    refunded(&app, &p, "1001", &json!({"refund_id": "r1", "amount": 1000})).await;
    let first = cancel(&app, &p, "1001").await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["amount"], 4949);
    assert_eq!(first.body["reversal"], 495);
    assert_eq!(first.body["refunded_total"], 5949);
    assert_eq!(first.body["reversed_total"], 595);
    assert_eq!(ledger_sum(&app, &order), 0);
    let again = cancel(&app, &p, "1001").await;
    assert_eq!((again.status, again.replayed()), (201, true), "{}", again.text);
    assert_eq!(again.text, first.text);
    refund(&app, &p, "1001", &json!({"refund_id": "r2", "amount": 1}))
        .await
        .assert_problem(422, "refund_exceeds_net");
    assert_eq!(ledger_sum(&app, &order), 0);
    // Cancelling an untouched order refunds all of it.
    let other = worked_example(&app, &p, "1002").await;
    let whole = cancel(&app, &p, "1002").await;
    assert_eq!(
        (whole.body["amount"].as_i64(), whole.body["reversal"].as_i64()),
        (Some(5949), Some(595))
    );
    assert_eq!(ledger_sum(&app, &other), 0);
}

#[tokio::test]
async fn refunds_of_unknown_or_foreign_orders_are_404() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let q = app.program_with_ambassador("globex").await;
    worked_example(&app, &p, "1001").await;
    let body = json!({"refund_id": "r1", "amount": 100});
    refund(&app, &p, "9999", &body)
        .await
        .assert_problem(404, "order_not_found");
    cancel(&app, &p, "9999").await.assert_problem(404, "order_not_found");
    refund(&app, &q, "1001", &body)
        .await
        .assert_problem(404, "order_not_found");
    cancel(&app, &q, "1001").await.assert_problem(404, "order_not_found");
    assert_eq!(app.count("refunds"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_refunds_of_one_order_never_exceed_its_net_or_commission() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = worked_example(&app, &p, "1001").await;
    let url = app.url("/v1/checkout/orders/1001/refunds");
    // 16 refunds of 400 ask for 6400 of a net of 5949: 14 fit, 2 must be refused.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (client, url, key) = (app.client.clone(), url.clone(), p.api_key.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({"refund_id": format!("r{i}"), "amount": 400}).to_string();
            crate::helpers::post_json(&client, &url, &key, None, body).await
        }));
    }
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap_or_else(|e| panic!("{e}")));
    }
    let ok: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    for reply in &replies {
        assert!(
            reply.status == 201 || reply.code() == "refund_exceeds_net",
            "{}: {}",
            reply.status,
            reply.text
        );
    }
    assert_eq!(ok.len(), 14);
    let refunded_total: i64 = ok.iter().filter_map(|r| r.body["amount"].as_i64()).sum();
    let reversed_total: i64 = ok.iter().filter_map(|r| r.body["reversal"].as_i64()).sum();
    assert_eq!(refunded_total, 5600);
    assert!(reversed_total <= 595, "{reversed_total}");
    let max_seen = ok.iter().filter_map(|r| r.body["refunded_total"].as_i64()).max();
    assert_eq!(max_seen, Some(5600), "each refund saw the ones before it");
    assert_eq!(ledger_sum(&app, &order), 595 - reversed_total);
    // The rest: the order nets to exactly 0.
    let rest = cancel(&app, &p, "1001").await;
    assert_eq!(
        (rest.status, rest.body["amount"].as_i64()),
        (201, Some(349)),
        "{}",
        rest.text
    );
    assert_eq!(ledger_sum(&app, &order), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_refunds_adding_up_to_the_net_reverse_exactly_the_commission() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = worked_example(&app, &p, "1001").await;
    let url = app.url("/v1/checkout/orders/1001/refunds");
    // 15 × 372 + 369 = 5949.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (client, url, key) = (app.client.clone(), url.clone(), p.api_key.clone());
        let amount = if i == 15 { 369 } else { 372 };
        tasks.push(tokio::spawn(async move {
            let body = json!({"refund_id": format!("r{i}"), "amount": amount}).to_string();
            crate::helpers::post_json(&client, &url, &key, None, body).await
        }));
    }
    let mut reversed = 0;
    for task in tasks {
        let reply = task.await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.status, 201, "{}", reply.text);
        reversed += reply.body["reversal"].as_i64().unwrap_or(0);
    }
    assert_eq!(reversed, 595);
    assert_eq!(ledger_sum(&app, &order), 0);
}

#[tokio::test]
async fn a_refund_of_an_unattributed_order_moves_no_money() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let reply = record(&app, &p, &order_body("1001", None)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let r = refunded(&app, &p, "1001", &json!({"refund_id": "r1", "amount": 1000})).await;
    assert_eq!(
        (r["reversal"].as_i64(), r["commission"].as_i64()),
        (Some(0), Some(0)),
        "{r}"
    );
    let rest = cancel(&app, &p, "1001").await;
    assert_eq!(
        (rest.status, rest.body["amount"].as_i64()),
        (201, Some(4949)),
        "{}",
        rest.text
    );
    assert_eq!(app.count("ledger_entries"), 0);
}

/// The shop names its refunds; "cancel" is as good a name as any and must not stop the
/// order from being cancelled later.
#[tokio::test]
async fn a_refund_named_cancel_does_not_block_cancelling_the_order() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = worked_example(&app, &p, "1001").await;
    refunded(&app, &p, "1001", &json!({"refund_id": "cancel", "amount": 1000})).await;
    let rest = cancel(&app, &p, "1001").await;
    assert_eq!(rest.status, 201, "{}", rest.text);
    assert_eq!(
        (rest.body["amount"].as_i64(), rest.body["refunded_total"].as_i64()),
        (Some(4949), Some(5949))
    );
    assert_eq!(ledger_sum(&app, &order), 0);
}
