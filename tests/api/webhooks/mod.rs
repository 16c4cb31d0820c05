//! Webhooks to the brand's systems: endpoints, signed deliveries of outbox events, retries,
//! and the SSRF guard, against a receiver started here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod delivery;
mod endpoints;

use std::collections::VecDeque;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

use crate::helpers::{TestApp, config_for};
use reftrack::service::events::dispatch::{self, Dispatcher, PassReport};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A webhook receiver on a local port: records every request and answers the statuses
/// queued (200 once the queue is empty); a status of 302 redirects to itself.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let answers: Arc<Mutex<VecDeque<u16>>> = Arc::default();
        let (g, a) = (got.clone(), answers.clone());
        let server = HttpServer::new(move || {
            let (g, a) = (g.clone(), a.clone());
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let (g, a) = (g.clone(), a.clone());
                async move {
                    let headers = req
                        .headers()
                        .iter()
                        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                        .collect();
                    g.lock().unwrap().push(Received {
                        headers,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let status = a.lock().unwrap().pop_front().unwrap_or(200);
                    let mut answer = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
                    if status == 302 {
                        answer.insert_header(("location", req.uri().to_string()));
                    }
                    answer.finish()
                }
            }))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self { url, got, answers }
    }

    pub fn answer(&self, statuses: &[u16]) {
        self.answers.lock().unwrap().extend(statuses);
    }

    pub fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

impl TestApp {
    /// What sends webhooks and e-mail, as the server builds it, with private addresses
    /// allowed or not.
    pub fn dispatcher_with(&self, allow_private: bool) -> Dispatcher {
        let mut config = config_for(&self.database.target, None);
        config.webhooks_allow_private = allow_private;
        reftrack::startup::dispatcher(&config, &self.db, self.clock.clone()).unwrap()
    }

    /// One webhook pass (fan-out and attempts) at the clock's now.
    pub async fn webhook_pass(&self) -> PassReport {
        let now = reftrack::clock::Clock::now(self.clock.as_ref());
        dispatch::webhook_pass(&self.db, &self.dispatcher, now).await.unwrap()
    }

    /// An endpoint for `url`; returns (id, secret).
    pub async fn add_webhook(&self, brand_token: &str, url: &str, events: &[&str]) -> (String, String) {
        let reply = self
            .post(
                "/v1/brand/webhooks",
                Some(brand_token),
                &json!({"url": url, "events": events}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        (
            reply.body["id"].as_str().unwrap().to_owned(),
            reply.body["secret"].as_str().unwrap().to_owned(),
        )
    }
}
