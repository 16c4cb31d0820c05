//! One text rule at every door: names, e-mails, URLs, terms text, SKUs, shop ids and
//! shipping text refuse control, invisible and bidi characters with a 422 that names the
//! field, and nothing is written. Values stored before the rule still read.

use chrono::Duration;
use diesel::RunQueryDsl;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, Program, Reply, TestApp, brand_body, program_body, spawn_app};

/// Right-to-left override: "Ana\u{202E}kraP" shows as "AnaParK".
const RLO: char = '\u{202E}';
/// Zero width space: an address that looks right and is another.
const ZWSP: char = '\u{200B}';

/// A 422 `validation_failed` naming exactly `field`.
fn assert_refused(reply: &Reply, field: &str) {
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), [field], "{}", reply.text);
}

/// Runs a statement on the test database, as an operator or an older version would.
fn execute(app: &TestApp, sql: &str) {
    app.db
        .write_blocking(|conn| {
            diesel::sql_query(sql)
                .execute(conn)
                .map_err(reftrack::store::StoreError::from)
        })
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
}

fn sale(order_id: &str, code: &str) -> Value {
    json!({"order_id": order_id, "code": code, "currency": "USD", "discount_total": 0,
           "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 10_000}]})
}

#[tokio::test]
async fn influencer_sign_up_refuses_invisible_characters_in_display_name_and_email() {
    let app = spawn_app().await;
    let body = |email: String, display_name: String| json!({"email": email, "password": PASSWORD, "display_name": display_name});
    let reply = app
        .post(
            "/v1/influencers",
            None,
            &body("ana@example.com".into(), format!("Ana{RLO}kraP")),
        )
        .await;
    assert_refused(&reply, "display_name");
    assert!(reply.text.contains("U+202E"), "{}", reply.text);
    let reply = app
        .post(
            "/v1/influencers",
            None,
            &body(format!("ana{ZWSP}@example.com"), "Ana".into()),
        )
        .await;
    assert_refused(&reply, "email");
    assert_eq!(app.count("influencers"), 0);
}

#[tokio::test]
async fn me_patch_refuses_an_invisible_payout_email_and_keeps_the_old_one() {
    let app = spawn_app().await;
    let ana = app.sign_up_influencer("ana@example.com").await;
    let token = Some(ana.access_token.as_str());
    for (field, patch) in [
        (
            "payout_email",
            json!({"payout_email": format!("pay{ZWSP}@ana.example")}),
        ),
        ("payout_email", json!({"payout_email": "pay@ana.example\u{2060}"})),
        ("display_name", json!({"display_name": "Ana\u{2028}Park"})),
        ("display_name", json!({"display_name": "\u{2066}Ana\u{2069}"})),
    ] {
        assert_refused(&app.patch("/v1/me", token, &patch).await, field);
    }
    let me = app.get("/v1/me", token).await;
    assert_eq!(me.body["payout_email"], "ana@example.com");
    assert_eq!(me.body["display_name"], "Ana Influencer");
    // An emoji sequence joined by U+200D is a picture, not a hidden character.
    let emoji = app
        .patch(
            "/v1/me",
            token,
            &json!({"display_name": "Ana \u{1F469}\u{200D}\u{1F4BB}"}),
        )
        .await;
    assert_eq!(emoji.status, 200, "{}", emoji.text);
}

#[tokio::test]
async fn brand_name_email_and_landing_url_refuse_invisible_characters() {
    let app = spawn_app().await;
    for (field, key, value) in [
        ("name", "name", format!("Acme{RLO} Coffee")),
        ("owner_email", "owner_email", format!("owner{ZWSP}@acme.example")),
        (
            "landing_url",
            "landing_url",
            format!("https://acme.example/{RLO}gpj.exe"),
        ),
        ("landing_url", "landing_url", format!("https://ac{ZWSP}me.example/")),
    ] {
        let mut body = brand_body("acme", "owner@acme.example");
        body[key] = json!(value);
        assert_refused(&app.post("/v1/brands", None, &body).await, field);
    }
    assert_eq!(app.count("brands"), 0);

    let brand = app.sign_up_brand("acme").await;
    let token = Some(brand.access_token.as_str());
    assert_refused(
        &app.patch("/v1/brand", token, &json!({"name": "Acme\u{FEFF}"})).await,
        "name",
    );
    assert_refused(
        &app.patch(
            "/v1/brand",
            token,
            &json!({"landing_url": "https://acme.example/?a=\u{2067}b"}),
        )
        .await,
        "landing_url",
    );
    let current = app.get("/v1/brand", token).await;
    assert_eq!(current.body["name"], "Acme Coffee");
    assert_eq!(current.body["landing_url"], "https://acme.example/shop?src=ig");
}

#[tokio::test]
async fn program_names_and_terms_text_refuse_invisible_characters() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let token = Some(brand.access_token.as_str());
    for (field, key, value) in [
        ("name", "name", json!("Ambassadors\u{FEFF}")),
        (
            "rewards[0].description",
            "rewards",
            json!([{"every_orders": 3, "sku": "BAG", "description": format!("A free{RLO} bag")}]),
        ),
        (
            "rewards[0].sku",
            "rewards",
            json!([{"every_orders": 3, "sku": format!("BAG{ZWSP}"), "description": "A bag"}]),
        ),
        (
            "commission.overrides[0].category",
            "commission",
            json!({"type": "percent", "rate": "10", "overrides": [{"category": "mu\u{061C}gs", "rate": "5"}]}),
        ),
    ] {
        let mut body = program_body();
        body[key] = value;
        assert_refused(&app.post("/v1/brand/programs", token, &body).await, field);
    }
    assert_eq!(app.count("programs"), 0);

    let id = app.create_program(&brand.access_token, &program_body()).await;
    let path = format!("/v1/brand/programs/{id}");
    assert_refused(
        &app.patch(&path, token, &json!({"name": format!("Amb{RLO}")})).await,
        "name",
    );
    assert_eq!(app.get(&path, token).await.body["name"], "Ambassadors");
}

#[tokio::test]
async fn api_key_names_and_invitation_emails_refuse_invisible_characters() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let token = Some(p.brand.access_token.as_str());
    assert_refused(
        &app.post("/v1/brand/api-keys", token, &json!({"name": format!("shop{RLO}")}))
            .await,
        "name",
    );
    assert_eq!(app.count("api_keys"), 1);
    assert_refused(
        &app.post(
            "/v1/brand/invitations",
            token,
            &json!({"email": format!("eve{ZWSP}@example.com"), "program_id": p.program_id}),
        )
        .await,
        "email",
    );
    assert_eq!(app.count("invitations"), 1);
}

#[tokio::test]
async fn cart_skus_categories_and_shop_ids_refuse_invisible_characters() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let key = Some(p.api_key.as_str());
    // (field, JSON pointer to change, bad value)
    for (field, pointer, value) in [
        ("lines[0].sku", "/lines/0/sku", format!("BEANS{ZWSP}")),
        ("lines[0].category", "/lines/0/category", format!("{RLO}coffee")),
        ("order_id", "/order_id", "o-1\u{FEFF}".to_owned()),
        ("order_id", "/order_id", "o\u{2029}1".to_owned()),
    ] {
        let mut body = sale("o-1", &p.code);
        body["lines"][0]["category"] = json!("coffee");
        if let Some(slot) = body.pointer_mut(pointer) {
            *slot = json!(value);
        }
        assert_refused(&app.post("/v1/checkout/orders", key, &body).await, field);
    }
    assert_eq!(app.count("orders"), 0);

    let quote = json!({"code": p.code, "currency": "USD",
                       "lines": [{"sku": format!("BEANS{RLO}"), "quantity": 1, "unit_price": 1000}]});
    assert_refused(&app.post("/v1/checkout/quote", key, &quote).await, "lines[0].sku");

    let order = app.post("/v1/checkout/orders", key, &sale("o-1", &p.code)).await;
    assert_eq!(order.status, 201, "{}", order.text);
    let refund = app
        .post(
            "/v1/checkout/orders/o-1/refunds",
            key,
            &json!({"refund_id": format!("r{ZWSP}1"), "amount": 100}),
        )
        .await;
    assert_refused(&refund, "refund_id");
    assert_eq!(app.count("refunds"), 0);
}

#[tokio::test]
async fn shipping_and_tracking_text_refuse_invisible_characters_but_keep_line_breaks() {
    let app = spawn_app().await;
    let p: Program = app.program_with_ambassador("acme").await;
    for i in 0..3 {
        let reply = app
            .post(
                "/v1/checkout/orders",
                Some(&p.api_key),
                &sale(&format!("o{i}"), &p.code),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    app.clock.advance(Duration::days(31));
    assert_eq!(app.mature().await.rewards_granted, 1);
    let ana = app.login("ana@acme.example", "influencer").await;
    let rewards = app.get("/v1/me/rewards", Some(&ana)).await;
    let id = rewards.body["items"][0]["id"].as_str().unwrap_or_default().to_owned();
    let claim_path = format!("/v1/me/rewards/{id}/claim");
    for (field, body) in [
        (
            "shipping_name",
            json!({"shipping_name": format!("Ana{RLO}"), "shipping_address": "1 Main St"}),
        ),
        (
            "shipping_address",
            json!({"shipping_name": "Ana", "shipping_address": "1 Main St\u{2028}Springfield"}),
        ),
    ] {
        assert_refused(&app.post(&claim_path, Some(&ana), &body).await, field);
    }
    let claimed = app
        .post(
            &claim_path,
            Some(&ana),
            &json!({"shipping_name": "Ana", "shipping_address": "1 Main St\nSpringfield"}),
        )
        .await;
    assert_eq!(claimed.status, 200, "{}", claimed.text);

    let brand = app.login(&p.brand.email, "brand").await;
    let fulfil = app
        .post(
            &format!("/v1/brand/rewards/{id}/fulfil"),
            Some(&brand),
            &json!({"tracking": format!("1Z999{ZWSP}")}),
        )
        .await;
    assert_refused(&fulfil, "tracking");
    let mine = app.get("/v1/me/rewards", Some(&ana)).await;
    assert_eq!(mine.body["items"][0]["status"], "claimed");
}

/// Only input is held to the rule: rows written before it (here by hand) still load,
/// sign in, check out, refund and take patches of their other fields.
#[tokio::test]
async fn values_stored_before_the_rule_still_read() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let display_name = format!("Ana{RLO}kraP");
    let email = format!("ana{ZWSP}@acme.example");
    execute(
        &app,
        &format!(
            "UPDATE influencers SET display_name = '{display_name}', email = '{email}', payout_email = '{email}' \
             WHERE id = '{}'",
            p.influencer.id
        ),
    );
    let terms = json!({"commission": {"type": "percent", "rate": "10"}, "customer_discount": null,
        "hold_days": 30, "rewards": [{"every_orders": 3, "sku": format!("BAG{ZWSP}"), "description": "A bag"}],
        "min_payout": 2000, "attribution": "code_first"})
    .to_string();
    execute(
        &app,
        &format!("UPDATE programs SET terms = '{terms}' WHERE id = '{}'", p.program_id),
    );
    execute(
        &app,
        &format!(
            "UPDATE program_versions SET terms = '{terms}' WHERE program_id = '{}'",
            p.program_id
        ),
    );

    // The influencer signs in with the stored address and reads their profile.
    let token = app.login(&email, "influencer").await;
    let me = app.get("/v1/me", Some(&token)).await;
    assert_eq!((me.status, &me.body["display_name"]), (200, &json!(display_name)));
    assert_eq!(me.body["payout_email"], json!(email));
    // Changing one field keeps the others as they are.
    let patched = app.patch("/v1/me", Some(&token), &json!({"display_name": "Ana"})).await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["payout_email"], json!(email));

    // The program still takes orders and patches of its other terms.
    let order = app
        .post("/v1/checkout/orders", Some(&p.api_key), &sale("o-1", &p.code))
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let program_path = format!("/v1/brand/programs/{}", p.program_id);
    let brand = Some(p.brand.access_token.as_str());
    let program = app.patch(&program_path, brand, &json!({"hold_days": 14})).await;
    assert_eq!(program.status, 200, "{}", program.text);
    assert_eq!(program.body["terms"]["hold_days"], 14);
    assert_eq!(program.body["terms"]["rewards"][0]["sku"], json!(format!("BAG{ZWSP}")));

    // An order recorded under an id the rule now refuses can still be refunded.
    let legacy_id = format!("o{ZWSP}1");
    execute(
        &app,
        &format!("UPDATE orders SET order_id = '{legacy_id}' WHERE order_id = 'o-1'"),
    );
    let refund = app
        .post(
            &format!("/v1/checkout/orders/{legacy_id}/refunds"),
            Some(&p.api_key),
            &json!({"refund_id": "r-1", "amount": 1000}),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    assert_eq!(refund.body["order_id"], json!(legacy_id));
}

/// A code copied from a social post often carries an invisible mark; it is looked up
/// without it (codes are ASCII), rather than refused or left unattributed. The same for
/// the customer's e-mail, which only feeds the self-referral check.
#[tokio::test]
async fn customer_typed_codes_and_emails_are_read_without_invisible_marks() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let key = Some(p.api_key.as_str());
    let check = app.get(&format!("/v1/checkout/codes/{}\u{200E}", p.code), key).await;
    assert_eq!(check.status, 200, "{}", check.text);
    assert_eq!(check.body["code"], json!(p.code));
    let order = app
        .post("/v1/checkout/orders", key, &sale("o-1", &format!("\u{FEFF}{}", p.code)))
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    assert_eq!(order.body["attributed"], true);
    assert_eq!(order.body["code"], json!(p.code));
    // The customer's e-mail is compared without them: the ambassador's own address with
    // a zero width space is still a self-referral, and the order is still recorded.
    let mut own = sale("o-3", &p.code);
    own["customer_email"] = json!(format!("ana{ZWSP}@acme.example"));
    let own = app.post("/v1/checkout/orders", key, &own).await;
    assert_eq!(own.status, 201, "{}", own.text);
    assert_eq!(own.body["flags"], json!(["self_referral"]));
    // Text that is no code is shown without the characters that hide or reorder it.
    let unknown = app
        .post("/v1/checkout/orders", key, &sale("o-2", &format!("NO SUCH{RLO}CODE")))
        .await;
    assert_eq!(unknown.status, 201, "{}", unknown.text);
    assert_eq!(unknown.body["attribution"]["candidates"][0]["code"], "NO SUCHCODE");
}
