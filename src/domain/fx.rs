//! Exchange rates: how an order in one currency earns commission in its program's.
//!
//! A rate says how many units of the program's currency one unit of the order's is
//! worth (EUR → USD 1.0825). Converting an amount multiplies it exactly and rounds once,
//! half away from zero, to the minor unit of the target currency; nothing else in a
//! conversion rounds.

use rust_decimal::Decimal;

use super::Currency;
use super::commission::round_div_half_away;
use super::decimal::{Plain, plain};

/// Digits after the decimal point a rate may have (once trailing zeros are dropped).
pub const MAX_DECIMALS: usize = 10;
/// Digits before it: rates up to 9,999,999 cover every pair of real currencies
/// (USD → IRR is about 42,000).
pub const MAX_WHOLE_DIGITS: usize = 7;

/// A positive exchange rate, exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FxRate(Decimal);

impl FxRate {
    /// A plain decimal string ("1.0825"): digits with at most one point, greater than
    /// zero, at most [`MAX_WHOLE_DIGITS`] before the point and [`MAX_DECIMALS`] after it
    /// once trailing zeros are dropped. No sign, exponent or space: a rate is part of
    /// what an ambassador is paid, and must read the same everywhere.
    pub fn parse(input: &str) -> Result<Self, String> {
        let value = plain(input, MAX_WHOLE_DIGITS, MAX_DECIMALS).map_err(|why| match why {
            Plain::Form => "must be a decimal string such as \"1.0825\"".to_owned(),
            Plain::Whole => format!("must be below 10^{MAX_WHOLE_DIGITS}"),
            Plain::Places => format!("must have at most {MAX_DECIMALS} decimal places"),
        })?;
        if value <= Decimal::ZERO {
            return Err("must be greater than 0".into());
        }
        Ok(Self(value))
    }

    pub fn value(&self) -> Decimal {
        self.0
    }

    /// `amount` minor units of `from` in minor units of `to`: amount × rate, exactly,
    /// rounded once half away from zero. `None` when the figures leave `i64`.
    pub fn convert(&self, amount: i64, from: Currency, to: Currency) -> Option<i64> {
        let mantissa = self.0.mantissa();
        let numerator = i128::from(amount)
            .checked_mul(mantissa)?
            .checked_mul(10i128.checked_pow(to.exponent())?)?;
        let denominator = 10i128
            .checked_pow(self.0.scale())?
            .checked_mul(10i128.checked_pow(from.exponent())?)?;
        i64::try_from(round_div_half_away(numerator, denominator)?).ok()
    }
}

/// The part of a converted net (`converted`, the order's `net` in the program's
/// currency) that a refund bringing the order's refunds from `before` to `after` (in the
/// order's currency) takes back.
///
/// Refunds are a running total: `share(x) = ⌊converted × x ÷ net⌋`, and `converted` once
/// the whole net is refunded; a refund is `share(after) − share(before)`. So refunds
/// adding up to the net add up to exactly the converted net, and the converted refunds
/// reach it only then: the order is fully refunded in both currencies at once.
pub fn refund_share(converted: i64, net: i64, before: i64, after: i64) -> Option<i64> {
    let share = |refunded: i64| -> Option<i64> {
        if refunded >= net {
            return Some(converted);
        }
        let exact = i128::from(converted).checked_mul(i128::from(refunded.max(0)))?;
        i64::try_from(exact.checked_div(i128::from(net))?).ok()
    };
    if net <= 0 || converted < 0 {
        return None;
    }
    share(after)?.checked_sub(share(before)?)
}

impl std::fmt::Display for FxRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn currency(code: &str) -> Currency {
        Currency::parse(code).unwrap_or_else(|e| panic!("{e}"))
    }

    fn rate(text: &str) -> FxRate {
        FxRate::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn reads_plain_positive_decimals_only() {
        assert_eq!(rate("1.08250").to_string(), "1.0825");
        assert_eq!(rate("0007").to_string(), "7");
        assert_eq!(rate("9999999.0000000001").to_string(), "9999999.0000000001");
        for bad in [
            "",
            "0",
            "0.000",
            "-1",
            "+1",
            "1e2",
            " 1",
            "1.",
            ".5",
            "1,5",
            "10000000",
            "0.00000000001",
        ] {
            assert!(FxRate::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn converts_between_minor_units_rounding_once_half_away_from_zero() {
        let (eur, usd, jpy, kwd) = (currency("EUR"), currency("USD"), currency("JPY"), currency("KWD"));
        // 100.00 EUR at 1.0825 = 108.25 USD exactly.
        assert_eq!(rate("1.0825").convert(10_000, eur, usd), Some(10_825));
        // 0.10 EUR at 1.0825 = 0.10825 → 0.11 (half away from zero at the last digit).
        assert_eq!(rate("1.0825").convert(10, eur, usd), Some(11));
        assert_eq!(rate("1.0825").convert(-10, eur, usd), Some(-11));
        // 12.34 USD at 151.5 = 1869.51 JPY → 1870 (JPY has no minor unit).
        assert_eq!(rate("151.5").convert(1_234, usd, jpy), Some(1_870));
        // 1000 JPY at 0.0066 = 6.60 USD; 1 JPY = 0.0066 → 0.01.
        assert_eq!(rate("0.0066").convert(1_000, jpy, usd), Some(660));
        assert_eq!(rate("0.0066").convert(1, jpy, usd), Some(1));
        // 10.00 USD at 0.3075 = 3.075 KWD (three decimals).
        assert_eq!(rate("0.3075").convert(1_000, usd, kwd), Some(3_075));
        assert_eq!(rate("9999999").convert(i64::MAX, usd, usd), None);
    }

    #[test]
    fn refunds_take_back_the_converted_net_in_proportion_and_all_of_it_only_at_the_end() {
        // 100.00 INR = 1.20 USD: a refund of 99.99 INR takes back 1.19, the last 0.01 the rest.
        assert_eq!(refund_share(120, 10_000, 0, 9_999), Some(119));
        assert_eq!(refund_share(120, 10_000, 9_999, 10_000), Some(1));
        assert_eq!(refund_share(10_825, 10_000, 0, 5_000), Some(5_412));
        assert_eq!(refund_share(10_825, 10_000, 5_000, 10_000), Some(5_413));
        assert_eq!(refund_share(10, 0, 0, 0), None);
    }

    proptest! {
        #[test]
        fn any_refunds_of_the_net_add_up_to_the_converted_net(
            net in 1i64..=10_000_000,
            converted in 0i64..=10_000_000,
            cuts in prop::collection::vec(0u32..=100, 0..6),
        ) {
            let mut points: Vec<i64> = cuts.iter().map(|c| net / 100 * i64::from(*c)).collect();
            points.push(net);
            points.sort_unstable();
            let mut before = 0;
            let mut total = 0;
            for after in points {
                let part = refund_share(converted, net, before, after);
                prop_assert!(part.is_some_and(|p| p >= 0));
                total += part.unwrap_or_default();
                if after < net {
                    prop_assert!(total < converted || converted == 0);
                }
                before = after;
            }
            prop_assert_eq!(total, converted);
        }


        #[test]
        fn a_conversion_is_the_exact_product_rounded_once(
            amount in 0i64..=1_000_000_000_000,
            mantissa in 1i64..=99_999_999_999,
            scale in 4u32..=10,
        ) {
            let exact = Decimal::new(mantissa, scale);
            let fx = FxRate::parse(&exact.to_string()).unwrap_or_else(|e| panic!("{e}"));
            let (eur, usd) = (currency("EUR"), currency("USD"));
            let converted = fx.convert(amount, eur, usd);
            let expected = (Decimal::from(amount) * exact)
                .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            // Exactly the product rounded once, or `None` when no i64 holds it.
            prop_assert_eq!(converted, rust_decimal::prelude::ToPrimitive::to_i64(&expected));
        }
    }
}
