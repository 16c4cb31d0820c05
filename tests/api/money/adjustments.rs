//! Adjustments and bonuses: appended with the reason and the owner, payable at once,
//! idempotent under the required `Idempotency-Key`, in every total and payout.

use serde_json::json;

use super::past_the_hold;
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_bonus_and_a_negative_adjustment_are_payable_at_once_with_reason_and_author() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let path = format!("/v1/brand/ambassadors/{}/adjustments", p.membership_id);
    let me = app.get("/v1/brand/users", Some(&owner)).await;
    let owner_id = me.body["items"][0]["id"].as_str().unwrap().to_owned();

    let bonus_body = json!({"kind": "bonus", "amount": 2_500, "reason": "Launch video beat every target"});
    let bonus = app.post_keyed(&path, &owner, Some("bonus-1"), &bonus_body).await;
    assert_eq!(bonus.status, 201, "{}", bonus.text);
    assert!(!bonus.replayed());
    assert_eq!(bonus.body["kind"], "bonus");
    assert_eq!(bonus.body["amount"], 2_500);
    assert_eq!(bonus.body["currency"], "USD");
    assert_eq!(bonus.body["status"], "approved");
    assert_eq!(bonus.body["reason"], "Launch video beat every target");
    assert_eq!(bonus.body["created_by"], owner_id.as_str());
    assert_eq!(bonus.body["ambassador_id"], p.membership_id.as_str());

    // A retry answers the first answer and adds nothing; the key with another body is refused.
    let again = app.post_keyed(&path, &owner, Some("bonus-1"), &bonus_body).await;
    assert_eq!((again.status, again.text.as_str()), (201, bonus.text.as_str()));
    assert!(again.replayed());
    let other = json!({"kind": "bonus", "amount": 9_999, "reason": "Launch video beat every target"});
    app.post_keyed(&path, &owner, Some("bonus-1"), &other)
        .await
        .assert_problem(422, "idempotency_key_reused");

    let fix = json!({"kind": "adjustment", "amount": -500, "reason": "Double-counted sample order"});
    let adjusted = app.post_keyed(&path, &owner, Some("fix-1"), &fix).await;
    assert_eq!(adjusted.status, 201, "{}", adjusted.text);
    assert_eq!(adjusted.body["amount"], -500);
    assert_eq!(app.count("ledger_entries WHERE kind IN ('bonus', 'adjustment')"), 2);
    assert_eq!(app.count("outbox_events WHERE event_type = 'adjustment.created'"), 2);

    // The influencer sees 2,000 approved; a batch pays exactly that.
    let totals = app.totals(&p).await;
    assert_eq!(
        (&totals["pending"], &totals["approved"], &totals["paid"]),
        (&json!(0), &json!(2_000), &json!(0)),
        "{totals}"
    );
    let report = app.get("/v1/brand/reports/payouts", Some(&owner)).await;
    assert_eq!(
        report.body["items"][0]["balance_by_kind"]["bonus"], 2_500,
        "{}",
        report.text
    );
    assert_eq!(
        report.body["items"][0]["balance_by_kind"]["adjustment"], -500,
        "{}",
        report.text
    );
    let batch = app
        .post("/v1/brand/payouts", Some(&owner), &json!({"currency": "USD"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    assert_eq!(batch.body["total"], 2_000, "{}", batch.text);
    assert_eq!(batch.body["items"][0]["entries"], 2, "{}", batch.text);
    let by_kind =
        json!({"commission": 0, "reversal": 0, "adjustment": -500, "bonus": 2_500, "flat_fee": 0, "override": 0});
    assert_eq!(batch.body["items"][0]["by_kind"], by_kind, "{}", batch.text);
    let id = batch.body["id"].as_str().unwrap();
    let csv = app
        .get(&format!("/v1/brand/payouts/{id}?format=csv"), Some(&owner))
        .await;
    let row = csv.text.split("\r\n").nth(1).unwrap_or_default().to_owned();
    assert!(row.ends_with(",0.00,0.00,-5.00,25.00,0.00,0.00"), "{row}");

    // The ambassador's statement names each entry's kind and reason.
    let ambassador = app
        .get(
            &format!("/v1/brand/ambassadors/{}/entries", p.membership_id),
            Some(&owner),
        )
        .await;
    let statement = ambassador.body["items"].as_array().unwrap();
    let reasons: Vec<_> = statement
        .iter()
        .map(|l| (l["kind"].clone(), l["reason"].clone()))
        .collect();
    assert_eq!(
        reasons,
        [
            (json!("adjustment"), json!("Double-counted sample order")),
            (json!("bonus"), json!("Launch video beat every target"))
        ],
        "{}",
        ambassador.text
    );
    past_the_hold(&app);
    assert_eq!(app.mature().await.approved, 0, "nothing was left to mature");
}

#[tokio::test]
async fn bad_adjustments_are_refused_field_by_field_and_lose_nothing() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = p.brand.access_token.clone();
    let path = format!("/v1/brand/ambassadors/{}/adjustments", p.membership_id);
    let fine = json!({"kind": "adjustment", "amount": 100, "reason": "Rounding"});

    let unkeyed = app.post(&path, Some(&owner), &fine).await;
    unkeyed.assert_problem(422, "validation_failed");
    assert_eq!(unkeyed.fields(), ["Idempotency-Key"]);
    for (body, field) in [
        (json!({"kind": "bonus", "amount": -100, "reason": "x"}), "amount"),
        (json!({"kind": "bonus", "amount": 0, "reason": "x"}), "amount"),
        (json!({"kind": "adjustment", "amount": 0, "reason": "x"}), "amount"),
        (
            json!({"kind": "adjustment", "amount": 1_000_000_000_001_i64, "reason": "x"}),
            "amount",
        ),
        (json!({"kind": "gift", "amount": 100, "reason": "x"}), "kind"),
        (json!({"kind": "bonus", "amount": 100, "reason": "   "}), "reason"),
        (
            json!({"kind": "bonus", "amount": 100, "reason": "a\u{202E}b"}),
            "reason",
        ),
        (json!({"kind": "bonus", "amount": 100}), "reason"),
    ] {
        let reply = app.post_keyed(&path, &owner, Some("k"), &body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), [field], "{body}");
    }

    // Another brand's ambassador, or none, is 404.
    let other = app.program_with_ambassador("rival").await;
    for id in [other.membership_id.clone(), uuid::Uuid::now_v7().to_string()] {
        app.post_keyed(
            &format!("/v1/brand/ambassadors/{id}/adjustments"),
            &owner,
            Some("k"),
            &fine,
        )
        .await
        .assert_problem(404, "ambassador_not_found");
    }
    assert_eq!(app.count("ledger_entries"), 0);
}
