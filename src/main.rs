//! The `reftrack` command: `serve` runs the HTTP API, `migrate` applies migrations,
//! `jobs run-once` runs one maturation pass, `dev seed` fills a database for demos.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use reftrack::clock::SystemClock;
use reftrack::config::Config;
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
    /// Apply pending migrations and exit (creates the SQLite file if there is none, and says so).
    Migrate,
    /// Background jobs.
    Jobs {
        #[command(subcommand)]
        job: JobCommand,
    },
    /// Recompute every running total from the ledger, orders, refunds and clicks and
    /// report each difference (exit 1 when there is one); with --repair, rewrite the
    /// totals that differ from the source (never the ledger) and verify again.
    Verify {
        /// Rewrite the totals from the ledger, orders, refunds and clicks.
        #[arg(long)]
        repair: bool,
    },
    /// Development helpers.
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
}

#[derive(Subcommand)]
enum DevCommand {
    /// Fill an existing database with a realistic volume (a new brand each run).
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
    /// One maturation pass (approve matured commissions, grant rewards) on an existing database, then exit.
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
        Command::Migrate => migrate(&config),
        Command::Jobs {
            job: JobCommand::RunOnce,
        } => existing_database(&config).and_then(|()| run_jobs_once(&config)),
        Command::Verify { repair } => existing_database(&config).and_then(|()| verify(&config, repair)),
        Command::Dev {
            command:
                DevCommand::Seed {
                    orders,
                    ambassadors,
                    star_share,
                },
        } => existing_database(&config).and_then(|()| seed(&config, orders, ambassadors, star_share)),
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

/// Refuses to go on when `DATABASE_URL` names a SQLite file that does not exist:
/// these commands need the server's database, and opening a missing file would
/// silently create an empty one (the usual cause: a relative path, or none, run from
/// another directory, as cron does).
fn existing_database(config: &Config) -> anyhow::Result<()> {
    match config.missing_sqlite_file() {
        None => Ok(()),
        Some(path) => Err(anyhow::anyhow!(
            "no database at {} ({}); point DATABASE_URL at the server's database, as an absolute path, or create one with `reftrack migrate`",
            path.display(),
            if std::env::var_os("DATABASE_URL").is_some() {
                "from DATABASE_URL"
            } else {
                "DATABASE_URL is unset, which means ./reftrack.db in the working directory"
            }
        )),
    }
}

/// Applies migrations; says so when that created a new SQLite file, so a migration run
/// in the wrong directory is noticed.
fn migrate(config: &Config) -> anyhow::Result<()> {
    let created = config.missing_sqlite_file();
    open_database(config)?;
    match created {
        Some(path) => {
            tracing::info!(path = %path.display(), "created a new database");
            println!("created a new database at {}", path.display());
        }
        None => tracing::info!("migrations are up to date"),
    }
    Ok(())
}

fn serve(config: &Config) -> anyhow::Result<()> {
    if config.rate_limits == reftrack::api::limits::RateLimits::Relaxed {
        tracing::warn!("REFTRACK_RATE_LIMITS=relaxed: sign-up and login budgets are lifted; for local try-outs only");
    }
    if let Some(path) = config.missing_sqlite_file() {
        tracing::info!(path = %path.display(), "creating a new database");
    }
    actix_web::rt::System::new().block_on(async {
        let app = Application::build(config, Arc::new(SystemClock))?;
        tracing::info!(bind = %config.bind, backend = ?config.database.backend(), "reftrack listening");
        if config.jobs_interval_secs > 0 {
            actix_web::rt::spawn(reftrack::jobs::maturation::run_every(
                app.db().clone(),
                app.metrics(),
                std::time::Duration::from_secs(config.jobs_interval_secs),
            ));
        }
        actix_web::rt::spawn(reftrack::jobs::shop_inbox::run_every(app.db().clone(), app.pepper()));
        actix_web::rt::spawn(reftrack::jobs::totals::run_every(app.db().clone()));
        reftrack::jobs::outbox::spawn(app.db().clone(), app.dispatcher());
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn run_jobs_once(config: &Config) -> anyhow::Result<()> {
    let db = open_database(config)?;
    let pepper = reftrack::startup::pepper(&db, &SystemClock)?;
    let dispatcher = reftrack::startup::dispatcher(config, &db, Arc::new(SystemClock))?;
    let (report, inbox) = actix_web::rt::System::new().block_on(async {
        let report = reftrack::jobs::maturation::run_once(&db).await?;
        let inbox = reftrack::jobs::shop_inbox::run_once(&db, &pepper).await?;
        reftrack::jobs::totals::run_once(&db).await?;
        // Last, so the events the passes above wrote go out now.
        let sent = reftrack::jobs::outbox::run_once(&db, &dispatcher).await?;
        tracing::info!(
            fanned_out = sent.fanned_out,
            attempted = sent.attempted,
            mailed = sent.mailed,
            "outbox pass"
        );
        Ok::<_, reftrack::store::StoreError>((report, inbox))
    })?;
    println!(
        "approved {} entries, granted {} rewards, processed {} shop events",
        report.approved, report.rewards_granted, inbox.processed
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

/// At most this many differences are printed; the count is always given.
const DIFFERENCES_SHOWN: usize = 50;

fn verify(config: &Config, repair: bool) -> anyhow::Result<()> {
    use reftrack::service::totals;
    let db = open_database(config)?;
    actix_web::rt::System::new().block_on(async {
        let found = totals::verify(&db).await?;
        for difference in found.differences.iter().take(DIFFERENCES_SHOWN) {
            println!("{}", totals::describe(difference));
        }
        if found.is_clean() {
            println!("verified {} running-total tables: every total matches the ledger, orders and clicks", found.tables);
            return Ok(());
        }
        println!("{} total(s) differ from the ledger, orders and clicks", found.differences.len());
        if !repair {
            anyhow::bail!("the running totals differ from the ledger; `reftrack verify --repair` rewrites them");
        }
        let after = totals::repair(&db, chrono::Utc::now()).await?;
        if !after.is_clean() {
            anyhow::bail!(
                "{} total(s) still differ after the repair: a writer is changing the source tables without the triggers",
                after.differences.len()
            );
        }
        println!("repaired: rewrote the running totals from the ledger, orders and clicks; verified again, every total matches");
        Ok(())
    })
}

fn seed(config: &Config, orders: u64, ambassadors: u64, star_share: u64) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let db = open_database(config)?;
    let started = std::time::Instant::now();
    let options = reftrack::seed::SeedOptions {
        orders,
        ambassadors,
        star_share: star_share.min(100),
        now: chrono::Utc::now(),
    };
    // A bar only for a person watching: in a pipe or a log it would be noise.
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(orders).with_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} orders ({percent} %), {eta} left")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        )
    } else {
        indicatif::ProgressBar::hidden()
    };
    let seeded = reftrack::seed::seed_with_progress(&db, &options, &mut |done| bar.set_position(done))?;
    bar.finish_and_clear();
    let size = db.size_on_disk()?;
    println!(
        "seeded {orders} orders over {} ambassadors in {:.1} s (a free bag every {} orders, {} granted); the database is now {:.1} MB\nbrand owner: {} / ambassador with most orders: {} (password {})",
        ambassadors.max(1),
        started.elapsed().as_secs_f64(),
        seeded.reward_every,
        seeded.rewards_granted,
        size as f64 / 1_000_000.0,
        seeded.owner_email,
        seeded.star_email,
        reftrack::seed::PASSWORD
    );
    Ok(())
}
