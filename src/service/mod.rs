//! Use cases: one `async fn` per thing a user or a job does, `<area>::<verb>(&Db,
//! command) -> Result<outcome, AreaError>`. A use case decides what is read and written
//! in which unit of work (`Db::read`, `Db::write`, …), owns idempotency and the retry on
//! a lost race, and applies the rules of `domain`. Every door (the JSON API, the jobs,
//! and the shop webhooks and web pages to come) calls these and nothing below them.

pub mod accounts;
pub mod ambassadors;
pub mod api_keys;
pub mod attribution;
pub mod auth;
pub mod brands;
pub mod checkout;
pub mod clicks;
pub mod codes;
pub mod dashboard;
pub mod deals;
pub mod events;
pub mod fx_rates;
pub mod influencers;
pub mod integrations;
pub mod invitations;
pub mod mail;
pub mod maturation;
pub mod money;
pub mod orders;
pub mod overrides;
pub mod paging;
pub mod password_reset;
pub mod payouts;
pub mod programs;
pub mod recruits;
pub mod refunds;
pub mod reports;
pub mod rewards;
pub mod sessions;
pub mod shop_inbox;
pub mod team;
pub mod totals;
pub mod web_sessions;
pub mod webhooks;

/// A refusal's message as a sentence, the same in every door: capitalised, with a full
/// stop ("the offer expired" → "The offer expired.").
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}
