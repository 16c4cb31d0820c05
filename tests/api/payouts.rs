//! Payout reports and batches: exact balances, minimums, CSV and PayPal files, and
//! batches that can never pay an entry twice.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{Program, TestApp, spawn_app};

fn order(order_id: &str, code: &str, unit_price: i64) -> Value {
    json!({"order_id": order_id, "code": code, "currency": "USD", "discount_total": 0,
           "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": unit_price}]})
}

async fn sell(app: &TestApp, p: &Program, order_id: &str, unit_price: i64) {
    let reply = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &order(order_id, &p.code, unit_price),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

/// Two matured orders of 150.00 and 100.00 at 10 % (min payout 20.00): 25.00 payable.
async fn payable_program(app: &TestApp) -> (Program, String) {
    let p = app.program_with_ambassador("acme").await;
    sell(app, &p, "A-1", 15_000).await;
    sell(app, &p, "A-2", 10_000).await;
    app.clock.advance(Duration::days(31));
    assert_eq!(app.mature().await.approved, 2);
    let token = app.login(&p.brand.email, "brand").await;
    (p, token)
}

#[tokio::test]
async fn a_batch_pays_approved_balances_and_marks_them_paid() {
    let app = spawn_app().await;
    let (p, token) = payable_program(&app).await;
    let report = app.get("/v1/brand/reports/payouts?currency=USD", Some(&token)).await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(report.body["payable_total"], 2500);
    assert_eq!(report.body["items"][0]["balance"], 2500);
    assert_eq!(report.body["items"][0]["reaches_minimum"], true);
    assert_eq!(report.body["items"][0]["payout_email"], "ana@acme.example");

    let batch = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    assert_eq!(batch.body["status"], "pending");
    assert_eq!(batch.body["total"], 2500);
    assert_eq!(batch.body["items"][0]["amount"], 2500);
    assert_eq!(batch.body["items"][0]["entries"], 2);
    assert_eq!(batch.body["items"][0]["ambassador_id"], json!(p.membership_id));

    // Nothing is left to pay, and the report is empty.
    app.post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await
        .assert_problem(422, "nothing_to_pay");
    assert_eq!(
        app.get("/v1/brand/reports/payouts", Some(&token)).await.body["items"],
        json!([])
    );

    let id = batch.body["id"].as_str().unwrap_or_default();
    let paid = app
        .post(&format!("/v1/brand/payouts/{id}/paid"), Some(&token), &json!({}))
        .await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    assert_eq!(paid.body["status"], "paid");
    app.post(&format!("/v1/brand/payouts/{id}/cancel"), Some(&token), &json!({}))
        .await
        .assert_problem(409, "payout_not_pending");
    app.post(&format!("/v1/brand/payouts/{id}/paid"), Some(&token), &json!({}))
        .await
        .assert_problem(409, "payout_not_pending");
    let list = app.get("/v1/brand/payouts", Some(&token)).await;
    assert_eq!(list.body["items"][0]["item_count"], 1);

    // The ambassador's dashboard moves the money from approved to paid, to the cent.
    let ana = app.login("ana@acme.example", "influencer").await;
    let dashboard = app.get("/v1/me/dashboard", Some(&ana)).await;
    assert_eq!(dashboard.status, 200, "{}", dashboard.text);
    let totals = &dashboard.body["brands"][0]["totals"];
    assert_eq!(
        totals,
        &json!({"pending": 0, "approved": 0, "paid": 2500, "reversed": 0, "next_payable_at": null,
                "by_kind": {"commission": 2500, "reversal": 0, "adjustment": 0, "bonus": 0, "flat_fee": 0, "override": 0}})
    );
    let orders = app.get("/v1/me/orders", Some(&ana)).await;
    assert_eq!(orders.body["items"][0]["status"], "paid");
    let csv = app.get("/v1/me/earnings.csv", Some(&ana)).await;
    assert!(csv.text.contains(",paid,") && csv.text.contains(id), "{}", csv.text);
}

#[tokio::test]
async fn small_and_negative_balances_carry_forward() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    sell(&app, &p, "S-1", 15_000).await; // 15.00 commission < 20.00 minimum
    app.clock.advance(Duration::days(31));
    app.mature().await;
    let token = app.login(&p.brand.email, "brand").await;
    let report = app.get("/v1/brand/reports/payouts", Some(&token)).await;
    assert_eq!(report.body["items"][0]["balance"], 1500);
    assert_eq!(report.body["items"][0]["reaches_minimum"], false);
    assert_eq!(report.body["payable_total"], 0);
    app.post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await
        .assert_problem(422, "nothing_to_pay");

    sell(&app, &p, "S-2", 10_000).await; // on hold: not payable yet
    app.post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await
        .assert_problem(422, "nothing_to_pay");
    app.clock.advance(Duration::days(31));
    app.mature().await;
    let token = app.login(&p.brand.email, "brand").await;
    let batch = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    assert_eq!(
        batch.body["total"], 2500,
        "the carried 15.00 is paid with the new 10.00"
    );
}

#[tokio::test]
async fn cancelling_releases_the_entries_for_the_next_batch() {
    let app = spawn_app().await;
    let (_p, token) = payable_program(&app).await;
    let first = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    let id = first.body["id"].as_str().unwrap_or_default().to_owned();
    let cancelled = app
        .post(&format!("/v1/brand/payouts/{id}/cancel"), Some(&token), &json!({}))
        .await;
    assert_eq!(cancelled.body["status"], "cancelled");
    let second = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!(second.body["total"], 2500);
    app.post(&format!("/v1/brand/payouts/{id}/paid"), Some(&token), &json!({}))
        .await
        .assert_problem(409, "payout_not_pending");
}

#[tokio::test]
async fn concurrent_batches_never_share_an_entry() {
    let app = spawn_app().await;
    let (_p, token) = payable_program(&app).await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let client = app.client.clone();
            let url = app.url("/v1/brand/payouts");
            let token = token.clone();
            tokio::spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({"currency": "USD"}))
                    .send()
                    .await;
                let r = r.unwrap_or_else(|e| panic!("{e}"));
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap_or_default())
            })
        })
        .collect();
    let mut created = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap_or_else(|e| panic!("{e}"));
        match status {
            201 => created.push(body),
            422 => assert_eq!(body["code"], "nothing_to_pay"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created.len(), 1, "exactly one batch takes the entries: {created:?}");
    assert_eq!(created[0]["total"], 2500);
}

#[tokio::test]
async fn csv_has_decimals_and_escapes_formulas_and_paypal_has_its_layout() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    // A display name that a spreadsheet would run as a formula.
    let me = app
        .patch(
            "/v1/me",
            Some(&p.influencer.access_token),
            &json!({"display_name": "=HYPERLINK(\"x\")"}),
        )
        .await;
    assert_eq!(me.status, 200, "{}", me.text);
    sell(&app, &p, "C-1", 13_750).await;
    sell(&app, &p, "C-2", 10_000).await;
    app.clock.advance(Duration::days(31));
    app.mature().await;
    let token = app.login(&p.brand.email, "brand").await;
    let batch = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    let id = batch.body["id"].as_str().unwrap_or_default();

    let csv = app
        .get(&format!("/v1/brand/payouts/{id}?format=csv"), Some(&token))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "payout_id,ambassador_id,display_name,payout_email,currency,amount,entries,period_start,period_end,commissions,reversals,adjustments,bonuses,flat_fees,overrides"
    );
    assert!(
        lines[1].contains(",\"'=HYPERLINK(\"\"x\"\")\",ana@acme.example,USD,23.75,2,"),
        "{}",
        lines[1]
    );

    let accept = crate::helpers::read(
        app.client
            .get(app.url(&format!("/v1/brand/payouts/{id}")))
            .bearer_auth(&token)
            .header("accept", "text/csv")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    assert_eq!(accept.text, csv.text);

    let paypal = app
        .get(&format!("/v1/brand/payouts/{id}?format=paypal"), Some(&token))
        .await;
    assert_eq!(paypal.status, 200);
    let row: Vec<&str> = paypal.text.trim_end().split(',').collect();
    assert_eq!(row[0], "ana@acme.example");
    assert_eq!(row[1], "23.75");
    assert_eq!(row[2], "USD");
    assert!(row[3].len() <= 30 && !row[3].contains(' '), "{}", row[3]);
    assert!(row[4].len() <= 400);
    assert_eq!(row[5], "PAYPAL");
    assert_eq!(paypal.text.lines().count(), 1, "no header row");
}

#[tokio::test]
async fn jpy_amounts_have_no_decimals() {
    let app = spawn_app().await;
    let mut terms = crate::helpers::program_body();
    terms["currency"] = json!("JPY");
    terms["min_payout"] = json!(0);
    let p = app.program_with_terms("nihon", &terms).await;
    let body = json!({"order_id": "J-1", "code": p.code, "currency": "JPY", "discount_total": 0,
                      "lines": [{"sku": "TEA", "quantity": 1, "unit_price": 5000}]});
    assert_eq!(
        app.post("/v1/checkout/orders", Some(&p.api_key), &body).await.status,
        201
    );
    app.clock.advance(Duration::days(31));
    app.mature().await;
    let token = app.login(&p.brand.email, "brand").await;
    let batch = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "JPY"}))
        .await;
    assert_eq!(batch.body["total"], 500);
    let id = batch.body["id"].as_str().unwrap_or_default();
    let csv = app
        .get(&format!("/v1/brand/payouts/{id}?format=csv"), Some(&token))
        .await;
    assert!(csv.text.contains(",JPY,500,1,"), "{}", csv.text);
    let report = app
        .get("/v1/brand/reports/payouts?currency=JPY&format=csv", Some(&token))
        .await;
    assert_eq!(report.status, 200);
}

#[tokio::test]
async fn another_brand_cannot_see_or_touch_a_batch() {
    let app = spawn_app().await;
    let (_p, token) = payable_program(&app).await;
    let batch = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    let id = batch.body["id"].as_str().unwrap_or_default();
    let other = app.sign_up_brand("globex").await;
    let t = Some(other.access_token.as_str());
    app.get(&format!("/v1/brand/payouts/{id}"), t)
        .await
        .assert_problem(404, "payout_not_found");
    app.post(&format!("/v1/brand/payouts/{id}/paid"), t, &json!({}))
        .await
        .assert_problem(404, "payout_not_found");
    app.post(&format!("/v1/brand/payouts/{id}/cancel"), t, &json!({}))
        .await
        .assert_problem(404, "payout_not_found");
    assert_eq!(app.get("/v1/brand/payouts", t).await.body["items"], json!([]));
    app.post("/v1/brand/payouts", t, &json!({"currency": "USD"}))
        .await
        .assert_problem(422, "nothing_to_pay");
}

#[tokio::test]
async fn the_report_shows_what_is_on_hold_and_when_it_becomes_payable() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    sell(&app, &p, "H-1", 15_000).await; // 15.00 on hold for 30 days
    app.clock.advance(Duration::days(2));
    sell(&app, &p, "H-2", 10_000).await; // 10.00, two days later
    let token = app.login(&p.brand.email, "brand").await;
    let report = app.get("/v1/brand/reports/payouts", Some(&token)).await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(report.body["payable_total"], 0);
    assert_eq!(report.body["pending_total"], 2500);
    assert_eq!(report.body["next_available_at"], "2026-12-02T12:00:00Z");
    let line = &report.body["items"][0];
    assert_eq!(line["ambassador_id"], json!(p.membership_id));
    assert_eq!((line["balance"].clone(), line["entries"].clone()), (json!(0), json!(0)));
    assert_eq!(
        (line["pending"].clone(), line["pending_entries"].clone()),
        (json!(2500), json!(2))
    );
    assert_eq!(line["next_available_at"], "2026-12-02T12:00:00Z");
    assert_eq!(line["reaches_minimum"], false);
    assert_eq!(line["not_payable_reason"], "on_hold");

    // The first hold ends: 15.00 approved, below the 20.00 minimum; 10.00 still held.
    app.clock.advance(Duration::days(29));
    assert_eq!(app.mature().await.approved, 1);
    let token = app.login(&p.brand.email, "brand").await;
    let report = app.get("/v1/brand/reports/payouts", Some(&token)).await;
    let line = &report.body["items"][0];
    assert_eq!(
        (line["balance"].clone(), line["pending"].clone()),
        (json!(1500), json!(1000))
    );
    assert_eq!(line["not_payable_reason"], "below_min_payout");
    assert_eq!(report.body["next_available_at"], "2026-12-04T12:00:00Z");

    // Both approved: payable, nothing pending.
    app.clock.advance(Duration::days(2));
    assert_eq!(app.mature().await.approved, 1);
    let token = app.login(&p.brand.email, "brand").await;
    let report = app.get("/v1/brand/reports/payouts", Some(&token)).await;
    assert_eq!(report.body["payable_total"], 2500);
    assert_eq!(report.body["pending_total"], 0);
    assert_eq!(report.body["next_available_at"], json!(null));
    let line = &report.body["items"][0];
    assert_eq!(line["not_payable_reason"], json!(null));
    assert_eq!(line["next_available_at"], json!(null));
    assert_eq!(line["reaches_minimum"], true);
}

#[tokio::test]
async fn the_report_names_a_negative_balance_and_csv_carries_the_hold() {
    let app = spawn_app().await;
    let (p, token) = payable_program(&app).await;
    let batch = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    let id = batch.body["id"].as_str().unwrap_or_default();
    app.post(&format!("/v1/brand/payouts/{id}/paid"), Some(&token), &json!({}))
        .await;
    // A refund of a paid commission after its hold: reversed at once, a negative balance.
    let refund = app
        .post(
            "/v1/checkout/orders/A-1/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r1", "amount": 15_000}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    app.mature().await;
    sell(&app, &p, "A-3", 10_000).await; // 10.00 on hold
    let report = app.get("/v1/brand/reports/payouts", Some(&token)).await;
    let line = &report.body["items"][0];
    assert_eq!(
        (line["balance"].clone(), line["pending"].clone()),
        (json!(-1500), json!(1000))
    );
    assert_eq!(line["not_payable_reason"], "negative_balance");
    let csv = app.get("/v1/brand/reports/payouts?format=csv", Some(&token)).await;
    assert_eq!(csv.status, 200);
    let mut lines = csv.text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "ambassador_id,display_name,payout_email,currency,balance,entries,min_payout,reaches_minimum,pending,next_available_at,not_payable_reason"
        )
    );
    let row = lines.next().unwrap_or_default();
    assert!(
        row.ends_with(",USD,-15.00,1,20.00,no,10.00,2027-01-02T12:00:00+00:00,negative_balance"),
        "{row}"
    );
}

#[tokio::test]
async fn lowering_hold_days_shortens_only_the_holds_of_later_orders() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    sell(&app, &p, "L-1", 15_000).await;
    let token = app.login(&p.brand.email, "brand").await;
    let patched = app
        .patch(
            &format!("/v1/brand/programs/{}", p.program_id),
            Some(&token),
            &json!({"hold_days": 0}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    sell(&app, &p, "L-2", 10_000).await;
    assert_eq!(app.mature().await.approved, 1, "only the later order's hold is over");
    let report = app.get("/v1/brand/reports/payouts", Some(&token)).await;
    let line = &report.body["items"][0];
    assert_eq!(
        (line["balance"].clone(), line["pending"].clone()),
        (json!(1000), json!(1500))
    );
    assert_eq!(line["next_available_at"], "2026-12-02T12:00:00Z");
}

#[tokio::test]
async fn a_payee_whose_program_terms_do_not_read_back_is_left_out_not_paid_without_a_minimum() {
    let app = spawn_app().await;
    // Ana's program (min payout 20.00): 25.00 approved.
    let (p, token) = payable_program(&app).await;
    // Ben, in a second program of the same brand: 30.00 approved.
    let other = app.create_program(&token, &crate::helpers::program_body()).await;
    let ben = app.sign_up_influencer("ben@acme.example").await;
    let membership = app.join(&token, &other, "ben@acme.example", &ben.access_token).await;
    let ben_code = membership["codes"][0]["code"].as_str().unwrap_or_default().to_owned();
    let reply = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &order("B-1", &ben_code, 30_000),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    app.clock.advance(Duration::days(31));
    assert_eq!(app.mature().await.approved, 1);
    let token = app.login(&p.brand.email, "brand").await;

    // Ana's program's stored terms no longer read back, as old or hand-edited data might.
    let sql = format!(
        "UPDATE programs SET terms = '{{\"not\": \"terms\"}}' WHERE id = '{}'",
        p.program_id
    );
    let changed = app
        .db
        .write_blocking(|conn| {
            diesel::RunQueryDsl::execute(diesel::sql_query(&sql), conn).map_err(reftrack::store::StoreError::from)
        })
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    assert_eq!(changed, 1);

    let report = app.get("/v1/brand/reports/payouts?currency=USD", Some(&token)).await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(report.body["payable_total"], 3000);
    assert_eq!(
        report.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        report.text
    );
    assert_eq!(report.body["items"][0]["payout_email"], "ben@acme.example");

    let batch = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    assert_eq!(batch.body["total"], 3000);
    assert_eq!(batch.body["items"].as_array().map(Vec::len), Some(1), "{}", batch.text);
    assert_eq!(batch.body["items"][0]["payout_email"], "ben@acme.example");

    // Ana's balance is neither paid nor lost: it waits for her program's terms.
    app.post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await
        .assert_problem(422, "nothing_to_pay");
    assert_eq!(
        app.count(&format!(
            "ledger_entries WHERE membership_id = '{}' AND paid_out_in IS NULL",
            p.membership_id
        )),
        2
    );
}

#[tokio::test]
async fn paypal_parts_are_numbered_rows_of_the_batch_in_ambassador_order() {
    let app = spawn_app().await;
    let (p, token) = payable_program(&app).await;
    let (_ben, _, ben_code) = app.add_ambassador(&p, &token, "ben@acme.example").await;
    sell(&app, &p, "B-1", 30_000).await;
    let reply = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &order("B-2", &ben_code, 30_000),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    app.clock.advance(Duration::days(31));
    app.mature().await;
    let token = app.login(&p.brand.email, "brand").await;
    let batch = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    let id = batch.body["id"].as_str().unwrap_or_default();

    // A batch this small is one file: part 1 is all of it, part 2 does not exist.
    let whole = app
        .get(&format!("/v1/brand/payouts/{id}?format=paypal"), Some(&token))
        .await;
    let first = app
        .get(&format!("/v1/brand/payouts/{id}?format=paypal&part=1"), Some(&token))
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.text, whole.text);
    let references: Vec<&str> = first.text.lines().filter_map(|line| line.split(',').nth(3)).collect();
    assert_eq!(references.len(), 2, "{}", first.text);
    assert!(
        references[0].ends_with("-00001") && references[1].ends_with("-00002"),
        "{references:?}"
    );
    let second = app
        .get(&format!("/v1/brand/payouts/{id}?format=paypal&part=2"), Some(&token))
        .await;
    second.assert_problem(422, "validation_failed");
    assert_eq!(second.fields(), ["part"], "{}", second.text);

    // A part starts where the one before it ends, on both backends.
    let payout: reftrack::store::ids::PayoutId = id.parse().unwrap_or_else(|e| panic!("{id}: {e:?}"));
    let (all, from_second) = app
        .db
        .read_blocking(|conn| {
            let all = reftrack::store::payouts::items(conn, payout, None, 10)?;
            let from_second = reftrack::store::payouts::items_from(conn, payout, 1, 10)?;
            Ok::<_, reftrack::store::StoreError>((all, from_second))
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(all.len(), 2);
    assert_eq!(from_second.len(), 1);
    assert_eq!(from_second[0].membership_id, all[1].membership_id);
}
