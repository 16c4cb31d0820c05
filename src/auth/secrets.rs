//! Random secrets and their stored form: refresh tokens, API keys, invitation tokens.
//! Only the SHA-256 of a secret is stored; the secret itself is shown once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix that marks a brand API key, so it is told apart from a JWT at a glance.
pub const API_KEY_PREFIX: &str = "rtk_";
/// How many characters of a key are kept in clear to help people tell keys apart.
const API_KEY_DISPLAY_CHARS: usize = 8;

/// 32 random bytes, base64url without padding (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Lower-case hex SHA-256 of a secret, as stored.
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new API key: the secret to show once, its stored hash and its display prefix.
pub struct NewApiKeySecret {
    pub secret: String,
    pub hash: String,
    pub prefix: String,
}

pub fn new_api_key() -> NewApiKeySecret {
    let secret = format!("{API_KEY_PREFIX}{}", random_token());
    let prefix = secret
        .chars()
        .take(API_KEY_PREFIX.len() + API_KEY_DISPLAY_CHARS)
        .collect();
    NewApiKeySecret {
        hash: sha256_hex(&secret),
        prefix,
        secret,
    }
}

pub fn is_api_key(token: &str) -> bool {
    token.starts_with(API_KEY_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_are_prefixed_random_and_hashed() {
        let a = new_api_key();
        let b = new_api_key();
        assert!(a.secret.starts_with("rtk_") && a.secret.len() == 4 + 43);
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.hash, sha256_hex(&a.secret));
        assert_eq!(a.prefix.len(), 12);
        assert!(a.secret.starts_with(&a.prefix));
    }
}
