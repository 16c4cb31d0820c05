//! An amount of money: integer minor units tagged with their currency, and its exact
//! decimal rendering ("13.75" for 1375 USD) for CSV exports and the API.

use super::Currency;

/// The largest amount of money reftrack takes at any door, in minor units: 10¹²
/// ($10 billion in USD, far above any real basket). Every line value, order subtotal,
/// discount, shipping, tax, refund and program amount is at most this, so any sum the
/// service makes (9.2 million such orders of one ambassador before `i64` would
/// overflow, and the commission product `net × rate` in `i128`) stays representable.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// `value` as an amount taken at a door: 0 to [`MAX_AMOUNT`] minor units.
pub fn bounded_amount(value: i64) -> Result<i64, String> {
    if (0..=MAX_AMOUNT).contains(&value) {
        Ok(value)
    } else {
        Err(format!("must be 0 to {MAX_AMOUNT} minor units"))
    }
}

/// A decimal amount as shops write it ("12.50", "1000", "-3.5") in minor units of a
/// currency with `exponent` digits, exactly: extra digits after the point must be zeros
/// ("1000.00" is 1000 JPY; "0.005" is refused for USD), and the value must fit `i64`.
pub fn parse_minor(text: &str, exponent: u32) -> Result<i64, String> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(format!("`{text}` is not a decimal amount"));
    }
    let exponent = usize::try_from(exponent).unwrap_or(usize::MAX);
    let (kept, dropped) = fraction.split_at(fraction.len().min(exponent));
    if dropped.bytes().any(|b| b != b'0') {
        return Err(format!("`{text}` has more than {exponent} decimal places"));
    }
    let minor = format!("{whole}{kept:0<exponent$}");
    let value: i64 = minor
        .trim_start_matches('0')
        .parse::<i64>()
        .or_else(|err| {
            if minor.bytes().all(|b| b == b'0') {
                Ok(0)
            } else {
                Err(err)
            }
        })
        .map_err(|_| format!("`{text}` is too large"))?;
    Ok(if negative { -value } else { value })
}

/// An amount typed by a person in major units of `currency` ("5", "5.0", "5.00" are
/// 500 cents; "1000" is 1000 yen), exactly: no sign, no exponent, no thousands
/// separators (a "5,00" typed in a comma-decimal locale must not become 500 dollars), at
/// most the currency's digits after the point, and at most [`MAX_AMOUNT`] minor units.
/// The console's forms read money with it; the JSON API takes minor units.
pub fn parse_major(text: &str, currency: Currency) -> Result<i64, String> {
    let exponent = currency.exponent();
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        // ISO 4217 minor units have at most 4 digits.
        let example = format_minor(5 * 10i64.pow(exponent.min(4)), exponent.min(4));
        return Err(format!("must be an amount such as {example}"));
    }
    if fraction.trim_end_matches('0').len() > usize::try_from(exponent).unwrap_or(usize::MAX) {
        return Err(match exponent {
            0 => format!("must be a whole amount of {}", currency.code()),
            n => format!("must have at most {n} decimal places in {}", currency.code()),
        });
    }
    let too_large = || format!("must be at most {}", format_minor(MAX_AMOUNT, exponent));
    let minor = parse_minor(text, exponent).map_err(|_| too_large())?;
    if minor > MAX_AMOUNT {
        return Err(too_large());
    }
    Ok(minor)
}

/// Minor units of one currency (cents for USD, yen for JPY, fils for KWD). Arithmetic is
/// checked: it refuses to mix currencies or to overflow rather than wrap or panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// The sum, or `None` when the currencies differ or the sum overflows `i64`.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money::new(self.minor.checked_add(other.minor)?, self.currency))
    }

    /// The difference, or `None` when the currencies differ or it overflows `i64`.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money::new(self.minor.checked_sub(other.minor)?, self.currency))
    }

    /// The amount with the currency's digits: "13.75" (USD), "500" (JPY), "1.234" (KWD).
    pub fn to_decimal_string(&self) -> String {
        format_minor(self.minor, self.currency.exponent())
    }
}

/// Writes `minor` as a decimal with `exponent` digits after the point, exactly (no
/// floating point): `format_minor(5, 2)` is "0.05", `format_minor(-1375, 2)` is "-13.75".
pub fn format_minor(minor: i64, exponent: u32) -> String {
    // `unsigned_abs` so that i64::MIN, whose magnitude has no i64, formats too.
    let digits = minor.unsigned_abs().to_string();
    let sign = if minor < 0 { "-" } else { "" };
    let exponent = usize::try_from(exponent).unwrap_or(usize::MAX);
    if exponent == 0 {
        return format!("{sign}{digits}");
    }
    // At least one digit before the point: 5 with exponent 2 is "0.05".
    let width = exponent.saturating_add(1);
    let padded = format!("{digits:0>width$}");
    let (whole, fraction) = padded.split_at(padded.len() - exponent);
    format!("{sign}{whole}.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    #[test]
    fn parse_minor_is_exact_per_exponent() {
        assert_eq!(parse_minor("12.50", 2), Ok(1250));
        assert_eq!(parse_minor("12.5", 2), Ok(1250));
        assert_eq!(parse_minor("12", 2), Ok(1200));
        assert_eq!(parse_minor(".5", 2), Ok(50));
        assert_eq!(parse_minor("0.00", 2), Ok(0));
        assert_eq!(parse_minor("-10.00", 2), Ok(-1000));
        assert_eq!(parse_minor("1000", 0), Ok(1000));
        assert_eq!(parse_minor("1000.00", 0), Ok(1000));
        assert_eq!(parse_minor("1.234", 3), Ok(1234));
        assert!(parse_minor("1000.50", 0).is_err());
        assert!(parse_minor("0.005", 2).is_err());
        assert!(parse_minor("", 2).is_err());
        assert!(parse_minor(".", 2).is_err());
        assert!(parse_minor("1e3", 2).is_err());
        assert!(parse_minor("1,00", 2).is_err());
        assert!(parse_minor("99999999999999999999", 2).is_err());
    }

    #[test]
    fn typed_amounts_are_read_exactly_in_the_currency_digits() {
        let usd = currency("USD");
        for typed in ["5", "5.0", "5.00", " 5.00 ", "5.", "005.000"] {
            assert_eq!(parse_major(typed, usd), Ok(500), "{typed}");
        }
        assert_eq!(parse_major(".5", usd), Ok(50));
        assert_eq!(parse_major("0", usd), Ok(0));
        assert_eq!(parse_major("10000000000", usd), Ok(MAX_AMOUNT));
        assert_eq!(parse_major("1000", currency("JPY")), Ok(1000));
        assert_eq!(parse_major("1000.00", currency("JPY")), Ok(1000));
        assert_eq!(parse_major("1.234", currency("KWD")), Ok(1234));
        assert_eq!(
            parse_major("5.001", usd),
            Err("must have at most 2 decimal places in USD".to_owned())
        );
        assert_eq!(
            parse_major("5.5", currency("JPY")),
            Err("must be a whole amount of JPY".to_owned())
        );
        assert!(parse_major("1.2345", currency("KWD")).is_err());
        for refused in [
            "", " ", ".", "-5", "+5", "5,00", "1,000.00", "1e3", "5 00", "$5", "five",
        ] {
            assert_eq!(
                parse_major(refused, usd),
                Err("must be an amount such as 5.00".to_owned()),
                "{refused}"
            );
        }
        assert_eq!(
            parse_major("10000000000.01", usd),
            Err("must be at most 10000000000.00".to_owned())
        );
        assert!(parse_major("99999999999999999999", usd).is_err());
    }

    proptest! {
        #[test]
        fn parse_major_reads_what_format_minor_writes(minor in 0..=MAX_AMOUNT, code in prop::sample::select(vec!["USD", "JPY", "KWD"])) {
            let c = currency(code);
            prop_assert_eq!(parse_major(&format_minor(minor, c.exponent()), c), Ok(minor));
        }
    }

    proptest! {
        #[test]
        fn parse_minor_reads_what_format_minor_writes(minor in -MAX_AMOUNT..=MAX_AMOUNT, exponent in 0u32..=3) {
            prop_assert_eq!(parse_minor(&format_minor(minor, exponent), exponent), Ok(minor));
        }
    }

    fn currency(code: &str) -> Currency {
        Currency::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"))
    }

    fn usd(minor: i64) -> Money {
        Money::new(minor, currency("USD"))
    }

    #[test]
    fn formats_with_the_currency_digits() {
        assert_eq!(usd(1375).to_decimal_string(), "13.75");
        assert_eq!(usd(5).to_decimal_string(), "0.05");
        assert_eq!(usd(0).to_decimal_string(), "0.00");
        assert_eq!(usd(-5).to_decimal_string(), "-0.05");
        assert_eq!(usd(-1375).to_decimal_string(), "-13.75");
        assert_eq!(Money::new(500, currency("JPY")).to_decimal_string(), "500");
        assert_eq!(Money::new(-500, currency("JPY")).to_decimal_string(), "-500");
        assert_eq!(Money::new(1234, currency("KWD")).to_decimal_string(), "1.234");
        assert_eq!(Money::new(7, currency("KWD")).to_decimal_string(), "0.007");
    }

    #[test]
    fn formats_the_extremes_without_panicking() {
        assert_eq!(usd(i64::MIN).to_decimal_string(), "-92233720368547758.08");
        assert_eq!(usd(i64::MAX).to_decimal_string(), "92233720368547758.07");
        assert_eq!(format_minor(1, 25), "0.0000000000000000000000001");
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies_and_overflow() {
        let jpy = Money::new(1, currency("JPY"));
        assert_eq!(usd(1).checked_add(usd(2)), Some(usd(3)));
        assert_eq!(usd(1).checked_sub(usd(2)), Some(usd(-1)));
        assert_eq!(usd(1).checked_add(jpy), None);
        assert_eq!(usd(1).checked_sub(jpy), None);
        assert_eq!(usd(i64::MAX).checked_add(usd(1)), None);
        assert_eq!(usd(i64::MIN).checked_sub(usd(1)), None);
    }

    #[test]
    fn door_amounts_are_bounded() {
        assert_eq!(bounded_amount(0), Ok(0));
        assert_eq!(bounded_amount(MAX_AMOUNT), Ok(MAX_AMOUNT));
        assert!(bounded_amount(MAX_AMOUNT + 1).is_err());
        assert!(bounded_amount(-1).is_err());
        assert!(bounded_amount(5_000_000_000_000_000_000).is_err());
    }

    proptest! {
        #[test]
        fn decimal_string_parses_back_to_the_minor_units(minor in any::<i64>(), exponent in 0u32..=8) {
            let text = format_minor(minor, exponent);
            let parsed = Decimal::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let scale = Decimal::from(10i64.pow(exponent));
            prop_assert_eq!(parsed * scale, Decimal::from(minor), "{}", text);
        }
    }
}
