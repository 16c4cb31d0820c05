//! Configuration from the environment. Every variable is listed in the README.

use std::time::Duration;

use crate::auth::jwt::MIN_SECRET_BYTES;
use crate::store::{DbTarget, SqliteSync};

mod proxies;

pub use proxies::TrustedProxies;

/// Requests per second per key for code checks and quotes (burst twice that), unless
/// `REFTRACK_CHECKOUT_LOOKUPS_PER_SEC` says otherwise.
pub const CHECKOUT_PER_SECOND: u32 = 50;

/// Which budgets guard sign-up and login (`REFTRACK_RATE_LIMITS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RateLimits {
    /// The standard budgets of `api::limits`: for anything reachable from the internet.
    #[default]
    Standard,
    /// Budgets no one reaches by hand, for a developer's machine. Refused together
    /// with an https `REFTRACK_PUBLIC_URL` (see `config`), and logged at start.
    Relaxed,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Clone)]
pub struct Config {
    /// `DATABASE_URL`: `postgres://…`, `sqlite://path` or a path; default `reftrack.db`.
    pub database: DbTarget,
    /// `REFTRACK_BIND`: default `127.0.0.1:8080`.
    pub bind: String,
    /// `REFTRACK_JWT_SECRET`: at least 32 bytes; unset means a generated secret kept in
    /// the database.
    pub jwt_secret: Option<String>,
    /// `REFTRACK_SQLITE_SYNC`: `full` (default) or `normal`.
    pub sqlite_sync: SqliteSync,
    /// `REFTRACK_LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// `REFTRACK_PUBLIC_URL`: the base of referral links handed to ambassadors
    /// (`{public_url}/r/{brand_slug}/{code}`); default `http://{bind}`.
    pub public_url: String,
    /// `REFTRACK_JOBS_INTERVAL_SECS`: seconds between maturation passes inside `serve`
    /// (default 60; 0 turns the in-process job off, for deployments that run
    /// `reftrack jobs run-once` from cron instead).
    pub jobs_interval_secs: u64,
    /// `REFTRACK_CHECKOUT_LOOKUPS_PER_SEC`: code checks and quotes per second per API
    /// key (default 50, burst twice that). The miss budget (30 a minute) is fixed.
    pub checkout_lookups_per_sec: u32,
    /// `REFTRACK_TRUSTED_PROXIES`: reverse proxies (addresses and CIDR blocks, comma
    /// separated) whose `X-Forwarded-For` names the client; default none, so the client
    /// is the TCP peer.
    pub trusted_proxies: TrustedProxies,
    /// `REFTRACK_RATE_LIMITS`: `standard` (default) or `relaxed`, which lifts the
    /// sign-up and login budgets for local try-outs; refused with an https public URL.
    pub rate_limits: RateLimits,
    /// `REFTRACK_BODY_TIMEOUT_SECS`: how long a request body may take to arrive, whole
    /// (default 15); past it the answer is 408 and the connection is closed.
    pub body_read_timeout: Duration,
    /// `REFTRACK_ENCRYPTION_KEY`: 64 hex digits sealing the shops' webhook secrets
    /// (AES-256-GCM); unset means a key generated once and kept in the database.
    pub encryption_key: Option<[u8; 32]>,
    /// `REFTRACK_WEBHOOK_RETRY_SCHEDULE`: seconds before each retry of a webhook
    /// delivery, comma-separated (default 5,300,1800,7200,18000,36000,36000).
    pub webhook_retry_schedule: Vec<u64>,
    /// `REFTRACK_WEBHOOKS_ALLOW_PRIVATE`: `true` lets webhooks reach loopback and private
    /// addresses (tests, private deployments); default `false`.
    pub webhooks_allow_private: bool,
    /// `REFTRACK_SMTP_URL`: `smtp://…`, `smtps://…`; unset means no e-mail. Holds a
    /// password: never logged.
    pub smtp_url: Option<String>,
    /// `REFTRACK_MAIL_FROM`: the sender of every e-mail; required with an SMTP URL.
    pub mail_from: Option<String>,
    /// `REFTRACK_MAIL_RETRY_SCHEDULE`: seconds before each retry of an e-mail.
    pub mail_retry_schedule: Vec<u64>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("backend", &self.database.backend())
            .field("bind", &self.bind)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "<set>"))
            .field("sqlite_sync", &self.sqlite_sync)
            .field("log_format", &self.log_format)
            .field("public_url", &self.public_url)
            .field("jobs_interval_secs", &self.jobs_interval_secs)
            .field("checkout_lookups_per_sec", &self.checkout_lookups_per_sec)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("rate_limits", &self.rate_limits)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("encryption_key", &self.encryption_key.as_ref().map(|_| "<set>"))
            .field("webhook_retry_schedule", &self.webhook_retry_schedule)
            .field("webhooks_allow_private", &self.webhooks_allow_private)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<set>"))
            .field("mail_from", &self.mail_from)
            .field("mail_retry_schedule", &self.mail_retry_schedule)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("DATABASE_URL: {0}")]
    Database(#[from] crate::store::conn::TargetError),
    #[error("REFTRACK_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")]
    ShortSecret,
    #[error("REFTRACK_ENCRYPTION_KEY {0}")]
    EncryptionKey(String),
    #[error("REFTRACK_WEBHOOK_RETRY_SCHEDULE {0}")]
    RetrySchedule(String),
    #[error("REFTRACK_MAIL_RETRY_SCHEDULE {0}")]
    MailRetrySchedule(String),
    #[error("REFTRACK_MAIL_FROM must be set with REFTRACK_SMTP_URL (the sender of every e-mail)")]
    MailFromMissing,
    #[error("REFTRACK_PUBLIC_URL {0}")]
    PublicUrl(String),
    #[error(
        "REFTRACK_RATE_LIMITS=relaxed is for local try-outs and is refused with an https REFTRACK_PUBLIC_URL (a public deployment); unset it"
    )]
    RelaxedInProduction,
    #[error("{name} must be one of {allowed}, not `{value}`")]
    Invalid {
        name: &'static str,
        allowed: &'static str,
        value: String,
    },
}

pub const DEFAULT_DATABASE: &str = "reftrack.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_JOBS_INTERVAL_SECS: u64 = 60;
/// A body of at most 64 KiB that takes longer than this is held open on purpose.
pub const DEFAULT_BODY_TIMEOUT_SECS: u64 = 15;

impl Config {
    /// The SQLite file `DATABASE_URL` names (as an absolute path), when it does not
    /// exist yet; `None` for PostgreSQL and for a file that exists. Commands that only
    /// make sense on a database with data refuse to run then: opening the file would
    /// create an empty database, and a job run from cron in the wrong directory would
    /// report "approved 0 entries" there every time.
    pub fn missing_sqlite_file(&self) -> Option<std::path::PathBuf> {
        self.database.missing_file()
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Builds the configuration from any variable source (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database = DbTarget::parse(&get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE.to_owned()))?;
        let jwt_secret = get("REFTRACK_JWT_SECRET");
        let encryption_key = get("REFTRACK_ENCRYPTION_KEY")
            .map(|key| crate::auth::sealing::Sealer::parse_key(&key))
            .transpose()
            .map_err(ConfigError::EncryptionKey)?;
        let webhook_retry_schedule = match get("REFTRACK_WEBHOOK_RETRY_SCHEDULE") {
            Some(text) => crate::service::webhooks::schedule::parse(&text).map_err(ConfigError::RetrySchedule)?,
            None => crate::service::webhooks::schedule::DEFAULT_RETRY_SCHEDULE.to_vec(),
        };
        let mail_retry_schedule = match get("REFTRACK_MAIL_RETRY_SCHEDULE") {
            Some(text) => crate::service::webhooks::schedule::parse(&text).map_err(ConfigError::MailRetrySchedule)?,
            None => crate::service::mail::delivery::DEFAULT_RETRY_SCHEDULE.to_vec(),
        };
        let smtp_url = get("REFTRACK_SMTP_URL");
        let mail_from = get("REFTRACK_MAIL_FROM");
        if smtp_url.is_some() && mail_from.is_none() {
            return Err(ConfigError::MailFromMissing);
        }
        let webhooks_allow_private = match get("REFTRACK_WEBHOOKS_ALLOW_PRIVATE")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "REFTRACK_WEBHOOKS_ALLOW_PRIVATE",
                    allowed: "true, false",
                    value: other.to_owned(),
                });
            }
        };
        if jwt_secret.as_ref().is_some_and(|s| s.len() < MIN_SECRET_BYTES) {
            return Err(ConfigError::ShortSecret);
        }
        let sqlite_sync = match get("REFTRACK_SQLITE_SYNC")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("full") => SqliteSync::Full,
            Some("normal") => SqliteSync::Normal,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "REFTRACK_SQLITE_SYNC",
                    allowed: "full, normal",
                    value: other.to_owned(),
                });
            }
        };
        let log_format = match get("REFTRACK_LOG_FORMAT")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "REFTRACK_LOG_FORMAT",
                    allowed: "text, json",
                    value: other.to_owned(),
                });
            }
        };
        let bind = get("REFTRACK_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let public_url = match get("REFTRACK_PUBLIC_URL") {
            Some(url) => crate::domain::LandingUrl::parse(&url)
                .map(|u| u.as_str().trim_end_matches('/').to_owned())
                .map_err(ConfigError::PublicUrl)?,
            None => format!("http://{bind}"),
        };
        let jobs_interval_secs = match get("REFTRACK_JOBS_INTERVAL_SECS") {
            None => DEFAULT_JOBS_INTERVAL_SECS,
            Some(value) => value.trim().parse().map_err(|_| ConfigError::Invalid {
                name: "REFTRACK_JOBS_INTERVAL_SECS",
                allowed: "a whole number of seconds",
                value,
            })?,
        };
        let checkout_lookups_per_sec = match get("REFTRACK_CHECKOUT_LOOKUPS_PER_SEC") {
            None => CHECKOUT_PER_SECOND,
            Some(value) => value
                .trim()
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(ConfigError::Invalid {
                    name: "REFTRACK_CHECKOUT_LOOKUPS_PER_SEC",
                    allowed: "a whole number of requests per second, at least 1",
                    value,
                })?,
        };
        let trusted_proxies = match get("REFTRACK_TRUSTED_PROXIES") {
            None => TrustedProxies::default(),
            Some(list) => TrustedProxies::parse(&list).map_err(|entry| ConfigError::Invalid {
                name: "REFTRACK_TRUSTED_PROXIES",
                allowed: "IP addresses and CIDR blocks separated by commas",
                value: entry,
            })?,
        };
        let body_read_timeout = match get("REFTRACK_BODY_TIMEOUT_SECS") {
            None => Duration::from_secs(DEFAULT_BODY_TIMEOUT_SECS),
            Some(value) => value
                .trim()
                .parse()
                .ok()
                .filter(|secs| (1..=3600).contains(secs))
                .map(Duration::from_secs)
                .ok_or(ConfigError::Invalid {
                    name: "REFTRACK_BODY_TIMEOUT_SECS",
                    allowed: "a whole number of seconds from 1 to 3600",
                    value,
                })?,
        };
        let rate_limits = match get("REFTRACK_RATE_LIMITS")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("standard") => RateLimits::Standard,
            Some("relaxed") => RateLimits::Relaxed,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "REFTRACK_RATE_LIMITS",
                    allowed: "standard, relaxed",
                    value: other.to_owned(),
                });
            }
        };
        // Links that start with https are handed to the public: a server that serves
        // them keeps its budgets, whatever was left in its environment.
        if rate_limits == RateLimits::Relaxed && public_url.to_ascii_lowercase().starts_with("https://") {
            return Err(ConfigError::RelaxedInProduction);
        }
        Ok(Self {
            rate_limits,
            body_read_timeout,
            encryption_key,
            webhook_retry_schedule,
            webhooks_allow_private,
            smtp_url,
            mail_from,
            mail_retry_schedule,
            database,
            bind,
            public_url,
            jobs_interval_secs,
            checkout_lookups_per_sec,
            trusted_proxies,
            jwt_secret,
            sqlite_sync,
            log_format,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: std::collections::HashMap<String, String> =
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_a_local_sqlite_file_and_full_sync() {
        let config = with(&[]).ok();
        assert_eq!(
            config.as_ref().map(|c| c.database.clone()),
            Some(DbTarget::Sqlite("reftrack.db".into()))
        );
        assert_eq!(config.as_ref().map(|c| c.sqlite_sync), Some(SqliteSync::Full));
        assert_eq!(
            config.as_ref().map(|c| c.trusted_proxies.clone()),
            Some(TrustedProxies::default())
        );
        assert_eq!(config.as_ref().map(|c| c.rate_limits), Some(RateLimits::Standard));
        assert_eq!(
            config.as_ref().map(|c| c.body_read_timeout),
            Some(Duration::from_secs(15))
        );
        assert_eq!(config.map(|c| c.bind), Some("127.0.0.1:8080".to_owned()));
    }

    #[test]
    fn body_timeout_is_whole_seconds_from_one_to_an_hour() {
        for bad in ["0", "-1", "1.5", "3601", "soon"] {
            assert!(
                matches!(
                    with(&[("REFTRACK_BODY_TIMEOUT_SECS", bad)]),
                    Err(ConfigError::Invalid { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            with(&[("REFTRACK_BODY_TIMEOUT_SECS", "2")])
                .ok()
                .map(|c| c.body_read_timeout),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn a_missing_sqlite_file_is_named_by_its_absolute_path() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let missing = dir.path().join("nothing-here.db");
        let config = with(&[("DATABASE_URL", &missing.to_string_lossy())]).ok();
        assert_eq!(config.and_then(|c| c.missing_sqlite_file()), Some(missing.clone()));
        std::fs::write(&missing, b"").ok();
        let config = with(&[("DATABASE_URL", &format!("sqlite://{}", missing.display()))]).ok();
        assert_eq!(config.map(|c| c.missing_sqlite_file()), Some(None));
        let relative = with(&[("DATABASE_URL", "sqlite:no/such/dir/reftrack.db")])
            .ok()
            .and_then(|c| c.missing_sqlite_file());
        assert!(
            relative
                .as_ref()
                .is_some_and(|p| p.is_absolute() && p.ends_with("no/such/dir/reftrack.db")),
            "{relative:?}"
        );
        let postgres = with(&[("DATABASE_URL", "postgres://localhost/none")]).ok();
        assert_eq!(postgres.map(|c| c.missing_sqlite_file()), Some(None));
    }

    #[test]
    fn relaxed_rate_limits_are_accepted_only_without_an_https_public_url() {
        assert_eq!(
            with(&[("REFTRACK_RATE_LIMITS", "relaxed")]).ok().map(|c| c.rate_limits),
            Some(RateLimits::Relaxed)
        );
        assert_eq!(
            with(&[
                ("REFTRACK_RATE_LIMITS", "Relaxed"),
                ("REFTRACK_PUBLIC_URL", "http://localhost:8080")
            ])
            .ok()
            .map(|c| c.rate_limits),
            Some(RateLimits::Relaxed)
        );
        assert!(matches!(
            with(&[
                ("REFTRACK_RATE_LIMITS", "relaxed"),
                ("REFTRACK_PUBLIC_URL", "https://go.acme.example")
            ]),
            Err(ConfigError::RelaxedInProduction)
        ));
        assert!(matches!(
            with(&[("REFTRACK_RATE_LIMITS", "off")]),
            Err(ConfigError::Invalid {
                name: "REFTRACK_RATE_LIMITS",
                ..
            })
        ));
        assert_eq!(
            with(&[
                ("REFTRACK_RATE_LIMITS", "standard"),
                ("REFTRACK_PUBLIC_URL", "https://go.acme.example")
            ])
            .ok()
            .map(|c| c.rate_limits),
            Some(RateLimits::Standard)
        );
    }

    #[test]
    fn mail_needs_a_sender_and_keeps_the_smtp_password_out_of_debug() {
        assert!(matches!(
            with(&[("REFTRACK_SMTP_URL", "smtp://127.0.0.1:25")]),
            Err(ConfigError::MailFromMissing)
        ));
        assert!(matches!(
            with(&[("REFTRACK_MAIL_RETRY_SCHEDULE", "60,soon")]),
            Err(ConfigError::MailRetrySchedule(_))
        ));
        let config = with(&[
            ("REFTRACK_SMTP_URL", "smtps://user:hunter2@smtp.example.com"),
            ("REFTRACK_MAIL_FROM", "Rewards <rewards@example.com>"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.mail_retry_schedule, [60, 300, 1800, 7200, 21_600]);
        assert!(!format!("{config:?}").contains("hunter2"));
        assert!(with(&[]).is_ok_and(|c| c.smtp_url.is_none()));
    }

    #[test]
    fn refuses_short_secrets_and_unknown_values() {
        assert!(matches!(
            with(&[("REFTRACK_JWT_SECRET", "short")]),
            Err(ConfigError::ShortSecret)
        ));
        assert!(matches!(
            with(&[("REFTRACK_SQLITE_SYNC", "off")]),
            Err(ConfigError::Invalid { .. })
        ));
        assert!(matches!(
            with(&[("DATABASE_URL", "mysql://x")]),
            Err(ConfigError::Database(_))
        ));
        for bad in ["0", "-5", "fast"] {
            assert!(matches!(
                with(&[("REFTRACK_CHECKOUT_LOOKUPS_PER_SEC", bad)]),
                Err(ConfigError::Invalid { .. })
            ));
        }
        assert_eq!(
            with(&[("REFTRACK_CHECKOUT_LOOKUPS_PER_SEC", "400")])
                .ok()
                .map(|c| c.checkout_lookups_per_sec),
            Some(400)
        );
        assert!(matches!(
            with(&[("REFTRACK_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal")]),
            Err(ConfigError::Invalid { value, .. }) if value == "proxy.internal"
        ));
        assert_eq!(
            with(&[("REFTRACK_TRUSTED_PROXIES", "10.0.0.0/8, ::1")])
                .ok()
                .map(|c| c.trusted_proxies),
            TrustedProxies::parse("10.0.0.0/8,::1").ok()
        );
    }
}
