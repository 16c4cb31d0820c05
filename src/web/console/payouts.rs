//! `GET /console/payouts`: what a payout batch created now would pay, per ambassador
//! (the use case of `GET /v1/brand/reports/payouts`: payable, on hold, the minimum,
//! why someone is not paid, when more becomes payable), the button that creates the
//! batch (`POST /console/payouts`, the use case of `POST /v1/brand/payouts`), and the
//! brand's batches, newest first. A batch takes every payable balance at once, so a
//! second press (or a concurrent one) finds nothing to pay and says so; it can never
//! pay an entry twice.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Frame;
use crate::api::AppState;
use crate::domain::{Currency, display};
use crate::service::payouts::{self, ListedPayout, NotPayable, PayoutError, Standing};
use crate::store::StoreError;
use crate::store::ids::{MembershipId, PayoutId};
use crate::store::payouts::PayoutStatus;
use crate::web::form::FieldErrors;
use crate::web::pages::notice::Notice;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// Batches a page.
const PAGE: i64 = 25;

struct StandingRow {
    ambassador: (MembershipId, String),
    payout_email: String,
    payable: String,
    pending: String,
    min_payout: String,
    paid_now: bool,
    why_not: &'static str,
    next: Option<String>,
}

struct BatchRow {
    id: PayoutId,
    created: String,
    status: &'static str,
    ambassadors: i64,
    total: String,
}

#[derive(Template)]
#[template(path = "console/payouts.html")]
struct PayoutsPage<'a> {
    frame: Frame,
    done: Option<&'static str>,
    /// The currency box as typed, and why it was refused.
    currency_typed: &'a str,
    errors: &'a FieldErrors,
    /// The report's currency (absent when the box was refused).
    currency: Option<String>,
    payable: String,
    payees: usize,
    pending: String,
    next_payable: Option<String>,
    standings: Vec<StandingRow>,
    batches: Vec<BatchRow>,
    newest: Option<String>,
    older: Option<String>,
}

/// Why a batch created now would not pay an ambassador, in the brand's words.
fn not_payable_words(reason: Option<NotPayable>) -> &'static str {
    match reason {
        None => "Yes",
        Some(NotPayable::BelowMinPayout) => "No: below the minimum, carries forward",
        Some(NotPayable::OnHold) => "No: all still on hold",
        Some(NotPayable::NegativeBalance) => "No: refunds exceed commission",
    }
}

/// A batch's status in words.
pub(super) fn batch_status_words(status: PayoutStatus) -> &'static str {
    match status {
        PayoutStatus::Pending => "Pending: to pay",
        PayoutStatus::Paid => "Paid",
        PayoutStatus::Cancelled => "Cancelled",
    }
}

impl StandingRow {
    fn of(s: Standing, currency: &str, now: chrono::DateTime<chrono::Utc>) -> Self {
        let money = |minor: i64| display::money_in(minor, currency);
        Self {
            paid_now: s.reaches_minimum(),
            why_not: not_payable_words(s.not_payable()),
            payable: money(s.payable),
            pending: if s.pending_entries == 0 {
                "—".to_owned()
            } else {
                money(s.pending)
            },
            min_payout: money(s.min_payout),
            next: s
                .next_available_at
                .map(|at| format!("{} ({})", display::date(at), display::relative(at, now))),
            ambassador: (s.membership_id, s.display_name),
            payout_email: s.payout_email,
        }
    }
}

impl From<ListedPayout> for BatchRow {
    fn from(l: ListedPayout) -> Self {
        Self {
            id: l.payout.id,
            created: display::date_time(l.payout.created_at),
            status: batch_status_words(l.payout.status),
            ambassadors: l.item_count,
            total: display::money_in(l.payout.total, &l.payout.currency),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PayoutsQuery {
    #[serde(default)]
    currency: String,
    #[serde(default)]
    after: String,
    done: Option<String>,
}

/// A refusal a person can act on, inside the console's frame, with a way back.
pub(super) fn refusal(frame: &Frame, status: StatusCode, title: &str, message: &str, back: &str) -> HttpResponse {
    Notice {
        console: true,
        current: frame.current,
        csrf: &frame.csrf,
        title,
        message,
        back,
        back_label: "Back",
    }
    .answer(status)
}

fn page_href(currency: Option<&str>, after: Option<PayoutId>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(currency) = currency {
        query.append_pair("currency", currency);
    }
    if let Some(after) = after {
        query.append_pair("after", &after.to_string());
    }
    let query = query.finish();
    if query.is_empty() {
        "/console/payouts".to_owned()
    } else {
        format!("/console/payouts?{query}")
    }
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<PayoutsQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "payouts").await?;
    let mut errors = FieldErrors::default();
    let typed = query.currency.trim();
    let currency = match typed {
        "" => None,
        code => errors.check("currency", Currency::parse(code)),
    };
    let after = match query.after.trim() {
        "" => None,
        text => Some(
            text.parse::<PayoutId>()
                .map_err(|_| PageError::BadRequest("That page link is not one this list gave.".into()))?,
        ),
    };
    let mut listed = payouts::list(&state.db, actor.brand_id, after, PAGE + 1)
        .await
        .map_err(PageError::internal)?;
    let more = listed.len() as i64 > PAGE;
    listed.truncate(PAGE as usize);
    let shown_currency = (!typed.is_empty()).then_some(typed);
    let mut view = PayoutsPage {
        done: match query.done.as_deref() {
            Some("cancelled") => Some("Batch cancelled: its balances are payable again."),
            _ => None,
        },
        currency_typed: typed,
        errors: &errors,
        currency: None,
        payable: String::new(),
        payees: 0,
        pending: String::new(),
        next_payable: None,
        standings: Vec::new(),
        newest: after.map(|_| page_href(shown_currency, None)),
        older: more
            .then(|| listed.last().map(|l| page_href(shown_currency, Some(l.payout.id))))
            .flatten(),
        batches: listed.into_iter().map(BatchRow::from).collect(),
        frame,
    };
    if !errors.is_empty() {
        return Ok(page(StatusCode::BAD_REQUEST, &view));
    }
    let report = payouts::report(&state.db, actor.brand_id, currency)
        .await
        .map_err(PageError::internal)?;
    let now = state.clock.now();
    let code = report.currency.clone();
    view.payable = display::money_in(report.payable_total, &code);
    view.payees = report.standings.iter().filter(|s| s.reaches_minimum()).count();
    view.pending = display::money_in(report.pending_total, &code);
    view.next_payable = report
        .next_available_at
        .map(|at| format!("{} ({})", display::date_time(at), display::relative(at, now)));
    view.standings = report
        .standings
        .into_iter()
        .map(|s| StandingRow::of(s, &code, now))
        .collect();
    view.currency = Some(code);
    Ok(page(StatusCode::OK, &view))
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    currency: String,
}

pub async fn create(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "payouts").await?;
    signed_in.check_form(&form.csrf)?;
    let back = page_href(Some(form.currency.trim()).filter(|c| !c.is_empty()), None);
    let currency = match Currency::parse(form.currency.trim()) {
        Ok(currency) => currency,
        Err(message) => {
            let message = format!("The currency {message}.");
            return Ok(refusal(
                &frame,
                StatusCode::UNPROCESSABLE_ENTITY,
                "No batch created",
                &message,
                &back,
            ));
        }
    };
    let code = currency.code();
    match payouts::create(&state.db, actor.brand_id, currency, state.clock.now()).await {
        Ok(batch) => Ok(see_other(&format!("/console/payouts/{}?done=created", batch.payout.id))),
        Err(PayoutError::NothingToPay) => {
            let message = format!(
                "No ambassador has an approved {code} balance that reaches their program's minimum payout, so no batch was created. If you just created one, it took every payable balance: it is in the list of batches."
            );
            Ok(refusal(
                &frame,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Nothing to pay",
                &message,
                &back,
            ))
        }
        Err(PayoutError::Store(StoreError::Conflict)) => Ok(refusal(
            &frame,
            StatusCode::CONFLICT,
            "No batch created",
            "Another change to the same balances happened at the same moment; look at the batches, then try again.",
            &back,
        )),
        Err(err) => Err(PageError::internal(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_currency() {
        assert_eq!(page_href(None, None), "/console/payouts");
        let id = PayoutId::generate();
        assert_eq!(
            page_href(Some("EUR"), Some(id)),
            format!("/console/payouts?currency=EUR&after={id}")
        );
    }
}
