//! The offer form of the console as a browser sends it: who the deal is for, its title,
//! the fee per item typed in major units of the program's currency, terms, the last day
//! it may be answered, and rows of deliverables and gifts (gift values in major units
//! too), read into the very [`DealInput`] the JSON API builds from its body; and the
//! input rules' field paths (`deliverables[0].due_on`) mapped back to the form's inputs,
//! so each message is shown beside what the person typed.
//!
//! Rows are named by their place in the form (`gifts[2].sku`); empty rows are skipped, so
//! a row's index in the command can differ from its place in the form ([`Rows`] keeps
//! the correspondence). A value this form cannot read (a count that is not a number, an
//! amount with a comma) is said beside its input and the row still goes to the rules,
//! which find the rest of what is wrong with it.

use chrono::{DateTime, NaiveTime, Utc};

use crate::domain::Currency;
use crate::domain::money::parse_major;
use crate::service::deals::input::{DealInput, DeliverableInput, GiftInput};
use crate::store::ids::{InvitationId, MembershipId};
use crate::web::form::{self, FieldErrors, given, row_at, split_row};

pub const DELIVERABLES: &str = "deliverables";
pub const GIFTS: &str = "gifts";
/// The input naming who the deal is for: `ambassador:{id}` or `invitation:{id}`.
pub const TO: &str = "to";
/// Empty rows offered under the filled ones (no script needed to add one).
const EMPTY_DELIVERABLES: usize = 2;
const EMPTY_GIFTS: usize = 2;
/// Rows of one list a form may send: above the rules' limits (20 each), so that their
/// own message says when there are too many.
const MAX_ROWS: usize = 40;

/// One deliverable row as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverableFields {
    pub platform: String,
    pub kind: String,
    pub count: String,
    pub due_on: String,
    pub keep_up_days: String,
    pub requirements: String,
}

impl Default for DeliverableFields {
    fn default() -> Self {
        Self {
            platform: "instagram".into(),
            kind: "post".into(),
            count: String::new(),
            due_on: String::new(),
            keep_up_days: String::new(),
            requirements: String::new(),
        }
    }
}

/// One gift row as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GiftFields {
    pub sku: String,
    pub description: String,
    pub quantity: String,
    pub unit_value: String,
}

/// The form as typed: every value kept as text, so a refused form is shown again
/// exactly as it was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DealForm {
    pub to: String,
    pub title: String,
    pub fee: String,
    pub terms: String,
    pub expires_on: String,
    pub deliverables: Vec<DeliverableFields>,
    pub gifts: Vec<GiftFields>,
}

/// Where each entry of the command's lists came from in the form.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    deliverables: Vec<usize>,
    gifts: Vec<usize>,
}

pub fn row_id(list: &str, row: usize, field: &str) -> String {
    format!("{list}[{row}].{field}")
}

/// Who the deal is for, as the select names them.
pub fn offeree(text: &str) -> Result<(Option<MembershipId>, Option<InvitationId>), String> {
    let refused = || "must be one of your ambassadors or open invitations".to_owned();
    match text.trim().split_once(':') {
        Some(("ambassador", id)) => id.parse().map(|id| (Some(id), None)).map_err(|_| refused()),
        Some(("invitation", id)) => id.parse().map(|id| (None, Some(id))).map_err(|_| refused()),
        _ if text.trim().is_empty() => Err("choose who the deal is for".to_owned()),
        _ => Err(refused()),
    }
}

impl DealForm {
    /// A new offer to `to` (a select value, or empty), with empty rows.
    pub fn blank(to: String) -> Self {
        Self { to, ..Self::default() }.with_empty_rows()
    }

    /// Empty rows under the typed ones (a refused form comes back with its own).
    fn with_empty_rows(mut self) -> Self {
        self.deliverables
            .extend(std::iter::repeat_with(DeliverableFields::default).take(EMPTY_DELIVERABLES));
        self.gifts
            .extend(std::iter::repeat_with(GiftFields::default).take(EMPTY_GIFTS));
        self
    }

    /// Reads the submitted pairs; returns the CSRF token and the one-time key apart.
    /// Names the form never sends are ignored; a row beyond [`MAX_ROWS`] is refused.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<(String, String, Self), String> {
        let (mut csrf, mut key) = (String::new(), String::new());
        let mut form = Self::default();
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "csrf" => &mut csrf,
                "key" => &mut key,
                TO => &mut form.to,
                "title" => &mut form.title,
                "fee" => &mut form.fee,
                "terms" => &mut form.terms,
                "expires_on" => &mut form.expires_on,
                other => match split_row(other) {
                    Some((_, index, _)) if index >= MAX_ROWS => {
                        return Err(format!("A form has at most {MAX_ROWS} rows of each kind."));
                    }
                    Some((DELIVERABLES, index, field)) => {
                        let row = row_at(&mut form.deliverables, index);
                        match field {
                            "platform" => &mut row.platform,
                            "kind" => &mut row.kind,
                            "count" => &mut row.count,
                            "due_on" => &mut row.due_on,
                            "keep_up_days" => &mut row.keep_up_days,
                            "requirements" => &mut row.requirements,
                            _ => continue,
                        }
                    }
                    Some((GIFTS, index, field)) => {
                        let row = row_at(&mut form.gifts, index);
                        match field {
                            "sku" => &mut row.sku,
                            "description" => &mut row.description,
                            "quantity" => &mut row.quantity,
                            "unit_value" => &mut row.unit_value,
                            _ => continue,
                        }
                    }
                    _ => continue,
                },
            };
            // A textarea sends its line breaks as CR LF; the rules keep `\n`.
            *slot = value.replace("\r\n", "\n");
        }
        Ok((csrf, key, form))
    }

    /// Every value of the form in a fixed order, for the hash of its one-time key.
    pub fn canonical(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = [
            (TO, &self.to),
            ("title", &self.title),
            ("fee", &self.fee),
            ("terms", &self.terms),
            ("expires_on", &self.expires_on),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
        for (i, d) in self.deliverables.iter().enumerate() {
            let fields = [
                &d.platform,
                &d.kind,
                &d.count,
                &d.due_on,
                &d.keep_up_days,
                &d.requirements,
            ];
            out.push((
                row_id(DELIVERABLES, i, ""),
                serde_json::to_string(&fields).unwrap_or_default(),
            ));
        }
        for (i, g) in self.gifts.iter().enumerate() {
            let fields = [&g.sku, &g.description, &g.quantity, &g.unit_value];
            out.push((row_id(GIFTS, i, ""), serde_json::to_string(&fields).unwrap_or_default()));
        }
        out
    }

    /// The command the JSON API would receive, money read in `currency`; what this form
    /// cannot read is kept in `errors` under its input.
    pub fn input(&self, currency: Currency, errors: &mut FieldErrors) -> (DealInput, Rows) {
        let (ambassador_id, invitation_id) = errors.check(TO, offeree(&self.to)).unwrap_or((None, None));
        // A value that cannot be read goes on as one the rules refuse, whose message
        // stays behind this form's own (the first message of a field stays).
        let fee = amount(errors, "fee", &self.fee, currency).unwrap_or(-1);
        let mut rows = Rows::default();
        let mut gifts = Vec::new();
        for (i, g) in self.gifts.iter().enumerate() {
            if [&g.sku, &g.description, &g.quantity, &g.unit_value]
                .iter()
                .all(|t| given(t).is_none())
            {
                continue;
            }
            rows.gifts.push(i);
            gifts.push(GiftInput {
                sku: g.sku.clone(),
                description: g.description.clone(),
                quantity: required_number(errors, &row_id(GIFTS, i, "quantity"), &g.quantity).unwrap_or(0),
                unit_value: amount(errors, &row_id(GIFTS, i, "unit_value"), &g.unit_value, currency).unwrap_or(-1),
            });
        }
        let mut deliverables = Vec::new();
        for (i, d) in self.deliverables.iter().enumerate() {
            if [&d.count, &d.due_on, &d.keep_up_days, &d.requirements]
                .iter()
                .all(|t| given(t).is_none())
            {
                continue;
            }
            rows.deliverables.push(i);
            let keep_up_days = given(&d.keep_up_days).map(|text| {
                errors
                    .check(&row_id(DELIVERABLES, i, "keep_up_days"), form::whole_number(text))
                    .unwrap_or(-1)
            });
            deliverables.push(DeliverableInput {
                platform: d.platform.clone(),
                kind: d.kind.clone(),
                count: required_number(errors, &row_id(DELIVERABLES, i, "count"), &d.count).unwrap_or(0),
                due_on: d.due_on.trim().to_owned(),
                keep_up_days,
                requirements: given(&d.requirements).map(str::to_owned),
            });
        }
        let input = DealInput {
            ambassador_id,
            invitation_id,
            title: self.title.clone(),
            fee,
            terms: given(&self.terms).map(str::to_owned),
            deliverables,
            gifts,
            expires_at: self.expires_at(errors),
        };
        (input, rows)
    }

    /// The end (23:59:59 UTC) of the last day the offer may be answered; none typed is
    /// the rules' default.
    fn expires_at(&self, errors: &mut FieldErrors) -> Option<DateTime<Utc>> {
        let text = given(&self.expires_on)?;
        let day = errors.check("expires_on", form::day(text))?;
        let end = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default();
        Some(day.and_time(end).and_utc())
    }
}

/// A value the form requires, read by `read`.
fn required<T>(
    errors: &mut FieldErrors,
    id: &str,
    text: &str,
    read: impl FnOnce(&str) -> Result<T, String>,
) -> Option<T> {
    match given(text) {
        None => {
            errors.add(id, "is required");
            None
        }
        Some(text) => errors.check(id, read(text)),
    }
}

fn required_number(errors: &mut FieldErrors, id: &str, text: &str) -> Option<i64> {
    required(errors, id, text, form::whole_number)
}

/// An amount typed in major units of `currency`.
fn amount(errors: &mut FieldErrors, id: &str, text: &str, currency: Currency) -> Option<i64> {
    required(errors, id, text, |t| parse_major(t, currency))
}

impl Rows {
    /// The form input that shows the rules' message for `path`.
    pub fn input_of(&self, path: &str) -> String {
        match path {
            "ambassador_id" | "invitation_id" => return TO.to_owned(),
            "expires_at" => return "expires_on".to_owned(),
            _ => {}
        }
        let Some((list, index, field)) = split_row(path) else {
            return path.to_owned();
        };
        let rows = match list {
            DELIVERABLES => &self.deliverables,
            GIFTS => &self.gifts,
            _ => return path.to_owned(),
        };
        rows.get(index)
            .map_or_else(|| list.to_owned(), |row| row_id(list, *row, field))
    }

    /// Keeps each `(path, message)` of the rules under its input.
    pub fn show(&self, found: Vec<(String, String)>, errors: &mut FieldErrors) {
        for (path, message) in found {
            errors.add(&self.input_of(&path), message);
        }
    }
}

/// What a person calls an input, for the list of problems above the form.
pub fn label(id: &str) -> String {
    if let Some((list, index, field)) = split_row(id) {
        let what = if list == GIFTS { "Gift" } else { "Deliverable" };
        let field = match field {
            "due_on" => "due date",
            "keep_up_days" => "days to keep it up",
            "unit_value" => "value of one",
            other => other,
        };
        return format!("{what} {}: {field}", index + 1);
    }
    match id {
        TO => "Offer to",
        "title" => "Title",
        "fee" => "Fee per item",
        "terms" => "Terms",
        "expires_on" => "Open until",
        DELIVERABLES => "Deliverables",
        GIFTS => "Gifts",
        other => other,
    }
    .to_owned()
}

#[cfg(test)]
mod tests;
