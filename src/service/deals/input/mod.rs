//! The rules for what a deal, a counter-offer, a proof and a shipment may say. Every
//! door (the JSON API, the console, the portal) hands its raw fields here and shows the
//! field errors it gets back, so the rules are written once.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::domain::adjustment::Reason;
use crate::domain::money::MAX_AMOUNT;
use crate::domain::text::{Lines, refuse_invisible};
use crate::domain::url::LandingUrl;
use crate::store::deals::{DeliverableKind, Platform};
use crate::store::ids::{InvitationId, MembershipId};

pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_TERMS_CHARS: usize = 4000;
pub const MAX_REQUIREMENTS_CHARS: usize = 2000;
pub const MAX_DELIVERABLES: usize = 20;
pub const MAX_GIFTS: usize = 20;
pub const MAX_COUNT: i64 = 100;
pub const MAX_KEEP_UP_DAYS: i64 = 365;
pub const MAX_SKU_CHARS: usize = 64;
pub const MAX_GIFT_CHARS: usize = 200;
pub const MAX_QUANTITY: i64 = 1000;
pub const MAX_NOTE_CHARS: usize = 500;
pub const MAX_CARRIER_CHARS: usize = 100;
/// An offer stays open this long unless the brand says otherwise.
pub const DEFAULT_OFFER_DAYS: i64 = 14;
/// The longest an offer may stay open.
pub const MAX_OFFER_DAYS: i64 = 90;
/// A due date at most this far ahead.
pub const MAX_DUE_DAYS: i64 = 730;

/// Field errors: (path, message).
pub type FieldErrors = Vec<(String, String)>;

/// Who the deal is offered to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offeree {
    Ambassador(MembershipId),
    /// An invitation still open: the influencer sees the deal before joining.
    Invitation(InvitationId),
}

#[derive(Debug, Clone, Default)]
pub struct DeliverableInput {
    pub platform: String,
    pub kind: String,
    pub count: i64,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    pub keep_up_days: Option<i64>,
    pub requirements: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct GiftInput {
    pub sku: String,
    pub description: String,
    pub quantity: i64,
    pub unit_value: i64,
}

/// A deal as a door received it.
#[derive(Debug, Clone, Default)]
pub struct DealInput {
    pub ambassador_id: Option<MembershipId>,
    pub invitation_id: Option<InvitationId>,
    pub title: String,
    pub fee: i64,
    pub terms: Option<String>,
    pub deliverables: Vec<DeliverableInput>,
    pub gifts: Vec<GiftInput>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deliverable {
    pub platform: Platform,
    pub kind: DeliverableKind,
    pub count: i32,
    pub due_on: NaiveDate,
    pub keep_up_days: i32,
    pub requirements: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gift {
    pub sku: String,
    pub description: String,
    pub quantity: i64,
    pub unit_value: i64,
}

/// A valid offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeal {
    pub offeree: Offeree,
    pub title: String,
    /// Per deliverable item, minor units of the program's currency; may be zero.
    pub fee: i64,
    pub terms: String,
    pub deliverables: Vec<Deliverable>,
    pub gifts: Vec<Gift>,
    pub expires_at: DateTime<Utc>,
}

fn text(errors: &mut FieldErrors, path: &str, value: &str, min: usize, max: usize, lines: Lines) -> Option<String> {
    let value = value.trim();
    let count = value.chars().count();
    if count < min || count > max {
        let message = if min == 0 {
            format!("must be at most {max} characters")
        } else {
            format!("must be {min} to {max} characters")
        };
        errors.push((path.to_owned(), message));
        return None;
    }
    if let Err(message) = refuse_invisible(value, lines) {
        errors.push((path.to_owned(), message));
        return None;
    }
    Some(value.to_owned())
}

fn within(errors: &mut FieldErrors, path: &str, value: i64, min: i64, max: i64) -> Option<i64> {
    if (min..=max).contains(&value) {
        Some(value)
    } else {
        errors.push((path.to_owned(), format!("must be {min} to {max}")));
        None
    }
}

/// A fee: 0 to [`MAX_AMOUNT`] minor units.
pub fn fee(value: i64) -> Result<i64, String> {
    if (0..=MAX_AMOUNT).contains(&value) {
        Ok(value)
    } else {
        Err(format!("must be 0 to {MAX_AMOUNT} minor units"))
    }
}

impl DealInput {
    /// Checks every field against the rules, as of `now`; every problem with its path.
    pub fn validate(self, now: DateTime<Utc>) -> Result<NewDeal, FieldErrors> {
        let mut errors = FieldErrors::new();
        let offeree = match (self.ambassador_id, self.invitation_id) {
            (Some(id), None) => Some(Offeree::Ambassador(id)),
            (None, Some(id)) => Some(Offeree::Invitation(id)),
            _ => {
                errors.push((
                    "ambassador_id".to_owned(),
                    "name either an ambassador or an open invitation (invitation_id)".to_owned(),
                ));
                None
            }
        };
        let title = text(&mut errors, "title", &self.title, 1, MAX_TITLE_CHARS, Lines::One);
        let fee = fee(self.fee).map_err(|m| errors.push(("fee".to_owned(), m))).ok();
        let terms = text(
            &mut errors,
            "terms",
            self.terms.as_deref().unwrap_or(""),
            0,
            MAX_TERMS_CHARS,
            Lines::Many,
        );
        if self.deliverables.is_empty() || self.deliverables.len() > MAX_DELIVERABLES {
            errors.push((
                "deliverables".to_owned(),
                format!("must list 1 to {MAX_DELIVERABLES} deliverables"),
            ));
        }
        let today = now.date_naive();
        let deliverables: Vec<_> = (self.deliverables.into_iter().enumerate())
            .take(MAX_DELIVERABLES)
            .map(|(i, d)| deliverable(&mut errors, &format!("deliverables[{i}]"), d, today))
            .collect();
        if self.gifts.len() > MAX_GIFTS {
            errors.push(("gifts".to_owned(), format!("must list at most {MAX_GIFTS} gifts")));
        }
        let gifts: Vec<_> = (self.gifts.into_iter().enumerate())
            .take(MAX_GIFTS)
            .map(|(i, g)| gift(&mut errors, &format!("gifts[{i}]"), g))
            .collect();
        let expires_at = match self.expires_at {
            None => Some(now + Duration::days(DEFAULT_OFFER_DAYS)),
            Some(at) if at > now && at <= now + Duration::days(MAX_OFFER_DAYS) => Some(at),
            Some(_) => {
                errors.push((
                    "expires_at".to_owned(),
                    format!("must be in the future and at most {MAX_OFFER_DAYS} days ahead"),
                ));
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        match (offeree, title, fee, terms, expires_at) {
            (Some(offeree), Some(title), Some(fee), Some(terms), Some(expires_at)) => Ok(NewDeal {
                offeree,
                title,
                fee,
                terms,
                deliverables: deliverables.into_iter().flatten().collect(),
                gifts: gifts.into_iter().flatten().collect(),
                expires_at,
            }),
            _ => Err(errors),
        }
    }
}

fn deliverable(errors: &mut FieldErrors, path: &str, input: DeliverableInput, today: NaiveDate) -> Option<Deliverable> {
    let at = |field: &str| format!("{path}.{field}");
    let platform = Platform::parse(&input.platform).or_else(|| {
        errors.push((at("platform"), one_of(Platform::ALL.iter().map(|p| p.as_str()))));
        None
    });
    let kind = DeliverableKind::parse(&input.kind).or_else(|| {
        errors.push((at("kind"), one_of(DeliverableKind::ALL.iter().map(|k| k.as_str()))));
        None
    });
    let count = within(errors, &at("count"), input.count, 1, MAX_COUNT);
    let due_on = match NaiveDate::parse_from_str(&input.due_on, "%Y-%m-%d") {
        Ok(date) if input.due_on.len() == 10 && date >= today && date <= today + Duration::days(MAX_DUE_DAYS) => {
            Some(date)
        }
        Ok(_) => {
            errors.push((
                at("due_on"),
                format!("must be today or later, at most {MAX_DUE_DAYS} days ahead"),
            ));
            None
        }
        Err(_) => {
            errors.push((at("due_on"), "must be a date such as 2027-01-31".to_owned()));
            None
        }
    };
    let keep_up_days = within(
        errors,
        &at("keep_up_days"),
        input.keep_up_days.unwrap_or(0),
        0,
        MAX_KEEP_UP_DAYS,
    );
    let requirements = text(
        errors,
        &at("requirements"),
        input.requirements.as_deref().unwrap_or(""),
        0,
        MAX_REQUIREMENTS_CHARS,
        Lines::Many,
    );
    Some(Deliverable {
        platform: platform?,
        kind: kind?,
        count: i32::try_from(count?).ok()?,
        due_on: due_on?,
        keep_up_days: i32::try_from(keep_up_days?).ok()?,
        requirements: requirements?,
    })
}

fn gift(errors: &mut FieldErrors, path: &str, input: GiftInput) -> Option<Gift> {
    let at = |field: &str| format!("{path}.{field}");
    let sku = text(errors, &at("sku"), &input.sku, 1, MAX_SKU_CHARS, Lines::One);
    let description = text(
        errors,
        &at("description"),
        &input.description,
        1,
        MAX_GIFT_CHARS,
        Lines::One,
    );
    let quantity = within(errors, &at("quantity"), input.quantity, 1, MAX_QUANTITY);
    let unit_value = within(errors, &at("unit_value"), input.unit_value, 0, MAX_AMOUNT);
    Some(Gift {
        sku: sku?,
        description: description?,
        quantity: quantity?,
        unit_value: unit_value?,
    })
}

fn one_of<'a>(names: impl Iterator<Item = &'a str>) -> String {
    format!("must be one of: {}", names.collect::<Vec<_>>().join(", "))
}

/// An influencer's counter-offer: another fee, and an optional note to the brand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub fee: i64,
    pub note: Option<String>,
}

impl Counter {
    pub fn parse(fee_value: i64, note: Option<&str>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let fee = fee(fee_value).map_err(|m| errors.push(("fee".to_owned(), m))).ok();
        let note = match note.map(str::trim).filter(|n| !n.is_empty()) {
            Some(note) => text(&mut errors, "note", note, 1, MAX_NOTE_CHARS, Lines::Many).map(Some),
            None => Some(None),
        };
        match (fee, note) {
            (Some(fee), Some(note)) if errors.is_empty() => Ok(Self { fee, note }),
            _ => Err(errors),
        }
    }
}

/// Proof of one published deliverable item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub url: String,
    pub published_at: DateTime<Utc>,
    pub views: Option<i64>,
    pub likes: Option<i64>,
    pub comments: Option<i64>,
}

impl Proof {
    /// The proof as submitted: an http(s) URL, a publication time not in the future,
    /// and figures, when given, of 0 or more.
    pub fn parse(
        url: &str,
        published_at: Option<DateTime<Utc>>,
        figures: [Option<i64>; 3],
        now: DateTime<Utc>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let url = LandingUrl::parse(url)
            .map(|u| u.as_str().to_owned())
            .map_err(|m| errors.push(("url".to_owned(), m)))
            .ok();
        let published_at = match published_at {
            Some(at) if at <= now => Some(at),
            Some(_) => {
                errors.push(("published_at".to_owned(), "must not be in the future".to_owned()));
                None
            }
            None => {
                errors.push(("published_at".to_owned(), "is required".to_owned()));
                None
            }
        };
        let [views, likes, comments] = figures;
        for (name, value) in [("views", views), ("likes", likes), ("comments", comments)] {
            if value.is_some_and(|v| !(0..=MAX_AMOUNT).contains(&v)) {
                errors.push((name.to_owned(), format!("must be 0 to {MAX_AMOUNT}")));
            }
        }
        match (url, published_at) {
            (Some(url), Some(published_at)) if errors.is_empty() => Ok(Self {
                url,
                published_at,
                views,
                likes,
                comments,
            }),
            _ => Err(errors),
        }
    }
}

/// The brand's report that an approved post was taken down: when (not before it was
/// published, not in the future; now when not given) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub removed_at: Option<DateTime<Utc>>,
    pub reason: Reason,
}

/// A gift's next shipment state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShipmentUpdate {
    Shipped { carrier: String, tracking: String },
    Delivered,
}

impl ShipmentUpdate {
    pub fn parse(state: &str, carrier: Option<&str>, tracking: Option<&str>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        match state {
            "shipped" => {
                let carrier = text(
                    &mut errors,
                    "carrier",
                    carrier.unwrap_or(""),
                    1,
                    MAX_CARRIER_CHARS,
                    Lines::One,
                );
                let tracking = text(
                    &mut errors,
                    "tracking",
                    tracking.unwrap_or(""),
                    1,
                    MAX_CARRIER_CHARS,
                    Lines::One,
                );
                match (carrier, tracking) {
                    (Some(carrier), Some(tracking)) => Ok(Self::Shipped { carrier, tracking }),
                    _ => Err(errors),
                }
            }
            "delivered" => Ok(Self::Delivered),
            _ => Err(vec![(
                "shipment".to_owned(),
                "must be one of: shipped, delivered".to_owned(),
            )]),
        }
    }
}

#[cfg(test)]
mod tests;
