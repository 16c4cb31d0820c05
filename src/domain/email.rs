//! E-mail addresses, normalised to lower case so one address is one account.

use super::text::{Lines, refuse_invisible};

/// A syntactically plausible e-mail address, trimmed and lower-cased.
///
/// We check shape, not deliverability: one `@`, a local part of 1–64 characters, a
/// domain with a dot and no empty labels, at most 254 characters, no white space,
/// control, invisible or bidi characters (an address that looks right but is not).
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let email = Self::parse_lookup(input)?;
        refuse_invisible(&email.0, Lines::One)?;
        Ok(email)
    }

    /// The address as typed at login, to look an account up: the shape of [`parse`]
    /// without the invisible-character rule, so an account whose address was stored
    /// before that rule can still sign in.
    ///
    /// [`parse`]: Self::parse
    pub fn parse_lookup(input: &str) -> Result<Self, String> {
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err("must not be empty".into());
        }
        if value.chars().count() > 254 {
            return Err("must be at most 254 characters".into());
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("must not contain spaces or control characters".into());
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err("must contain @".into());
        };
        if local.is_empty() || local.chars().count() > 64 {
            return Err("the part before @ must be 1 to 64 characters".into());
        }
        if domain.contains('@') {
            return Err("must contain exactly one @".into());
        }
        if !domain.contains('.') || domain.split('.').any(str::is_empty) {
            return Err("must have a domain such as example.com".into());
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Addresses are personal data: never print them in logs.
impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Email(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_case_and_space() {
        assert_eq!(
            Email::parse("  Ana@Example.COM ").map(|e| e.0),
            Ok("ana@example.com".to_owned())
        );
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a b@example.com",
            "a@b@c.com",
            "ana@example..com",
            "ana\u{200B}@example.com",
            "ana@exa\u{202E}moc.com",
            "\u{FEFF}ana@example.com",
            "ana@example.com\u{2060}",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn lookups_still_find_addresses_stored_before_the_invisible_rule() {
        let stored = "ana\u{200B}@example.com";
        assert!(Email::parse(stored).is_err());
        assert_eq!(Email::parse_lookup(stored).map(|e| e.0), Ok(stored.to_owned()));
        assert!(Email::parse_lookup("ana\u{0}@example.com").is_err());
    }

    #[test]
    fn debug_hides_the_address() {
        let email = Email::parse("ana@example.com").map(|e| format!("{e:?}"));
        assert_eq!(email.as_deref(), Ok("Email(<redacted>)"));
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(local in "[a-zA-Z0-9._+-]{1,20}", domain in "[a-zA-Z0-9-]{1,20}\\.[a-z]{2,6}") {
            let input = format!("{local}@{domain}");
            let once = Email::parse(&input).map(|e| e.0);
            prop_assert!(once.is_ok());
            let once = once.unwrap_or_default();
            prop_assert_eq!(Email::parse(&once).map(|e| e.0), Ok(once.clone()));
        }
    }
}
