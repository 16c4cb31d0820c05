//! Caps that hold under concurrency: requests racing from five below a cap leave exactly
//! the cap, and every other request gets the cap's own 422. On PostgreSQL, where
//! writers run side by side, these fail without the row lock taken before counting.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, post_json, spawn_app};

/// How many requests race for the last five places.
const RACERS: usize = 20;

/// Sends every `(method, path, body)` at once and waits for all the answers.
async fn race(app: &TestApp, token: &str, requests: Vec<(reqwest::Method, String, Value)>) -> Vec<Reply> {
    warm_up(app, token).await;
    let handles: Vec<_> = requests
        .into_iter()
        .map(|(method, path, body)| {
            let client = app.client.clone();
            let url = app.url(&path);
            let token = token.to_owned();
            tokio::spawn(async move {
                if method == reqwest::Method::POST {
                    post_json(&client, &url, &token, None, body.to_string()).await
                } else {
                    let response = client
                        .request(method, url)
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("request not sent: {e}"));
                    crate::helpers::read(response).await
                }
            })
        })
        .collect();
    let mut replies = Vec::with_capacity(handles.len());
    for handle in handles {
        replies.push(handle.await.unwrap_or_else(|e| panic!("request task failed: {e}")));
    }
    replies
}

/// Parallel reads first, so the pool holds a connection per racer and the race is not
/// serialised by connections being opened one at a time.
async fn warm_up(app: &TestApp, token: &str) {
    let handles: Vec<_> = (0..RACERS)
        .map(|_| {
            let client = app.client.clone();
            let url = app.url("/v1/brand/api-keys");
            let token = token.to_owned();
            tokio::spawn(async move { client.get(url).bearer_auth(token).send().await.map(drop) })
        })
        .collect();
    for handle in handles {
        let _ = handle.await;
    }
}

/// (successes, cap refusals); panics on any other answer.
fn tally(replies: &[Reply], success: u16, cap_code: &str) -> (usize, usize) {
    let mut counts = (0, 0);
    for reply in replies {
        if reply.status == success {
            counts.0 += 1;
        } else {
            reply.assert_problem(422, cap_code);
            counts.1 += 1;
        }
    }
    counts
}

#[tokio::test]
async fn racing_api_key_creations_stop_at_exactly_fifty_live_keys() {
    let app = spawn_app().await;
    let brand = app.sign_up_brand("acme").await;
    for i in 0..45 {
        app.create_api_key(&brand.access_token, &format!("key {i}")).await;
    }
    let requests = (0..RACERS)
        .map(|i| {
            (
                reqwest::Method::POST,
                "/v1/brand/api-keys".to_owned(),
                json!({"name": format!("racer {i}")}),
            )
        })
        .collect();
    let replies = race(&app, &brand.access_token, requests).await;

    assert_eq!(tally(&replies, 201, "too_many_api_keys"), (5, 15));
    let listed = app.get("/v1/brand/api-keys", Some(&brand.access_token)).await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(50));
    assert_eq!(app.count("api_keys WHERE revoked_at IS NULL"), 50);
}

/// An ambassador (one active code from joining) with four more: five active.
async fn ambassador_with_five_active_codes(app: &TestApp) -> crate::helpers::Program {
    let p = app.program_with_ambassador("acme").await;
    let path = format!("/v1/brand/ambassadors/{}/codes", p.membership_id);
    for _ in 0..4 {
        let reply = app.post(&path, Some(&p.brand.access_token), &json!({})).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    p
}

fn active_codes(app: &TestApp, membership_id: &str) -> i64 {
    // The id is a UUID the server made; it is safe to put into the statement.
    app.count(&format!(
        "codes WHERE membership_id = '{membership_id}' AND active = TRUE"
    ))
}

#[tokio::test]
async fn racing_code_creations_stop_at_exactly_ten_active_codes() {
    let app = spawn_app().await;
    let p = ambassador_with_five_active_codes(&app).await;
    let path = format!("/v1/brand/ambassadors/{}/codes", p.membership_id);
    let requests = (0..RACERS)
        .map(|_| (reqwest::Method::POST, path.clone(), json!({})))
        .collect();
    let replies = race(&app, &p.brand.access_token, requests).await;

    assert_eq!(tally(&replies, 201, "too_many_codes"), (5, 15));
    assert_eq!(active_codes(&app, &p.membership_id), 10);
}

#[tokio::test]
async fn racing_code_reactivations_stop_at_exactly_ten_active_codes() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let token = Some(p.brand.access_token.as_str());
    let path = format!("/v1/brand/ambassadors/{}/codes", p.membership_id);
    // Twenty inactive codes to reactivate, then four more active ones: five active.
    let mut inactive = Vec::new();
    for _ in 0..RACERS {
        let created = app.post(&path, token, &json!({})).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.body["id"].as_str().unwrap_or_default().to_owned();
        let off = app
            .patch(&format!("/v1/brand/codes/{id}"), token, &json!({"active": false}))
            .await;
        assert_eq!(off.status, 200, "{}", off.text);
        inactive.push(id);
    }
    for _ in 0..4 {
        assert_eq!(app.post(&path, token, &json!({})).await.status, 201);
    }
    assert_eq!(active_codes(&app, &p.membership_id), 5);

    let requests = inactive
        .iter()
        .map(|id| {
            (
                reqwest::Method::PATCH,
                format!("/v1/brand/codes/{id}"),
                json!({"active": true}),
            )
        })
        .collect();
    let replies = race(&app, &p.brand.access_token, requests).await;

    assert_eq!(tally(&replies, 200, "too_many_codes"), (5, 15));
    assert_eq!(active_codes(&app, &p.membership_id), 10);
}
