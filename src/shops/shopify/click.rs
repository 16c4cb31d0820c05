//! The reftrack click an order came from: a cart attribute the storefront snippet sets
//! (`reftrack_click_id`, which Shopify passes on as a note attribute), else the
//! `click_id` query parameter of the page the visit landed on.

use serde_json::Value;

use super::payload::NoteAttribute;

/// The note attribute the storefront snippet writes the click id to.
const NOTE_ATTRIBUTE: &str = "reftrack_click_id";
/// The query parameter a tracked link adds to the landing page.
const QUERY_PARAMETER: &str = "click_id";

/// The click id, preferring the note attribute: the snippet sets it from the click the
/// visitor actually followed, while `landing_site` is only the first page of the visit.
pub fn click_id(note_attributes: &[NoteAttribute], landing_site: Option<&str>) -> Option<String> {
    from_note_attributes(note_attributes).or_else(|| landing_site.and_then(from_landing_site))
}

fn from_note_attributes(attributes: &[NoteAttribute]) -> Option<String> {
    attributes
        .iter()
        .filter(|a| a.name.as_deref().map(str::trim) == Some(NOTE_ATTRIBUTE))
        .find_map(|a| match a.value.as_ref()? {
            Value::String(text) => non_empty(text),
            Value::Number(number) => non_empty(&number.to_string()),
            _ => None,
        })
}

/// `landing_site` is usually a path and query ("/products/tee?click_id=abc") and
/// sometimes a whole URL; either way only the query matters, read as a form would be
/// (percent-decoded, `+` as a space), without its fragment.
fn from_landing_site(landing_site: &str) -> Option<String> {
    let (_, query) = landing_site.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == QUERY_PARAMETER)
        .find_map(|(_, value)| non_empty(&value))
}

fn non_empty(text: &str) -> Option<String> {
    Some(text.trim()).filter(|t| !t.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attributes(value: Value) -> Vec<NoteAttribute> {
        serde_json::from_value(value).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_note_attribute_wins_over_the_landing_page() {
        let notes =
            attributes(json!([{"name": "gift_wrap", "value": "no"}, {"name": "reftrack_click_id", "value": "clk_1"}]));
        assert_eq!(click_id(&notes, Some("/?click_id=clk_2")), Some("clk_1".into()));
        assert_eq!(click_id(&[], Some("/?click_id=clk_2")), Some("clk_2".into()));
        let blank = attributes(json!([{"name": "reftrack_click_id", "value": " "}]));
        assert_eq!(click_id(&blank, Some("/?click_id=clk_2")), Some("clk_2".into()));
        assert_eq!(click_id(&[], None), None);
    }

    #[test]
    fn the_landing_query_is_percent_decoded_from_a_path_or_a_url() {
        let landing = |site| from_landing_site(site);
        assert_eq!(landing("/products/tee?ref=ana&click_id=abc"), Some("abc".into()));
        assert_eq!(
            landing("https://shop.example.com/collections/tees?utm_source=ig&click_id=ig%3Aana%3A9f2c#reviews"),
            Some("ig:ana:9f2c".into())
        );
        assert_eq!(landing("/?click_id=&click_id=second"), Some("second".into()));
        assert_eq!(landing("/?xclick_id=abc&click_ids=def"), None);
        assert_eq!(landing("/products/tee"), None);
        assert_eq!(landing("/?click_id=%ZZ"), Some("%ZZ".into()));
    }
}
