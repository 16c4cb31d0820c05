//! The brand's landing URL, where referral links send visitors.

/// An absolute `http` or `https` URL with a host and no embedded credentials,
/// at most 2,048 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandingUrl(::url::Url);

impl LandingUrl {
    pub fn parse(input: &str) -> Result<Self, String> {
        if input.len() > 2048 {
            return Err("must be at most 2048 characters".into());
        }
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
}
