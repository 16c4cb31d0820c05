//! Collects every invalid field of a request before answering, so a client sees all
//! of its mistakes in one 422 instead of one per round trip.

use super::{ApiError, FieldError};

#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// Keeps the parsed value, or records `field`'s error and returns `None`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.errors.push(FieldError::new(field, message));
                None
            }
        }
    }

    /// Like [`check`](Self::check) for optional input: absent stays `Some(None)`.
    pub fn check_opt<T>(&mut self, field: &str, input: Option<Result<T, String>>) -> Option<Option<T>> {
        match input {
            None => Some(None),
            Some(parsed) => self.check(field, parsed).map(Some),
        }
    }

    /// The 422 for everything recorded. Call it when a `check` returned `None`.
    pub fn into_error(self) -> ApiError {
        ApiError::validation(self.errors)
    }
}

/// Serde helper for PATCH fields where `null` means "clear" and absence means "keep":
/// absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// Serde helper for an optional nested object: a derived struct would also read a JSON
/// array of its fields in order, which no client means and the spec does not allow.
/// Absent → `None` (with `#[serde(default)]`); an object → `Some`; anything else, `null`
/// included, is refused.
pub fn object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::de::Error;
    match <serde_json::Value as serde::Deserialize>::deserialize(deserializer)? {
        serde_json::Value::Object(map) => T::deserialize(serde_json::Value::Object(map))
            .map(Some)
            .map_err(D::Error::custom),
        _ => Err(D::Error::custom("must be an object")),
    }
}
