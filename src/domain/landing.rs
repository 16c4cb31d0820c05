//! Where a referral link sends the visitor: the brand's landing page, with what the
//! shop needs to attribute the order it may lead to.

use url::Url;

/// Query keys reftrack sets; the landing URL's own values for them are replaced.
const OWN_KEYS: [&str; 6] = [
    "ref",
    "click_id",
    "utm_source",
    "utm_medium",
    "utm_content",
    "client_reference_id",
];

/// The landing page for a followed referral link. With a usable code it carries
/// `ref={code}` and `click_id={click}` (the JSON checkout's fields), and
/// `utm_source=reftrack&utm_medium=referral&utm_content={code}`, which WooCommerce's
/// order attribution and Shopify's landing site keep, so a shop webhook names the code.
/// A Stripe Payment Link (`buy.stripe.com`) also gets `client_reference_id=rt_{click}`,
/// which Stripe puts on the checkout session. The page's own query is kept, but for
/// those keys. Without a referral the page is unchanged.
pub fn landing_target(landing_url: &Url, referral: Option<(&str, &str)>) -> Url {
    let mut target = landing_url.clone();
    let Some((code, click)) = referral else {
        return target;
    };
    let kept: Vec<(String, String)> = landing_url
        .query_pairs()
        .filter(|(key, _)| !OWN_KEYS.contains(&key.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let stripe = target.host_str() == Some("buy.stripe.com");
    {
        let mut query = target.query_pairs_mut();
        query.clear().extend_pairs(kept);
        query
            .append_pair("ref", code)
            .append_pair("click_id", click)
            .append_pair("utm_source", "reftrack")
            .append_pair("utm_medium", "referral")
            .append_pair("utm_content", code);
        if stripe {
            query.append_pair("client_reference_id", &format!("rt_{click}"));
        }
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(landing: &str, referral: Option<(&str, &str)>) -> String {
        landing_target(&Url::parse(landing).unwrap_or_else(|e| panic!("{e}")), referral).to_string()
    }

    #[test]
    fn a_referral_adds_ref_click_and_utm_keeping_the_pages_own_query() {
        assert_eq!(
            target(
                "https://acme.example/shop?src=ig&utm_source=newsletter",
                Some(("ANA10", "c1"))
            ),
            "https://acme.example/shop?src=ig&ref=ANA10&click_id=c1&utm_source=reftrack&utm_medium=referral&utm_content=ANA10"
        );
    }

    #[test]
    fn a_stripe_payment_link_also_gets_the_click_as_client_reference_id() {
        assert_eq!(
            target("https://buy.stripe.com/test_14k5nJ", Some(("ANA10", "c1"))),
            "https://buy.stripe.com/test_14k5nJ?ref=ANA10&click_id=c1&utm_source=reftrack&utm_medium=referral&utm_content=ANA10&client_reference_id=rt_c1"
        );
    }

    #[test]
    fn without_a_referral_the_page_is_unchanged() {
        assert_eq!(
            target("https://acme.example/shop?src=ig", None),
            "https://acme.example/shop?src=ig"
        );
    }
}
