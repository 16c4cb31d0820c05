//! The per-field errors of a submitted form: each field is parsed by the domain's own
//! parser (the JSON API's rules, word for word), and what fails is shown beside its
//! field (`aria-describedby`), the rest of the form kept as typed.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;

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

/// One input: its id (also its name in a row form), what it holds, and the message
/// beside it.
pub struct Cell {
    pub id: String,
    pub value: String,
    pub error: Option<String>,
}

pub fn cell(errors: &FieldErrors, id: &str, value: &str) -> Cell {
    Cell {
        id: id.to_owned(),
        value: value.to_owned(),
        error: errors.get(id).map(str::to_owned),
    }
}

/// A page of many forms of one kind (one per proof, per gift) after one was refused:
/// which one, what was typed in it and its messages, so that form alone is drawn again
/// as typed.
#[derive(Debug, Default)]
pub struct Sent {
    /// The form refused, as its inputs' ids begin: `{form}-{object id}`.
    pub form: String,
    /// Its values by field name.
    pub values: Vec<(&'static str, String)>,
    /// Keyed by input id: `{form}-{object id}-{field}`.
    pub errors: FieldErrors,
    /// A refusal of the whole action, said above the forms.
    pub error: Option<String>,
}

impl Sent {
    /// The form `{form}-{id}` as sent, with `fields` by name.
    pub fn new(form: &str, id: impl std::fmt::Display, fields: Vec<(&'static str, String)>) -> Self {
        Self {
            form: format!("{form}-{id}"),
            values: fields,
            ..Self::default()
        }
    }

    /// The id of the input `field` of the form sent.
    pub fn input(&self, field: &str) -> String {
        format!("{}-{field}", self.form)
    }

    /// The input `{form}-{id}-{field}`: what was typed in it and its message, when that
    /// form is the one sent.
    pub fn cell(&self, form: &str, id: impl std::fmt::Display, field: &str) -> Cell {
        let prefix = format!("{form}-{id}");
        let value = (self.form == prefix)
            .then(|| {
                self.values
                    .iter()
                    .find(|(name, _)| *name == field)
                    .map(|(_, v)| v.clone())
            })
            .flatten()
            .unwrap_or_default();
        cell(&self.errors, &format!("{prefix}-{field}"), &value)
    }
}

/// The query of a page a form sent the person back to: `?done=…` names the status line
/// the page shows.
#[derive(Debug, Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

/// The text typed, trimmed, when there is any.
pub fn given(text: &str) -> Option<&str> {
    let text = text.trim();
    (!text.is_empty()).then_some(text)
}

/// A row input's name split: `commission.tiers[3].rate` → (`commission.tiers`, 3, `rate`).
pub fn split_row(name: &str) -> Option<(&str, usize, &str)> {
    let (list, rest) = name.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    let field = rest.strip_prefix('.').unwrap_or(rest);
    Some((list, index.parse().ok()?, field))
}

/// The row at `index` of `rows`, grown to hold it.
pub fn row_at<T: Default>(rows: &mut Vec<T>, index: usize) -> &mut T {
    if rows.len() <= index {
        rows.resize_with(index + 1, T::default);
    }
    &mut rows[index]
}

/// A whole number typed in a form (a count, days, a figure).
pub fn whole_number(text: &str) -> Result<i64, String> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| "must be a whole number".to_owned())
}

/// A day typed in a date input (`2027-01-31`).
pub fn day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| "must be a date such as 2027-01-31".to_owned())
}

/// A moment typed in a `datetime-local` input, read as UTC (the forms say so): minutes,
/// or seconds where the browser sends them.
pub fn moment(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|at| at.and_utc())
        .ok_or_else(|| "must be a date and time such as 2026-11-02T14:30".to_owned())
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

    #[test]
    fn rows_numbers_days_and_moments_are_read_as_typed() {
        assert_eq!(
            split_row("commission.tiers[3].rate"),
            Some(("commission.tiers", 3, "rate"))
        );
        assert_eq!(split_row("title"), None);
        let mut rows: Vec<String> = Vec::new();
        row_at(&mut rows, 2).push('x');
        assert_eq!(rows, ["", "", "x"]);
        assert_eq!(given("  a "), Some("a"));
        assert_eq!(given("  "), None);
        assert_eq!(whole_number(" 12 "), Ok(12));
        assert!(whole_number("1.5").is_err());
        assert_eq!(day("2027-01-31").map(|d| d.to_string()), Ok("2027-01-31".to_owned()));
        assert!(day("31/01/2027").is_err());
        assert_eq!(
            moment("2026-11-02T14:30").map(|m| m.to_rfc3339()),
            Ok("2026-11-02T14:30:00+00:00".to_owned())
        );
        assert!(moment("2026-11-02T14:30:05").is_ok());
        assert!(moment("yesterday").is_err());
    }
}
