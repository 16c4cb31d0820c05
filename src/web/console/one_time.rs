//! The one-time key of a console form that moves money (an adjustment or bonus, a
//! review of a commission): the forms act through the same idempotent use cases as the
//! JSON API, so a form pressed twice, or sent again by the browser after a lost answer,
//! acts once.
//!
//! Each rendered page holds a fresh random token in a hidden `key` field. The token is
//! the idempotency key (namespaced `console:` here, then by the use case, its action and
//! its order or ambassador), and the hash of the form's fields is the request's: the
//! same form sent again gets the first answer (a redirect to the page with its status
//! line), while the same token with other values is refused as a reused key. A page
//! rendered again, after a refusal or a success, carries a new token, so a second,
//! deliberate bonus is a second form, never a replay of the first.

use crate::auth::secrets::{random_token, sha256_hex};
use crate::service::orders::replay::Keyed;
use crate::web::session::PageError;

/// The token for one rendered page's money forms.
pub fn new_key() -> String {
    random_token()
}

/// The form's key and the hash of its fields (`fields` in a fixed order); a form
/// without a key of ours is refused as one this console did not render.
pub fn keyed(sent: &str, fields: &[(&str, &str)]) -> Result<Keyed, PageError> {
    let ours = sent.len() == 43
        && sent
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ours {
        return Err(PageError::BadRequest(
            "The form lacks its one-time key; reload the page and try again.".into(),
        ));
    }
    let canonical = serde_json::to_string(fields).unwrap_or_default();
    Ok(Keyed {
        key: format!("console:{sent}"),
        request_hash: sha256_hex(&canonical),
    })
}

/// The same key sent with other values: the first form acted; this one did not.
pub const KEY_REUSED: &str = "This form was already sent with other values, and only the first one counted; the page now shows where things stand.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::money::Refusal;

    #[test]
    fn a_key_is_ours_and_the_hash_follows_the_fields() {
        let key = new_key();
        let a = keyed(&key, &[("reason", "late post")]).unwrap_or_else(|e| panic!("{e}"));
        let b = keyed(&key, &[("reason", "late post")]).unwrap_or_else(|e| panic!("{e}"));
        let c = keyed(&key, &[("reason", "other")]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.key, format!("console:{key}"));
        assert_eq!(a.request_hash, b.request_hash);
        assert_ne!(a.request_hash, c.request_hash);
        assert!(keyed("", &[]).is_err());
        assert!(keyed("short", &[]).is_err());
        assert!(keyed(&format!("{}!", &key[..42]), &[]).is_err());
        assert_eq!(Refusal::NotHeld.sentence(), "The commission is not held for review.");
    }
}
