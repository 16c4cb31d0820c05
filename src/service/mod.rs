//! Use cases that span several store calls inside one transaction.

pub mod sessions;
