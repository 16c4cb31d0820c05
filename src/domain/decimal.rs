//! Decimal strings as reftrack takes them (rates, exchange rates): digits with at most
//! one point, no sign, exponent or space, read exactly. Leading and trailing zeros carry
//! no value and are dropped before the limits apply ("007.50000" is 7.5).

use rust_decimal::Decimal;

/// Why a string is not a plain decimal within the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plain {
    /// Not digits with at most one point (a sign, an exponent, a comma, a space…).
    Form,
    /// More digits before the point than allowed.
    Whole,
    /// More digits after the point than allowed.
    Places,
}

/// `input` as a normalised decimal with at most `whole` digits before the point and
/// `places` after it (leading and trailing zeros dropped first).
pub fn plain(input: &str, whole: usize, places: usize) -> Result<Decimal, Plain> {
    let (integer, fraction) = match input.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (input, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(integer) || !fraction.is_none_or(all_digits) {
        return Err(Plain::Form);
    }
    // Dropping zeros first keeps a padded "007.50000000000000000000000000000" within
    // what `Decimal` parses (28 digits).
    let integer = match integer.trim_start_matches('0') {
        "" => "0",
        digits => digits,
    };
    let fraction = fraction.map(|f| f.trim_end_matches('0')).filter(|f| !f.is_empty());
    if integer.len() > whole {
        return Err(Plain::Whole);
    }
    if fraction.is_some_and(|f| f.len() > places) {
        return Err(Plain::Places);
    }
    let canonical = match fraction {
        Some(fraction) => format!("{integer}.{fraction}"),
        None => integer.to_owned(),
    };
    Decimal::from_str_exact(&canonical)
        .map(|d| d.normalize())
        .map_err(|_| Plain::Form)
}
