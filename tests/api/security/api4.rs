//! API4 Unrestricted resource consumption.

use std::io::{Read, Write};

use serde_json::json;

use super::routes::write_routes;
use super::{column, sale};
use crate::helpers::{TestApp, read, spawn_app};

/// gzip of 256 KiB of spaces: 290 bytes on the wire, which are all the server reads.
fn gzip_bomb() -> Vec<u8> {
    let mut bytes = vec![
        31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 237, 193, 49, 1, 0, 0, 0, 194, 160, 42, 235, 159, 210, 219, 14, 64, 1,
    ];
    bytes.extend(std::iter::repeat_n(0u8, 253));
    bytes.extend([188, 1, 52, 160, 47, 146, 0, 0, 4, 0]);
    bytes
}

/// Sends raw bytes on a fresh connection and returns the status line of the answer.
async fn raw_status(app: &TestApp, request: Vec<u8>) -> String {
    let host = app.address.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&host).unwrap_or_else(|e| panic!("{e}"));
        let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(20)));
        // The server may answer and close before it has read everything.
        let _ = stream.write_all(&request);
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        while !answer.windows(2).any(|w| w == b"\r\n") {
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
        let answer = String::from_utf8_lossy(&answer).into_owned();
        answer.lines().next().unwrap_or_default().to_owned()
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Every write route refuses a body over 64 KiB with 413, whether the size is declared
/// (Content-Length) or only found while reading (chunked); none of it is parsed. A
/// compressed body is never inflated (F8 in SECURITY.md): the cap counts the bytes
/// received, and a gzip body is not JSON.
#[tokio::test]
async fn every_write_route_refuses_bodies_over_64_kib_however_they_arrive() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let pad = "x".repeat(70 * 1024);
    for (method, _, path, token, _) in write_routes(&p) {
        let body = json!({"pad": pad});
        let reply = app.request(method.clone(), &path, token.as_deref(), Some(&body)).await;
        assert_eq!(reply.status, 413, "{method} {path}: {}", reply.text);
        reply.assert_problem(413, "payload_too_large");
    }

    for (path, token) in [("/v1/brands", None), ("/v1/checkout/orders", Some(p.api_key.as_str()))] {
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n"
        );
        if let Some(token) = token {
            request.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        request.push_str("\r\n");
        let mut bytes = request.into_bytes();
        let chunk = " ".repeat(8 * 1024);
        for _ in 0..9 {
            bytes.extend(format!("{:x}\r\n{chunk}\r\n", chunk.len()).into_bytes());
        }
        bytes.extend(b"0\r\n\r\n");
        let status = raw_status(&app, bytes).await;
        assert!(status.starts_with("HTTP/1.1 413"), "{path} chunked: {status}");
    }

    let reply = read(
        app.client
            .post(app.url("/v1/brands"))
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .body(gzip_bomb())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    )
    .await;
    reply.assert_problem(400, "malformed_json");
    assert_eq!(app.count("brands"), 1);
}

/// Every paginated list answers at most 200 items a page and refuses parameters it does
/// not know (a misspelt `limit` is not silently the default).
#[tokio::test]
async fn lists_cap_the_page_at_200_and_refuse_unknown_parameters() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let brand = Some(p.brand.access_token.as_str());
    let me = Some(p.influencer.access_token.as_str());
    let lists = [
        ("/v1/brand/programs", brand),
        ("/v1/brand/ambassadors", brand),
        ("/v1/brand/rewards", brand),
        ("/v1/brand/orders", brand),
        ("/v1/brand/payouts", brand),
        ("/v1/me/orders", me),
        ("/v1/me/codes", me),
        ("/v1/me/invitations", me),
    ];
    for (path, token) in lists {
        assert_eq!(app.get(&format!("{path}?limit=200"), token).await.status, 200, "{path}");
        for bad in ["limit=201", "limit=0", "limit=-1", "limit=1000000", "per_page=1000"] {
            let reply = app.get(&format!("{path}?{bad}"), token).await;
            reply.assert_problem(422, "validation_failed");
        }
    }
    for (path, token) in [
        ("/v1/brand/stats", brand),
        ("/v1/brand/reports/payouts", brand),
        ("/v1/me/dashboard", me),
    ] {
        app.get(&format!("{path}?limit=100000"), token)
            .await
            .assert_problem(422, "validation_failed");
    }
    // A range longer than a year is refused rather than computed.
    app.get("/v1/brand/stats?from=2000-01-01&to=2026-11-02", brand)
        .await
        .assert_problem(422, "validation_failed");
}

/// Code checks and quotes spend a request budget per key (50/s, burst 100); orders are
/// never rate-limited, so a busy or abusive checkout cannot lose sales.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_checks_have_a_request_budget_per_key_and_orders_have_none() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let tasks: Vec<_> = (0..300)
        .map(|_| {
            let client = app.client.clone();
            let url = app.url(&format!("/v1/checkout/codes/{}", p.code));
            let key = p.api_key.clone();
            tokio::spawn(async move {
                client
                    .get(url)
                    .bearer_auth(key)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap_or(0));
    }
    assert!(statuses.iter().all(|s| *s == 200 || *s == 429), "{statuses:?}");
    assert!(statuses.contains(&429), "no request was limited");
    let order = app
        .post(
            "/v1/checkout/orders",
            Some(&p.api_key),
            &sale("during-the-storm", &p.code),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
}

/// Every database session the server uses bounds how long one statement may hold it:
/// PostgreSQL's `statement_timeout` (30 s) and SQLite's lock wait (`busy_timeout`, 5 s).
#[tokio::test]
async fn database_sessions_carry_statement_and_lock_timeouts() {
    let app = spawn_app().await;
    if app.database.is_postgres() {
        assert_eq!(
            column(&app, "SELECT current_setting('statement_timeout') AS t"),
            ["30s"]
        );
    } else {
        assert_eq!(
            app.scalar("SELECT CAST(timeout AS BIGINT) AS n FROM pragma_busy_timeout()"),
            5000
        );
    }
}
