//! Keyed hashes of personal data we must compare but never keep: visitor IP addresses
//! and user agents (click de-duplication) and customer e-mails (self-referral checks).
//!
//! HMAC-SHA256 under an instance secret kept in the database, with a label per kind of
//! value, so a leaked table cannot be reversed with a rainbow table of e-mails or IPs.

use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Clone)]
pub struct Pepper {
    key: Vec<u8>,
}

impl Pepper {
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.to_vec() }
    }

    /// Hex HMAC of `value` under the label `kind` (`"ip"`, `"ua"`, `"email"`).
    pub fn hash(&self, kind: &str, value: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            // HMAC accepts keys of any length; this branch cannot be taken.
            return String::new();
        };
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_keys_separate_hashes() {
        let a = Pepper::new(b"key-a");
        let b = Pepper::new(b"key-b");
        assert_eq!(a.hash("ip", "1.2.3.4"), a.hash("ip", "1.2.3.4"));
        assert_ne!(a.hash("ip", "1.2.3.4"), a.hash("ua", "1.2.3.4"));
        assert_ne!(a.hash("ip", "1.2.3.4"), b.hash("ip", "1.2.3.4"));
        assert_eq!(a.hash("ip", "x").len(), 64);
    }
}
