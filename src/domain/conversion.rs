//! Conversion: orders per click, as the dashboard and the brand's statistics show it.

use rust_decimal::{Decimal, RoundingStrategy};

/// orders ÷ clicks as a decimal string with at most 4 places ("0.3333", "0.5", "2");
/// `None` without clicks.
pub fn conversion_rate(orders: i64, clicks: i64) -> Option<String> {
    if clicks == 0 {
        return None;
    }
    let rate = Decimal::from(orders).checked_div(Decimal::from(clicks))?;
    Some(
        rate.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::conversion_rate;

    #[test]
    fn conversion_rate_has_at_most_four_places() {
        assert_eq!(conversion_rate(1, 3).as_deref(), Some("0.3333"));
        assert_eq!(conversion_rate(2, 3).as_deref(), Some("0.6667"));
        assert_eq!(conversion_rate(1, 2).as_deref(), Some("0.5"));
        assert_eq!(conversion_rate(0, 5).as_deref(), Some("0"));
        assert_eq!(conversion_rate(3, 1).as_deref(), Some("3"));
        assert_eq!(conversion_rate(1, 0), None);
    }
}
