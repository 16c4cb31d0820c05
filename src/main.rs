//! The `reftrack` command: `serve` runs the HTTP API, `migrate` applies migrations.

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
    /// Apply pending migrations and exit.
    Migrate,
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
        app.run_until_stopped().await?;
        Ok(())
    })
}
