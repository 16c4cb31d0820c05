//! The shop's own ids of orders and refunds (`order_id`, `refund_id`) as they are
//! recorded: shown to the brand and in ambassadors' exports.

use crate::domain::text::{Lines, refuse_invisible};

pub const MAX_SHOP_ID_CHARS: usize = 128;

/// The rule for an id as it is recorded (after trimming): 1 to 128 characters, no
/// control, invisible or bidi characters.
pub fn parse_shop_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.chars().count() > MAX_SHOP_ID_CHARS {
        return Err(format!("must be 1 to {MAX_SHOP_ID_CHARS} characters"));
    }
    refuse_invisible(id, Lines::One)
}

/// Whether an order may have been recorded under `id`: the length and control rule
/// only, so an order recorded before ids refused invisible characters can still be
/// refunded and cancelled. (No order was recorded under an id that breaks it, and
/// PostgreSQL would refuse one with a NUL byte instead of finding nothing.)
pub fn may_be_shop_id(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= MAX_SHOP_ID_CHARS && !id.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_ids_are_visible_and_bounded_lookups_only_refuse_controls() {
        assert!(parse_shop_id("A-1").is_ok());
        assert!(parse_shop_id("").is_err());
        assert!(parse_shop_id(&"x".repeat(MAX_SHOP_ID_CHARS + 1)).is_err());
        assert!(parse_shop_id("A\u{200b}1").is_err());
        assert!(may_be_shop_id("A\u{200b}1"));
        assert!(!may_be_shop_id("A\u{0}1"));
        assert!(!may_be_shop_id(""));
    }
}
