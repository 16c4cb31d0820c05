//! Requests reftrack makes to the brands' systems (webhooks): reqwest with rustls, a
//! 15-second timeout, no redirects (a 3xx is an answer, and not a success), and the
//! address rule of [`addresses`] applied when connecting, unless private addresses are
//! allowed (`REFTRACK_WEBHOOKS_ALLOW_PRIVATE=true`, for tests and private deployments).
//! Response bodies are not read.

pub mod addresses;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::{Host, Url};

/// How long one request may take, whole.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// What the receiver answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub latency_ms: i64,
    /// `Retry-After` in seconds, when the receiver sent one.
    pub retry_after_secs: Option<u64>,
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The URL's host is, or resolves only to, addresses reftrack does not connect to.
    #[error("refused: {0} is not a public address")]
    NotPublic(String),
    #[error("no answer within {} seconds", TIMEOUT.as_secs())]
    Timeout,
    #[error("{0}")]
    Failed(String),
}

#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    allow_private: bool,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("allow_private", &self.allow_private)
            .finish()
    }
}

impl Outbound {
    pub fn new(allow_private: bool) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .user_agent(concat!("reftrack-webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(GuardedResolver { allow_private }))
            .build()?;
        Ok(Self { client, allow_private })
    }

    /// POSTs a JSON `body` with `headers` to `url`.
    pub async fn post_json(&self, url: &Url, headers: &[(&str, String)], body: Vec<u8>) -> Result<Answer, SendError> {
        // A literal address is not resolved, so the rule is checked here for it.
        let literal = match url.host() {
            Some(Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            Some(Host::Domain(_)) | None => None,
        };
        if let Some(ip) = literal
            && !self.allow_private
            && !addresses::is_public(ip)
        {
            return Err(SendError::NotPublic(ip.to_string()));
        }
        let mut map = HeaderMap::new();
        map.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for (name, value) in headers {
            if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
                map.insert(name, value);
            }
        }
        let started = Instant::now();
        let response = self
            .client
            .post(url.clone())
            .headers(map)
            .body(body)
            .send()
            .await
            .map_err(|err| describe(&err))?;
        let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let retry_after_secs = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        Ok(Answer {
            status: response.status().as_u16(),
            latency_ms,
            retry_after_secs,
        })
    }
}

/// A failed request in words for the brand, naming the refused address when that was it.
fn describe(err: &reqwest::Error) -> SendError {
    if err.is_timeout() {
        return SendError::Timeout;
    }
    let mut source: Option<&dyn std::error::Error> = Some(err);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<NotPublicName>() {
            return SendError::NotPublic(refused.0.clone());
        }
        source = cause.source();
    }
    SendError::Failed(if err.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    })
}

#[derive(Debug, thiserror::Error)]
#[error("{0} resolves to no public address")]
struct NotPublicName(String);

/// Resolves names with the system resolver and keeps only the addresses the rule allows.
struct GuardedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found
                .filter(|addr| allow_private || addresses::is_public(addr.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(Box::new(NotPublicName(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
