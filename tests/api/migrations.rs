//! Both migration trees hold the same versions with the same SQL, line for line, but
//! for a listed set of dialect differences, and every down migration undoes its up
//! migration on the backend under test.

use std::collections::BTreeMap;
use std::path::Path;

use diesel::RunQueryDsl;
use reftrack::store::migrations;

use crate::helpers::{TestDatabase, config_for};

/// One backend's migrations: version folder → file name → text.
fn tree(backend: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
    {
        let mut files = BTreeMap::new();
        for file in std::fs::read_dir(entry.path())
            .unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()))
            .flatten()
        {
            let text =
                std::fs::read_to_string(file.path()).unwrap_or_else(|e| panic!("{}: {e}", file.path().display()));
            files.insert(file.file_name().to_string_lossy().into_owned(), text);
        }
        out.insert(entry.file_name().to_string_lossy().into_owned(), files);
    }
    out
}

/// A place where the SQLite and the PostgreSQL migration may say the same thing in
/// different words: in `file`, the lines `sqlite` stand where the PostgreSQL file has
/// the lines `postgres`.
struct DialectDifference {
    file: &'static str,
    sqlite: &'static [&'static str],
    postgres: &'static [&'static str],
}

/// Every dialect difference between the trees. Anything else that differs, a column, an
/// index, a CHECK or a trigger condition changed on one side only, fails the test; so
/// does an entry here that no longer occurs.
const DIALECT_DIFFERENCES: &[DialectDifference] = &[
    // SQLite triggers take a WHEN clause and RAISE(ABORT); PostgreSQL runs a plpgsql
    // function, where NULL-safe inequality is `IS DISTINCT FROM` instead of `IS NOT`.
    DialectDifference {
        file: "2026-11-21-000003_orders_ledger/up.sql",
        sqlite: &[
            "CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries",
            "BEGIN",
            "    SELECT RAISE(ABORT, 'ledger entries are append-only');",
            "END;",
            "CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE ON ledger_entries",
            "WHEN NEW.id IS NOT OLD.id OR NEW.brand_id IS NOT OLD.brand_id OR NEW.membership_id IS NOT OLD.membership_id",
            "  OR NEW.order_id IS NOT OLD.order_id OR NEW.refund_id IS NOT OLD.refund_id OR NEW.kind IS NOT OLD.kind",
            "  OR NEW.amount IS NOT OLD.amount OR NEW.currency IS NOT OLD.currency OR NEW.available_at IS NOT OLD.available_at",
            "  OR NEW.created_at IS NOT OLD.created_at",
            "  OR (OLD.approved_at IS NOT NULL AND NEW.approved_at IS NOT OLD.approved_at)",
            "  OR (OLD.paid_out_in IS NOT NULL AND NEW.paid_out_in IS NOT OLD.paid_out_in)",
            "BEGIN",
            "    SELECT RAISE(ABORT, 'ledger entries are append-only: only approved_at and paid_out_in may be set, once');",
            "END;",
        ],
        postgres: &[
            "CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$",
            "BEGIN",
            "    IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'ledger entries are append-only'; END IF;",
            "    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.brand_id IS DISTINCT FROM OLD.brand_id OR NEW.membership_id IS DISTINCT FROM OLD.membership_id",
            "      OR NEW.order_id IS DISTINCT FROM OLD.order_id OR NEW.refund_id IS DISTINCT FROM OLD.refund_id OR NEW.kind IS DISTINCT FROM OLD.kind",
            "      OR NEW.amount IS DISTINCT FROM OLD.amount OR NEW.currency IS DISTINCT FROM OLD.currency OR NEW.available_at IS DISTINCT FROM OLD.available_at",
            "      OR NEW.created_at IS DISTINCT FROM OLD.created_at",
            "      OR (OLD.approved_at IS NOT NULL AND NEW.approved_at IS DISTINCT FROM OLD.approved_at)",
            "      OR (OLD.paid_out_in IS NOT NULL AND NEW.paid_out_in IS DISTINCT FROM OLD.paid_out_in) THEN",
            "        RAISE EXCEPTION 'ledger entries are append-only: only approved_at and paid_out_in may be set, once';",
            "    END IF;",
            "    RETURN NEW;",
            "END $$;",
            "CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();",
        ],
    },
    // PostgreSQL names a trigger's table when dropping it, and drops its function too.
    DialectDifference {
        file: "2026-11-21-000003_orders_ledger/down.sql",
        sqlite: &[
            "DROP TRIGGER ledger_entries_immutable;",
            "DROP TRIGGER ledger_entries_no_delete;",
        ],
        postgres: &[
            "DROP TRIGGER ledger_entries_append_only ON ledger_entries;",
            "DROP FUNCTION ledger_entries_append_only();",
        ],
    },
    // The ledger's append-only rule over the two new columns: SQLite drops and makes
    // its trigger again, PostgreSQL replaces the trigger's function.
    DialectDifference {
        file: "2026-12-09-000001_money_control/up.sql",
        sqlite: &[
            "DROP TRIGGER ledger_entries_immutable;",
            "CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE ON ledger_entries",
            "WHEN NEW.id IS NOT OLD.id OR NEW.brand_id IS NOT OLD.brand_id OR NEW.membership_id IS NOT OLD.membership_id",
            "  OR NEW.order_id IS NOT OLD.order_id OR NEW.refund_id IS NOT OLD.refund_id OR NEW.kind IS NOT OLD.kind",
            "  OR NEW.amount IS NOT OLD.amount OR NEW.currency IS NOT OLD.currency OR NEW.available_at IS NOT OLD.available_at",
            "  OR NEW.created_at IS NOT OLD.created_at OR NEW.reason IS NOT OLD.reason OR NEW.created_by IS NOT OLD.created_by",
            "  OR (OLD.approved_at IS NOT NULL AND NEW.approved_at IS NOT OLD.approved_at)",
            "  OR (OLD.paid_out_in IS NOT NULL AND NEW.paid_out_in IS NOT OLD.paid_out_in)",
            "BEGIN",
            "    SELECT RAISE(ABORT, 'ledger entries are append-only: only approved_at and paid_out_in may be set, once');",
            "END;",
        ],
        postgres: &[
            "CREATE OR REPLACE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$",
            "BEGIN",
            "    IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'ledger entries are append-only'; END IF;",
            "    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.brand_id IS DISTINCT FROM OLD.brand_id OR NEW.membership_id IS DISTINCT FROM OLD.membership_id",
            "      OR NEW.order_id IS DISTINCT FROM OLD.order_id OR NEW.refund_id IS DISTINCT FROM OLD.refund_id OR NEW.kind IS DISTINCT FROM OLD.kind",
            "      OR NEW.amount IS DISTINCT FROM OLD.amount OR NEW.currency IS DISTINCT FROM OLD.currency OR NEW.available_at IS DISTINCT FROM OLD.available_at",
            "      OR NEW.created_at IS DISTINCT FROM OLD.created_at OR NEW.reason IS DISTINCT FROM OLD.reason OR NEW.created_by IS DISTINCT FROM OLD.created_by",
            "      OR (OLD.approved_at IS NOT NULL AND NEW.approved_at IS DISTINCT FROM OLD.approved_at)",
            "      OR (OLD.paid_out_in IS NOT NULL AND NEW.paid_out_in IS DISTINCT FROM OLD.paid_out_in) THEN",
            "        RAISE EXCEPTION 'ledger entries are append-only: only approved_at and paid_out_in may be set, once';",
            "    END IF;",
            "    RETURN NEW;",
            "END $$;",
        ],
    },
    // Back to the rule without the two columns.
    DialectDifference {
        file: "2026-12-09-000001_money_control/down.sql",
        sqlite: &[
            "DROP TRIGGER ledger_entries_immutable;",
            "CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE ON ledger_entries",
            "WHEN NEW.id IS NOT OLD.id OR NEW.brand_id IS NOT OLD.brand_id OR NEW.membership_id IS NOT OLD.membership_id",
            "  OR NEW.order_id IS NOT OLD.order_id OR NEW.refund_id IS NOT OLD.refund_id OR NEW.kind IS NOT OLD.kind",
            "  OR NEW.amount IS NOT OLD.amount OR NEW.currency IS NOT OLD.currency OR NEW.available_at IS NOT OLD.available_at",
            "  OR NEW.created_at IS NOT OLD.created_at",
            "  OR (OLD.approved_at IS NOT NULL AND NEW.approved_at IS NOT OLD.approved_at)",
            "  OR (OLD.paid_out_in IS NOT NULL AND NEW.paid_out_in IS NOT OLD.paid_out_in)",
            "BEGIN",
            "    SELECT RAISE(ABORT, 'ledger entries are append-only: only approved_at and paid_out_in may be set, once');",
            "END;",
        ],
        postgres: &[
            "CREATE OR REPLACE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$",
            "BEGIN",
            "    IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'ledger entries are append-only'; END IF;",
            "    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.brand_id IS DISTINCT FROM OLD.brand_id OR NEW.membership_id IS DISTINCT FROM OLD.membership_id",
            "      OR NEW.order_id IS DISTINCT FROM OLD.order_id OR NEW.refund_id IS DISTINCT FROM OLD.refund_id OR NEW.kind IS DISTINCT FROM OLD.kind",
            "      OR NEW.amount IS DISTINCT FROM OLD.amount OR NEW.currency IS DISTINCT FROM OLD.currency OR NEW.available_at IS DISTINCT FROM OLD.available_at",
            "      OR NEW.created_at IS DISTINCT FROM OLD.created_at",
            "      OR (OLD.approved_at IS NOT NULL AND NEW.approved_at IS DISTINCT FROM OLD.approved_at)",
            "      OR (OLD.paid_out_in IS NOT NULL AND NEW.paid_out_in IS DISTINCT FROM OLD.paid_out_in) THEN",
            "        RAISE EXCEPTION 'ledger entries are append-only: only approved_at and paid_out_in may be set, once';",
            "    END IF;",
            "    RETURN NEW;",
            "END $$;",
        ],
    },
];

/// A section whose first line (the same in both files) starts with this and whose last
/// line is [`PER_DIALECT_END`] is written once per dialect: the running totals'
/// triggers, whose behaviour the `verify` checks compare with the source tables on
/// both backends.
const PER_DIALECT: &str = "-- per dialect:";
const PER_DIALECT_END: &str = "-- end per dialect";

/// Walks one file of each tree in step. Where the lines differ, a listed difference
/// for `file` must start there on both sides; it is skipped on both, and its index
/// recorded in `used`. Returns the first difference no entry explains: after it the
/// files are out of step, so later lines would only repeat it.
fn unexplained_difference(file: &str, sqlite: &str, postgres: &str, used: &mut [bool]) -> Option<String> {
    let sqlite: Vec<&str> = sqlite.lines().collect();
    let postgres: Vec<&str> = postgres.lines().collect();
    let (mut i, mut j) = (0, 0);
    while i < sqlite.len() || j < postgres.len() {
        if i < sqlite.len() && sqlite.get(i) == postgres.get(j) {
            if sqlite[i].starts_with(PER_DIALECT) {
                // A section written per dialect (triggers): both sides skip to its end.
                let end = |lines: &[&str], from: usize| lines[from..].iter().position(|l| *l == PER_DIALECT_END);
                let (Some(a), Some(b)) = (end(&sqlite, i), end(&postgres, j)) else {
                    return Some(format!(
                        "{file}: {:?} at line {} has no {PER_DIALECT_END:?}",
                        sqlite[i],
                        i + 1
                    ));
                };
                i += a + 1;
                j += b + 1;
                continue;
            }
            i += 1;
            j += 1;
            continue;
        }
        let listed = DIALECT_DIFFERENCES
            .iter()
            .position(|d| d.file == file && sqlite[i..].starts_with(d.sqlite) && postgres[j..].starts_with(d.postgres));
        let Some(k) = listed else {
            return Some(format!(
                "{file}: sqlite line {} {:?} and postgres line {} {:?} differ, and no listed dialect \
                 difference starts there",
                i + 1,
                sqlite.get(i).unwrap_or(&"<end of file>"),
                j + 1,
                postgres.get(j).unwrap_or(&"<end of file>"),
            ));
        };
        used[k] = true;
        i += DIALECT_DIFFERENCES[k].sqlite.len();
        j += DIALECT_DIFFERENCES[k].postgres.len();
    }
    None
}

#[test]
fn both_backends_have_the_same_migrations_but_for_listed_dialect_differences() {
    let postgres = tree("postgres");
    let sqlite = tree("sqlite");
    assert!(!postgres.is_empty());
    let files = |tree: &BTreeMap<String, BTreeMap<String, String>>| -> Vec<String> {
        tree.iter()
            .flat_map(|(version, files)| files.keys().map(move |file| format!("{version}/{file}")))
            .collect()
    };
    assert_eq!(files(&postgres), files(&sqlite), "the same versions and files");
    // An empty entry would match anywhere and advance nothing.
    assert!(
        DIALECT_DIFFERENCES
            .iter()
            .all(|d| !d.sqlite.is_empty() && !d.postgres.is_empty())
    );

    let mut used = vec![false; DIALECT_DIFFERENCES.len()];
    let mut unexplained = Vec::new();
    for (version, files) in &sqlite {
        for (name, sqlite_text) in files {
            let postgres_text = postgres
                .get(version)
                .and_then(|f| f.get(name))
                .map_or("", String::as_str);
            let file = format!("{version}/{name}");
            unexplained.extend(unexplained_difference(&file, sqlite_text, postgres_text, &mut used));
        }
    }
    assert!(
        unexplained.is_empty(),
        "differences that are not listed dialect differences:\n{}",
        unexplained.join("\n")
    );
    let stale: Vec<&str> = DIALECT_DIFFERENCES
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(d, _)| d.file)
        .collect();
    assert!(
        stale.is_empty(),
        "listed dialect differences that no longer occur: {stale:?}"
    );

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
        .load(&mut **conn)
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
