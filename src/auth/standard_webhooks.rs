//! Signatures of the webhooks reftrack sends, as Standard Webhooks 1.0 defines them, so a
//! receiver can verify them with any of that specification's libraries.
//!
//! The secret is `whsec_` followed by the base64 of random bytes; the key is those bytes.
//! `webhook-signature` is `v1,` and the base64 HMAC-SHA256 of `"{id}.{timestamp}.{body}"`
//! (`webhook-id`, `webhook-timestamp` in Unix seconds, the exact body bytes). While a
//! secret is being replaced both signatures are sent, separated by a space.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The prefix of a secret, as the specification writes it.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a new secret (the specification asks for 24 to 64).
const SECRET_BYTES: usize = 32;

/// A new secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The `v1,<base64>` signature of one message, or `None` when `secret` is not a
/// `whsec_` secret (reftrack makes every secret itself, so that means a damaged one).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header for the secrets in force, the newest first.
pub fn header(secrets: &[String], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|secret| sign(secret, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_specifications_example() {
        // The example of the Standard Webhooks specification; the expected value was also
        // computed independently with Python's `hmac`.
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signature.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn new_secrets_are_random_and_sign() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with(SECRET_PREFIX));
        assert_eq!(
            STANDARD.decode(&a[SECRET_PREFIX.len()..]).map(|k| k.len()),
            Ok(SECRET_BYTES)
        );
        assert!(sign(&a, "msg_1", 1, b"{}").is_some());
        assert!(sign("not a secret", "msg_1", 1, b"{}").is_none());
        assert!(sign("whsec_%%%", "msg_1", 1, b"{}").is_none());
    }

    #[test]
    fn while_a_secret_is_replaced_both_signatures_are_sent() {
        let (new, old) = (new_secret(), new_secret());
        let both = header(&[new.clone(), old.clone()], "msg_1", 7, b"{}");
        let parts: Vec<&str> = both.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(Some(parts[0].to_owned()), sign(&new, "msg_1", 7, b"{}"));
        assert_eq!(Some(parts[1].to_owned()), sign(&old, "msg_1", 7, b"{}"));
    }
}
