//! The customer discount a program's code gives on a cart, in minor units.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::domain::terms::CustomerDiscount;

/// The discount on a cart whose merchandise subtotal is `subtotal` minor units.
///
/// Percent: subtotal × value ÷ 100 in `Decimal`, rounded once to a whole minor unit,
/// half away from zero (the rule commissions use, so shop and ledger agree). Exact for
/// every validated value (at most four decimal places). Fixed: the amount, capped at
/// the subtotal. The result is always within `0..=subtotal`.
pub fn customer_discount(discount: &CustomerDiscount, subtotal: i64) -> i64 {
    debug_assert!(subtotal >= 0, "subtotal must not be negative: {subtotal}");
    let subtotal = subtotal.max(0);
    let raw = match discount {
        CustomerDiscount::Percent { value } => percent_of(subtotal, *value),
        CustomerDiscount::Fixed { amount } => *amount,
    };
    raw.clamp(0, subtotal)
}

fn percent_of(subtotal: i64, value: Decimal) -> i64 {
    // Clamping first keeps the product within i64::MAX × 100, far inside Decimal's
    // 96-bit range, so the checked steps below cannot fail.
    let value = value.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED);
    Decimal::from(subtotal)
        .checked_mul(value)
        .and_then(|product| product.checked_div(Decimal::ONE_HUNDRED))
        .map(|exact| exact.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero))
        .and_then(|rounded| rounded.to_i64())
        .unwrap_or(subtotal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn percent(value: &str) -> CustomerDiscount {
        CustomerDiscount::Percent {
            value: Decimal::from_str_exact(value).unwrap_or_else(|e| panic!("{value}: {e}")),
        }
    }

    #[test]
    fn percent_rounds_once_half_away_from_zero() {
        assert_eq!(customer_discount(&percent("10"), 5949), 595); // 594.9
        assert_eq!(customer_discount(&percent("12.5"), 4), 1); // 0.5
        assert_eq!(customer_discount(&percent("12.5"), 12), 2); // 1.5
        assert_eq!(customer_discount(&percent("12.5"), 20), 3); // 2.5
        assert_eq!(customer_discount(&percent("10"), 4), 0); // 0.4
        assert_eq!(customer_discount(&percent("0.0001"), 5_000_000), 5); // 5.0
    }

    #[test]
    fn fixed_is_capped_at_the_subtotal() {
        assert_eq!(customer_discount(&CustomerDiscount::Fixed { amount: 1000 }, 5949), 1000);
        assert_eq!(customer_discount(&CustomerDiscount::Fixed { amount: 1000 }, 700), 700);
        assert_eq!(customer_discount(&CustomerDiscount::Fixed { amount: 0 }, 700), 0);
    }

    #[test]
    fn extreme_values_stay_in_range() {
        assert_eq!(customer_discount(&percent("100"), i64::MAX), i64::MAX);
        assert_eq!(
            customer_discount(&percent("99.9999"), i64::MAX),
            9_223_362_813_482_738_952
        );
        assert_eq!(customer_discount(&percent("50"), 0), 0);
        // Unvalidated values are clamped rather than trusted.
        assert_eq!(customer_discount(&percent("150"), 100), 100);
        assert_eq!(customer_discount(&percent("-5"), 100), 0);
        assert_eq!(customer_discount(&CustomerDiscount::Fixed { amount: -5 }, 100), 0);
    }

    fn valid_percent() -> impl Strategy<Value = Decimal> {
        (0i64..=1_000_000).prop_map(|m| Decimal::new(m, 4))
    }

    proptest! {
        #[test]
        fn discount_is_between_zero_and_subtotal(
            value in valid_percent(),
            amount in 0i64..=i64::MAX,
            subtotal in 0i64..=i64::MAX,
        ) {
            for discount in [CustomerDiscount::Percent { value }, CustomerDiscount::Fixed { amount }] {
                let d = customer_discount(&discount, subtotal);
                prop_assert!((0..=subtotal).contains(&d), "{:?} of {} gave {}", discount, subtotal, d);
            }
        }

        #[test]
        fn percent_matches_exact_integer_arithmetic(value in valid_percent(), subtotal in 0i64..=i64::MAX) {
            // subtotal × m ÷ 1_000_000, half away from zero, in i128 (all values ≥ 0).
            let m = value.mantissa();
            let numerator = i128::from(subtotal) * m;
            let expected = (numerator + 500_000) / 1_000_000;
            prop_assert_eq!(i128::from(customer_discount(&CustomerDiscount::Percent { value }, subtotal)), expected);
        }

        #[test]
        fn hundred_percent_is_everything_and_zero_is_nothing(subtotal in 0i64..=i64::MAX) {
            prop_assert_eq!(customer_discount(&percent("100"), subtotal), subtotal);
            prop_assert_eq!(customer_discount(&percent("100.0000"), subtotal), subtotal);
            prop_assert_eq!(customer_discount(&percent("0"), subtotal), 0);
        }

        #[test]
        fn fixed_caps_at_subtotal(amount in 0i64..=i64::MAX, subtotal in 0i64..=i64::MAX) {
            prop_assert_eq!(customer_discount(&CustomerDiscount::Fixed { amount }, subtotal), amount.min(subtotal));
        }
    }
}
