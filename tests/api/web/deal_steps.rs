//! The steps of a deal through its pages, shared by the console's and the portal's
//! tests: the owner's offer form, the influencer's answers and proof, and reading ids
//! out of the pages' form actions.

use super::console::post_console;
use super::console_money::page_at;
use super::console_payouts::staff_session;
use super::{Page, SESSION};
use crate::helpers::smtp_sink::SmtpSink;
use crate::helpers::{Program, TestApp};
use crate::mail::app_with_mail;

/// A due date ahead of the test clock (2 Nov 2026).
pub const DUE: &str = "2026-11-20";
pub const TITLE: &str = "Autumn launch";

/// The offer form's fields for `to` (`ambassador:{id}` or `invitation:{id}`): one
/// Instagram post at $50.00 kept up 30 days, and two bags of beans as a gift.
pub fn offer_fields(to: &str) -> Vec<(&'static str, String)> {
    [
        ("to", to),
        ("title", TITLE),
        ("fee", "50"),
        ("terms", "Tag @acme.\r\nNo other coffee brand in the post."),
        ("expires_on", ""),
        ("deliverables[0].platform", "instagram"),
        ("deliverables[0].kind", "post"),
        ("deliverables[0].count", "1"),
        ("deliverables[0].due_on", DUE),
        ("deliverables[0].keep_up_days", "30"),
        ("deliverables[0].requirements", "#acmecoffee in the caption"),
        ("deliverables[1].platform", "tiktok"),
        ("deliverables[1].kind", "video"),
        ("deliverables[1].count", ""),
        ("gifts[0].sku", "BEANS-1KG"),
        ("gifts[0].description", "A kilo of beans"),
        ("gifts[0].quantity", "2"),
        ("gifts[0].unit_value", "24.00"),
        ("gifts[1].sku", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

/// `fields` with `changes` in place of theirs.
pub fn with(mut fields: Vec<(&'static str, String)>, changes: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    for (name, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == name) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push((name, (*value).to_owned())),
        }
    }
    fields
}

/// The offer form sent with the key of `form` (the new-deal page).
pub async fn send_offer(app: &TestApp, session: &str, form: &Page, fields: &[(&'static str, String)]) -> Page {
    let key = form.hidden("key");
    let mut all: Vec<(&str, &str)> = vec![("key", &key)];
    all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    post_console(app, session, form, "/console/deals", &all).await
}

/// The owner offers the default deal to the program's ambassador; its id.
pub async fn offered(app: &TestApp, owner: &str, p: &Program) -> String {
    offered_to(app, owner, &format!("ambassador:{}", p.membership_id), &[]).await
}

pub async fn offered_to(app: &TestApp, owner: &str, to: &str, changes: &[(&'static str, &str)]) -> String {
    let form = page_at(app, owner, "/console/deals/new").await;
    let sent = send_offer(app, owner, &form, &with(offer_fields(to), changes)).await;
    assert_eq!(sent.status, 303, "{}", sent.html);
    let id = sent
        .location()
        .strip_prefix("/console/deals/")
        .and_then(|rest| rest.strip_suffix("?done=offered"))
        .unwrap_or_else(|| panic!("offering led to {}", sent.location()));
    id.to_owned()
}

/// The id right after the first `before` of the page (a form action's).
pub fn id_in(page: &Page, before: &str) -> String {
    let start = page
        .html
        .find(before)
        .unwrap_or_else(|| panic!("no {before} in {}", page.html))
        + before.len();
    page.html[start..].chars().take(36).collect()
}

/// A form of the deal's page `path` sent by `session`, with the page's CSRF token.
pub async fn send(app: &TestApp, session: &str, path: &str, action: &str, fields: &[(&str, &str)]) -> Page {
    let from = page_at(app, session, path).await;
    post_console(app, session, &from, action, fields).await
}

/// The influencer's counter-offer.
pub async fn counter(app: &TestApp, ana: &str, id: &str, fee: &str, note: &str) -> Page {
    let path = format!("/app/deals/{id}");
    send(
        app,
        ana,
        &path,
        &format!("{path}/counter"),
        &[("fee", fee), ("note", note)],
    )
    .await
}

/// The influencer's proof of the deal's first deliverable, published 1 Nov 2026.
pub async fn prove(app: &TestApp, ana: &str, id: &str, url: &str) -> Page {
    let path = format!("/app/deals/{id}");
    let page = page_at(app, ana, &path).await;
    let deliverable = id_in(&page, &format!("{path}/deliverables/"));
    let fields = [
        ("url", url),
        ("published_at", "2026-11-01T10:00"),
        ("views", "1200"),
        ("likes", "80"),
        ("comments", ""),
    ];
    post_console(
        app,
        ana,
        &page,
        &format!("{path}/deliverables/{deliverable}/proofs"),
        &fields,
    )
    .await
}

/// The console's form `verb` (approve, reject, removed) of the deal's proof that has
/// forms (the one waiting or approved), sent by `session`.
pub async fn decide(app: &TestApp, session: &str, id: &str, verb: &str, fields: &[(&str, &str)]) -> Page {
    let path = format!("/console/deals/{id}");
    let page = page_at(app, session, &path).await;
    let proof = id_in(&page, &format!("{path}/proofs/"));
    post_console(app, session, &page, &format!("{path}/proofs/{proof}/{verb}"), fields).await
}

/// The page answered to a signed-in session, whatever its status.
pub async fn any_page(app: &TestApp, session: &str, path: &str) -> Page {
    app.get_page(path, &[(SESSION, session)]).await
}

/// A brand with its ambassador, on mail (a staff member joins by the invitation
/// e-mail): the app, the program, and the web sessions of the owner, a staff member and
/// the ambassador; the mail sink is kept for the test's length.
pub async fn team() -> (TestApp, Program, String, String, String, SmtpSink) {
    let (app, sink) = app_with_mail().await;
    let p = app.program_with_ambassador("acme").await;
    let owner = app.sign_in(&p.brand.email, "brand").await;
    let token = app.login(&p.brand.email, "brand").await;
    let staff = staff_session(&app, &sink, &token, "pat@acme.example").await;
    let ana = app.sign_in("ana@acme.example", "influencer").await;
    (app, p, owner, staff, ana, sink)
}
