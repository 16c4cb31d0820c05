//! Builds the application on any listener: the binary binds the configured address,
//! the tests bind port 0.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use rand::RngCore;
use tracing_actix_web::TracingLogger;

use crate::api::AppState;
use crate::api::extract::{BodyReadTimeout, MAX_BODY_BYTES};
use crate::api::limits::{self, AddressBudget, CheckoutLimits};
use crate::api::request_span::RequestSpan;
use crate::api::{self, framing};
use crate::auth::JwtKeys;
use crate::auth::pepper::Pepper;
use crate::auth::sealing::Sealer;
use crate::clock::Clock;
use crate::config::Config;
use crate::metrics::{self, Metrics};
use crate::outbound::Outbound;
use crate::service::events::dispatch::Dispatcher;
use crate::service::mail::Postbox;
use crate::service::mail::delivery::Mailer;
use crate::service::webhooks::delivery::Sender;
use crate::store::{self, Db, PoolSettings};

const JWT_SECRET_SETTING: &str = "jwt_secret";
const PEPPER_SETTING: &str = "pepper";
const ENCRYPTION_KEY_SETTING: &str = "encryption_key";

/// Opens the database and applies pending migrations.
pub fn open_database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database, config.sqlite_sync, &PoolSettings::default()).with_context(|| {
        format!(
            "cannot open the {:?} database named by DATABASE_URL",
            config.database.backend()
        )
    })?;
    let mut conn = db.write_conn().context("no connection for migrations")?;
    let applied = store::migrations::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    if !applied.is_empty() {
        tracing::info!(versions = ?applied, "applied migrations");
    }
    if store::totals::ensure_built(&mut conn, chrono::Utc::now()).context("cannot build the running totals")? {
        tracing::info!("built the running totals from the ledger, orders and clicks");
    }
    Ok(db)
}

/// The JWT secret from the configuration, or the one generated once and kept in the
/// database so tokens survive restarts and are shared by every instance.
pub fn jwt_keys(config: &Config, db: &Db, clock: &dyn Clock) -> anyhow::Result<JwtKeys> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(JwtKeys::from_secret(secret.as_bytes()));
    }
    let secret = instance_secret(db, JWT_SECRET_SETTING, clock)?;
    Ok(JwtKeys::from_secret(secret.as_bytes()))
}

/// The keyed hash of IPs, user agents and customer e-mails, generated once per database.
pub fn pepper(db: &Db, clock: &dyn Clock) -> anyhow::Result<Pepper> {
    Ok(Pepper::new(instance_secret(db, PEPPER_SETTING, clock)?.as_bytes()))
}

/// The key that seals shops' webhook secrets: `REFTRACK_ENCRYPTION_KEY`, or one
/// generated once and kept in the database (see `auth::sealing` for the trade-off).
pub fn sealer(config: &Config, db: &Db, clock: &dyn Clock) -> anyhow::Result<Sealer> {
    if let Some(key) = &config.encryption_key {
        return Ok(Sealer::new(key));
    }
    let stored = instance_secret(db, ENCRYPTION_KEY_SETTING, clock)?;
    let key =
        Sealer::parse_key(&stored).map_err(|e| anyhow::anyhow!("the stored encryption key is damaged: it {e}"))?;
    Ok(Sealer::new(&key))
}

/// What tells the brand's systems and people: the webhook sender and the mailer, on the
/// instance's keys, as `serve` and `reftrack jobs run-once` both build them.
pub fn dispatcher(config: &Config, db: &Db, clock: Arc<dyn Clock>) -> anyhow::Result<Dispatcher> {
    let sealer = sealer(config, db, clock.as_ref())?;
    let postbox = Postbox::new(
        sealer.clone(),
        pepper(db, clock.as_ref())?,
        &config.public_url,
        config.smtp_url.is_some(),
    );
    let mailer = Mailer::new(
        postbox.clone(),
        config.smtp_url.as_deref(),
        config.mail_from.as_deref(),
        config.mail_retry_schedule.clone(),
        clock.clone(),
    )?;
    let webhooks = Sender {
        outbound: Outbound::new(config.webhooks_allow_private).context("cannot build the webhook client")?,
        sealer,
        schedule: config.webhook_retry_schedule.clone(),
        postbox,
        clock,
    };
    Ok(Dispatcher { webhooks, mailer })
}

/// A random secret generated once per database and shared by every instance on it.
fn instance_secret(db: &Db, name: &str, clock: &dyn Clock) -> anyhow::Result<String> {
    let mut candidate = [0u8; 32];
    rand::rng().fill_bytes(&mut candidate);
    let candidate = hex::encode(candidate);
    let now = clock.now();
    db.write_blocking(|conn| {
        store::settings::get_or_insert(conn, name, &candidate, now).map_err(store::StoreError::from)
    })
    .with_context(|| format!("cannot read or store the instance secret `{name}`"))
}

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    db: Db,
    metrics: Arc<Metrics>,
    pepper: Pepper,
    dispatcher: Dispatcher,
}

impl Application {
    pub fn build(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&config.bind).with_context(|| format!("cannot bind {}", config.bind))?;
        let db = open_database(config)?;
        Self::build_with(listener, db, config, clock)
    }

    pub fn build_with(listener: TcpListener, db: Db, config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let jwt = jwt_keys(config, &db, clock.as_ref())?;
        crate::auth::password::warm_up();
        let pepper = pepper(&db, clock.as_ref())?;
        let metrics = Arc::new(Metrics::new().context("cannot register the metrics")?);
        let dispatcher = dispatcher(config, &db, clock.clone())?;
        let state = AppState {
            db: db.clone(),
            jwt,
            clock,
            pepper: pepper.clone(),
            sealer: dispatcher.webhooks.sealer.clone(),
            webhooks: dispatcher.webhooks.clone(),
            postbox: dispatcher.postbox().clone(),
            reset_limits: Arc::new(limits::reset_limits(config.rate_limits)),
            checkout_limits: Arc::new(CheckoutLimits::new(
                config.checkout_lookups_per_sec,
                limits::MISSES_PER_MINUTE,
            )),
            login_limits: Arc::new(limits::login_limits(config.rate_limits)),
            signup_limits: Arc::new(limits::signup_limits(config.rate_limits)),
            link_limits: Arc::new(AddressBudget::per_minute(limits::LINK_FOLLOWS_PER_IP_PER_MINUTE)),
            trusted_proxies: config.trusted_proxies.clone(),
            public_url: config.public_url.clone(),
            metrics: metrics.clone(),
            api_keys: Arc::default(),
        };
        let port = listener.local_addr()?.port();
        let server = run(listener, state, BodyReadTimeout(config.body_read_timeout))?;
        Ok(Self {
            port,
            server,
            db,
            metrics,
            pepper,
            dispatcher,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The metrics this application exposes, for work that runs beside it (jobs).
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// The keyed hash the application uses, for work that runs beside it (the inbox).
    pub fn pepper(&self) -> Pepper {
        self.pepper.clone()
    }

    /// What sends webhooks and e-mail, for the passes that run beside the server.
    pub fn dispatcher(&self) -> Dispatcher {
        self.dispatcher.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    pub fn into_server(self) -> Server {
        self.server
    }
}

fn run(listener: TcpListener, state: AppState, body_timeout: BodyReadTimeout) -> anyhow::Result<Server> {
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        // The last `wrap` is the outermost: metrics and the request span see every
        // answer, framing refusals included, and the default headers go on those too.
        App::new()
            .wrap(actix_web::middleware::from_fn(crate::web::session::quiet_redirects))
            .wrap(actix_web::middleware::from_fn(framing::guard))
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Cache-Control", "no-store")),
            )
            .wrap(TracingLogger::<RequestSpan>::new())
            .wrap(actix_web::middleware::from_fn(metrics::track))
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .app_data(body_timeout)
            .app_data(web::PathConfig::default().error_handler(api::path_error))
            .app_data(web::QueryConfig::default().error_handler(api::query_error))
            .configure(api::configure)
            .configure(crate::web::configure)
            .default_service(web::to(api::not_found))
    })
    .listen(listener)?
    .run();
    Ok(server)
}
