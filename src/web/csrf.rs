//! CSRF tokens. A signed-in form carries its session's token (random per session, kept
//! server-side). The forms without a session (sign-in, sign-up, the password reset) use
//! a double-submit cookie: a random value set with the form and repeated in it; another
//! site can make a browser post the form but can neither read nor set that cookie.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponse};

use crate::auth::secrets::random_token;

/// The name of the CSRF cookie of the forms without a session.
pub fn login_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-reftrack_csrf"
    } else {
        "reftrack_csrf"
    }
}

/// The CSRF cookie of the forms without a session.
pub fn login_cookie(secure: bool, value: String) -> Cookie<'static> {
    Cookie::build(login_cookie_name(secure), value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

/// The token for a form without a session: the browser's cookie when it holds one of
/// ours, so such forms open side by side (sign-in in one tab, sign-up in another) all
/// stay valid; else a fresh one.
fn form_token(req: &HttpRequest, secure: bool) -> String {
    req.cookie(login_cookie_name(secure))
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| {
            value.len() == 43
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .unwrap_or_else(random_token)
}

/// A page with a form without a session: `render` draws it with the token, and the
/// answer sets the cookie the token must match.
pub fn sessionless_form(req: &HttpRequest, secure: bool, render: impl FnOnce(&str) -> HttpResponse) -> HttpResponse {
    let token = form_token(req, secure);
    let mut answer = render(&token);
    let _ = answer.add_cookie(&login_cookie(secure, token));
    answer
}

/// Equal in constant time.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a form without a session sent the token of its cookie.
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
