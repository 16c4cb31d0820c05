//! Two tiers: an ambassador recruits another through their invitation link, and earns
//! the program's `override_rate` of each of the recruit's commissions as an `override`
//! entry that matures, is reversed and is rejected with the commission.

use reqwest::Method;
use serde_json::{Value, json};

use super::{past_the_hold, sale};
use crate::helpers::{Program, TestApp, program_body, spawn_app};

/// A program paying 10 % commission and 10 % of it to recruiters, with Ana; Ben joined
/// through Ana's invitation link. Returns (program, Ben's token, Ben's membership, Ben's code).
async fn ana_recruits_ben(app: &TestApp) -> (Program, String, String, String) {
    let mut terms = program_body();
    terms["override_rate"] = json!("10");
    let p = app.program_with_terms("acme", &terms).await;
    let codes = app.get("/v1/me/codes", Some(&p.influencer.access_token)).await;
    let link = codes.body["items"][0]["recruit_link"].as_str().unwrap().to_owned();
    assert!(link.ends_with(&format!("/join/acme/{}", p.code)), "{link}");
    let ben = app.sign_up_influencer("ben@example.com").await;
    let joined = app
        .post(
            "/v1/me/recruiters/join",
            Some(&ben.access_token),
            &json!({"brand_slug": "acme", "code": p.code.to_lowercase()}),
        )
        .await;
    assert_eq!(joined.status, 201, "{}", joined.text);
    let membership = joined.body["id"].as_str().unwrap().to_owned();
    let code = joined.body["codes"][0]["code"].as_str().unwrap().to_owned();
    (p, ben.access_token, membership, code)
}

/// Ben's sale of 10,000 (commission 1,000); the checkout's answer.
async fn bens_sale(app: &TestApp, p: &Program, code: &str, order_id: &str, extra: Value) -> Value {
    let mut body = sale(order_id, Some(code));
    for (key, value) in extra.as_object().cloned().unwrap_or_default() {
        body[key] = value;
    }
    let reply = app.post("/v1/checkout/orders", Some(&p.api_key), &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["commission"]["amount"], 1_000, "{}", reply.text);
    reply.body
}

/// The order's ledger entries as (whose, kind, amount, approved).
async fn entries(app: &TestApp, token: &str, order: &Value, ana: &str) -> Vec<(String, String, i64, bool)> {
    let id = order["id"].as_str().unwrap();
    let reply = app.get(&format!("/v1/brand/orders/{id}"), Some(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["ledger_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let whose = if e["ambassador_id"].as_str() == Some(ana) {
                "ana"
            } else {
                "other"
            };
            (
                whose.to_owned(),
                e["kind"].as_str().unwrap().to_owned(),
                e["amount"].as_i64().unwrap(),
                !e["approved_at"].is_null(),
            )
        })
        .collect()
}

fn e(whose: &str, kind: &str, amount: i64, approved: bool) -> (String, String, i64, bool) {
    (whose.to_owned(), kind.to_owned(), amount, approved)
}

#[tokio::test]
async fn a_recruiter_earns_their_share_of_each_commission_and_loses_it_with_the_commission() {
    let app = spawn_app().await;
    let (p, _ben, ben_id, ben_code) = ana_recruits_ben(&app).await;
    let owner = p.brand.access_token.clone();
    let ana = p.membership_id.clone();
    let listed = app.get(&format!("/v1/brand/ambassadors/{ben_id}"), Some(&owner)).await;
    assert_eq!(listed.body["recruited_by"], json!(ana), "{}", listed.text);

    // 10 % of Ben's 10.00 is Ana's 1.00, pending with it.
    let first = bens_sale(&app, &p, &ben_code, "b1", json!({})).await;
    assert_eq!(
        entries(&app, &owner, &first, &ana).await,
        [e("other", "commission", 1_000, false), e("ana", "override", 100, false)]
    );
    // Half refunded: half of each goes back.
    let refund = app
        .post(
            "/v1/checkout/orders/b1/refunds",
            Some(&p.api_key),
            &json!({"refund_id": "r1", "amount": 5_000}),
        )
        .await;
    assert_eq!(refund.body["reversal"], 500, "{}", refund.text);
    assert_eq!(
        entries(&app, &owner, &first, &ana).await[2..],
        [e("other", "reversal", -500, false), e("ana", "override", -50, false)]
    );

    // Held by the brand: neither matures; rejected: both go back, settled at once.
    let held = bens_sale(&app, &p, &ben_code, "b2", json!({})).await;
    let held_id = held["id"].as_str().unwrap().to_owned();
    let hold = app
        .post(
            &format!("/v1/brand/orders/{held_id}/hold"),
            Some(&owner),
            &json!({"reason": "Checking"}),
        )
        .await;
    assert_eq!(hold.status, 200, "{}", hold.text);
    let kept = bens_sale(&app, &p, &ben_code, "b3", json!({})).await;
    past_the_hold(&app);
    app.mature().await;
    let owner = app.login(&p.brand.email, "brand").await;
    assert_eq!(
        entries(&app, &owner, &held, &ana).await,
        [e("other", "commission", 1_000, false), e("ana", "override", 100, false)]
    );
    assert_eq!(
        entries(&app, &owner, &kept, &ana).await,
        [e("other", "commission", 1_000, true), e("ana", "override", 100, true)]
    );
    let reject = app
        .post(
            &format!("/v1/brand/orders/{held_id}/reject"),
            Some(&owner),
            &json!({"reason": "Fake order"}),
        )
        .await;
    assert_eq!(reject.status, 200, "{}", reject.text);
    assert_eq!(
        entries(&app, &owner, &held, &ana).await,
        [
            e("other", "commission", 1_000, true),
            e("ana", "override", 100, true),
            e("other", "reversal", -1_000, true),
            e("ana", "override", -100, true)
        ]
    );

    // Moved to Cleo, whom nobody recruited: Ana's override on it goes back, Cleo's
    // commission earns nobody an override.
    let (_, cleo, _) = app.add_ambassador(&p, &owner, "cleo@example.com").await;
    let moved = app
        .post(
            &format!("/v1/brand/orders/{}/reassign", kept["id"].as_str().unwrap()),
            Some(&owner),
            &json!({"ambassador_id": cleo, "reason": "Cleo's video sold it"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let after = entries(&app, &owner, &kept, &ana).await;
    assert_eq!(
        after.iter().filter(|x| x.0 == "ana").map(|x| x.2).sum::<i64>(),
        0,
        "{after:?}"
    );
    assert_eq!(after.iter().filter(|x| x.1 == "override").count(), 2, "{after:?}");

    // Ana buying through Ben's code earns Ben his commission and Ana no override.
    let own = bens_sale(&app, &p, &ben_code, "b4", json!({"customer_email": "ana@acme.example"})).await;
    assert_eq!(
        entries(&app, &owner, &own, &ana).await,
        [e("other", "commission", 1_000, false)]
    );

    // Ana's overrides, net: 100 − 50 (b1) + 100 − 100 (b2) + 100 − 100 (b3) = 50.
    let totals = app.totals(&p).await;
    assert_eq!(totals["by_kind"]["override"], 50, "{totals}");
    let verified = reftrack::service::totals::verify(&app.db).await.unwrap();
    assert!(verified.is_clean(), "{:#?}", verified.differences);
}

#[tokio::test]
async fn a_link_invites_only_into_a_program_that_pays_recruiters_and_never_its_own_ambassador() {
    let app = spawn_app().await;
    let (p, ben, _, ben_code) = ana_recruits_ben(&app).await;
    let join = |token: String, body: Value| {
        let app = &app;
        async move { app.post("/v1/me/recruiters/join", Some(&token), &body).await }
    };
    // Ana through her own link, Ben again through it or his own: already ambassadors.
    join(
        p.influencer.access_token.clone(),
        json!({"brand_slug": "acme", "code": p.code}),
    )
    .await
    .assert_problem(409, "already_member");
    join(ben.clone(), json!({"brand_slug": "acme", "code": ben_code}))
        .await
        .assert_problem(409, "already_member");
    let dan = app.sign_up_influencer("dan@example.com").await;
    for (slug, code) in [("acme", "NOSUCHCODE"), ("nosuchbrand", p.code.as_str())] {
        join(dan.access_token.clone(), json!({"brand_slug": slug, "code": code}))
            .await
            .assert_problem(404, "recruit_link_not_found");
    }
    // A program that pays recruiters nothing invites nobody through its links.
    let other = app.program_with_ambassador("other").await;
    join(
        dan.access_token.clone(),
        json!({"brand_slug": "other", "code": other.code}),
    )
    .await
    .assert_problem(404, "recruit_link_not_found");
    // Nor does a paused ambassador's link.
    let paused = app
        .request(
            Method::PATCH,
            &format!("/v1/brand/ambassadors/{}", p.membership_id),
            Some(&p.brand.access_token),
            Some(&json!({"status": "paused"})),
        )
        .await;
    assert_eq!(paused.status, 200, "{}", paused.text);
    join(dan.access_token.clone(), json!({"brand_slug": "acme", "code": p.code}))
        .await
        .assert_problem(404, "recruit_link_not_found");
    // One level: Ben recruits Dan; Dan's commission earns Ben, never Ana.
    let joined = join(
        dan.access_token.clone(),
        json!({"brand_slug": "acme", "code": ben_code}),
    )
    .await;
    assert_eq!(joined.status, 201, "{}", joined.text);
    let dan_code = joined.body["codes"][0]["code"].as_str().unwrap().to_owned();
    let order = bens_sale(&app, &p, &dan_code, "d1", json!({})).await;
    let kinds = entries(&app, &p.brand.access_token, &order, &p.membership_id).await;
    assert_eq!(
        kinds,
        [
            e("other", "commission", 1_000, false),
            e("other", "override", 100, false)
        ]
    );
    assert_eq!(app.count("memberships WHERE recruited_by IS NOT NULL"), 2);
}
