//! CSRF tokens. A signed-in form carries its session's token (random per session, kept
//! server-side). The sign-in form, which has no session yet, uses a double-submit
//! cookie: a random value set with the form and repeated in it; another site can make a
//! browser post the form but can neither read nor set that cookie.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

/// The name of the sign-in form's CSRF cookie.
pub fn login_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-reftrack_csrf"
    } else {
        "reftrack_csrf"
    }
}

/// A fresh sign-in CSRF cookie.
pub fn login_cookie(secure: bool, value: String) -> Cookie<'static> {
    Cookie::build(login_cookie_name(secure), value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

/// Equal in constant time.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether the sign-in form's token matches its cookie.
pub fn login_form_holds(req: &HttpRequest, secure: bool, sent: &str) -> bool {
    req.cookie(login_cookie_name(secure))
        .is_some_and(|cookie| !sent.is_empty() && same(cookie.value(), sent))
}

/// Whether a signed-in form's token is its session's.
pub fn session_form_holds(expected: &str, sent: &str) -> bool {
    !sent.is_empty() && same(expected, sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::session::cookie_name;

    #[test]
    fn tokens_compare_whole() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert!(!session_form_holds("", ""));
        assert!(cookie_name(true).starts_with("__Host-"));
    }
}
