//! A shop's webhook signing secret as the brand pastes it, or as reftrack makes one.

use rand::Rng;

/// Longest secret taken; Shopify's and Stripe's are far shorter.
pub const MAX_CHARS: usize = 256;
/// Length of a generated secret: about 238 bits from 62 symbols.
const GENERATED_CHARS: usize = 40;

/// Visible ASCII without spaces, 1 to [`MAX_CHARS`] characters: a secret with a stray
/// space or line break pasted with it would never verify a delivery.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(String);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(<hidden>)")
    }
}

impl SigningSecret {
    pub fn parse(input: &str) -> Result<Self, String> {
        let value = input.trim();
        if value.is_empty() || value.chars().count() > MAX_CHARS {
            return Err(format!("must be 1 to {MAX_CHARS} characters"));
        }
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("must be visible ASCII characters without spaces".into());
        }
        Ok(Self(value.to_owned()))
    }

    /// A new random secret of `[A-Za-z0-9]` only: WooCommerce mangles other characters
    /// in the secret field before it signs with it.
    pub fn generate() -> Self {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = rand::rng();
        let secret = (0..GENERATED_CHARS)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        Self(secret)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_secrets_are_trimmed_visible_ascii() {
        assert_eq!(
            SigningSecret::parse(" whsec_abc\n").map(|s| s.0),
            Ok("whsec_abc".to_owned())
        );
        for bad in ["", "   ", "two words", "tab\tin", "é", &"a".repeat(MAX_CHARS + 1)] {
            assert!(SigningSecret::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn generated_secrets_are_alphanumeric_and_differ() {
        let (a, b) = (SigningSecret::generate(), SigningSecret::generate());
        assert_eq!(a.as_str().len(), GENERATED_CHARS);
        assert!(a.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(a, b);
        assert!(!format!("{a:?}").contains(a.as_str()));
    }
}
