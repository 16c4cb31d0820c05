//! Background work: the maturation pass and the shop inbox, run on intervals inside
//! `serve` and once by `reftrack jobs run-once`.

pub mod maturation;
pub mod shop_inbox;
pub mod webhooks;
