//! Money a brand moves by hand: an adjustment (either sign) or a bonus (positive) for
//! an ambassador, and the reason every such action carries.

use super::money::MAX_AMOUNT;
use super::text::{Lines, refuse_invisible};

/// Longest reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Why a brand user moved money or reviewed a commission, in their words: trimmed, on
/// one line, 1 to [`MAX_REASON_CHARS`] characters, nothing invisible. The influencer
/// sees it on an adjustment, a bonus and a rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    pub fn parse(input: &str) -> Result<Self, String> {
        let value = input.trim();
        if value.is_empty() || value.chars().count() > MAX_REASON_CHARS {
            return Err(format!("must be 1 to {MAX_REASON_CHARS} characters"));
        }
        refuse_invisible(value, Lines::One)?;
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// What a brand adds to an ambassador's ledger by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManualKind {
    /// A correction, positive or negative.
    Adjustment,
    /// A reward in money, positive.
    Bonus,
}

impl ManualKind {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "adjustment" => Ok(Self::Adjustment),
            "bonus" => Ok(Self::Bonus),
            _ => Err("must be adjustment or bonus".to_owned()),
        }
    }

    /// `amount` (minor units) as this kind allows it: an adjustment is non-zero and at
    /// most [`MAX_AMOUNT`] either way; a bonus is 1 to [`MAX_AMOUNT`].
    pub fn amount(self, amount: i64) -> Result<i64, String> {
        match self {
            Self::Adjustment if amount != 0 && (-MAX_AMOUNT..=MAX_AMOUNT).contains(&amount) => Ok(amount),
            Self::Adjustment => Err(format!(
                "must be a non-zero amount of minor units from -{MAX_AMOUNT} to {MAX_AMOUNT}"
            )),
            Self::Bonus if (1..=MAX_AMOUNT).contains(&amount) => Ok(amount),
            Self::Bonus => Err(format!("must be 1 to {MAX_AMOUNT} minor units")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_trimmed_bounded_and_visible() {
        assert_eq!(
            Reason::parse("  late post  ").map(Reason::into_string),
            Ok("late post".to_owned())
        );
        assert!(Reason::parse("   ").is_err());
        assert!(Reason::parse(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
        assert!(Reason::parse(&"é".repeat(MAX_REASON_CHARS)).is_ok());
        assert!(Reason::parse("two\nlines").is_err());
        assert!(Reason::parse("hidden\u{202E}text").is_err());
    }

    #[test]
    fn an_adjustment_takes_either_sign_and_a_bonus_only_a_positive_amount() {
        let adjustment = ManualKind::Adjustment;
        assert_eq!(adjustment.amount(-500), Ok(-500));
        assert_eq!(adjustment.amount(MAX_AMOUNT), Ok(MAX_AMOUNT));
        assert_eq!(adjustment.amount(-MAX_AMOUNT), Ok(-MAX_AMOUNT));
        assert!(adjustment.amount(0).is_err());
        assert!(adjustment.amount(MAX_AMOUNT + 1).is_err());
        assert!(adjustment.amount(i64::MIN).is_err());
        assert_eq!(ManualKind::Bonus.amount(1), Ok(1));
        assert!(ManualKind::Bonus.amount(0).is_err());
        assert!(ManualKind::Bonus.amount(-1).is_err());
        assert_eq!(ManualKind::parse("bonus"), Ok(ManualKind::Bonus));
        assert!(ManualKind::parse("gift").is_err());
    }
}
