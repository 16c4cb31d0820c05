//! API7 Server side request forgery, and the open-redirect side of referral links.

use serde_json::json;

use super::{sale, text};
use crate::helpers::{brand_body, program_body, spawn_app};

const LANDING: &str = "https://acme.example/shop?src=ig";

/// Whatever the visitor sends (query, path, Host), a referral link sends them to the
/// brand's stored landing page only, with `ref` and `click_id` and nothing else added.
#[tokio::test]
async fn referral_links_redirect_only_to_the_brands_landing_page() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let hostile = [
        format!(
            "/r/acme/{}?url=https://evil.example/&next=//evil.example&ref=EVIL&click_id=x",
            p.code
        ),
        format!("/r/acme/{}", p.code.to_lowercase()),
    ];
    for path in &hostile {
        let response = app
            .client
            .get(app.url(path))
            .header("host", "evil.example")
            .header("x-forwarded-host", "evil.example")
            .header("x-forwarded-proto", "javascript")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status().as_u16(), 302, "{path}");
        let headers = response.headers().clone();
        let location = headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let target = url::Url::parse(location).unwrap_or_else(|e| panic!("{location}: {e}"));
        assert_eq!(
            (target.scheme(), target.host_str(), target.path()),
            ("https", Some("acme.example"), "/shop"),
            "{location}"
        );
        let keys: Vec<String> = target.query_pairs().map(|(k, _)| k.into_owned()).collect();
        assert_eq!(
            keys,
            ["src", "ref", "click_id", "utm_source", "utm_medium", "utm_content"],
            "{location}"
        );
        let reference = target
            .query_pairs()
            .find(|(k, _)| k == "ref")
            .map(|(_, v)| v.into_owned());
        assert_eq!(reference.as_deref(), Some(p.code.as_str()));
        assert_eq!(
            headers.get("referrer-policy").and_then(|v| v.to_str().ok()),
            Some("no-referrer")
        );
    }
    for path in [
        "/r/acme/%2F%2Fevil.example",
        "/r/acme/NOSUCHCODE?url=https://evil.example/",
        "/r/acme/..%2F..%2Fevil.example",
        "/r/acme/https:%2F%2Fevil.example",
    ] {
        let response = app
            .client
            .get(app.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            (response.status().as_u16(), location.as_str()),
            (302, LANDING),
            "{path}"
        );
    }

    // The landing page itself is an absolute http(s) URL without credentials.
    let bad_urls = [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://acme.example/",
        "//evil.example/",
        "/relative/path",
        "https://acme.example@evil.example/",
        "https://user:secret@acme.example/",
    ];
    for bad in bad_urls {
        let mut body = brand_body("other", "owner@other.example");
        body["landing_url"] = json!(bad);
        let reply = app.post("/v1/brands", None, &body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), ["landing_url"], "{bad}");
        let reply = app
            .patch("/v1/brand", Some(&p.brand.access_token), &json!({"landing_url": bad}))
            .await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.fields(), ["landing_url"], "{bad}");
    }
}

/// A landing URL is stored and redirected to, never fetched: pointing it at a port on
/// the server's own host and walking the whole flow opens no connection there.
#[tokio::test]
async fn landing_urls_are_never_fetched_by_the_server() {
    let app = spawn_app().await;
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    probe.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
    let port = probe.local_addr().map(|a| a.port()).unwrap_or_else(|e| panic!("{e}"));
    let internal = format!("http://127.0.0.1:{port}/admin");

    let mut body = brand_body("probe", "owner@probe.example");
    body["landing_url"] = json!(internal);
    let signed_up = app.post("/v1/brands", None, &body).await;
    assert_eq!(signed_up.status, 201, "{}", signed_up.text);
    let token = text(&signed_up.body["access_token"]);
    let patched = app
        .patch(
            "/v1/brand",
            Some(&token),
            &json!({"landing_url": format!("http://127.0.0.1:{port}/metadata")}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let program = app.create_program(&token, &program_body()).await;
    let (_, key) = app.create_api_key(&token, "shop").await;
    let ana = app.sign_up_influencer("ana@probe.example").await;
    let membership = app.join(&token, &program, "ana@probe.example", &ana.access_token).await;
    let code = text(&membership["codes"][0]["code"]);
    let click = app.click("probe", &code, "agent").await;
    let mut order = sale("p-1", &code);
    order["click_id"] = json!(click);
    assert_eq!(app.post("/v1/checkout/orders", Some(&key), &order).await.status, 201);
    assert_eq!(app.get("/v1/brand", Some(&token)).await.status, 200);

    match probe.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, from)) => panic!("the server connected to the landing URL from {from}"),
        Err(e) => panic!("{e}"),
    }
}
