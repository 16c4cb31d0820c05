//! One integration-test binary: the real HTTP app against a fresh database per test,
//! on SQLite by default and on PostgreSQL with `REFTRACK_TEST_POSTGRES_URL` set.

mod accounts;
mod api_keys;
mod frame;
mod helpers;
mod migrations;
mod openapi;
mod sessions;
mod tokens;
