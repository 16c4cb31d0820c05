//! Brand slugs: the brand's part of every referral link (`/r/{slug}/{code}`).

/// `[a-z0-9-]{3,40}`. Upper case is refused rather than folded, so the slug a brand
/// typed is the slug in its links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Self, String> {
        let len = input.len();
        if !(3..=40).contains(&len) {
            return Err("must be 3 to 40 characters".into());
        }
        if !input
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err("may contain only a-z, 0-9 and -".into());
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn refuses_bad_slugs() {
        for bad in ["ab", "Acme", "acme shop", "acme_shop", &"a".repeat(41), "ümlaut"] {
            assert!(Slug::parse(bad).is_err(), "{bad} accepted");
        }
    }

    proptest! {
        #[test]
        fn accepts_the_whole_allowed_alphabet(s in "[a-z0-9-]{3,40}") {
            prop_assert!(Slug::parse(&s).is_ok());
        }
    }
}
