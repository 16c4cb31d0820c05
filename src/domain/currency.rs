//! ISO 4217 currencies and their minor-unit exponent (USD 2, JPY 0, KWD 3), from the
//! maintained `iso_currency` table.

/// A currency money can be kept in: a real ISO 4217 code with a minor unit. Codes
/// without one (gold `XAU`, the test code `XTS`, `XXX`) are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn parse(input: &str) -> Result<Self, String> {
        if input.len() != 3 || !input.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err("must be a three-letter ISO 4217 code in upper case, such as USD".into());
        }
        let currency =
            iso_currency::Currency::from_code(input).ok_or_else(|| format!("`{input}` is not an ISO 4217 currency"))?;
        if currency.exponent().is_none() {
            return Err(format!("`{input}` has no minor unit and cannot hold money"));
        }
        Ok(Self(currency))
    }

    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point: 2 for USD, 0 for JPY, 3 for KWD.
    pub fn exponent(&self) -> u32 {
        self.0.exponent().map_or(0, u32::from)
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_minor_units() {
        let exp = |c: &str| Currency::parse(c).map(|c| c.exponent());
        assert_eq!(exp("USD"), Ok(2));
        assert_eq!(exp("JPY"), Ok(0));
        assert_eq!(exp("KWD"), Ok(3));
    }

    #[test]
    fn refuses_non_currencies() {
        for bad in ["usd", "US", "USDX", "ABC", "XAU", ""] {
            assert!(Currency::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
