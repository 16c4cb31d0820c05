//! HTTP framing and strict JSON: slow bodies time out and close their connection, a
//! request framed two ways is refused and its connection closed (nothing smuggled
//! behind it is answered), only canonical paths are routed, error details are our own
//! sentences, and a JSON object that names a key twice is refused everywhere.

use std::io::{Read, Write};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{TestApp, post_json, spawn_app, spawn_app_with};
use crate::orders::{order_body, record};

/// What the server sent on one connection until it closed it.
struct RawExchange {
    /// Everything received, as text.
    received: String,
    /// True when the server closed the connection (a read returned 0 bytes or the
    /// connection was reset) before `wait` ran out.
    closed: bool,
    elapsed: Duration,
}

impl RawExchange {
    /// The status line of every answer (an answer's body may run into the next one).
    fn status_lines(&self) -> Vec<&str> {
        self.received
            .match_indices("HTTP/1.")
            .filter_map(|(at, _)| self.received[at..].split("\r\n").next())
            .collect()
    }

    fn has_header(&self, name: &str, value: &str) -> bool {
        self.received
            .split("\r\n")
            .any(|line| line.eq_ignore_ascii_case(&format!("{name}: {value}")))
    }
}

/// Opens a connection, writes `request` as it is, then reads until the server closes
/// the connection or `wait` has passed.
async fn exchange(app: &TestApp, request: Vec<u8>, wait: Duration) -> RawExchange {
    let host = app.address.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let mut stream = std::net::TcpStream::connect(&host).unwrap_or_else(|e| panic!("{e}"));
        stream.write_all(&request).unwrap_or_else(|e| panic!("{e}"));
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        let closed = loop {
            let left = wait.saturating_sub(started.elapsed());
            if left.is_zero() {
                break false;
            }
            let _ = stream.set_read_timeout(Some(left));
            match stream.read(&mut buffer) {
                Ok(0) => break true,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
                Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => break true,
                Err(_) => break false,
            }
        };
        RawExchange {
            received: String::from_utf8_lossy(&received).into_owned(),
            closed,
            elapsed: started.elapsed(),
        }
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_body_that_stops_midway_is_answered_408_and_its_connection_closed() {
    let app = spawn_app_with(|config| config.body_read_timeout = Duration::from_secs(1)).await;
    // Public: no credential is needed to hold a connection this way.
    let request = "POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\n\
                   Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":";
    let answer = exchange(&app, request.as_bytes().to_vec(), Duration::from_secs(10)).await;
    assert_eq!(
        answer.status_lines(),
        ["HTTP/1.1 408 Request Timeout"],
        "{}",
        answer.received
    );
    assert!(
        answer.received.contains("\"code\":\"request_timeout\""),
        "{}",
        answer.received
    );
    assert!(
        answer.has_header("content-type", "application/problem+json"),
        "{}",
        answer.received
    );
    assert!(answer.has_header("connection", "close"), "{}", answer.received);
    assert!(answer.closed, "the connection was left open: {}", answer.received);
    assert!(answer.elapsed < Duration::from_secs(5), "{:?}", answer.elapsed);
}

#[tokio::test]
async fn a_body_that_arrives_in_time_is_read_however_slowly_it_comes() {
    let app = spawn_app_with(|config| config.body_read_timeout = Duration::from_secs(3)).await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let body = r#"{"email":"nobody@example.com","password":"wrong password","account":"brand"}"#;
    let status = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&host).unwrap_or_else(|e| panic!("{e}"));
        let head = format!(
            "POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let (first, rest) = body.split_at(10);
        stream.write_all(first.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(Duration::from_millis(500));
        stream.write_all(rest.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.lines().next().unwrap_or_default().to_owned()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");
}

#[tokio::test]
async fn content_length_with_transfer_encoding_is_refused_and_nothing_behind_it_is_answered() {
    let app = spawn_app().await;
    // A proxy that frames by Content-Length sees one request whose body is everything
    // after the head; a reader that frames by chunks sees an empty body and then a
    // second request, here a sign-up.
    let smuggled = serde_json::to_string(&crate::helpers::brand_body("smuggled", "owner@smuggled.example"))
        .unwrap_or_else(|e| panic!("{e}"));
    let smuggled = format!(
        "POST /v1/brands HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{smuggled}",
        smuggled.len()
    );
    let body = format!("0\r\n\r\n{smuggled}");
    let request = format!(
        "POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nTransfer-Encoding: chunked\r\n\r\n{body}",
        body.len()
    );
    let answer = exchange(&app, request.into_bytes(), Duration::from_secs(10)).await;
    assert_eq!(
        answer.status_lines(),
        ["HTTP/1.1 400 Bad Request"],
        "{}",
        answer.received
    );
    assert!(
        answer.received.contains("\"code\":\"ambiguous_framing\""),
        "{}",
        answer.received
    );
    assert!(answer.has_header("connection", "close"), "{}", answer.received);
    assert!(answer.closed, "the connection was left open: {}", answer.received);
    assert_eq!(app.count("brands"), 0, "the smuggled sign-up was run");

    // Either order of the two headers, on any route, with a body or without.
    let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\
                   Content-Length: 5\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let answer = exchange(&app, request.as_bytes().to_vec(), Duration::from_secs(10)).await;
    assert_eq!(
        answer.status_lines(),
        ["HTTP/1.1 400 Bad Request"],
        "{}",
        answer.received
    );
    assert!(answer.closed, "the connection was left open: {}", answer.received);
}

#[tokio::test]
async fn pipelined_requests_with_one_framing_each_are_all_answered() {
    let app = spawn_app().await;
    let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n\
                   GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let answer = exchange(&app, request.as_bytes().to_vec(), Duration::from_secs(10)).await;
    assert_eq!(
        answer.status_lines(),
        ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"],
        "{}",
        answer.received
    );
}

#[tokio::test]
async fn paths_with_an_empty_segment_are_not_routed() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let token = Some(brand.access_token.as_str());
    assert_eq!(app.get("/v1/brand/api-keys", token).await.status, 200);
    for path in [
        "/v1//brand/api-keys",
        "/v1/brand/api-keys/",
        "//v1/brand/api-keys",
        "/v1/brand/",
        "/healthz/",
    ] {
        app.get(path, token).await.assert_problem(404, "route_not_found");
    }
    let created = app.post("/v1/brand/api-keys/", token, &json!({"name": "shop"})).await;
    created.assert_problem(404, "route_not_found");
    app.post("/v1//brand/api-keys", token, &json!({"name": "shop"}))
        .await
        .assert_problem(404, "route_not_found");
    assert_eq!(app.count("api_keys"), 0);
}

#[tokio::test]
async fn error_details_are_fixed_sentences_not_parser_messages() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let reply = app
        .get("/v1/brand/programs/not-a-uuid", Some(&brand.access_token))
        .await;
    reply.assert_problem(404, "not_found");
    assert_eq!(reply.body["detail"], "No such resource.");

    for (body, detail) in [
        (
            "{\"name\": ",
            "The body is not valid JSON: it ends before the document does.",
        ),
        ("", "The body is not valid JSON: it ends before the document does."),
        ("{} trailing", "The body is not valid JSON."),
        ("{\"name\" 1}", "The body is not valid JSON."),
    ] {
        let reply = app.post_raw("/v1/brands", None, body).await;
        reply.assert_problem(400, "malformed_json");
        assert_eq!(reply.body["detail"], detail, "{body:?}");
    }

    let reply = app.get("/v1/brand/orders?limit=ten", Some(&brand.access_token)).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.fields(), ["query"]);
    let message = reply.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(!message.starts_with("Query deserialize error"), "{message}");
}

#[tokio::test]
async fn an_order_naming_a_key_twice_is_refused_and_not_recorded() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let url = app.url("/v1/checkout/orders");
    let top_level = r#"{"order_id":"1001","currency":"USD","lines":[{"sku":"BEANS","quantity":1,"unit_price":2500}],"discount_total":0,"discount_total":2400}"#;
    let nested = r#"{"order_id":"1001","currency":"USD","lines":[{"sku":"BEANS","quantity":1,"unit_price":2500,"unit_price":250000}],"discount_total":0}"#;
    for body in [top_level, nested] {
        let reply = post_json(&app.client, &url, &p.api_key, Some("key-1"), body).await;
        reply.assert_problem(400, "malformed_json");
        assert!(
            reply.body["detail"].as_str().is_some_and(|d| d.contains("twice")),
            "{}",
            reply.text
        );
    }
    assert_eq!(app.count("orders"), 0);
    assert_eq!(app.count("idempotency_keys"), 0);

    // The key was not spent on the refused bodies: the same key records the order.
    let body = json!({"order_id": "1001", "currency": "USD",
        "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 2500}], "discount_total": 0});
    let reply = post_json(&app.client, &url, &p.api_key, Some("key-1"), body.to_string()).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["net_amount"], 2500);
}

#[tokio::test]
async fn a_refund_naming_the_amount_twice_is_refused_and_not_applied() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let recorded = record(&app, &p, &order_body("1001", Some(&p.code))).await;
    assert_eq!(recorded.status, 201, "{}", recorded.text);
    let url = app.url("/v1/checkout/orders/1001/refunds");
    for body in [
        r#"{"refund_id":"k","amount":1,"amount":50}"#,
        r#"{"refund_id":"k","refund_id":"k","amount":1}"#,
        r#"{"refund_id":"k","lines":[{"sku":"BEANS","quantity":1,"quantity":2}]}"#,
    ] {
        let reply = post_json(&app.client, &url, &p.api_key, None, body).await;
        reply.assert_problem(400, "malformed_json");
    }
    assert_eq!(app.count("refunds"), 0);
    assert_eq!(app.count("ledger_entries WHERE kind = 'reversal'"), 0);

    // `k` is still free, and means what this body says.
    let reply = post_json(&app.client, &url, &p.api_key, None, r#"{"refund_id":"k","amount":50}"#).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(app.scalar("SELECT CAST(SUM(amount) AS BIGINT) AS n FROM refunds"), 50);
}

#[tokio::test]
async fn every_json_body_refuses_repeated_keys() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let token = Some(brand.access_token.as_str());
    let cases = [
        (
            "/v1/auth/login",
            None,
            r#"{"email":"a@b.example","email":"c@d.example","password":"x","account":"brand"}"#,
        ),
        ("/v1/brand/api-keys", token, r#"{"name":"a","name":"b"}"#),
        (
            "/v1/brand/programs",
            token,
            r#"{"name":"P","commission":{"type":"percent","rate":"10","rate":"90"}}"#,
        ),
    ];
    for (path, token, body) in cases {
        app.post_raw(path, token, body)
            .await
            .assert_problem(400, "malformed_json");
    }
    assert_eq!(app.count("api_keys"), 0);
    assert_eq!(app.count("programs"), 0);
}

/// One span's fields as (name, value) pairs.
type SpanFields = Vec<(String, String)>;

/// The fields of every request span whose user agent starts with
/// `framing-log-test`, from a subscriber installed once for the whole test binary
/// (actix-web's workers run on their own threads, so a thread-local one would miss them).
fn logged_request_spans() -> &'static Mutex<Vec<SpanFields>> {
    use tracing_subscriber::layer::SubscriberExt;

    static SPANS: OnceLock<Mutex<Vec<SpanFields>>> = OnceLock::new();
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(RequestSpans));
    });
    SPANS.get_or_init(Mutex::default)
}

struct RequestSpans;

#[derive(Default)]
struct FieldList(SpanFields);

impl tracing::field::Visit for FieldList {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for RequestSpans {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if attrs.metadata().name() != "HTTP request" {
            return;
        }
        let mut fields = FieldList::default();
        attrs.record(&mut fields);
        if fields
            .0
            .iter()
            .any(|(name, value)| name == "http.user_agent" && value.starts_with("framing-log-test"))
        {
            logged_request_spans()
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(fields.0);
        }
    }
}

#[tokio::test]
async fn a_query_string_is_never_written_to_the_request_log() {
    let spans = logged_request_spans();
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    let agent = format!("framing-log-test-{}", uuid::Uuid::now_v7());
    let reply = app
        .client
        .get(app.url("/v1/brand/orders?access_token=s3cret-in-query&limit=5"))
        .bearer_auth(&brand.access_token)
        .header("user-agent", &agent)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // No route reads a token from the query (an unknown parameter is refused), but the
    // request is logged all the same.
    assert_eq!(reply.status().as_u16(), 422);
    let logged: Vec<_> = spans
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter(|fields| fields.iter().any(|(_, value)| *value == agent))
        .cloned()
        .collect();
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert!(
        logged[0]
            .iter()
            .any(|(name, value)| name == "http.target" && value == "/v1/brand/orders"),
        "{logged:?}"
    );
    assert!(
        !logged[0].iter().any(|(_, value)| value.contains("s3cret")),
        "{logged:?}"
    );
}
