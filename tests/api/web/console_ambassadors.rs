//! The console's ambassadors: the list with money and codes, inviting through the API's
//! use case, an ambassador's page with its forms (status, program, codes), each seen
//! through the API; another brand's ambassador or code is 404, and every form needs its
//! CSRF token.

use reqwest::Method;
use serde_json::{Value, json};

use super::console::post_console;
use super::{Page, SESSION};
use crate::helpers::{PASSWORD, Program, TestApp, spawn_app};

async fn ambassador(app: &TestApp, p: &Program) -> Value {
    let reply = app
        .get(
            &format!("/v1/brand/ambassadors/{}", p.membership_id),
            Some(&p.brand.access_token),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

async fn page_of(app: &TestApp, session: &str, p: &Program) -> Page {
    let page = app
        .get_page(
            &format!("/console/ambassadors/{}", p.membership_id),
            &[(SESSION, session)],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
    page
}

#[tokio::test]
async fn the_list_and_the_page_show_each_ambassadors_codes_orders_and_money() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let order = crate::orders::order_body("1001", Some(&p.code));
    let order = app.post("/v1/checkout/orders", Some(&p.api_key), &order).await;
    assert_eq!(order.status, 201, "{}", order.text);
    // A name with markup is shown as text.
    let eve = app
        .post(
            "/v1/influencers",
            None,
            &json!({"email": "eve@acme.example", "password": PASSWORD, "display_name": "<script>alert(1)</script>"}),
        )
        .await;
    assert_eq!(eve.status, 201, "{}", eve.text);
    let eve_token = eve.body["access_token"].as_str().unwrap();
    let joined = app
        .join(&p.brand.access_token, &p.program_id, "eve@acme.example", eve_token)
        .await;
    let session = app.sign_in(&p.brand.email, "brand").await;

    let list = app.get_page("/console/ambassadors", &[(SESSION, &session)]).await;
    assert_eq!(list.status, 200, "{}", list.html);
    for shown in [
        "Ana Influencer",
        "ana@acme.example",
        "Ambassadors",
        "Active",
        p.code.as_str(),
        "$5.95",
    ] {
        assert!(list.html.contains(shown), "{shown}: {}", list.html);
    }
    assert!(
        list.html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{}",
        list.html
    );
    assert!(!list.html.contains("<script>alert"), "{}", list.html);
    let paused = app
        .get_page("/console/ambassadors?status=paused", &[(SESSION, &session)])
        .await;
    assert_eq!(paused.status, 200, "{}", paused.html);
    assert!(
        paused.html.contains("No ambassador has this status."),
        "{}",
        paused.html
    );
    let bad = app
        .get_page("/console/ambassadors?status=gone", &[(SESSION, &session)])
        .await;
    assert_eq!(bad.status, 400, "{}", bad.html);

    let page = page_of(&app, &session, &p).await;
    let order_link = format!(
        "href=\"/console/orders/{}\">1001</a>",
        order.body["id"].as_str().unwrap()
    );
    assert!(page.html.contains(&order_link), "{order_link}: {}", page.html);
    for shown in [
        "ana@acme.example",
        "$5.95",
        "commission",
        &format!("/r/acme/{}", p.code),
    ] {
        assert!(page.html.contains(shown), "{shown}: {}", page.html);
    }
    let eve_page = app
        .get_page(
            &format!("/console/ambassadors/{}", joined["id"].as_str().unwrap()),
            &[(SESSION, &session)],
        )
        .await;
    assert_eq!(eve_page.status, 200, "{}", eve_page.html);
    assert!(!eve_page.html.contains("<script>alert"), "{}", eve_page.html);
}

#[tokio::test]
async fn an_invitation_sent_from_the_console_reaches_the_invitees_inbox() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let list = app.get_page("/console/ambassadors", &[(SESSION, &session)]).await;
    let refused = post_console(
        &app,
        &session,
        &list,
        "/console/ambassadors/invitations",
        &[("email", "not an address"), ("program_id", &p.program_id)],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(refused.html.contains("id=\"email-error\""), "{}", refused.html);
    assert!(refused.html.contains("value=\"not an address\""), "{}", refused.html);
    // An ambassador of the brand is changed on their page, not invited again.
    let member = post_console(
        &app,
        &session,
        &list,
        "/console/ambassadors/invitations",
        &[("email", "ana@acme.example"), ("program_id", &p.program_id)],
    )
    .await;
    assert_eq!(member.status, 409, "{}", member.html);
    assert!(member.html.contains("id=\"email-error\""), "{}", member.html);
    let invitations = app.count("invitations");

    let sent = post_console(
        &app,
        &session,
        &list,
        "/console/ambassadors/invitations",
        &[("email", "Bo@Example.com"), ("program_id", &p.program_id)],
    )
    .await;
    assert_eq!(
        (sent.status, sent.location()),
        (303, "/console/ambassadors?done=invited"),
        "{}",
        sent.html
    );
    assert_eq!(app.count("invitations"), invitations + 1);
    let after = app.get_page(sent.location(), &[(SESSION, &session)]).await;
    assert!(after.html.contains("role=\"status\""), "{}", after.html);
    assert!(
        after.html.contains("<th scope=\"row\">bo@example.com</th>"),
        "{}",
        after.html
    );
    let bo = app.sign_up_influencer("bo@example.com").await;
    let inbox = app.get("/v1/me/invitations", Some(&bo.access_token)).await;
    assert_eq!(inbox.status, 200, "{}", inbox.text);
    assert_eq!(
        inbox.body["items"][0]["program"]["id"],
        json!(p.program_id),
        "{}",
        inbox.text
    );
    assert_eq!(inbox.body["items"][0]["status"], "pending", "{}", inbox.text);
}

#[tokio::test]
async fn pausing_resuming_moving_and_ending_show_in_the_api() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let second = app
        .create_program(
            &p.brand.access_token,
            &json!({"name": "VIP", "commission": {"type": "percent", "rate": "20"}}),
        )
        .await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let page = page_of(&app, &session, &p).await;
    let base = format!("/console/ambassadors/{}", p.membership_id);
    let status_path = format!("{base}/status");
    for (status, words) in [("paused", "Resume"), ("active", "Pause")] {
        let changed = post_console(&app, &session, &page, &status_path, &[("status", status)]).await;
        assert_eq!(changed.status, 303, "{}", changed.html);
        assert_eq!(changed.location(), format!("{base}?done={status}"));
        assert_eq!(ambassador(&app, &p).await["status"], status);
        let shown = app.get_page(changed.location(), &[(SESSION, &session)]).await;
        assert!(shown.html.contains(&format!(">{words}</button>")), "{}", shown.html);
    }
    let moved = post_console(
        &app,
        &session,
        &page,
        &format!("{base}/program"),
        &[("program_id", &second)],
    )
    .await;
    assert_eq!(
        (moved.status, moved.location()),
        (303, format!("{base}?done=moved").as_str())
    );
    assert_eq!(ambassador(&app, &p).await["program_id"], json!(second));

    let ended = post_console(&app, &session, &page, &status_path, &[("status", "ended")]).await;
    assert_eq!(ended.status, 303, "{}", ended.html);
    assert_eq!(ambassador(&app, &p).await["status"], "ended");
    // Ended is final: the page says so and nothing changes.
    let again = post_console(&app, &session, &page, &status_path, &[("status", "active")]).await;
    assert_eq!(again.status, 409, "{}", again.html);
    assert!(again.html.contains("role=\"alert\""), "{}", again.html);
    let back = post_console(
        &app,
        &session,
        &page,
        &format!("{base}/program"),
        &[("program_id", &p.program_id)],
    )
    .await;
    assert_eq!(back.status, 409, "{}", back.html);
    let now = ambassador(&app, &p).await;
    assert_eq!(
        (now["status"].clone(), now["program_id"].clone()),
        (json!("ended"), json!(second))
    );
}

#[tokio::test]
async fn a_code_is_added_after_its_refusals_then_disabled_and_enabled() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let page = page_of(&app, &session, &p).await;
    let path = format!("/console/ambassadors/{}/codes", p.membership_id);
    let refused = post_console(
        &app,
        &session,
        &page,
        &path,
        &[("code", "x!"), ("max_uses", "0"), ("expires_on", "2001-01-01")],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.html);
    for field in ["code", "max_uses", "expires_on"] {
        assert!(
            refused.html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {}",
            refused.html
        );
    }
    let taken = post_console(&app, &session, &page, &path, &[("code", &p.code.to_lowercase())]).await;
    assert_eq!(taken.status, 409, "{}", taken.html);
    assert!(taken.html.contains("id=\"code-error\""), "{}", taken.html);

    let added = post_console(
        &app,
        &session,
        &page,
        &path,
        &[("code", "ana-summer"), ("max_uses", "5"), ("expires_on", "2099-12-31")],
    )
    .await;
    assert_eq!(added.status, 303, "{}", added.html);
    assert!(added.location().ends_with("?done=code-added"), "{}", added.location());
    let codes = ambassador(&app, &p).await["codes"].as_array().unwrap().clone();
    let summer = codes.iter().find(|c| c["code"] == "ANA-SUMMER").expect("the new code");
    assert_eq!(summer["max_uses"], 5);
    assert_eq!(summer["expires_at"], "2100-01-01T00:00:00Z");
    assert_eq!(summer["active"], true);
    let code_id = summer["id"].as_str().unwrap().to_owned();

    let page = page_of(&app, &session, &p).await;
    assert!(page.html.contains("ANA-SUMMER"), "{}", page.html);
    for (active, done) in [("false", "code-disabled"), ("true", "code-enabled")] {
        let toggled = post_console(
            &app,
            &session,
            &page,
            &format!("/console/codes/{code_id}"),
            &[("active", active)],
        )
        .await;
        assert_eq!(toggled.status, 303, "{}", toggled.html);
        assert_eq!(
            toggled.location(),
            format!("/console/ambassadors/{}?done={done}", p.membership_id)
        );
        let codes = ambassador(&app, &p).await["codes"].as_array().unwrap().clone();
        let summer = codes.iter().find(|c| c["id"] == json!(code_id)).unwrap();
        assert_eq!(summer["active"].to_string(), active);
    }
    // A generated code when none is typed.
    let generated = post_console(
        &app,
        &session,
        &page,
        &path,
        &[("code", ""), ("max_uses", ""), ("expires_on", "")],
    )
    .await;
    assert_eq!(generated.status, 303, "{}", generated.html);
    assert_eq!(ambassador(&app, &p).await["codes"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn another_brands_ambassador_and_code_are_not_found_and_forms_need_their_token() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let other = app.program_with_ambassador("beans").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    let theirs = format!("/console/ambassadors/{}", other.membership_id);
    for path in [theirs.clone(), "/console/ambassadors/not-an-id".to_owned()] {
        let page = app.get_page(&path, &[(SESSION, &session)]).await;
        assert_eq!(page.status, 404, "{path}: {}", page.html);
    }
    let mine = page_of(&app, &session, &p).await;
    let posts: [(String, Vec<(&str, &str)>); 5] = [
        (format!("{theirs}/status"), vec![("status", "paused")]),
        (format!("{theirs}/program"), vec![("program_id", &p.program_id)]),
        (format!("{theirs}/codes"), vec![("code", "STOLEN")]),
        (format!("/console/codes/{}", other.code_id), vec![("active", "false")]),
        (format!("/console/codes/{}", "not-an-id"), vec![("active", "false")]),
    ];
    for (path, fields) in &posts {
        let posted = post_console(&app, &session, &mine, path, fields).await;
        assert_eq!(posted.status, 404, "{path}: {}", posted.html);
    }
    // Their program is not one to invite into nor to move to.
    let list = app.get_page("/console/ambassadors", &[(SESSION, &session)]).await;
    let invite = post_console(
        &app,
        &session,
        &list,
        "/console/ambassadors/invitations",
        &[("email", "zed@example.com"), ("program_id", &other.program_id)],
    )
    .await;
    assert_eq!(invite.status, 422, "{}", invite.html);
    assert!(invite.html.contains("id=\"program_id-error\""), "{}", invite.html);
    let moved = post_console(
        &app,
        &session,
        &mine,
        &format!("/console/ambassadors/{}/program", p.membership_id),
        &[("program_id", &other.program_id)],
    )
    .await;
    assert_eq!(moved.status, 422, "{}", moved.html);
    let theirs_now = ambassador(&app, &other).await;
    assert_eq!(theirs_now["status"], "active");
    assert_eq!(theirs_now["codes"].as_array().unwrap().len(), 1);
    assert_eq!(theirs_now["codes"][0]["active"], true);

    // Without the session's CSRF token, every form is refused and changes nothing.
    let cookies = [(SESSION, session.as_str())];
    let base = format!("/console/ambassadors/{}", p.membership_id);
    let forged: [(String, Vec<(&str, &str)>); 5] = [
        (
            "/console/ambassadors/invitations".to_owned(),
            vec![("email", "zed@example.com"), ("program_id", &p.program_id)],
        ),
        (format!("{base}/status"), vec![("status", "paused")]),
        (format!("{base}/program"), vec![("program_id", &other.program_id)]),
        (format!("{base}/codes"), vec![("code", "FORGED")]),
        (format!("/console/codes/{}", p.code_id), vec![("active", "false")]),
    ];
    let invitations = app.count("invitations");
    for (path, fields) in &forged {
        let mut all = vec![("csrf", "forged")];
        all.extend(fields.iter().copied());
        let refused = app.page(Method::POST, path, &cookies, Some(&all)).await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.html);
    }
    assert_eq!(app.count("invitations"), invitations);
    let mine_now = ambassador(&app, &p).await;
    assert_eq!(mine_now["status"], "active");
    assert_eq!(mine_now["codes"].as_array().unwrap().len(), 1);
    assert_eq!(mine_now["codes"][0]["active"], true);
}

/// Every page of the area answers the owner.
#[tokio::test]
async fn every_ambassador_page_answers_the_owner() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let session = app.sign_in(&p.brand.email, "brand").await;
    for path in [
        "/console/ambassadors".to_owned(),
        "/console/ambassadors?status=active".to_owned(),
        format!("/console/ambassadors?program={}", p.program_id),
        format!("/console/ambassadors/{}", p.membership_id),
    ] {
        let page = app.get_page(&path, &[(SESSION, &session)]).await;
        assert_eq!(page.status, 200, "{path}: {}", page.html);
    }
}
