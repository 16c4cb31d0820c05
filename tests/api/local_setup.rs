//! A newcomer's first hour: the commands of the README on a fresh machine. The CLI
//! refuses to run a job on a database that is not there, `migrate` says when it
//! creates one, `dev seed` makes a demo with a bounded number of rewards, and relaxed
//! rate limits let a developer try sign-ups and logins as often as they like.

use std::path::Path;
use std::process::{Command, Output};

use reftrack::api::limits::RateLimits;
use reftrack::seed::{self, SeedOptions};
use reftrack::store::DbTarget;
use reftrack::store::rewards as store_rewards;
use serde_json::json;

use crate::helpers::{PASSWORD, TestDatabase, spawn_app, spawn_app_with};

/// Runs the built `reftrack` binary in `dir` with `DATABASE_URL` set to `database`
/// (or unset).
fn reftrack(dir: &Path, database: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reftrack"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn");
    if let Some(url) = database {
        command.env("DATABASE_URL", url);
    }
    command.output().unwrap_or_else(|e| panic!("cannot run reftrack: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn jobs_and_seed_refuse_a_sqlite_database_that_does_not_exist_and_create_none() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let default_file = dir.path().join("reftrack.db");
    for args in [&["jobs", "run-once"][..], &["dev", "seed", "--orders", "10"][..]] {
        let out = reftrack(dir.path(), None, args);
        assert!(!out.status.success(), "{args:?} succeeded: {}", text(&out.stdout));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("no database at {}", default_file.display())),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("DATABASE_URL is unset"), "{stderr}");
        assert!(!default_file.exists(), "{args:?} created {}", default_file.display());

        // A relative DATABASE_URL run from another directory: named by its absolute path.
        let out = reftrack(dir.path(), Some("sqlite://data/reftrack.db"), args);
        assert!(!out.status.success());
        let expected = dir.path().join("data/reftrack.db");
        assert!(
            text(&out.stderr).contains(&format!("no database at {}", expected.display())),
            "{}",
            text(&out.stderr)
        );
        assert!(!expected.exists());
    }
}

#[test]
fn migrate_says_when_it_creates_a_database_and_jobs_then_run_on_it() {
    let database = TestDatabase::create();
    let url = match &database.target {
        DbTarget::Sqlite(path) | DbTarget::Postgres(path) => path.clone(),
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = reftrack(dir.path(), Some(&url), &["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let created = text(&out.stdout).contains("created a new database at");
    assert_eq!(created, !database.is_postgres(), "{}", text(&out.stdout));
    if !database.is_postgres() {
        assert!(text(&out.stdout).contains(&url), "{}", text(&out.stdout));
    }
    // A second run finds it, and says nothing about creating one.
    let again = reftrack(dir.path(), Some(&url), &["migrate"]);
    assert!(again.status.success());
    assert!(!text(&again.stdout).contains("created"), "{}", text(&again.stdout));

    let job = reftrack(dir.path(), Some(&url), &["jobs", "run-once"]);
    // The status says whether a signal ended it, when it printed nothing.
    assert!(
        job.status.success(),
        "{:?}\nstdout: {}\nstderr: {}",
        job.status,
        text(&job.stdout),
        text(&job.stderr)
    );
    assert!(
        text(&job.stdout).contains("approved 0 entries"),
        "{}",
        text(&job.stdout)
    );
}

#[test]
fn seed_reward_rule_grants_a_few_rewards_on_any_volume() {
    let options = |orders, ambassadors, star_share| SeedOptions {
        orders,
        ambassadors,
        star_share,
        now: chrono::Utc::now(),
    };
    // A small demo: every 5 orders, so the star earns rewards within 1,000 orders.
    assert_eq!(seed::reward_every(&options(1_000, 20, 80)), 5);
    // The README's large run: a typical ambassador earns about three; everyone together
    // a few hundred, never six figures.
    for (orders, ambassadors, star) in [(1_000_000, 20, 80), (1_000_000, 1, 100), (1_000_000, 1_000, 5)] {
        let every = u64::from(seed::reward_every(&options(orders, ambassadors, star)));
        assert!(orders / every <= 500, "{orders} orders, every {every}");
        assert!(orders / every >= 50, "{orders} orders, every {every}");
    }
}

#[tokio::test]
async fn dev_seed_grants_what_its_history_earned_so_the_next_job_pass_has_nothing_to_catch_up() {
    let app = spawn_app().await;
    let db = app.db.clone();
    let now = chrono::Utc::now();
    let (seeded, pass) = tokio::task::spawn_blocking(move || {
        let seeded = seed::seed(
            &db,
            &SeedOptions {
                orders: 1_000,
                ambassadors: 20,
                star_share: 80,
                now,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let key = reftrack::domain::rewards::rule_key("FREE-BAG");
        for membership in &seeded.ambassadors {
            let (qualifying, granted) = db
                .read_blocking(|conn| {
                    Ok::<_, reftrack::store::StoreError>((
                        store_rewards::qualifying(conn, *membership)?.0,
                        store_rewards::granted_count(conn, *membership, &key)?,
                    ))
                })
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(granted, qualifying / i64::from(seeded.reward_every), "{membership}");
        }
        let size = db.size_on_disk().unwrap_or_else(|e| panic!("{e}"));
        assert!(size > 100_000, "the seeded database takes {size} bytes");
        // The seeded history is approved up to `now`: a job pass then finds nothing to add.
        let pass = tokio::runtime::Handle::current()
            .block_on(reftrack::service::maturation::run_pass(&db, now))
            .unwrap_or_else(|e| panic!("{e}"));
        (seeded, pass)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        seeded.rewards_granted >= 100,
        "a demo shows rewards: {}",
        seeded.rewards_granted
    );
    assert_eq!(
        app.count("rewards"),
        i64::try_from(seeded.rewards_granted).unwrap_or_default()
    );
    assert_eq!((pass.approved, pass.rewards_granted), (0, 0));
}

#[tokio::test]
async fn relaxed_rate_limits_let_a_developer_sign_up_and_log_in_past_the_standard_budgets() {
    let app = spawn_app_with(|config| config.rate_limits = RateLimits::Relaxed).await;
    // Standard budgets: 10 sign-ups an hour per address, 10 logins a minute per e-mail.
    for i in 0..12 {
        app.sign_up_influencer(&format!("try-{i}@example.com")).await;
    }
    for _ in 0..12 {
        app.post(
            "/v1/auth/login",
            None,
            &json!({"email": "try-0@example.com", "password": "wrong password", "account": "influencer"}),
        )
        .await
        .assert_problem(401, "invalid_credentials");
    }
    let ok = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "try-0@example.com", "password": PASSWORD, "account": "influencer"}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
}
