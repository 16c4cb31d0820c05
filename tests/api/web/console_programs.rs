//! The console's programs: the list, a program's page, and its form, which builds the
//! API's terms document (seen through `GET /v1/brand/programs/{id}`), shows each refusal
//! beside its input, versions every change of terms, and refuses another brand's program
//! and a form without its CSRF token.

use reqwest::Method;
use serde_json::json;

use super::SESSION;
use super::console::post_console;
use crate::helpers::{TestApp, spawn_app};

/// A whole program form; `changes` replace or add fields.
fn fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![
        ("name", "Summer club"),
        ("currency", "USD"),
        ("commission.type", "percent"),
        ("commission.rate", "12.5"),
        ("commission.amount", ""),
        ("commission.max_per_order", "50"),
        ("commission.overrides[0].kind", "sku"),
        ("commission.overrides[0].target", ""),
        ("commission.overrides[0].rate", ""),
        ("commission.overrides[1].kind", "category"),
        ("commission.overrides[1].target", "gift cards"),
        ("commission.overrides[1].rate", "0"),
        ("commission.tiers[0].from_amount", "1000"),
        ("commission.tiers[0].rate", "15"),
        ("customer_discount.type", "fixed"),
        ("customer_discount.value", ""),
        ("customer_discount.amount", "5"),
        ("hold_days", "14"),
        ("min_payout", "25.50"),
        ("attribution", "link_first"),
        ("click_window_days", "14"),
        ("customer_binding_days", "60"),
        ("override_rate", "10"),
        ("fraud_review.repeat_orders", "3"),
        ("fraud_review.repeat_hours", "12"),
        ("fraud_review.max_refund_rate", "40"),
        ("fraud_review.min_click_seconds", "5"),
        ("rewards[0].kind", "orders"),
        ("rewards[0].every", "5"),
        ("rewards[0].sku", "BAG"),
        ("rewards[0].description", "A free bag"),
    ];
    for (name, value) in changes {
        match all.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => all.push((name, value)),
        }
    }
    all
}

/// The program id of a `/console/programs/{id}?done=…` location.
fn program_id(location: &str) -> String {
    let rest = location
        .strip_prefix("/console/programs/")
        .unwrap_or_else(|| panic!("{location}"));
    rest.split('?').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_program_is_created_through_the_form_after_its_refusals_are_shown() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let list = app.get_page("/console/programs", &[(SESSION, &session)]).await;
    assert_eq!(list.status, 200, "{}", list.html);
    let row = "<td>10 % of each sale you refer</td><td>1</td><td>USD</td><td>1</td>";
    assert!(list.html.contains(row), "one ambassador, version 1: {}", list.html);
    let form = app.get_page("/console/programs/new", &[(SESSION, &session)]).await;
    assert_eq!(form.status, 200, "{}", form.html);
    assert!(form.html.contains("value=\"USD\""), "{}", form.html);

    let refused = post_console(
        &app,
        &session,
        &form,
        "/console/programs/new",
        &fields(&[
            ("name", "<script>alert(1)</script> club"),
            ("commission.rate", "150"),
            ("min_payout", "5.001"),
            ("rewards[0].every", "0"),
            ("commission.tiers[1].from_amount", "500"),
            ("commission.tiers[1].rate", "20"),
        ]),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    for (input, message) in [
        ("commission.rate", "must be between 0 and 100"),
        ("min_payout", "must have at most 2 decimal places in USD"),
        ("rewards[0].every", "must be between 1 and 1000000"),
        (
            "commission.tiers[1].from_amount",
            "must be greater than tiers[0].from_amount",
        ),
    ] {
        let shown = format!("id=\"{input}-error\" class=\"error\">{message}</small>");
        assert!(refused.html.contains(&shown), "{shown}: {}", refused.html);
        assert!(refused.html.contains(&format!("href=\"#{input}\"")), "summary: {input}");
    }
    assert!(refused.html.contains("&#60;script&#62;alert(1)&#60;/script&#62; club"));
    assert!(!refused.html.contains("<script>alert"), "{}", refused.html);
    assert_eq!(app.count("programs"), 1);

    let created = post_console(&app, &session, &form, "/console/programs/new", &fields(&[])).await;
    assert_eq!(created.status, 303, "{}", created.html);
    assert!(created.location().ends_with("?done=created"), "{}", created.location());
    let id = program_id(created.location());
    let api = app
        .get(&format!("/v1/brand/programs/{id}"), Some(&p.brand.access_token))
        .await;
    assert_eq!(api.status, 200, "{}", api.text);
    assert_eq!(api.body["name"], "Summer club");
    assert_eq!(api.body["terms_version"], 1);
    assert_eq!(
        api.body["terms"],
        json!({
            "commission": {"type": "percent", "rate": "12.5", "max_per_order": 5000,
                "overrides": [{"category": "gift cards", "rate": "0"}],
                "tiers": [{"from_amount": 100000, "rate": "15"}]},
            "customer_discount": {"type": "fixed", "amount": 500},
            "hold_days": 14,
            "rewards": [{"every_orders": 5, "sku": "BAG", "description": "A free bag"}],
            "min_payout": 2550,
            "attribution": "link_first",
            "click_window_days": 14,
            "customer_binding_days": 60,
            "fraud_review": {"repeat_orders": 3, "repeat_hours": 12, "max_refund_rate": "40", "min_click_seconds": 5},
            "override_rate": "10"
        })
    );
    let shown = app.get_page(created.location(), &[(SESSION, &session)]).await;
    assert_eq!(shown.status, 200, "{}", shown.html);
    assert!(shown.html.contains("role=\"status\""), "{}", shown.html);
    assert!(shown.html.contains("12.5 % of each sale you refer"), "{}", shown.html);
    assert!(shown.html.contains("15 % from $1,000.00 a month"), "{}", shown.html);
    assert!(
        shown
            .html
            .contains("10 % of the commission of each ambassador you invite"),
        "{}",
        shown.html
    );
    assert!(shown.html.contains("the link wins"), "{}", shown.html);
    assert!(shown.html.contains("within 14 days of a click"), "{}", shown.html);
    assert!(shown.html.contains("stay yours for 60 days"), "{}", shown.html);
}

#[tokio::test]
async fn editing_the_terms_makes_a_new_version_and_renaming_does_not() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let path = format!("/console/programs/{}/edit", p.program_id);
    let form = app.get_page(&path, &[(SESSION, &session)]).await;
    assert_eq!(form.status, 200, "{}", form.html);
    // The stored terms, money in major units, and empty rows to add more.
    for drawn in [
        "name=\"commission.rate\" value=\"10\"",
        "name=\"min_payout\" value=\"20.00\"",
        "name=\"rewards[0].sku\" value=\"FREE-BAG\"",
        "name=\"rewards[3].sku\" value=\"\"",
        "name=\"version\" value=\"1\"",
        "name=\"fraud_review.max_refund_rate\" value=\"50\"",
        "name=\"click_window_days\" value=\"30\"",
    ] {
        assert!(form.html.contains(drawn), "{drawn}: {}", form.html);
    }
    let version = || async {
        let api = app
            .get(
                &format!("/v1/brand/programs/{}", p.program_id),
                Some(&p.brand.access_token),
            )
            .await;
        (api.body["terms_version"].as_i64().unwrap(), api.body["name"].clone())
    };
    let renamed = post_console(
        &app,
        &session,
        &form,
        &path,
        &[
            ("version", "1"),
            ("name", "Ambassadors 2026"),
            ("currency", "USD"),
            ("commission.type", "percent"),
            ("commission.rate", "10"),
            ("customer_discount.type", "percent"),
            ("customer_discount.value", "15"),
            ("hold_days", "30"),
            ("min_payout", "20"),
            ("attribution", "code_first"),
            // As the form draws the program's fraud review thresholds.
            ("fraud_review.repeat_orders", "5"),
            ("fraud_review.repeat_hours", "24"),
            ("fraud_review.max_refund_rate", "50"),
            ("fraud_review.min_click_seconds", "0"),
            ("rewards[0].kind", "orders"),
            ("rewards[0].every", "3"),
            ("rewards[0].sku", "FREE-BAG"),
            ("rewards[0].description", "A free bag of coffee"),
        ],
    )
    .await;
    assert_eq!(renamed.status, 303, "{}", renamed.html);
    assert!(renamed.location().ends_with("?done=saved"), "{}", renamed.location());
    assert_eq!(version().await, (1, json!("Ambassadors 2026")));

    let changed = post_console(&app, &session, &form, &path, &fields(&[("version", "1")])).await;
    assert_eq!(changed.status, 303, "{}", changed.html);
    assert!(
        changed.location().ends_with("?done=versioned"),
        "{}",
        changed.location()
    );
    assert_eq!(version().await, (2, json!("Summer club")));
    let versions = app
        .get(
            &format!("/v1/brand/programs/{}/versions", p.program_id),
            Some(&p.brand.access_token),
        )
        .await;
    assert_eq!(versions.body["items"].as_array().unwrap().len(), 2);
    let shown = app.get_page(changed.location(), &[(SESSION, &session)]).await;
    assert!(shown.html.contains("Version 2, since"), "{}", shown.html);
    assert!(shown.html.contains("Version 1, since"), "{}", shown.html);

    // Once the program has orders its currency is locked, said beside the currency.
    let order = crate::orders::order_body("1001", Some(&p.code));
    let order = app.post("/v1/checkout/orders", Some(&p.api_key), &order).await;
    assert_eq!(order.status, 201, "{}", order.text);
    let locked = post_console(&app, &session, &form, &path, &fields(&[("currency", "EUR")])).await;
    assert_eq!(locked.status, 409, "{}", locked.html);
    assert!(locked.html.contains("id=\"currency-error\""), "{}", locked.html);
    assert_eq!(version().await.0, 2);
}

#[tokio::test]
async fn another_brands_program_is_not_found_and_forms_need_their_token() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let other = app.program_with_ambassador("beans").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let theirs = format!("/console/programs/{}", other.program_id);
    for path in [
        theirs.clone(),
        format!("{theirs}/edit"),
        "/console/programs/not-an-id".into(),
    ] {
        let page = app.get_page(&path, &[(SESSION, &session)]).await;
        assert_eq!(page.status, 404, "{path}: {}", page.html);
    }
    let form = app.get_page("/console/programs/new", &[(SESSION, &session)]).await;
    let posted = post_console(&app, &session, &form, &format!("{theirs}/edit"), &fields(&[])).await;
    assert_eq!(posted.status, 404, "{}", posted.html);
    let api = app
        .get(
            &format!("/v1/brand/programs/{}", other.program_id),
            Some(&other.brand.access_token),
        )
        .await;
    assert_eq!(
        (api.body["terms_version"].clone(), api.body["name"].clone()),
        (json!(1), json!("Ambassadors"))
    );

    // Without the session's CSRF token nothing is created or changed.
    let mut forged = vec![("csrf", "forged")];
    forged.extend(fields(&[]));
    let cookies = [(SESSION, session.as_str())];
    let refused = app
        .page(Method::POST, "/console/programs/new", &cookies, Some(&forged))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.html);
    let mine = format!("/console/programs/{}/edit", p.program_id);
    let refused = app.page(Method::POST, &mine, &cookies, Some(&forged)).await;
    assert_eq!(refused.status, 403, "{}", refused.html);
    assert_eq!(app.count("programs"), 2);
    assert_eq!(app.count("program_versions"), 2);
}

/// Every page of the area answers the owner.
pub async fn program_pages_answer(app: &TestApp, session: &str, program_id: &str) {
    for path in [
        "/console/programs".to_owned(),
        "/console/programs/new".to_owned(),
        format!("/console/programs/{program_id}"),
        format!("/console/programs/{program_id}/edit"),
    ] {
        let page = app.get_page(&path, &[(SESSION, session)]).await;
        assert_eq!(page.status, 200, "{path}: {}", page.html);
    }
}

#[tokio::test]
async fn every_program_page_answers_the_owner() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    program_pages_answer(&app, &session, &p.program_id).await;
}

#[tokio::test]
async fn the_program_page_prices_an_example_cart_as_a_checkout_would() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let path = format!("/console/programs/{}", p.program_id);
    // Without a cart, one line of 50: 15 % off, 10 % of the rest.
    let example = app.get_page(&path, &[(SESSION, &session)]).await;
    assert_eq!(example.status, 200, "{}", example.html);
    for figure in ["$50.00", "$7.50", "$42.50", "$4.25"] {
        assert!(example.html.contains(figure), "{figure}: {}", example.html);
    }
    // The README's order: 2 × 25.00 and 19.99, 15 % off → net 59.49, commission 5.95,
    // the same as `POST /v1/brand/programs/preview` answers.
    let query = "cart%5B0%5D.sku=BEANS&cart%5B0%5D.quantity=2&cart%5B0%5D.unit_price=25\
                 &cart%5B1%5D.sku=MUG&cart%5B1%5D.quantity=1&cart%5B1%5D.unit_price=19.99&month_net=0";
    let priced = app.get_page(&format!("{path}?{query}"), &[(SESSION, &session)]).await;
    assert_eq!(priced.status, 200, "{}", priced.html);
    let api = app
        .post(
            "/v1/brand/programs/preview",
            Some(&p.brand.access_token),
            &json!({
                "terms": crate::helpers::program_body().as_object().unwrap().iter()
                    .filter(|(k, _)| *k != "name").map(|(k, v)| (k.clone(), v.clone())).collect::<serde_json::Map<_, _>>(),
                "cart": {"lines": [{"sku": "BEANS", "quantity": 2, "unit_price": 2500}, {"sku": "MUG", "quantity": 1, "unit_price": 1999}]}
            }),
        )
        .await;
    assert_eq!(api.status, 200, "{}", api.text);
    assert_eq!(
        (api.body["net_amount"].as_i64(), api.body["commission"].as_i64()),
        (Some(5949), Some(595))
    );
    for figure in ["$69.99", "$10.50", "$59.49", "$5.95"] {
        assert!(priced.html.contains(figure), "{figure}: {}", priced.html);
    }
    let refused = app
        .get_page(
            &format!("{path}?cart%5B0%5D.sku=BEANS&cart%5B0%5D.quantity=0&cart%5B0%5D.unit_price=2.999"),
            &[(SESSION, &session)],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(
        refused.html.contains("id=\"cart[0].unit_price-error\""),
        "{}",
        refused.html
    );
}
