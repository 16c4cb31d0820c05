//! reftrack: a self-hosted affiliate backend for brands that work with
//! micro-influencers. This crate builds the HTTP application for the binary and for
//! the tests from one place ([`startup`]).

pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod domain;
pub mod jobs;
pub mod metrics;
pub mod outbound;
pub mod seed;
pub mod service;
pub mod shops;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;
