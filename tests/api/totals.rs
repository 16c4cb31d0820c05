//! The running totals against the ledger (`reftrack verify`): a total that drifts from
//! the ledger, orders or clicks is reported with its key and figures, and a repair
//! rewrites the totals alone, never the ledger. The random sequences of
//! `money::identities` check after every action that the triggers kept them equal.

#![allow(clippy::unwrap_used)]

use chrono::Duration;
use reftrack::clock::Clock;

use crate::helpers::{TestApp, spawn_app};
use crate::orders::{order_body, record};

#[tokio::test]
async fn a_drifted_total_is_reported_with_its_key_and_a_repair_rewrites_the_totals_but_never_the_ledger() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    app.click("acme", &p.code, "Mozilla/5.0 (totals)").await;
    for id in ["t1", "t2", "t3"] {
        let reply = record(&app, &p, &order_body(id, Some(&p.code))).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    app.clock.advance(Duration::days(31));
    app.mature().await;
    let verified = reftrack::service::totals::verify(&app.db).await.unwrap();
    assert!(verified.is_clean(), "{:#?}", verified.differences);
    assert_eq!(verified.tables, 8);

    let ledger = |app: &TestApp| {
        (
            app.count("ledger_entries"),
            app.scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS n FROM ledger_entries"),
        )
    };
    let before = ledger(&app);
    let token = app.login("ana@acme.example", "influencer").await;
    let shown = app.get("/v1/me/dashboard", Some(&token)).await.body["brands"][0]["totals"].clone();

    // A total changed by hand, and a day of clicks lost.
    let rows = app.execute("UPDATE ledger_sums SET amount_lo = amount_lo + 7 WHERE approved = 1") as i64;
    assert!(rows > 0);
    assert!(app.execute("DELETE FROM click_days") > 0);
    let drifted = app.get("/v1/me/dashboard", Some(&token)).await.body["brands"][0]["totals"].clone();
    assert_eq!(
        drifted["approved"].as_i64().unwrap(),
        shown["approved"].as_i64().unwrap() + 7 * rows,
        "the dashboard reads the totals"
    );
    let verified = reftrack::service::totals::verify(&app.db).await.unwrap();
    let tables: Vec<&str> = verified.differences.iter().map(|d| d.table).collect();
    assert_eq!(tables, ["ledger_sums", "click_days"], "{:#?}", verified.differences);
    let line = reftrack::service::totals::describe(&verified.differences[0]);
    assert!(
        line.starts_with(&format!(
            "ledger_sums [membership_id={}, currency=USD, kind=commission, approved=1",
            p.membership_id
        )),
        "{line}"
    );
    assert!(
        line.contains("amount is") && line.contains("where the source says"),
        "{line}"
    );
    let clicks = reftrack::service::totals::describe(&verified.differences[1]);
    assert!(clicks.contains("clicks is 0 where the source says 1"), "{clicks}");

    let repaired = reftrack::service::totals::repair(&app.db, app.clock.now())
        .await
        .unwrap();
    assert!(repaired.is_clean(), "{:#?}", repaired.differences);
    assert_eq!(ledger(&app), before, "a repair never writes the ledger");
    let again = app.get("/v1/me/dashboard", Some(&token)).await.body["brands"][0]["totals"].clone();
    assert_eq!(again, shown);

    // The triggers keep working on the rebuilt rows.
    let reply = record(&app, &p, &order_body("t4", Some(&p.code))).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let verified = reftrack::service::totals::verify(&app.db).await.unwrap();
    assert!(verified.is_clean(), "{:#?}", verified.differences);
}

/// Rows of the day totals outside shard `0` on days before `before`.
fn loose_rows(app: &TestApp, before: &str) -> i64 {
    ["order_days", "brand_days", "click_days", "brand_click_days"]
        .iter()
        .map(|table| {
            app.scalar(&format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table} WHERE shard <> '0' AND day < '{before}'"
            ))
        })
        .sum()
}

#[tokio::test]
async fn compaction_folds_past_days_into_one_shard_and_changes_no_figure() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let old_day = app.clock.now().date_naive().to_string();
    for i in 0..24 {
        app.click("acme", &p.code, &format!("Mozilla/5.0 (compaction {i})"))
            .await;
        let reply = record(&app, &p, &order_body(&format!("c{i}"), Some(&p.code))).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    app.clock.advance(Duration::days(3));
    let reply = record(&app, &p, &order_body("today", Some(&p.code))).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let today = app.clock.now().date_naive().to_string();
    let old_shards = app.scalar(&format!(
        "SELECT CAST(COUNT(DISTINCT shard) AS BIGINT) AS n FROM order_days WHERE day = '{old_day}'"
    ));
    assert!(old_shards > 1, "24 orders fell in {old_shards} shard(s)");
    let today_rows = app.scalar(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM order_days WHERE day = '{today}'"
    ));

    let owner = app.login("owner@acme.example", "brand").await;
    let token = app.login("ana@acme.example", "influencer").await;
    let from = (app.clock.now() - Duration::days(365)).format("%Y-%m-%d");
    let read = |path: String, token: String| {
        let app = &app;
        async move {
            let reply = app.get(&path, Some(&token)).await;
            assert_eq!(reply.status, 200, "{path}: {}", reply.text);
            reply.body
        }
    };
    let dashboard = format!("/v1/me/dashboard?from={from}");
    let stats = format!("/v1/brand/stats?from={from}");
    let before = (
        read(dashboard.clone(), token.clone()).await,
        read(stats.clone(), owner.clone()).await,
    );

    let done = reftrack::service::totals::compact(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!(done.days, 4, "one past day in each of the four day tables: {done:?}");
    assert_eq!(loose_rows(&app, &today), 0);
    assert_eq!(
        app.scalar(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM order_days WHERE day = '{old_day}'"
        )),
        1,
        "one ambassador, code and currency: one row"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM order_days WHERE day = '{today}'"
        )),
        today_rows,
        "yesterday and today are left to the triggers"
    );
    let after = (
        read(dashboard.clone(), token.clone()).await,
        read(stats.clone(), owner.clone()).await,
    );
    assert_eq!(after, before, "no figure changes");
    let verified = reftrack::service::totals::verify(&app.db).await.unwrap();
    assert!(verified.is_clean(), "{:#?}", verified.differences);

    // A late write to the folded day lands in a shard again; the next pass folds it.
    let refund = app
        .post(
            "/v1/checkout/orders/c3/refunds",
            Some(&p.api_key),
            &serde_json::json!({"refund_id": "late", "amount": 1000}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    let verified = reftrack::service::totals::verify(&app.db).await.unwrap();
    assert!(verified.is_clean(), "{:#?}", verified.differences);
    let again = reftrack::service::totals::compact(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!(loose_rows(&app, &today), 0, "{again:?}");
    let verified = reftrack::service::totals::verify(&app.db).await.unwrap();
    assert!(verified.is_clean(), "{:#?}", verified.differences);
    let nothing = reftrack::service::totals::compact(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!(nothing, reftrack::service::totals::Compaction::default());
}
