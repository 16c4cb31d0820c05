//! What travels with a free item: the name and postal address an ambassador types to
//! claim a reward, and the carrier and tracking reference a brand gives when it ships.
//! The JSON API and the portal's forms read them through these functions, so every door
//! accepts and refuses the same text.

use super::text::{Lines, refuse_invisible};

/// Longest shipping name, in characters.
pub const NAME_MAX: usize = 200;
/// Longest shipping address, in characters (several lines).
pub const ADDRESS_MAX: usize = 1000;
/// Longest tracking reference, in characters.
pub const TRACKING_MAX: usize = 500;
/// Longest carrier name, in characters ("Royal Mail", "DHL Express", "Yamato").
pub const CARRIER_MAX: usize = 100;

/// The name to ship to, trimmed.
pub fn name(input: &str) -> Result<String, String> {
    bounded(input, NAME_MAX)
}

/// The postal address, trimmed; line breaks (`\n`) are kept.
pub fn address(input: &str) -> Result<String, String> {
    bounded(input, ADDRESS_MAX)
}

/// The carrier's tracking reference, trimmed.
pub fn tracking(input: &str) -> Result<String, String> {
    bounded(input, TRACKING_MAX)
}

/// The carrier that ships the item, trimmed, on one line.
pub fn carrier(input: &str) -> Result<String, String> {
    let value = input.trim();
    if value.is_empty() || value.chars().count() > CARRIER_MAX {
        return Err(format!("must be 1 to {CARRIER_MAX} characters"));
    }
    refuse_invisible(value, Lines::One)?;
    Ok(value.to_owned())
}

/// Trimmed, 1 to `max` characters, nothing invisible; `\n` is allowed (an address has
/// lines).
fn bounded(input: &str, max: usize) -> Result<String, String> {
    let value = input.trim();
    if value.is_empty() || value.chars().count() > max {
        return Err(format!("must be 1 to {max} characters"));
    }
    refuse_invisible(value, Lines::Many)?;
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipping_text_is_trimmed_bounded_and_visible() {
        assert_eq!(name("  Ana  "), Ok("Ana".to_owned()));
        assert_eq!(
            address("1 Main St\nSpringfield"),
            Ok("1 Main St\nSpringfield".to_owned())
        );
        assert_eq!(name("   "), Err("must be 1 to 200 characters".to_owned()));
        assert!(name(&"a".repeat(NAME_MAX + 1)).is_err());
        assert!(address(&"a".repeat(ADDRESS_MAX)).is_ok());
        assert!(
            address("1 Main St\r\nSpringfield").is_err(),
            "a carriage return is a control character"
        );
        assert!(tracking("1Z\u{202E}999").is_err());
        assert_eq!(carrier(" DHL Express "), Ok("DHL Express".to_owned()));
        assert!(carrier("DHL\nExpress").is_err(), "a carrier is one line");
        assert!(carrier(&"a".repeat(CARRIER_MAX + 1)).is_err());
        assert!(carrier("").is_err());
    }
}
