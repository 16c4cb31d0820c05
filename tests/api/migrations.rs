//! Both migration trees hold the same versions, line-aligned, and every down
//! migration undoes its up migration on the backend under test.

use std::collections::BTreeMap;
use std::path::Path;

use diesel::RunQueryDsl;
use reftrack::store::migrations;

use crate::helpers::{TestDatabase, config_for};

fn tree(backend: &str) -> BTreeMap<String, (usize, usize)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
    {
        let lines = |f: &str| {
            std::fs::read_to_string(entry.path().join(f))
                .map(|s| s.lines().count())
                .unwrap_or(0)
        };
        out.insert(
            entry.file_name().to_string_lossy().into_owned(),
            (lines("up.sql"), lines("down.sql")),
        );
    }
    out
}

#[test]
fn both_backends_have_the_same_versions_line_aligned() {
    let postgres = tree("postgres");
    let sqlite = tree("sqlite");
    assert!(!postgres.is_empty());
    assert_eq!(postgres, sqlite, "same folders and the same number of lines per file");
    let embedded_pg = migrations::versions(&migrations::POSTGRES).unwrap_or_default();
    let embedded_sqlite = migrations::versions(&migrations::SQLITE).unwrap_or_default();
    assert_eq!(embedded_pg, embedded_sqlite);
    assert_eq!(embedded_pg.len(), postgres.len());
}

#[derive(diesel::QueryableByName)]
struct Named {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[test]
fn up_down_up_leaves_a_working_schema() {
    let database = TestDatabase::create();
    let config = config_for(&database.target, Some(crate::helpers::JWT_SECRET));
    let db = reftrack::startup::open_database(&config).unwrap_or_else(|e| panic!("{e}"));
    let mut conn = db.write_conn().unwrap_or_else(|e| panic!("{e}"));

    let count_brands = |conn: &mut reftrack::store::DbConn| diesel::sql_query("SELECT id FROM brands").execute(conn);
    assert!(count_brands(&mut conn).is_ok());

    let reverted = migrations::revert_all(&mut conn).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reverted.len(), tree("sqlite").len());
    assert!(count_brands(&mut conn).is_err(), "down must drop what up created");
    let left = if database.is_postgres() {
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations'"
    } else {
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'"
    };
    let left: Vec<Named> = diesel::sql_query(left)
        .load(&mut *conn)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        left.is_empty(),
        "objects left after down: {:?}",
        left.iter().map(|n| &n.name).collect::<Vec<_>>()
    );

    let applied = migrations::run_pending(&mut conn).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied.len(), reverted.len());
    assert!(count_brands(&mut conn).is_ok());
}

#[test]
fn an_unreachable_postgres_is_a_start_up_error() {
    let target =
        reftrack::store::DbTarget::parse("postgres://postgres@127.0.0.1:1/nowhere").unwrap_or_else(|e| panic!("{e}"));
    let settings = reftrack::store::PoolSettings {
        connect_timeout: std::time::Duration::from_millis(500),
        ..Default::default()
    };
    let result = reftrack::store::Db::connect(&target, reftrack::store::SqliteSync::Full, &settings);
    let message = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("127.0.0.1"), "the error names the server: {message}");
}
