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
