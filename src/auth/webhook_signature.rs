//! Signatures of shop webhooks, checked over the raw bytes of the body before anything
//! is parsed or stored (`service::shop_inbox::receive`).
//!
//! - Shopify (`X-Shopify-Hmac-Sha256`) and WooCommerce (`X-WC-Webhook-Signature`):
//!   base64 of HMAC-SHA256 of the body under the signing secret.
//! - Stripe (`Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`): hex HMAC-SHA256
//!   of `"{t}.{body}"`; any `v1` may match (Stripe sends two while a secret rolls), and
//!   `t` must be within [`STRIPE_TOLERANCE_SECS`] of now, so a captured delivery cannot
//!   be replayed later.
//!
//! Every comparison is constant-time (`Mac::verify_slice`). A mismatch says nothing about
//! which bytes were wrong; what the answer names is only what the sender can see for
//! itself (no header, a malformed Stripe header, a stale timestamp), so a brand can tell
//! a wrong secret from a clock or a proxy problem in its shop's delivery log.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a Stripe signature's timestamp may be from now, either way (Stripe's
/// libraries use the same 5 minutes).
pub const STRIPE_TOLERANCE_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

/// The MAC under `secret`; `None` never happens for HMAC (any key length is valid),
/// and would only make verification fail.
fn mac(secret: &[u8]) -> Option<HmacSha256> {
    HmacSha256::new_from_slice(secret).ok()
}

/// Shopify and WooCommerce: `header` is the base64 HMAC-SHA256 of `body`.
pub fn verify_base64_hmac(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Ok(expected) = STANDARD.decode(header.trim()) else {
        return false;
    };
    let Some(mut mac) = mac(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// Why a Stripe signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StripeRefusal {
    /// No `t=` or no `v1=`, or a `t` that is not a number.
    Malformed,
    /// `t` is more than [`STRIPE_TOLERANCE_SECS`] away from now.
    OutsideTolerance,
    /// No `v1` matches.
    Mismatch,
}

/// Stripe: checks `Stripe-Signature` against `body` at `now`.
pub fn verify_stripe(secret: &[u8], body: &[u8], header: &str, now: DateTime<Utc>) -> Result<(), StripeRefusal> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = Some(value),
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(StripeRefusal::Malformed)?;
    let seconds: i64 = timestamp.parse().map_err(|_| StripeRefusal::Malformed)?;
    if signatures.is_empty() {
        return Err(StripeRefusal::Malformed);
    }
    if now.timestamp().abs_diff(seconds) > STRIPE_TOLERANCE_SECS.unsigned_abs() {
        return Err(StripeRefusal::OutsideTolerance);
    }
    let matches = signatures.iter().any(|signature| {
        let Ok(expected) = hex::decode(signature) else {
            return false;
        };
        let Some(mut mac) = mac(secret) else {
            return false;
        };
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    });
    if matches { Ok(()) } else { Err(StripeRefusal::Mismatch) }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    // Vectors computed with Python's `hmac` module, not with this code.
    const SHOP_BODY: &[u8] = br#"{"id":820982911946154508,"total_price":"10.00"}"#;
    const SHOP_SIGNATURE: &str = "0QWCMvo1Z5if2uhKEN6s6V31/93IVSmY7g06Oc8vl20=";
    const STRIPE_BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
    const STRIPE_V1: &str = "9ea9535022637727b808425c5c24288231bbf1fb422c62b3de6ed8429fc8ae52";
    const STRIPE_T: i64 = 1_764_720_000;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(seconds, 0).single().unwrap_or_default()
    }

    #[test]
    fn base64_hmac_accepts_the_right_secret_and_body_only() {
        assert!(verify_base64_hmac(b"shpss_test_secret", SHOP_BODY, SHOP_SIGNATURE));
        assert!(verify_base64_hmac(
            b"shpss_test_secret",
            SHOP_BODY,
            &format!(" {SHOP_SIGNATURE}\n")
        ));
        assert!(!verify_base64_hmac(b"another_secret", SHOP_BODY, SHOP_SIGNATURE));
        assert!(!verify_base64_hmac(b"shpss_test_secret", b"{\"id\":1}", SHOP_SIGNATURE));
        assert!(!verify_base64_hmac(b"shpss_test_secret", SHOP_BODY, ""));
        assert!(!verify_base64_hmac(b"shpss_test_secret", SHOP_BODY, "not base64!"));
        // A prefix of the right MAC is not the MAC.
        assert!(!verify_base64_hmac(
            b"shpss_test_secret",
            SHOP_BODY,
            &SHOP_SIGNATURE[..20]
        ));
    }

    #[test]
    fn stripe_accepts_any_v1_within_the_tolerance() {
        let secret = b"whsec_test_secret";
        let header = format!("t={STRIPE_T},v1={STRIPE_V1}");
        assert_eq!(verify_stripe(secret, STRIPE_BODY, &header, at(STRIPE_T)), Ok(()));
        assert_eq!(verify_stripe(secret, STRIPE_BODY, &header, at(STRIPE_T + 300)), Ok(()));
        assert_eq!(verify_stripe(secret, STRIPE_BODY, &header, at(STRIPE_T - 300)), Ok(()));
        // While a secret rolls Stripe signs twice; either may be ours.
        let rolling = format!("t={STRIPE_T},v1={},v1={STRIPE_V1},v0=ignored", "00".repeat(32));
        assert_eq!(verify_stripe(secret, STRIPE_BODY, &rolling, at(STRIPE_T)), Ok(()));
    }

    #[test]
    fn stripe_refuses_old_tampered_foreign_and_malformed_signatures() {
        let secret = b"whsec_test_secret";
        let header = format!("t={STRIPE_T},v1={STRIPE_V1}");
        assert_eq!(
            verify_stripe(secret, STRIPE_BODY, &header, at(STRIPE_T + 301)),
            Err(StripeRefusal::OutsideTolerance)
        );
        assert_eq!(
            verify_stripe(secret, STRIPE_BODY, &header, at(STRIPE_T - 301)),
            Err(StripeRefusal::OutsideTolerance)
        );
        assert_eq!(
            verify_stripe(b"whsec_other", STRIPE_BODY, &header, at(STRIPE_T)),
            Err(StripeRefusal::Mismatch)
        );
        assert_eq!(
            verify_stripe(secret, b"{\"id\":\"evt_2\"}", &header, at(STRIPE_T)),
            Err(StripeRefusal::Mismatch)
        );
        // The timestamp is signed: moving it to now breaks the signature.
        let moved = format!("t={},v1={STRIPE_V1}", STRIPE_T + 10);
        assert_eq!(
            verify_stripe(secret, STRIPE_BODY, &moved, at(STRIPE_T)),
            Err(StripeRefusal::Mismatch)
        );
        for malformed in ["", "v1=abc", &format!("t={STRIPE_T}"), "t=soon,v1=00"] {
            assert_eq!(
                verify_stripe(secret, STRIPE_BODY, malformed, at(STRIPE_T)),
                Err(StripeRefusal::Malformed),
                "{malformed}"
            );
        }
    }
}
