//! The rule for one field of a terms document: rates, text and amounts, and the
//! [`Origin`] that decides whether a field is held to today's rule or to what was ever
//! accepted.

use rust_decimal::Decimal;

use super::MAX_RATE_DECIMAL_PLACES;
use super::MIN_EVERY_AMOUNT;
use crate::domain::decimal::{Plain, plain};
use crate::domain::money::bounded_amount;
use crate::domain::text::{Lines, refuse_invisible};

/// Field errors collected while validating: (path, message).
pub(super) type FieldErrors = Vec<(String, String)>;

/// A rate or percentage value: a plain decimal string ("12.5"), 0–100, at most four
/// decimal places once trailing zeros are dropped ("12.50000" is 12.5). No sign, no
/// exponent, no surrounding space: JSON numbers are refused by serde already, and a
/// rate that reads differently in different parsers has no place in a contract.
pub fn parse_rate(input: &str) -> Result<Decimal, String> {
    let value = plain(input, 3, MAX_RATE_DECIMAL_PLACES as usize).map_err(|why| match why {
        Plain::Form => "must be a decimal string such as \"12.5\"".to_owned(),
        Plain::Whole => "must be between 0 and 100".to_owned(),
        Plain::Places => format!("must have at most {MAX_RATE_DECIMAL_PLACES} decimal places"),
    })?;
    if value > Decimal::ONE_HUNDRED {
        return Err("must be between 0 and 100".into());
    }
    Ok(value)
}

/// Where a terms document comes from, which decides the text rule it is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// A client's document: today's whole rule.
    Input,
    /// A stored document, read as it was accepted: terms saved before text refused
    /// invisible and bidi characters still load, or the program could take no order.
    Stored,
}

/// Trimmed, 1 to `max` characters, free of control characters (reward text is copied
/// into `rewards` rows, and PostgreSQL refuses a NUL in text) and, in input, of
/// invisible and bidi characters (reward text is shown to ambassadors and staff).
pub(super) fn parse_text(input: &str, max: usize, origin: Origin) -> Result<String, String> {
    let value = input.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(format!("must be 1 to {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    if origin == Origin::Input {
        refuse_invisible(value, Lines::One)?;
    }
    Ok(value.to_owned())
}

/// Amount bounds: a client's document is held to today's bounds; a stored one only to
/// what was ever accepted, so a program saved before a bound was tightened still reads
/// (and keeps computing commissions) until the brand edits it.
impl Origin {
    /// An amount of money in the terms (flat commission, cap, tier, fixed discount,
    /// minimum payout, reward threshold): 0 to [`crate::domain::money::MAX_AMOUNT`] in a request.
    pub(super) fn amount(self, value: i64) -> Result<i64, String> {
        match self {
            Origin::Input => bounded_amount(value),
            Origin::Stored if value < 0 => Err("must be at least 0".into()),
            Origin::Stored => Ok(value),
        }
    }

    /// `every_amount` of a reward rule: at least [`MIN_EVERY_AMOUNT`] in a request, so
    /// one order cannot earn a reward per cent; at least 1 when stored.
    pub(super) fn every_amount(self, value: i64) -> Result<i64, String> {
        let floor = match self {
            Origin::Input => MIN_EVERY_AMOUNT,
            Origin::Stored => 1,
        };
        if value < floor {
            return Err(format!("must be at least {floor} minor units"));
        }
        self.amount(value)
    }
}

/// Runs `check` and records its error under `path`; `None` when it failed.
pub(super) fn check<T>(errors: &mut FieldErrors, path: impl Into<String>, result: Result<T, String>) -> Option<T> {
    result.map_err(|message| errors.push((path.into(), message))).ok()
}

pub(super) fn error(errors: &mut FieldErrors, path: impl Into<String>, message: impl Into<String>) {
    errors.push((path.into(), message.into()));
}
