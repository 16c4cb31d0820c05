//! The commission rules' examples and properties.

use super::*;
use proptest::prelude::*;
use rust_decimal::RoundingStrategy;
use std::str::FromStr;

fn rate(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn line(value: i64, percent: &str) -> PricedLine {
    PricedLine {
        value,
        rate: rate(percent),
    }
}

fn percent(lines: Vec<PricedLine>) -> Basis {
    Basis::Percent(lines)
}

fn calc(basis: &Basis, subtotal: i64, discount: i64, cap: Option<i64>) -> CommissionCalc {
    compute(basis, subtotal, discount, cap).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn design_example_rounds_594_9_to_595() {
    let basis = percent(vec![line(2 * 2500, "10"), line(1999, "10")]);
    let result = calc(&basis, 6999, 1050, None);
    assert_eq!(
        result,
        CommissionCalc {
            subtotal: 6999,
            net: 5949,
            amount: 595,
            uncapped: 595,
            capped: false,
        }
    );
}

#[test]
fn mixed_rates_share_the_discount_by_line_value() {
    // By hand: Σ value × rate = 5000 × 10 % + 1999 × 5 % = 500 + 99.95 = 599.95;
    // × net / subtotal = 599.95 × 5949 / 6999 = 509.9446… → 510.
    let basis = percent(vec![line(5000, "10"), line(1999, "5")]);
    assert_eq!(calc(&basis, 6999, 1050, None).amount, 510);
}

#[test]
fn rounds_once_per_order_not_per_line() {
    // 34 × 10 % = 3.4 and 45 × 3 % = 1.35: per line 3 + 1 = 4, but 4.75 rounds to 5.
    let basis = percent(vec![line(34, "10"), line(45, "3")]);
    assert_eq!(calc(&basis, 79, 0, None).amount, 5);
    // Three lines of 3.4 are 10.2 → 10, not 3 × 3 = 9.
    let basis = percent(vec![line(34, "10"), line(34, "10"), line(34, "10")]);
    assert_eq!(calc(&basis, 102, 0, None).amount, 10);
}

#[test]
fn fractional_rates_with_four_places_are_exact() {
    // 10000 × 12.3456 % = 1234.56 → 1235; trailing zeros beyond 4 places are fine.
    assert_eq!(
        calc(&percent(vec![line(10_000, "12.3456")]), 10_000, 0, None).amount,
        1235
    );
    assert_eq!(
        calc(&percent(vec![line(10_000, "12.345600")]), 10_000, 0, None).amount,
        1235
    );
    assert_eq!(calc(&percent(vec![line(10_000, "0.0001")]), 10_000, 0, None).amount, 0);
    assert_eq!(calc(&percent(vec![line(5_000, "0.0001")]), 5_000, 0, None).amount, 0);
    assert_eq!(
        calc(&percent(vec![line(1_000_000, "0.0001")]), 1_000_000, 0, None).amount,
        1
    );
}

#[test]
fn half_rounds_away_from_zero() {
    // 25 × 10 % = 2.5 → 3.
    assert_eq!(calc(&percent(vec![line(25, "10")]), 25, 0, None).amount, 3);
    assert_eq!(round_div_half_away(5, 2), Some(3));
    assert_eq!(round_div_half_away(-5, 2), Some(-3));
    assert_eq!(round_div_half_away(7, 3), Some(2));
    assert_eq!(round_div_half_away(-7, 3), Some(-2));
    assert_eq!(round_div_half_away(0, 3), Some(0));
    assert_eq!(round_div_half_away(i128::MAX, 1), Some(i128::MAX));
    assert_eq!(round_div_half_away(i128::MIN, 1), Some(i128::MIN));
    assert_eq!(round_div_half_away(i128::MAX, i128::MAX), Some(1));
    assert_eq!(round_div_half_away(i128::MIN, i128::MAX), Some(-1));
    assert_eq!(round_div_half_away(1, 0), None);
    assert_eq!(round_div_half_away(1, -2), None);
}

#[test]
fn cap_limits_the_amount_and_keeps_the_uncapped_figure() {
    let basis = percent(vec![line(2 * 2500, "10"), line(1999, "10")]);
    let result = calc(&basis, 6999, 1050, Some(500));
    assert_eq!((result.amount, result.uncapped, result.capped), (500, 595, true));
    let result = calc(&basis, 6999, 1050, Some(595));
    assert_eq!((result.amount, result.uncapped, result.capped), (595, 595, false));
}

#[test]
fn flat_pays_per_order_only_when_something_was_sold() {
    let flat = Basis::Flat { amount: 1000 };
    assert_eq!(calc(&flat, 6999, 1050, None).amount, 1000);
    assert_eq!(calc(&flat, 6999, 6999, None).amount, 0);
    assert_eq!(calc(&flat, 0, 0, None).amount, 0);
    let result = calc(&flat, 6999, 0, Some(700));
    assert_eq!((result.amount, result.uncapped, result.capped), (700, 1000, true));
}

#[test]
fn empty_order_earns_nothing() {
    assert_eq!(calc(&percent(vec![]), 0, 0, None).amount, 0);
    assert_eq!(calc(&percent(vec![line(0, "10")]), 0, 0, None).amount, 0);
}

#[test]
fn refuses_inconsistent_input() {
    let basis = percent(vec![line(1000, "10")]);
    let err = |basis: &Basis, subtotal, discount, cap| compute(basis, subtotal, discount, cap).err();
    assert_eq!(
        err(&basis, 1000, 1001, None),
        Some(CommissionError::DiscountExceedsSubtotal)
    );
    assert_eq!(err(&basis, 1000, -1, None), Some(CommissionError::NegativeAmount));
    assert_eq!(err(&basis, -1000, 0, None), Some(CommissionError::NegativeAmount));
    assert_eq!(err(&basis, 1000, 0, Some(-1)), Some(CommissionError::NegativeAmount));
    assert_eq!(
        err(&basis, 999, 0, None),
        Some(CommissionError::LinesDoNotMatchSubtotal)
    );
    let negative_line = percent(vec![line(-1, "10"), line(1001, "10")]);
    assert_eq!(
        err(&negative_line, 1000, 0, None),
        Some(CommissionError::NegativeAmount)
    );
    for bad in ["-0.0001", "100.0001", "10.00001", "1000"] {
        let basis = percent(vec![line(1000, bad)]);
        assert_eq!(err(&basis, 1000, 0, None), Some(CommissionError::InvalidRate), "{bad}");
    }
    assert_eq!(
        err(&Basis::Flat { amount: -1 }, 1000, 0, None),
        Some(CommissionError::NegativeAmount)
    );
    assert_eq!(net_merchandise(6999, 1050), Ok(5949));
}

#[test]
fn huge_orders_overflow_into_an_error() {
    let basis = percent(vec![line(i64::MAX, "100")]);
    assert_eq!(compute(&basis, i64::MAX, 0, None), Err(CommissionError::Overflow));
    // Large but realistic: 10^12 minor units at 100 % still computes.
    let basis = percent(vec![line(1_000_000_000_000, "100")]);
    assert_eq!(calc(&basis, 1_000_000_000_000, 1, None).amount, 999_999_999_999);
}

/// Rates 0..=100 % with up to 4 decimal places.
fn any_rate() -> impl Strategy<Value = Decimal> {
    (0i64..=1_000_000).prop_map(|scaled| Decimal::new(scaled, 4))
}

/// Lines with their subtotal, small enough never to overflow.
fn any_lines() -> impl Strategy<Value = (Vec<PricedLine>, i64)> {
    prop::collection::vec((0i64..=10_000_000_000, any_rate()), 0..8).prop_map(|lines| {
        let lines: Vec<PricedLine> = lines
            .into_iter()
            .map(|(value, rate)| PricedLine { value, rate })
            .collect();
        let subtotal = lines.iter().map(|l| l.value).sum();
        (lines, subtotal)
    })
}

proptest! {
    #[test]
    fn uniform_rate_matches_decimal_rounding(
        values in prop::collection::vec(0i64..=10_000_000_000, 1..8),
        rate in any_rate(),
        discount_share in 0u32..=1000,
    ) {
        let subtotal: i64 = values.iter().sum();
        let discount = subtotal / 1000 * i64::from(discount_share);
        let lines = values.iter().map(|&value| PricedLine { value, rate }).collect();
        let result = calc(&Basis::Percent(lines), subtotal, discount, None);
        let expected = (Decimal::from(result.net) * rate / Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        prop_assert_eq!(Decimal::from(result.amount), expected);
    }

    #[test]
    fn amount_lies_between_zero_and_net_and_under_the_cap(
        (lines, subtotal) in any_lines(),
        discount_share in 0u32..=1000,
        cap in prop::option::of(0i64..=1_000_000_000),
    ) {
        let discount = subtotal / 1000 * i64::from(discount_share);
        let result = calc(&Basis::Percent(lines), subtotal, discount, cap);
        prop_assert!(0 <= result.amount && result.amount <= result.net);
        prop_assert!(result.uncapped <= result.net);
        if let Some(cap) = cap {
            prop_assert!(result.amount <= cap);
            prop_assert_eq!(result.capped, result.uncapped > cap);
        }
    }

    #[test]
    fn never_panics_on_any_input(
        lines in prop::collection::vec((any::<i64>(), any::<i64>(), 0u32..=8), 0..4),
        subtotal in any::<i64>(),
        discount in any::<i64>(),
        cap in prop::option::of(any::<i64>()),
        flat in any::<i64>(),
    ) {
        let lines = lines
            .into_iter()
            .map(|(value, mantissa, scale)| PricedLine { value, rate: Decimal::new(mantissa, scale) })
            .collect();
        let _ = compute(&Basis::Percent(lines), subtotal, discount, cap);
        let _ = compute(&Basis::Flat { amount: flat }, subtotal, discount, cap);
    }

    #[test]
    fn never_panics_on_huge_consistent_orders(
        values in prop::collection::vec(0i64..=i64::MAX / 4, 1..4),
        rate in any_rate(),
        discount in any::<i64>(),
    ) {
        let subtotal: i64 = values.iter().sum();
        let lines = values.iter().map(|&value| PricedLine { value, rate }).collect();
        if let Ok(result) = compute(&Basis::Percent(lines), subtotal, discount, None) {
            prop_assert!(0 <= result.amount && result.amount <= result.net);
        }
    }

    #[test]
    fn round_div_is_nearest_with_ties_away_from_zero(numerator in any::<i64>(), denominator in 1i64..=i64::MAX) {
        let (n, d) = (i128::from(numerator), i128::from(denominator));
        let got = round_div_half_away(n, d).unwrap_or_else(|| panic!("{n} / {d}"));
        // got × d is within d/2 of n; on an exact tie it lies farther from zero than n.
        let error = got * d - n;
        prop_assert!(2 * error.abs() <= d);
        if 2 * error.abs() == d {
            prop_assert_eq!(error.signum(), n.signum());
        }
    }

    #[test]
    fn round_div_matches_decimal_for_small_operands(numerator in -1_000_000i64..=1_000_000, denominator in 1i64..=10_000) {
        let expected = (Decimal::from(numerator) / Decimal::from(denominator))
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        let got = round_div_half_away(i128::from(numerator), i128::from(denominator));
        prop_assert_eq!(got.map(Decimal::from), Some(expected));
    }
}

#[test]
fn a_recruiters_override_is_the_rate_of_the_commission_rounded_once() {
    let rate = |text: &str| Decimal::from_str_exact(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(override_of(1_000, rate("10")), Ok(100));
    // 12.5 % of 595 = 74.375 → 74; of 596 = 74.5 → 75 (half away from zero).
    assert_eq!(override_of(595, rate("12.5")), Ok(74));
    assert_eq!(override_of(596, rate("12.5")), Ok(75));
    assert_eq!(override_of(0, rate("50")), Ok(0));
    assert_eq!(override_of(-1, rate("10")), Err(CommissionError::NegativeAmount));
    assert_eq!(override_of(100, rate("100.5")), Err(CommissionError::InvalidRate));
}
