//! The `reftrack` command: `serve` runs the HTTP API, `migrate` applies migrations.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use reftrack::clock::SystemClock;
use reftrack::config::Config;
use reftrack::jobs::maturation;
use reftrack::startup::{Application, open_database};

#[derive(Parser)]
#[command(
    name = "reftrack",
    version,
    about = "Self-hosted affiliate backend for brands and micro-influencers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the HTTP API on REFTRACK_BIND.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Background jobs.
    Jobs {
        #[command(subcommand)]
        job: JobCommand,
    },
    /// Development helpers.
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
}

#[derive(Subcommand)]
enum DevCommand {
    /// Fill the database with a realistic volume (a new brand each run).
    Seed {
        /// Orders to create, spread over the last year.
        #[arg(long, default_value_t = 1000)]
        orders: u64,
        /// Ambassadors to spread them over.
        #[arg(long, default_value_t = 20)]
        ambassadors: u64,
        /// Percentage of orders that go to the first ambassador.
        #[arg(long, default_value_t = 80)]
        star_share: u64,
    },
}

#[derive(Subcommand)]
enum JobCommand {
    /// One maturation pass (approve matured commissions, grant rewards), then exit.
    RunOnce,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    reftrack::telemetry::init(config.log_format);
    let result = match cli.command {
        Command::Serve => serve(&config),
        Command::Migrate => open_database(&config).map(|_| tracing::info!("migrations are up to date")),
        Command::Jobs {
            job: JobCommand::RunOnce,
        } => run_jobs_once(&config),
        Command::Dev {
            command:
                DevCommand::Seed {
                    orders,
                    ambassadors,
                    star_share,
                },
        } => seed(&config, orders, ambassadors, star_share),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "reftrack stopped");
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: &Config) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(config, Arc::new(SystemClock))?;
        tracing::info!(bind = %config.bind, backend = ?config.database.backend(), "reftrack listening");
        if config.jobs_interval_secs > 0 {
            actix_web::rt::spawn(run_jobs_every(
                app.db().clone(),
                app.metrics(),
                std::time::Duration::from_secs(config.jobs_interval_secs),
            ));
        }
        app.run_until_stopped().await?;
        Ok(())
    })
}

/// The maturation pass on an interval, off the async workers. A failed pass is logged
/// and retried on the next tick; passes are idempotent.
async fn run_jobs_every(db: reftrack::store::Db, metrics: Arc<reftrack::metrics::Metrics>, every: std::time::Duration) {
    let mut ticks = actix_web::rt::time::interval(every);
    loop {
        ticks.tick().await;
        let (db, metrics) = (db.clone(), metrics.clone());
        let started = std::time::Instant::now();
        let pass = {
            let metrics = metrics.clone();
            move || metrics.timed_pass(|| maturation::run_pass(&db, chrono::Utc::now()))
        };
        match actix_web::web::block(pass).await {
            Ok(Ok(report)) => {
                metrics.count_job_failures(report.failures);
                tracing::info!(
                    approved = report.approved,
                    rewards_granted = report.rewards_granted,
                    skipped_memberships = report.failures,
                    millis = started.elapsed().as_millis() as u64,
                    "maturation pass"
                )
            }
            Ok(Err(err)) => tracing::error!(error = format!("{err:#}"), "maturation pass failed"),
            Err(err) => tracing::error!(error = %err, "maturation pass could not run"),
        }
    }
}

fn run_jobs_once(config: &Config) -> anyhow::Result<()> {
    let db = open_database(config)?;
    let report = maturation::run_pass(&db, chrono::Utc::now())?;
    tracing::info!(
        approved = report.approved,
        rewards_granted = report.rewards_granted,
        "maturation pass"
    );
    println!(
        "approved {} entries, granted {} rewards",
        report.approved, report.rewards_granted
    );
    if report.failures > 0 {
        // Everyone else's work is done; a non-zero exit makes cron tell the operator.
        anyhow::bail!(
            "{} membership(s) were skipped because their work failed; the log names them",
            report.failures
        );
    }
    Ok(())
}

fn seed(config: &Config, orders: u64, ambassadors: u64, star_share: u64) -> anyhow::Result<()> {
    let db = open_database(config)?;
    let started = std::time::Instant::now();
    let options = reftrack::seed::SeedOptions {
        orders,
        ambassadors,
        star_share: star_share.min(100),
        now: chrono::Utc::now(),
    };
    let seeded = reftrack::seed::seed(&db, &options)?;
    println!(
        "seeded {orders} orders over {ambassadors} ambassadors in {:.1} s\nbrand owner: {} / ambassador with most orders: {} (password {})",
        started.elapsed().as_secs_f64(),
        seeded.owner_email,
        seeded.star_email,
        reftrack::seed::PASSWORD
    );
    Ok(())
}
