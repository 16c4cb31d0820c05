//! The per-field errors of a submitted form: each field is parsed by the domain's own
//! parser (the JSON API's rules, word for word), and what fails is shown beside its
//! field (`aria-describedby`), the rest of the form kept as typed.

use std::collections::BTreeMap;

#[derive(Debug, Default, Clone)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    /// The parsed value, or `None` with the message kept under `field`.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// Keeps `message` under `field`; the first message of a field stays.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| message.into());
    }

    /// The message of `field`, for the template.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every field with its message, in field order (for a summary above the form).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_message_of_a_field_stays_and_good_values_pass() {
        let mut errors = FieldErrors::default();
        assert_eq!(errors.check("a", Ok::<_, String>(3)), Some(3));
        assert!(errors.is_empty());
        assert_eq!(errors.check::<i32>("b", Err("is wrong".into())), None);
        errors.add("b", "is wrong again");
        assert_eq!(errors.get("b"), Some("is wrong"));
        assert_eq!(errors.get("a"), None);
        assert_eq!(errors.iter().count(), 1);
    }
}
