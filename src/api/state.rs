//! What every request handler can reach: the application state built at start-up.

use std::sync::Arc;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: crate::store::Db,
    pub jwt: crate::auth::JwtKeys,
    pub clock: Arc<dyn crate::clock::Clock>,
    /// Keyed hashing of IPs, user agents and customer e-mails.
    pub pepper: crate::auth::pepper::Pepper,
    /// Seals and opens the shops' webhook signing secrets.
    pub sealer: crate::auth::sealing::Sealer,
    /// Sends webhook deliveries (test events and retries the brand asks for).
    pub webhooks: crate::service::webhooks::delivery::Sender,
    /// Where use cases write the e-mail they send (closed without SMTP).
    pub postbox: crate::service::mail::Postbox,
    pub reset_limits: Arc<super::limits::LoginLimits>,
    pub checkout_limits: Arc<super::limits::CheckoutLimits>,
    pub login_limits: Arc<super::limits::LoginLimits>,
    pub signup_limits: Arc<super::limits::AddressBudget>,
    pub link_limits: Arc<super::limits::AddressBudget>,
    /// Proxies whose `X-Forwarded-For` names the client (`REFTRACK_TRUSTED_PROXIES`).
    pub trusted_proxies: super::client_ip::TrustedProxies,
    /// Base URL of referral links, without a trailing slash.
    pub public_url: String,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Recently verified checkout API keys.
    pub api_keys: Arc<super::key_cache::ApiKeyCache>,
}
