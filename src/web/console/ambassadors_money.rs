//! `POST /console/ambassadors/{id}/adjustments`: an adjustment (either sign) or a bonus
//! for the ambassador, through the use case of `POST /v1/brand/ambassadors/{id}/adjustments`
//! — owners only (a staff member gets the console's owner-only page and nothing is
//! written), payable at once, with the reason the ambassador reads on their statement.
//!
//! The amount is typed in major units of the program's currency ("25", "-12.50"):
//! [`parse_major`] reads it without its sign, which is taken here, and the kind's rule
//! ([`ManualKind::amount`]) decides what it allows. The form carries the page's one-time
//! key ([`super::one_time`]), so a form sent twice adds the money once.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::ambassadors_page::{Typed, refused, render};
use super::{one_time, owner_only};
use crate::api::AppState;
use crate::domain::Currency;
use crate::domain::adjustment::{ManualKind, Reason};
use crate::domain::money::parse_major;
use crate::service::ambassadors;
use crate::service::money::{self, MoneyError, NewAdjustment};
use crate::service::orders::replay::{Answer, Answered};
use crate::service::programs;
use crate::store::ids::MembershipId;
use crate::web::form::FieldErrors;
use crate::web::see_other;
use crate::web::session::{PageError, SignedIn};

#[derive(Debug, Deserialize)]
pub struct AdjustmentFields {
    #[serde(default)]
    csrf: String,
    /// The page's one-time key.
    #[serde(default)]
    key: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
}

/// The amount typed in major units, a leading minus (`-` or `−`) allowed, in minor units.
fn signed_major(text: &str, currency: Currency) -> Result<i64, String> {
    let text = text.trim();
    let (negative, unsigned) = match text.strip_prefix('-').or_else(|| text.strip_prefix('\u{2212}')) {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    };
    let minor = parse_major(unsigned, currency)?;
    Ok(if negative { -minor } else { minor })
}

/// The amount as the kind allows it, said in the form's words (the rule's own message
/// counts minor units, which the form does not show).
fn amount_for(kind: ManualKind, minor: i64) -> Result<i64, String> {
    kind.amount(minor).map_err(|_| match kind {
        ManualKind::Bonus => "a bonus must be more than zero".to_owned(),
        ManualKind::Adjustment => "must not be zero (a minus sign takes money back)".to_owned(),
    })
}

/// The form's fields parsed: each refused one has its message in `errors`.
fn parse(form: &AdjustmentFields, currency: Currency, errors: &mut FieldErrors) -> Option<(ManualKind, i64, Reason)> {
    let kind = errors.check("kind", ManualKind::parse(&form.kind));
    let amount = errors.check("amount", signed_major(&form.amount, currency));
    let amount = match (kind, amount) {
        (Some(kind), Some(minor)) => errors.check("amount", amount_for(kind, minor)),
        _ => None,
    };
    let reason = errors.check("reason", Reason::parse(&form.reason));
    Some((kind?, amount?, reason?))
}

pub async fn adjust(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<MembershipId>,
    form: web::Form<AdjustmentFields>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "ambassadors").await?;
    signed_in.check_form(&form.csrf)?;
    let id = id.into_inner();
    // The amount is read in the currency of the ambassador's program now: the entry's.
    let program = ambassadors::get(&state.db, actor.brand_id, id)
        .await
        .map_err(refused)?
        .ambassador
        .program_id;
    let currency = programs::get(&state.db, actor.brand_id, program)
        .await
        .map_err(PageError::internal)?
        .currency;
    let currency = Currency::parse(&currency).map_err(PageError::internal)?;
    let mut typed = Typed {
        kind: form.kind.clone(),
        amount: form.amount.clone(),
        reason: form.reason.clone(),
        ..Typed::default()
    };
    let Some((kind, amount, reason)) = parse(&form, currency, &mut typed.errors) else {
        return render(&state, &actor, frame, id, None, typed, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let amount_text = amount.to_string();
    let keyed = one_time::keyed(
        &form.key,
        &[
            ("kind", form.kind.as_str()),
            ("amount", &amount_text),
            ("reason", reason.as_str()),
        ],
    )?;
    let done = match kind {
        ManualKind::Adjustment => "adjustment",
        ManualKind::Bonus => "bonus",
    };
    let location = format!("/console/ambassadors/{id}?done={done}");
    let command = NewAdjustment {
        membership: id,
        kind,
        amount,
        reason,
    };
    let outcome = money::adjust(&state.db, &actor, command, Some(keyed), state.clock.now(), move |_| {
        Ok(Answer {
            status: 303,
            body: location.clone(),
        })
    })
    .await;
    match outcome {
        Ok(Answered::Fresh(answer) | Answered::Replayed(answer)) => Ok(see_other(&answer.body)),
        Err(MoneyError::Forbidden(_)) => Ok(owner_only::refused(&frame, "add adjustments or bonuses")),
        Err(MoneyError::AmbassadorNotFound) => Err(PageError::NotFound),
        Err(MoneyError::IdempotencyKeyReused) => {
            typed.error = Some(one_time::KEY_REUSED.to_owned());
            render(&state, &actor, frame, id, None, typed, StatusCode::CONFLICT).await
        }
        Err(err) => Err(PageError::internal(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_sign_is_read_here_and_the_kind_decides_what_it_allows() {
        assert_eq!(signed_major("25", usd()), Ok(2_500));
        assert_eq!(signed_major(" -12.50 ", usd()), Ok(-1_250));
        assert_eq!(signed_major("\u{2212}3", usd()), Ok(-300));
        assert!(signed_major("--3", usd()).is_err());
        assert!(signed_major("+3", usd()).is_err());
        assert!(signed_major("-", usd()).is_err());
        assert!(signed_major("1.234", usd()).is_err());
        assert_eq!(amount_for(ManualKind::Adjustment, -1_250), Ok(-1_250));
        assert!(amount_for(ManualKind::Adjustment, 0).is_err());
        assert!(amount_for(ManualKind::Bonus, -1).is_err());
        assert_eq!(amount_for(ManualKind::Bonus, 1), Ok(1));
    }
}
