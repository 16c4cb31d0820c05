//! Background work: the maturation pass, the shop inbox, the outbox (webhooks and
//! e-mail) and the compaction of the running totals, run on intervals inside `serve` and
//! once by `reftrack jobs run-once`.

pub mod maturation;
pub mod outbox;
pub mod shop_inbox;
pub mod totals;
