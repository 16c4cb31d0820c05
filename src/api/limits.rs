//! Rate limits, with the `governor` crate (GCRA): at checkout per API key, and on the
//! public routes (login, sign-up, referral links) per client address.
//!
//! Checkout has two budgets: every code check or quote spends from a generous request
//! budget; every *miss* (a code that does not exist or cannot be used) also spends from
//! a small miss budget. When the miss budget runs out, the key is locked out of code
//! checks until it refills — hits included — so a burst of guesses cannot tell valid
//! codes from invalid ones by which requests still succeed.
//!
//! Budgets live in each process's memory: with N instances a key gets N times the
//! budget, which still caps guessing at a rate far below enumeration.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::ApiError;
use super::client_ip::ClientIp;
use crate::store::ids::ApiKeyId;

pub use crate::config::{CHECKOUT_PER_SECOND, RateLimits};
/// Misses per minute per key before the key is locked out of code checks.
pub const MISSES_PER_MINUTE: u32 = 30;

pub struct CheckoutLimits {
    requests: DefaultKeyedRateLimiter<ApiKeyId>,
    misses: DefaultKeyedRateLimiter<ApiKeyId>,
    locked_until: Mutex<HashMap<ApiKeyId, Instant>>,
    clock: DefaultClock,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl Default for CheckoutLimits {
    fn default() -> Self {
        Self::new(CHECKOUT_PER_SECOND, MISSES_PER_MINUTE)
    }
}

impl CheckoutLimits {
    pub fn new(per_second: u32, misses_per_minute: u32) -> Self {
        Self {
            requests: RateLimiter::keyed(
                Quota::per_second(nonzero(per_second)).allow_burst(nonzero(per_second.saturating_mul(2))),
            ),
            misses: RateLimiter::keyed(Quota::per_minute(nonzero(misses_per_minute))),
            locked_until: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
        }
    }

    /// Spends one request of a code lookup; 429 when the key is over its budget or
    /// locked out after too many misses.
    pub fn check_lookup(&self, key: ApiKeyId) -> Result<(), ApiError> {
        let now = Instant::now();
        {
            let mut locked = self.locked_until.lock().unwrap_or_else(|p| p.into_inner());
            match locked.get(&key) {
                Some(until) if *until > now => return Err(retry_after(*until - now)),
                Some(_) => {
                    locked.remove(&key);
                }
                None => {}
            }
        }
        self.check_request(key)
    }

    /// Spends one request that looks no code up (a quote without a code): the miss
    /// lock-out does not apply, so one customer's guessing cannot block everyone's cart.
    pub fn check_request(&self, key: ApiKeyId) -> Result<(), ApiError> {
        self.requests
            .check_key(&key)
            .map_err(|not_until| retry_after(not_until.wait_time_from(self.clock.now())))
    }

    /// Records a miss; when the miss budget is spent, locks the key out and answers 429
    /// instead of the miss.
    pub fn record_miss(&self, key: ApiKeyId) -> Result<(), ApiError> {
        match self.misses.check_key(&key) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let mut locked = self.locked_until.lock().unwrap_or_else(|p| p.into_inner());
                locked.insert(key, Instant::now() + wait);
                Err(retry_after(wait))
            }
        }
    }
}

/// 429 with `Retry-After`: whole seconds, rounded up.
pub fn retry_after(wait: Duration) -> ApiError {
    ApiError::too_many_requests(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
}

/// Login attempts per e-mail address per minute.
pub const LOGINS_PER_EMAIL_PER_MINUTE: u32 = 10;
/// Login attempts per client address per minute (offices share one address).
pub const LOGINS_PER_IP_PER_MINUTE: u32 = 60;
/// Sign-ups per client address per hour: a burst of ten (a team on one office
/// network), then one every six minutes, so a flood from one address costs at most
/// that many argon2id hashes and creates at most that many accounts.
pub const SIGNUPS_PER_IP_PER_HOUR: u32 = 10;
/// Password-reset requests per e-mail address per hour: each one sends an e-mail, so the
/// budget keeps anyone from flooding an inbox.
pub const RESETS_PER_EMAIL_PER_HOUR: u32 = 5;
/// Referral link follows per client address per minute that look the code up; past
/// that the visitor still reaches the landing page, but no code is looked up and no
/// click is recorded (see `links`).
pub const LINK_FOLLOWS_PER_IP_PER_MINUTE: u32 = 60;
/// `REFTRACK_RATE_LIMITS=relaxed`, for local try-outs only: sign-ups and logins per
/// client address and per e-mail. Everyone on a developer's machine is one loopback
/// address, so the standard budgets stop a day of trying things out within minutes.
/// High enough never to be reached by hand or by a test script, still finite.
pub const RELAXED_SIGNUPS_PER_IP_PER_HOUR: u32 = 100_000;
pub const RELAXED_LOGINS_PER_MINUTE: u32 = 100_000;
/// Keys kept before idle ones are dropped, so a flood of addresses cannot grow memory.
const MAX_TRACKED_KEYS: usize = 50_000;

/// The sign-up budget for `mode`.
pub fn signup_limits(mode: RateLimits) -> AddressBudget {
    match mode {
        RateLimits::Standard => AddressBudget::per_hour(SIGNUPS_PER_IP_PER_HOUR),
        RateLimits::Relaxed => AddressBudget::per_hour(RELAXED_SIGNUPS_PER_IP_PER_HOUR),
    }
}

/// The login budgets for `mode`.
pub fn login_limits(mode: RateLimits) -> LoginLimits {
    match mode {
        RateLimits::Standard => LoginLimits::default(),
        RateLimits::Relaxed => LoginLimits::new(RELAXED_LOGINS_PER_MINUTE, RELAXED_LOGINS_PER_MINUTE),
    }
}

/// The password-reset budgets for `mode`: per e-mail per hour, per client address as login.
pub fn reset_limits(mode: RateLimits) -> LoginLimits {
    match mode {
        RateLimits::Standard => LoginLimits::with_quotas(
            Quota::per_hour(nonzero(RESETS_PER_EMAIL_PER_HOUR)),
            LOGINS_PER_IP_PER_MINUTE,
        ),
        RateLimits::Relaxed => LoginLimits::new(RELAXED_LOGINS_PER_MINUTE, RELAXED_LOGINS_PER_MINUTE),
    }
}

/// A budget per client address (an IPv6 client counts as its /64).
pub struct AddressBudget {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl AddressBudget {
    pub fn per_minute(n: u32) -> Self {
        Self::new(Quota::per_minute(nonzero(n)))
    }

    pub fn per_hour(n: u32) -> Self {
        Self::new(Quota::per_hour(nonzero(n)))
    }

    fn new(quota: Quota) -> Self {
        Self {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Spends one from `client`'s budget; 429 with `Retry-After` when it is spent.
    pub fn check(&self, client: ClientIp) -> Result<(), ApiError> {
        self.spend(client).map_err(retry_after)
    }

    /// Spends one from `client`'s budget; how long to wait when it is spent.
    pub fn spend(&self, client: ClientIp) -> Result<(), Duration> {
        if self.limiter.len() > MAX_TRACKED_KEYS {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&client.budget_key())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// Rate limits on `POST /v1/auth/login`: per e-mail (guessing one account's password)
/// and per client address (spraying many accounts). Both answer 429 with `Retry-After`.
pub struct LoginLimits {
    by_email: DefaultKeyedRateLimiter<String>,
    by_address: AddressBudget,
    clock: DefaultClock,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self::new(LOGINS_PER_EMAIL_PER_MINUTE, LOGINS_PER_IP_PER_MINUTE)
    }
}

impl LoginLimits {
    pub fn new(per_email_per_minute: u32, per_address_per_minute: u32) -> Self {
        Self::with_quotas(Quota::per_minute(nonzero(per_email_per_minute)), per_address_per_minute)
    }

    fn with_quotas(per_email: Quota, per_address_per_minute: u32) -> Self {
        Self {
            by_email: RateLimiter::keyed(per_email),
            by_address: AddressBudget::per_minute(per_address_per_minute),
            clock: DefaultClock::default(),
        }
    }

    /// Spends one from the client address's budget only (a request that names no e-mail).
    pub fn check_address(&self, client: ClientIp) -> Result<(), ApiError> {
        self.by_address.check(client)
    }

    pub fn check(&self, client: ClientIp, email: &str) -> Result<(), ApiError> {
        self.spend(client, email).map_err(retry_after)
    }

    /// Spends one attempt of `client` on `email` (as [`sessions::login_email`] spells
    /// it); how long to wait when a budget is spent. A password change spends here too,
    /// so checking the current password is no second way of guessing it.
    ///
    /// [`sessions::login_email`]: crate::service::sessions::login_email
    pub fn spend(&self, client: ClientIp, email: &str) -> Result<(), Duration> {
        self.by_address.spend(client)?;
        if self.by_email.len() > MAX_TRACKED_KEYS {
            self.by_email.retain_recent();
        }
        let key: String = email.chars().take(256).collect();
        self.by_email
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}
