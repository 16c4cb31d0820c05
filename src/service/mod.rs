//! Use cases that span several store calls inside one transaction.

pub mod ambassadors;
pub mod attribution;
pub mod checkout;
pub mod clicks;
pub mod codes;
pub mod maturation;
pub mod orders;
pub mod payouts;
pub mod programs;
pub mod refunds;
pub mod rewards;
pub mod sessions;
