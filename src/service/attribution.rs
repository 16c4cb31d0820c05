//! Deciding which ambassador, if any, an order or cart belongs to.
//!
//! A checkout can carry a code, a click id from a referral link, both, or neither.
//! Every candidate is checked (code usable, membership active) and the program's
//! `attribution` rule breaks a tie between a usable code and a usable click:
//! `code_first` (default) or `link_first`. The decision keeps every candidate and the
//! reason, so brand and ambassador can see why an order went where it went.

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::domain::codes::normalize_lookup;
use crate::domain::terms::{AttributionRule, Terms};
use crate::domain::text::without_invisible;
use crate::store::codes::{self, CodeOwnerRow};
use crate::store::ids::{BrandId, ClickId};
use crate::store::memberships::MembershipStatus;
use crate::store::programs::{self, ProgramRow};
use crate::store::{DbConn, StoreError};
use crate::store::{clicks, ids::text_enum};

text_enum!(
    /// How an order was attributed.
    AttributionMethod { Code => "code", Link => "link", None => "none" }
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
}

fn status_of(owner: &CodeOwnerRow, now: NaiveDateTime) -> &'static str {
    match owner.membership.status {
        MembershipStatus::Paused => return "ambassador_paused",
        MembershipStatus::Ended => return "ambassador_ended",
        MembershipStatus::Active => {}
    }
    if !owner.code.active {
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

/// Decides the attribution of a checkout with the codes applied (usually none or one;
/// a shop may stack several) and an optional click id. The first usable code is the
/// typed code; the others are kept as candidates.
pub fn decide(
    conn: &mut DbConn,
    brand: BrandId,
    codes: &[String],
    click_id: Option<&str>,
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
    let by_link = match click_id {
        Some(raw) => {
            let click = match raw.parse::<ClickId>() {
                Ok(id) => clicks::find(conn, brand, id)?,
                Err(_) => None,
            };
            let found = match &click {
                Some(click) => match codes::find_with_owner_by_id(conn, brand, click.code_id)? {
                    Some(owner) => match status_of(&owner, now) {
                        "ok" => load_referral(conn, owner)?.ok_or("click_not_found"),
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
            found.ok()
        }
        None => None,
    };
    let typed_code = by_code.clone();
    let (method, reason, chosen) = match (by_code, by_link) {
        (Some(code), Some(link)) => match code.terms.attribution {
            AttributionRule::CodeFirst => (AttributionMethod::Code, "code_first", Some(code)),
            AttributionRule::LinkFirst => (AttributionMethod::Link, "link_first", Some(link)),
        },
        (Some(code), None) => (AttributionMethod::Code, "code", Some(code)),
        (None, Some(link)) => (AttributionMethod::Link, "link", Some(link)),
        (None, None) => {
            let reason = candidates.first().map_or("no_referral", |c| c.status);
            (AttributionMethod::None, reason, None)
        }
    };
    Ok(Decision {
        method,
        reason,
        candidates,
        chosen,
        typed_code,
    })
}
