//! `GET /v1/brand/stats` by ledger kind: each figure of the commission owed comes with
//! its parts (commissions, reversals, adjustments, bonuses, flat fees, overrides) that
//! add up to it exactly, and the declared value of gifted products stands apart, never
//! payable. The console's overview says the same in words.

use reftrack::service::auth::BrandActor;
use reftrack::service::deals::input::{DealInput, DeliverableInput, GiftInput, Proof, ShipmentUpdate};
use reftrack::service::deals::{self, DealView, InfluencerAnswer};
use reftrack::service::orders::replay::{Answer, Answered};
use reftrack::store::StoreError;
use reftrack::store::ids::DealId;
use reftrack::store::users::{self, BrandRole};
use serde_json::{Value, json};

use crate::brand_stats_series::order;
use crate::helpers::{Program, TestApp, spawn_app};
use crate::web::SESSION;

/// Every ledger kind at zero but the ones given.
fn kinds(parts: &[(&str, i64)]) -> Value {
    let mut all = json!({"commission": 0, "reversal": 0, "adjustment": 0, "bonus": 0, "flat_fee": 0, "override": 0});
    for (kind, amount) in parts {
        all[*kind] = json!(amount);
    }
    all
}

/// Σ of a `by_kind` object's parts.
pub fn kinds_sum(by_kind: &Value) -> i64 {
    by_kind
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {by_kind}"))
        .values()
        .map(|v| v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}")))
        .sum()
}

/// Each figure of `commission_owed` is the sum of its `…_by_kind` parts.
pub fn assert_owed_parts_add_up(owed: &Value) {
    for figure in ["pending", "payable", "paid"] {
        assert_eq!(
            kinds_sum(&owed[format!("{figure}_by_kind")]),
            owed[figure].as_i64().unwrap_or_else(|| panic!("{figure}: {owed}")),
            "{figure}: {owed}"
        );
    }
}

/// The value, or the test fails with the error.
fn done<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e:?}"))
}

/// The owner of the program's brand, acting through the service layer.
fn owner(app: &TestApp, p: &Program) -> BrandActor {
    let user = done(
        app.db
            .read_blocking(|conn| users::find_by_email(conn, &p.brand.email).map_err(StoreError::from)),
    )
    .unwrap_or_else(|| panic!("no user {}", p.brand.email));
    assert_eq!(user.role, BrandRole::Owner);
    BrandActor {
        user_id: user.id,
        brand_id: user.brand_id,
        role: user.role,
    }
}

/// A deal offered to Ana, accepted: a flat fee of 1,500 per post (one post, 30 days up)
/// and three gifts, one left to ship (2 × 12.50), one shipped (40.00), one delivered
/// (9.00); her post is approved, so its fee is pending until the keep-up days pass.
async fn deal_with_gifts_and_a_fee(app: &TestApp, p: &Program) {
    let actor = owner(app, p);
    let now = reftrack::clock::Clock::now(app.clock.as_ref());
    let gift = |sku: &str, quantity, unit_value| GiftInput {
        sku: sku.to_owned(),
        description: format!("{sku} sample"),
        quantity,
        unit_value,
    };
    let command = done(
        DealInput {
            ambassador_id: Some(done(p.membership_id.parse())),
            title: "Autumn launch reel".to_owned(),
            fee: 1_500,
            deliverables: vec![DeliverableInput {
                platform: "instagram".to_owned(),
                kind: "reel".to_owned(),
                count: 1,
                due_on: "2026-11-30".to_owned(),
                keep_up_days: Some(30),
                requirements: None,
            }],
            gifts: vec![gift("MUG", 2, 1_250), gift("GRINDER", 1, 4_000), gift("BEANS", 1, 900)],
            ..DealInput::default()
        }
        .validate(now),
    );
    let id_of = |view: &DealView| {
        Ok(Answer {
            status: 201,
            body: view.deal.id.to_string(),
        })
    };
    let (Answered::Fresh(answer) | Answered::Replayed(answer)) =
        done(deals::offer(&app.db, &actor, command, None, now, id_of).await);
    let deal: DealId = done(answer.body.parse());
    let influencer = done(p.influencer.id.parse());
    let accepted = done(deals::respond(&app.db, influencer, deal, InfluencerAnswer::Accept, now).await);
    let skus: Vec<&str> = accepted.gifts.iter().map(|g| g.sku.as_str()).collect();
    assert_eq!(skus, ["MUG", "GRINDER", "BEANS"]);
    let (shipped, delivered) = (accepted.gifts[1].id, accepted.gifts[2].id);
    let on_its_way = done(ShipmentUpdate::parse("shipped", Some("DHL"), Some("JD0001")));
    for (gift, steps) in [
        (shipped, vec![on_its_way.clone()]),
        (delivered, vec![on_its_way, ShipmentUpdate::Delivered]),
    ] {
        for step in steps {
            done(deals::ship(&app.db, &actor, deal, gift, step, now).await);
        }
    }
    let item = accepted.deliverables[0].row.id;
    let proof = done(Proof::parse("https://instagram.example/p/1", Some(now), [None; 3], now));
    let submitted = done(deals::submit(&app.db, influencer, deal, item, proof, now).await);
    let proof = submitted.deliverables[0].proofs[0].id;
    done(deals::approve(&app.db, &actor, proof, now).await);
}

#[tokio::test]
async fn commission_owed_splits_each_figure_by_kind_and_gifts_stand_apart() {
    let app = spawn_app().await;
    let terms = json!({"name": "Ambassadors", "commission": {"type": "percent", "rate": "10"}, "hold_days": 30});
    let p = app.program_with_terms("acme", &terms).await;
    let other = app.program_with_terms("globex", &terms).await;
    let key = Some(p.api_key.as_str());
    let post = |path: String, body: Value| {
        let app = &app;
        async move {
            let reply = app.post(&path, key, &body).await;
            assert_eq!(reply.status, 201, "{}", reply.text);
        }
    };
    let token = p.brand.access_token.clone();
    // Paid: a commission approved (its hold is over), then in a batch marked paid.
    post(
        "/v1/checkout/orders".into(),
        order("P-1", Some(&p.code), 10_000, "2026-09-20T10:00:00Z"),
    )
    .await;
    app.mature().await;
    let batch = app
        .post("/v1/brand/payouts", Some(&token), &json!({"currency": "USD"}))
        .await;
    assert_eq!(batch.status, 201, "{}", batch.text);
    let id = batch.body["id"].as_str().unwrap_or_default();
    let paid = app
        .post(&format!("/v1/brand/payouts/{id}/paid"), Some(&token), &json!({}))
        .await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    // Payable: a bonus and a negative adjustment (payable at once), a commission past its
    // hold and the reversal of a refund of it.
    for (key, kind, amount) in [("b-1", "bonus", 2_000), ("a-1", "adjustment", -700)] {
        let made = app
            .post_keyed(
                &format!("/v1/brand/ambassadors/{}/adjustments", p.membership_id),
                &token,
                Some(key),
                &json!({"kind": kind, "amount": amount, "reason": "Launch week"}),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.text);
    }
    post(
        "/v1/checkout/orders".into(),
        order("A-1", Some(&p.code), 30_000, "2026-09-25T10:00:00Z"),
    )
    .await;
    // Pending: a commission in its hold, a refund of it reversed during the hold, and a
    // deal's flat fee in its keep-up days.
    post(
        "/v1/checkout/orders".into(),
        order("H-1", Some(&p.code), 20_000, "2026-11-01T10:00:00Z"),
    )
    .await;
    for (order_id, amount) in [("A-1", 10_000), ("H-1", 5_000)] {
        let refund = json!({"refund_id": format!("R-{order_id}"), "amount": amount});
        post(format!("/v1/checkout/orders/{order_id}/refunds"), refund).await;
    }
    deal_with_gifts_and_a_fee(&app, &p).await;
    // Another brand's ledger is not this brand's debt.
    let theirs = order("G-1", Some(&other.code), 99_000, "2026-09-20T10:00:00Z");
    let theirs = app.post("/v1/checkout/orders", Some(&other.api_key), &theirs).await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    app.mature().await;

    let token = app.login(&p.brand.email, "brand").await;
    let stats = app.get("/v1/brand/stats", Some(&token)).await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    let owed = &stats.body["commission_owed"];
    assert_eq!(
        *owed,
        json!({
            "pending": 2_000 - 500 + 1_500,
            "pending_by_kind": kinds(&[("commission", 2_000), ("reversal", -500), ("flat_fee", 1_500)]),
            "payable": 3_000 - 1_000 + 2_000 - 700,
            "payable_by_kind": kinds(&[("commission", 3_000), ("reversal", -1_000), ("bonus", 2_000), ("adjustment", -700)]),
            "paid": 1_000,
            "paid_by_kind": kinds(&[("commission", 1_000)]),
        })
    );
    assert_owed_parts_add_up(owed);
    // Gifts at their declared value, per currency, by shipment; in no money figure.
    assert_eq!(
        stats.body["gifts"],
        json!([{"currency": "USD", "to_ship": 2_500, "shipped": 4_000, "delivered": 900}])
    );
    // The payout report splits Ana's balance the same way.
    let report = app.get("/v1/brand/reports/payouts", Some(&token)).await;
    let line = &report.body["items"][0];
    assert_eq!(line["balance"], owed["payable"], "{}", report.text);
    assert_eq!(line["balance_by_kind"], owed["payable_by_kind"], "{}", report.text);
    // Another currency owes nothing, by every kind; the gifts are the same whatever the
    // currency asked for.
    let euros = app.get("/v1/brand/stats?currency=EUR", Some(&token)).await;
    let zero = kinds(&[]);
    assert_eq!(
        euros.body["commission_owed"],
        json!({"pending": 0, "pending_by_kind": zero, "payable": 0, "payable_by_kind": zero,
               "paid": 0, "paid_by_kind": zero})
    );
    assert_eq!(euros.body["gifts"], stats.body["gifts"]);
    let theirs = app.login(&other.brand.email, "brand").await;
    let theirs = app.get("/v1/brand/stats", Some(&theirs)).await;
    assert_eq!(theirs.body["gifts"], json!([]));
    assert_owed_parts_add_up(&theirs.body["commission_owed"]);

    // The console's overview names the non-zero parts of each figure and the gifts.
    let session = app.sign_in(&p.brand.email, "brand").await;
    let page = app.get_page("/console", &[(SESSION, &session)]).await;
    assert_eq!(page.status, 200, "{}", page.html);
    for line in [
        "Pending: of which commissions $20.00, flat fees $15.00, reversals -$5.00",
        "Payable: of which commissions $30.00, bonuses $20.00, adjustments -$7.00, reversals -$10.00",
        "Paid: of which commissions $10.00",
        "To ship $25.00, shipped $40.00, delivered $9.00",
    ] {
        assert!(page.html.contains(line), "{line}: {}", page.html);
    }
    // A brand without gifts has no gift section.
    let elsewhere = app.sign_in(&other.brand.email, "brand").await;
    let page = app.get_page("/console", &[(SESSION, &elsewhere)]).await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(!page.html.contains("Gifted products"), "{}", page.html);
}
