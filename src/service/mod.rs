//! Use cases that span several store calls inside one transaction.

pub mod attribution;
pub mod codes;
pub mod dashboard;
pub mod orders;
pub mod paging;
pub mod payouts;
pub mod refunds;
pub mod reports;
pub mod sessions;
