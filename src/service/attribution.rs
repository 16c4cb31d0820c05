//! Deciding which ambassador, if any, an order or cart belongs to.
//!
//! A checkout can carry a code, a click id from a referral link, both, or neither.
//! Every candidate is checked (code usable, membership active) and the program's
//! `attribution` rule breaks a tie between a usable code and a usable click:
//! `code_first` (default) or `link_first`. The decision keeps every candidate and the
//! reason, so brand and ambassador can see why an order went where it went.
//!
//! A click counts for the program's `click_window_days`: an older one is a candidate
//! with status `click_expired` and the order is decided without it.
//!
//! A returning customer (the keyed hash of the e-mail the shop sends) may be bound to
//! the ambassador who referred their earlier order, for the program's
//! `customer_binding_days` from that order ([`crate::store::bindings`]). The binding is
//! the weakest claim under `code_first` (code, then link, then binding) and stands where
//! a link would under `link_first` (link, then binding, then code): it remembers an
//! earlier referral, which that rule puts before a code typed now. Orders through it
//! have the method `binding`; they never make or renew a binding themselves, so a
//! binding lasts its days from the order that made it, and the next order by code or
//! link after it lapses binds the customer afresh.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use crate::domain::codes::normalize_lookup;
use crate::domain::terms::{AttributionRule, Terms};
use crate::domain::text::without_invisible;
use crate::store::bindings;
use crate::store::clicks::{self, ClickRow};
use crate::store::codes::{self, CodeOwnerRow};
use crate::store::ids::text_enum;
use crate::store::ids::{BrandId, ClickId};
use crate::store::memberships::MembershipStatus;
use crate::store::programs::{self, ProgramRow};
use crate::store::{DbConn, StoreError};

text_enum!(
    /// How an order was attributed.
    AttributionMethod { Code => "code", Link => "link", Binding => "binding", None => "none" }
);

/// One referral seen at checkout and what became of it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Candidate {
    pub method: AttributionMethod,
    /// The code as typed (normalised), or the code of the clicked link.
    pub code: Option<String>,
    pub click_id: Option<String>,
    /// `ok`, or why it could not attribute.
    pub status: &'static str,
}

/// A usable candidate with its owner and the program's current terms.
#[derive(Debug, Clone)]
pub struct Referral {
    pub owner: CodeOwnerRow,
    pub program: ProgramRow,
    pub terms: Terms,
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub method: AttributionMethod,
    pub reason: &'static str,
    pub candidates: Vec<Candidate>,
    pub chosen: Option<Referral>,
    /// The typed code when it is usable, whoever won: applying it is a use of the code
    /// (unless the customer is the code's own ambassador).
    pub typed_code: Option<Referral>,
    /// The click the order goes by, when the link won.
    pub click: Option<ClickRow>,
}

impl Decision {
    /// The order goes to no one after all, for `reason` (a rule checked after the
    /// decision, such as a missing exchange rate): the referral that won keeps its
    /// place among the candidates with `reason` as its status. The typed code is still
    /// the customer's use of it.
    pub fn refuse(&mut self, reason: &'static str) {
        if let Some(chosen) = self.chosen.take() {
            let won = self.candidates.iter_mut().find(|c| {
                c.method == self.method
                    && c.status == "ok"
                    && c.code
                        .as_deref()
                        .is_some_and(|code| code.eq_ignore_ascii_case(&chosen.owner.code.code))
            });
            if let Some(candidate) = won {
                candidate.status = reason;
            }
        }
        self.method = AttributionMethod::None;
        self.reason = reason;
        self.click = None;
    }
}

/// `ok` for an active membership, or why its ambassador cannot be credited.
fn membership_status(status: MembershipStatus) -> &'static str {
    match status {
        MembershipStatus::Active => "ok",
        MembershipStatus::Paused => "ambassador_paused",
        MembershipStatus::Ended => "ambassador_ended",
    }
}

fn status_of(owner: &CodeOwnerRow, now: NaiveDateTime) -> &'static str {
    let membership = membership_status(owner.membership.status);
    if membership != "ok" {
        membership
    } else if !owner.code.active {
        "code_inactive"
    } else if owner.code.expires_at.is_some_and(|at| at <= now) {
        "code_expired"
    } else if owner.code.max_uses.is_some_and(|max| owner.code.uses >= max) {
        "code_used_up"
    } else {
        "ok"
    }
}

/// The referral with its program's terms. Terms that no longer read back fail the
/// checkout ([`StoreError::Corrupt`]): an order cannot be priced without them.
fn load_referral(conn: &mut DbConn, owner: CodeOwnerRow) -> Result<Option<Referral>, StoreError> {
    let Some(program) = programs::find_any(conn, owner.membership.program_id)? else {
        return Ok(None);
    };
    let terms = programs::read_terms(program.id, &program.terms)?;
    Ok(Some(Referral { owner, program, terms }))
}

/// Whether a click at `clicked` still counts for an order at `now`: within the
/// program's click window (a click exactly `click_window_days` old no longer does).
fn in_window(clicked: NaiveDateTime, terms: &Terms, now: NaiveDateTime) -> bool {
    now < clicked + Duration::days(i64::from(terms.click_window_days))
}

/// Looks up the code as typed at checkout: the owner when it exists in this brand.
pub fn find_code(conn: &mut DbConn, brand: BrandId, code: &str) -> Result<Option<CodeOwnerRow>, StoreError> {
    match normalize_lookup(code) {
        Some(code) => Ok(codes::find_with_owner(conn, brand, code.as_str())?),
        None => Ok(None),
    }
}

/// A usable code with its program, or the reason it is not usable: one statement for
/// the code, its owner and the program (and one more for a code with `max_uses`).
pub fn usable_code(
    conn: &mut DbConn,
    brand: BrandId,
    code: &str,
    now: NaiveDateTime,
) -> Result<Result<Referral, &'static str>, StoreError> {
    let Some(code) = normalize_lookup(code) else {
        return Ok(Err("code_not_found"));
    };
    let Some((owner, program)) = codes::find_with_program(conn, brand, code.as_str())? else {
        return Ok(Err("code_not_found"));
    };
    match status_of(&owner, now) {
        "ok" => {
            let terms = programs::read_terms(program.id, &program.terms)?;
            Ok(Ok(Referral { owner, program, terms }))
        }
        reason => Ok(Err(reason)),
    }
}

/// The customer's binding that holds at `now` (newest first), or the candidate of the
/// newest one that does not; `None` when the customer has no binding in a program that
/// binds today.
fn bound(
    conn: &mut DbConn,
    brand: BrandId,
    customer: &str,
    now: NaiveDateTime,
) -> Result<Option<(Candidate, Option<Referral>)>, StoreError> {
    let mut refused = None;
    for binding in bindings::for_customer(conn, brand, customer)? {
        let Some(owner) = codes::find_with_owner_by_id(conn, brand, binding.code_id)? else {
            continue;
        };
        let Some(referral) = load_referral(conn, owner)? else {
            continue;
        };
        let days = referral.terms.customer_binding_days;
        if days == 0 {
            continue;
        }
        // The binding is to the ambassador, not to the code: a code switched off since
        // does not end it, a membership paused or ended does.
        let status = if binding.bound_at + Duration::days(i64::from(days)) <= now {
            "binding_expired"
        } else {
            membership_status(referral.owner.membership.status)
        };
        let candidate = Candidate {
            method: AttributionMethod::Binding,
            code: Some(referral.owner.code.code.clone()),
            click_id: None,
            status,
        };
        if status == "ok" {
            return Ok(Some((candidate, Some(referral))));
        }
        refused.get_or_insert((candidate, None));
    }
    Ok(refused)
}

/// Decides the attribution of a checkout with the codes applied (usually none or one;
/// a shop may stack several), an optional click id and the customer's e-mail hash (for
/// a binding). The first usable code is the typed code; the others are kept as
/// candidates.
pub fn decide(
    conn: &mut DbConn,
    brand: BrandId,
    codes: &[String],
    click_id: Option<&str>,
    customer: Option<&str>,
    now: NaiveDateTime,
) -> Result<Decision, StoreError> {
    let mut candidates = Vec::new();
    let mut by_code = None;
    for typed in codes {
        // Shown to brand and ambassador as typed when it cannot be a code, but never
        // with characters that hide or reorder text.
        let shown =
            normalize_lookup(typed).map_or_else(|| without_invisible(typed).into_owned(), |c| c.as_str().to_owned());
        let status = match usable_code(conn, brand, typed, now)? {
            Ok(referral) if by_code.is_none() => {
                by_code = Some(referral);
                "ok"
            }
            Ok(_) => "another_code_applied",
            Err(reason) => reason,
        };
        candidates.push(Candidate {
            method: AttributionMethod::Code,
            code: Some(shown),
            click_id: None,
            status,
        });
    }
    let mut usable_click = None;
    let by_link = match click_id {
        Some(raw) => {
            let click = match raw.parse::<ClickId>() {
                Ok(id) => clicks::find(conn, brand, id)?,
                Err(_) => None,
            };
            let found = match &click {
                Some(click) => match codes::find_with_owner_by_id(conn, brand, click.code_id)? {
                    Some(owner) => match status_of(&owner, now) {
                        "ok" => match load_referral(conn, owner)? {
                            Some(referral) if in_window(click.created_at, &referral.terms, now) => Ok(referral),
                            Some(_) => Err("click_expired"),
                            None => Err("click_not_found"),
                        },
                        reason => Err(reason),
                    },
                    None => Err("click_not_found"),
                },
                None => Err("click_not_found"),
            };
            candidates.push(Candidate {
                method: AttributionMethod::Link,
                code: found.as_ref().ok().map(|r| r.owner.code.code.clone()),
                click_id: Some(without_invisible(raw).into_owned()),
                status: found.as_ref().err().copied().unwrap_or("ok"),
            });
            if found.is_ok() {
                usable_click = click;
            }
            found.ok()
        }
        None => None,
    };
    let by_binding = match customer {
        Some(customer) => match bound(conn, brand, customer, now)? {
            Some((candidate, referral)) => {
                candidates.push(candidate);
                referral
            }
            None => None,
        },
        None => None,
    };
    let typed_code = by_code.clone();
    let (method, reason, chosen) = match (by_code, by_link, by_binding) {
        (Some(code), Some(link), _) => match code.terms.attribution {
            AttributionRule::CodeFirst => (AttributionMethod::Code, "code_first", Some(code)),
            AttributionRule::LinkFirst => (AttributionMethod::Link, "link_first", Some(link)),
        },
        (Some(code), None, Some(bound)) => match code.terms.attribution {
            AttributionRule::CodeFirst => (AttributionMethod::Code, "code_first", Some(code)),
            AttributionRule::LinkFirst => (AttributionMethod::Binding, "link_first", Some(bound)),
        },
        (Some(code), None, None) => (AttributionMethod::Code, "code", Some(code)),
        (None, Some(link), _) => (AttributionMethod::Link, "link", Some(link)),
        (None, None, Some(bound)) => (AttributionMethod::Binding, "customer_binding", Some(bound)),
        (None, None, None) => {
            let reason = candidates.first().map_or("no_referral", |c| c.status);
            (AttributionMethod::None, reason, None)
        }
    };
    Ok(Decision {
        click: usable_click.filter(|_| method == AttributionMethod::Link),
        method,
        reason,
        candidates,
        chosen,
        typed_code,
    })
}
