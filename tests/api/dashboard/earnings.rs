//! `GET /v1/me/earnings.csv`: one row per ledger entry, oldest first.

use chrono::{Duration, TimeZone, Utc};

use super::{ana, earnings_csv, id, jpy_brand, mature_at, recorded, refund, yen_order};
use crate::helpers::spawn_app;
use crate::orders::order_body;

#[tokio::test]
async fn earnings_csv_has_one_row_per_entry_with_the_currency_digits_and_escaped_text() {
    let app = spawn_app().await;
    let acme = app.program_with_ambassador("acme").await;
    let bean = jpy_brand(&app, "bean", "=Bean, \"Tea\"", &ana("acme"), &acme.influencer).await;
    let usd = recorded(&app, &acme, &order_body("+SUM(A1)", Some(&acme.code))).await;
    recorded(&app, &bean, &yen_order("J-1", &bean.code)).await;
    app.clock.advance(Duration::hours(1));
    refund(&app, &acme, "+SUM(A1)", "r1", 1000).await;
    recorded(&app, &bean, &yen_order("J-2", &bean.code)).await;
    mature_at(&app, Utc.with_ymd_and_hms(2026, 12, 2, 12, 30, 0).unwrap()).await;
    let token = app.login(&ana("acme"), "influencer").await;

    let rows = earnings_csv(&app, &token).await;
    assert_eq!(
        rows[0],
        [
            "entry_id",
            "created_at",
            "brand",
            "kind",
            "order_id",
            "currency",
            "amount",
            "status",
            "available_at",
            "approved_at",
            "payout_id",
            "reason"
        ]
    );
    assert_eq!(rows.len(), 5, "four entries: {rows:?}");
    let cols = |i: usize| -> Vec<&str> { rows[i].iter().map(String::as_str).collect() };
    // Oldest first, across both brands.
    assert_eq!(
        cols(1)[1..],
        [
            "2026-11-02T12:00:00Z",
            "Acme Coffee",
            "commission",
            "'+SUM(A1)",
            "USD",
            "5.95",
            "approved",
            "2026-12-02T12:00:00Z",
            "2026-12-02T12:30:00Z",
            "",
            ""
        ]
    );
    assert_eq!(
        cols(2)[1..],
        [
            "2026-11-02T12:00:00Z",
            "'=Bean, \"Tea\"",
            "commission",
            "J-1",
            "JPY",
            "500",
            "approved",
            "2026-12-02T12:00:00Z",
            "2026-12-02T12:30:00Z",
            "",
            ""
        ]
    );
    // The reversal waited with its commission; a negative amount stays a number.
    assert_eq!(
        cols(3)[1..],
        [
            "2026-11-02T13:00:00Z",
            "Acme Coffee",
            "reversal",
            "'+SUM(A1)",
            "USD",
            "-1.00",
            "approved",
            "2026-12-02T12:00:00Z",
            "2026-12-02T12:30:00Z",
            "",
            ""
        ]
    );
    assert_eq!(
        cols(4)[1..],
        [
            "2026-11-02T13:00:00Z",
            "'=Bean, \"Tea\"",
            "commission",
            "J-2",
            "JPY",
            "500",
            "pending",
            "2026-12-02T13:00:00Z",
            "",
            "",
            ""
        ]
    );
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "oldest first by entry id");
    assert_eq!(usd["commission"]["amount"], 595);
    // The CSV agrees with the ledger, entry for entry.
    assert_eq!(app.count("ledger_entries"), 4);

    // The statement reads every membership page by page without skipping or repeating.
    let db = app.db.clone();
    let influencer = id(&acme.influencer.id);
    let paged = tokio::task::spawn_blocking(move || {
        db.read_blocking(|conn| {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let page = reftrack::store::dashboard::statement_entries(conn, influencer, after, 1)?;
                let Some(last) = page.last() else { break };
                after = Some(last.id);
                seen.extend(page.iter().map(|e| e.id.to_string()));
            }
            Ok::<_, reftrack::store::StoreError>(seen)
        })
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(paged, ids);
}
