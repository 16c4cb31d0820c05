//! Human-entered names: trimmed, bounded, free of control, invisible and bidi characters.

use super::text::{Lines, refuse_invisible};

fn parse_name(input: &str, max_chars: usize) -> Result<String, String> {
    let value = input.trim();
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    if value.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    refuse_invisible(value, Lines::One)?;
    Ok(value.to_owned())
}

macro_rules! name_type {
    ($(#[$meta:meta])* $name:ident, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(input: &str) -> Result<Self, String> {
                parse_name(input, $max).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

name_type!(
    /// A brand's name as shown to its ambassadors.
    BrandName, 200
);
name_type!(
    /// An influencer's public name, shown at checkout ("supporting …").
    DisplayName, 100
);
name_type!(
    /// A label for an API key ("Shopify production").
    KeyName, 100
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(DisplayName::parse("  Ana  ").map(|n| n.0), Ok("Ana".to_owned()));
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
        assert!(BrandName::parse("Acme\u{0007}").is_err());
    }

    #[test]
    fn refuses_invisible_and_bidi_characters() {
        for bad in [
            "Ana\u{202E}kraP",
            "A\u{200B}na",
            "\u{FEFF}Ana",
            "Ana\u{2028}Park",
            "\u{2066}Ana\u{2069}",
        ] {
            assert!(DisplayName::parse(bad).is_err(), "{bad:?}");
            assert!(BrandName::parse(bad).is_err(), "{bad:?}");
            assert!(KeyName::parse(bad).is_err(), "{bad:?}");
        }
    }
}
