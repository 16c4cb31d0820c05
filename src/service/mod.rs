//! Use cases that span several store calls inside one transaction.

pub mod accounts;
pub mod api_keys;
pub mod attribution;
pub mod auth;
pub mod brands;
pub mod codes;
pub mod influencers;
pub mod invitations;
pub mod orders;
pub mod payouts;
pub mod refunds;
pub mod sessions;
