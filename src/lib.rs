//! reftrack: a self-hosted affiliate backend for brands that work with
//! micro-influencers. This crate builds the HTTP application for the binary and for
//! the tests from one place ([`startup`]).

pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod domain;
pub mod jobs;
pub mod metrics;
pub mod seed;
pub mod service;
pub mod startup;
pub mod store;
pub mod telemetry;

use std::sync::Arc;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: store::Db,
    pub jwt: auth::JwtKeys,
    pub clock: Arc<dyn clock::Clock>,
    /// Keyed hashing of IPs, user agents and customer e-mails.
    pub pepper: auth::pepper::Pepper,
    pub checkout_limits: Arc<api::limits::CheckoutLimits>,
    pub login_limits: Arc<api::limits::LoginLimits>,
    pub signup_limits: Arc<api::limits::AddressBudget>,
    pub link_limits: Arc<api::limits::AddressBudget>,
    /// Proxies whose `X-Forwarded-For` names the client (`REFTRACK_TRUSTED_PROXIES`).
    pub trusted_proxies: api::client_ip::TrustedProxies,
    /// Base URL of referral links, without a trailing slash.
    pub public_url: String,
    pub metrics: Arc<metrics::Metrics>,
    /// Recently verified checkout API keys.
    pub api_keys: Arc<api::key_cache::ApiKeyCache>,
}
