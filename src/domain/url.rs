//! The brand's landing URL, where referral links send visitors.

use super::text::{Lines, refuse_invisible};

/// An absolute `http` or `https` URL with a host and no embedded credentials,
/// at most 2,048 characters, typed without control, invisible or bidi characters.
///
/// The URL parser would accept those and store them percent-encoded (or, in a host,
/// drop a zero-width space silently), so the rule is checked on the text as typed.
/// What is stored is the parser's ASCII serialisation, where an escape such as `%E2%80%AE`
/// is visible as written and browsers do not decode it for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandingUrl(::url::Url);

impl LandingUrl {
    pub fn parse(input: &str) -> Result<Self, String> {
        if input.len() > 2048 {
            return Err("must be at most 2048 characters".into());
        }
        refuse_invisible(input.trim(), Lines::One)?;
        let url = ::url::Url::parse(input.trim())
            .map_err(|_| "must be an absolute URL such as https://shop.example.com".to_owned())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("must use http or https".into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("must have a host".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not contain a user name or password".into());
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn url(&self) -> &::url::Url {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_and_https_only() {
        assert!(LandingUrl::parse("https://shop.example.com/welcome?x=1").is_ok());
        assert!(LandingUrl::parse("http://localhost:3000").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://example.com",
            "shop.example.com",
            "https://user:pw@example.com",
            "data:text/html,hi",
        ] {
            assert!(LandingUrl::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn refuses_invisible_characters_the_parser_would_encode_or_drop() {
        for bad in [
            "https://shop.example.com/\u{202E}gpj.exe",
            "https://shop.exa\u{200B}mple.com/",
            "https://shop.example.com/?ref=\u{2066}x",
            "https://shop.example.com/a\nb",
        ] {
            assert!(LandingUrl::parse(bad).is_err(), "{bad:?} accepted");
        }
        // What is stored is ASCII: an escape typed as such stays visible text.
        let typed = LandingUrl::parse("https://shop.example.com/caf\u{e9}?q=%E2%80%AE");
        assert_eq!(
            typed.as_ref().map(LandingUrl::as_str),
            Ok("https://shop.example.com/caf%C3%A9?q=%E2%80%AE")
        );
    }
}
