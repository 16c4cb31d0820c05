//! Use cases that span several store calls inside one transaction.

pub mod attribution;
pub mod checkout;
pub mod clicks;
pub mod codes;
pub mod maturation;
pub mod orders;
pub mod payouts;
pub mod refunds;
pub mod sessions;
