//! One integration-test binary: the real HTTP app against a fresh database per test,
//! on SQLite by default and on PostgreSQL with `REFTRACK_TEST_POSTGRES_URL` set.

mod accounts;
mod ambassadors;
mod api_keys;
mod bounds;
mod brand_orders;
mod caps;
mod checkout;
mod dashboard;
mod frame;
mod framing;
mod helpers;
mod inbox;
mod integrations;
mod ledger;
mod links;
mod local_setup;
mod mail;
mod me_password;
mod metrics;
mod migrations;
mod my_codes;
mod openapi;
mod orders;
mod outbox;
mod payouts;
mod programs;
mod refunds;
mod security;
mod self_referral;
mod sessions;
mod strict_text;
mod team;
mod tokens;
mod web;
mod webhooks;
