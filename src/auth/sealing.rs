//! Secrets reftrack must use again, not just compare (a shop's webhook signing secret),
//! kept sealed with AES-256-GCM.
//!
//! The key is `REFTRACK_ENCRYPTION_KEY` (64 hex digits) when set; otherwise one generated
//! once and kept in the database, like the JWT secret. The trade-off, in the README: a
//! generated key protects the secrets in a leaked backup only when the backup leaves the
//! settings table out; a key from the environment keeps them sealed in any copy of the
//! database. Each sealed value is bound to the row it belongs to (associated data), so a
//! sealed secret copied onto another integration does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use rand::RngCore;

/// Marks the format, so a later key rotation can tell old values apart.
const VERSION: &str = "v1:";
const NONCE_BYTES: usize = 12;

/// The key that seals and opens secrets.
#[derive(Clone)]
pub struct Sealer(Aes256Gcm);

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<key>)")
    }
}

/// A sealed value that does not open: another key, another row, or damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a sealed secret does not open with this instance's encryption key")]
pub struct Unsealable;

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Self {
        Self(Aes256Gcm::new(key.into()))
    }

    /// A key written as 64 hex digits, as `REFTRACK_ENCRYPTION_KEY` and the stored key are.
    pub fn parse_key(hex_key: &str) -> Result<[u8; 32], String> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| "must be 64 hex digits (32 bytes)".to_owned())?;
        bytes
            .try_into()
            .map_err(|_| "must be 64 hex digits (32 bytes)".to_owned())
    }

    /// `secret` sealed for the row named `bound_to`.
    pub fn seal(&self, secret: &str, bound_to: &str) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: secret.as_bytes(),
            aad: bound_to.as_bytes(),
        };
        // Encryption fails only for messages of many gigabytes; a secret is short.
        let sealed = self.0.encrypt(&Nonce::from(nonce), payload).unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{VERSION}{}", STANDARD_NO_PAD.encode(out))
    }

    /// The secret sealed for `bound_to`.
    pub fn open(&self, sealed: &str, bound_to: &str) -> Result<String, Unsealable> {
        let bytes = sealed
            .strip_prefix(VERSION)
            .and_then(|b64| STANDARD_NO_PAD.decode(b64).ok())
            .ok_or(Unsealable)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(Unsealable);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| Unsealable)?;
        let payload = Payload {
            msg: ciphertext,
            aad: bound_to.as_bytes(),
        };
        let plain = self.0.decrypt(&Nonce::from(nonce), payload).map_err(|_| Unsealable)?;
        String::from_utf8(plain).map_err(|_| Unsealable)
    }
}

/// A row's sealed secrets: the current one (if any), and the one a rotation replaced,
/// which still counts until its grace period ends.
#[derive(Debug, Clone, Copy)]
pub struct Rotated<'a> {
    /// The id of the row the secrets are bound to.
    pub bound_to: &'a str,
    pub current: Option<&'a str>,
    pub previous: Option<&'a str>,
    pub previous_until: Option<chrono::NaiveDateTime>,
}

impl Sealer {
    /// The secrets in force at `now`, the newest first. One that does not open (another
    /// key, a damaged value) is left out and logged: the caller refuses or fails what
    /// needed it, and the operator sees why.
    pub fn in_force(&self, sealed: Rotated<'_>, now: chrono::NaiveDateTime) -> Vec<String> {
        let previous = sealed
            .previous
            .filter(|_| sealed.previous_until.is_some_and(|until| now < until));
        [sealed.current, previous]
            .into_iter()
            .flatten()
            .filter_map(|value| match self.open(value, sealed.bound_to) {
                Ok(secret) => Some(secret),
                Err(err) => {
                    tracing::error!(row = sealed.bound_to, error = %err, "a sealed secret does not open");
                    None
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_row() {
        let sealer = Sealer::new(&[7u8; 32]);
        let sealed = sealer.seal("whsec_abc", "row-1");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("whsec_abc"));
        assert_eq!(sealer.open(&sealed, "row-1").as_deref(), Ok("whsec_abc"));
        assert_eq!(sealer.open(&sealed, "row-2"), Err(Unsealable));
        assert_eq!(Sealer::new(&[8u8; 32]).open(&sealed, "row-1"), Err(Unsealable));
        // Two seals of one secret differ (a fresh nonce each time).
        assert_ne!(sealer.seal("whsec_abc", "row-1"), sealed);
        let mut damaged = sealed.clone();
        damaged.pop();
        assert_eq!(sealer.open(&damaged, "row-1"), Err(Unsealable));
        assert_eq!(sealer.open("v1:", "row-1"), Err(Unsealable));
        assert_eq!(sealer.open("plain", "row-1"), Err(Unsealable));
    }

    #[test]
    fn a_replaced_secret_counts_until_its_grace_ends() {
        let sealer = Sealer::new(&[7u8; 32]);
        let (new, old) = (sealer.seal("new", "row"), sealer.seal("old", "row"));
        let at = |h: u32| chrono::NaiveDate::from_ymd_opt(2026, 12, 3).and_then(|d| d.and_hms_opt(h, 0, 0));
        let (Some(now), Some(until)) = (at(10), at(12)) else {
            panic!("dates")
        };
        let rotated = Rotated {
            bound_to: "row",
            current: Some(&new),
            previous: Some(&old),
            previous_until: Some(until),
        };
        assert_eq!(sealer.in_force(rotated, now), ["new", "old"]);
        assert_eq!(sealer.in_force(rotated, until), ["new"]);
        let damaged = Rotated {
            current: Some("v1:AAAA"),
            ..rotated
        };
        assert_eq!(sealer.in_force(damaged, now), ["old"]);
        assert!(
            sealer
                .in_force(
                    Rotated {
                        current: None,
                        previous: None,
                        ..rotated
                    },
                    now
                )
                .is_empty()
        );
    }

    #[test]
    fn keys_are_64_hex_digits() {
        assert_eq!(Sealer::parse_key(&"ab".repeat(32)), Ok([0xab; 32]));
        assert!(Sealer::parse_key("abc").is_err());
        assert!(Sealer::parse_key(&"zz".repeat(32)).is_err());
        assert!(Sealer::parse_key(&"ab".repeat(33)).is_err());
    }
}
