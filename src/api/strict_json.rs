//! Strict reading of JSON request bodies: an object that names a key twice is refused.
//!
//! RFC 8259 §4 leaves repeated keys to the reader, and readers disagree: serde_json
//! keeps the last value, others the first or both. A body such as
//! `{"amount": 1, "amount": 50}` would mean one thing to a proxy or a shop's log and
//! another to us, so it is not read at all (the "I-JSON" profile, RFC 7493 §2.3).

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// Why a body is not a JSON document we read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON: a syntax error, trailing characters, or nesting deeper than 128.
    Syntax,
    /// The document stops before its value is complete (an empty body included).
    Truncated,
    /// An object names this key twice (at any depth).
    DuplicateKey(String),
}

/// Parses `bytes` as one JSON document whose objects name each key once. Numbers keep
/// their text exactly, as `serde_json::Value` does with `arbitrary_precision`.
pub fn parse(bytes: &[u8]) -> Result<Value, JsonError> {
    // First the document itself, so a syntax error is reported as such; then a second
    // pass over the same text that only looks at keys. serde_json's own `Value`
    // builder is kept for the document because it is the one that knows how
    // `arbitrary_precision` hands numbers over; the key pass needs no such knowledge
    // (a number reaches it as a one-entry map, which repeats nothing).
    let document: Value = serde_json::from_slice(bytes).map_err(|err| match err.classify() {
        serde_json::error::Category::Eof => JsonError::Truncated,
        _ => JsonError::Syntax,
    })?;
    let duplicate = RefCell::new(None);
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let checked = UniqueKeys { duplicate: &duplicate }
        .deserialize(&mut reader)
        .and_then(|()| reader.end());
    match (checked, duplicate.into_inner()) {
        (_, Some(key)) => Err(JsonError::DuplicateKey(key)),
        (Ok(()), None) => Ok(document),
        // The first pass accepted this text, so the second cannot fail on its own.
        (Err(_), None) => Err(JsonError::Syntax),
    }
}

/// Walks a document and fails at the first object that repeats a key, leaving the key
/// in `duplicate`.
#[derive(Clone, Copy)]
struct UniqueKeys<'a> {
    duplicate: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        while items.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<(), A::Error> {
        // Keys arrive unescaped, so `"amount"` and `"am\u006funt"` are the same key,
        // as they are to every reader.
        let mut seen = HashSet::new();
        while let Some(key) = fields.next_key::<String>()? {
            if seen.contains(&key) {
                *self.duplicate.borrow_mut() = Some(key);
                return Err(de::Error::custom("duplicate key"));
            }
            fields.next_value_seed(self)?;
            seen.insert(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duplicate(json: &str) -> Option<String> {
        match parse(json.as_bytes()) {
            Err(JsonError::DuplicateKey(key)) => Some(key),
            _ => None,
        }
    }

    #[test]
    fn a_key_named_twice_is_refused_at_any_depth() {
        assert_eq!(duplicate(r#"{"a":1,"a":2}"#).as_deref(), Some("a"));
        assert_eq!(duplicate(r#"{"a":{"b":1,"c":2,"b":1}}"#).as_deref(), Some("b"));
        assert_eq!(
            duplicate(r#"{"l":[{"x":1},{"y":[{"z":1,"z":1}]}]}"#).as_deref(),
            Some("z")
        );
        assert_eq!(duplicate(r#"{"amount":1,"am\u006funt":50}"#).as_deref(), Some("amount"));
        assert_eq!(duplicate(r#"{"a":{"a":{"a":1}}}"#), None);
        assert_eq!(duplicate(r#"{"a":1,"b":{"a":1},"c":[{"a":1},{"a":1}]}"#), None);
    }

    #[test]
    fn numbers_are_kept_exactly_as_serde_json_keeps_them() {
        let text = r#"{"a":2500.0,"b":123456789012345678901234567890,"c":[1e400,-0.10,25e2],"d":9007199254740993}"#;
        let plain: Result<Value, _> = serde_json::from_str(text);
        assert_eq!(parse(text.as_bytes()).ok(), plain.ok());
        assert_eq!(
            parse(text.as_bytes()).map(|v| v["a"].to_string() + " " + &v["d"].to_string()),
            Ok("2500.0 9007199254740993".to_owned())
        );
    }

    #[test]
    fn syntax_errors_and_truncation_are_told_apart() {
        assert_eq!(parse(b"{\"a\":"), Err(JsonError::Truncated));
        assert_eq!(parse(b""), Err(JsonError::Truncated));
        assert_eq!(parse(b"{} {}"), Err(JsonError::Syntax));
        assert_eq!(parse(b"{\"a\" 1}"), Err(JsonError::Syntax));
        // A syntax error after a repeated key is still a syntax error.
        assert_eq!(parse(br#"{"a":1,"a":2,}"#), Err(JsonError::Syntax));
    }
}
