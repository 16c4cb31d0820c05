//! Background work: the maturation pass, the shop inbox, and the outbox (webhooks and
//! e-mail), run on intervals inside `serve` and once by `reftrack jobs run-once`.

pub mod maturation;
pub mod outbox;
pub mod shop_inbox;
