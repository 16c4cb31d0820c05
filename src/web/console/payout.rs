//! `GET /console/payouts/{id}`: one of the brand's payout batches — its rows, total and
//! status — with the files to pay it from (the payout CSV, and PayPal Payouts' bulk
//! file, one link per part when the batch needs several), rendered by the same
//! functions as `GET /v1/brand/payouts/{id}?format=csv|paypal` so the bytes are the
//! same; and, while it is pending, "Mark paid" and "Cancel" (`POST …/paid`, `POST
//! …/cancel`), each behind a confirmation that says what it does; marking paid is an
//! owner's (the service refuses staff, and the page offers it to owners only). Another
//! brand's batch is 404; a refusal (already paid or cancelled, a cancelled batch's file,
//! a staff member marking paid) is a page that says why.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Frame;
use super::payouts::{batch_status_words, refusal};
use crate::api::AppState;
use crate::api::payouts::{payout_csv_answer, paypal_answer};
use crate::domain::display;
use crate::service::payouts::{self, PAYPAL_MAX_ROWS, PayoutError};
use crate::store::ids::{MembershipId, PayoutId};
use crate::store::payouts::PayoutStatus;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// Rows shown on the page; the files hold every row.
const ROWS_SHOWN: usize = 500;

struct ItemRow {
    ambassador: (MembershipId, String),
    payout_email: String,
    amount: String,
    entries: i32,
    period: String,
}

#[derive(Template)]
#[template(path = "console/payout.html")]
struct PayoutPage {
    frame: Frame,
    id: PayoutId,
    done: Option<&'static str>,
    status: &'static str,
    pending: bool,
    cancelled: bool,
    currency: String,
    total: String,
    count: usize,
    created: String,
    closed: Option<String>,
    items: Vec<ItemRow>,
    hidden_rows: usize,
    /// The PayPal file's parts (1-based); one part is linked without a number.
    paypal_parts: Vec<u64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PayoutQuery {
    done: Option<String>,
}

/// What a refused use case shows, for the refusals a person can act on.
fn refused(frame: &Frame, id: PayoutId, err: PayoutError) -> Result<HttpResponse, PageError> {
    let back = format!("/console/payouts/{id}");
    let (status, title, message) = match err {
        PayoutError::NotFound => return Err(PageError::NotFound),
        PayoutError::Forbidden(_) => (
            StatusCode::FORBIDDEN,
            "Only an owner can do this",
            "Marking a batch paid tells every ambassador in it that the money went out, so only an owner of the brand can do it. Ask an owner once the batch is paid.".to_owned(),
        ),
        PayoutError::NotPending(status) => (
            StatusCode::CONFLICT,
            "Nothing changed",
            format!("The batch is {status}; only a pending batch can be marked paid or cancelled."),
        ),
        PayoutError::Cancelled => (
            StatusCode::CONFLICT,
            "This batch was cancelled",
            "Its balances were released and may be in a newer batch, so its files could pay the same commission twice. Download the newer batch's files instead.".to_owned(),
        ),
        PayoutError::NoSuchPart { parts } => (
            StatusCode::NOT_FOUND,
            "No such part",
            format!("The PayPal file of this batch has parts 1 to {parts}."),
        ),
        PayoutError::PartsRequired { rows, parts } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a part",
            format!(
                "This batch has {rows} rows; PayPal takes at most {PAYPAL_MAX_ROWS} a file. Download parts 1 to {parts} from the batch's page."
            ),
        ),
        err => return Err(PageError::internal(err)),
    };
    Ok(refusal(frame, status, title, &message, &back))
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<PayoutId>,
    query: web::Query<PayoutQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "payouts").await?;
    let id = id.into_inner();
    let batch = match payouts::get(&state.db, actor.brand_id, id).await {
        Ok(batch) => batch,
        Err(err) => return refused(&frame, id, err),
    };
    let payout = batch.payout;
    let count = batch.items.len();
    let parts = (count as u64).div_ceil(PAYPAL_MAX_ROWS.unsigned_abs()).max(1);
    let currency = payout.currency.clone();
    let view = PayoutPage {
        id,
        done: match query.done.as_deref() {
            Some("created") => Some("Batch created. Pay it from one of its files, then mark it paid."),
            Some("paid") => Some("Marked paid: each ambassador in it sees the money as paid."),
            _ => None,
        },
        status: batch_status_words(payout.status),
        pending: payout.status == PayoutStatus::Pending,
        cancelled: payout.status == PayoutStatus::Cancelled,
        total: display::money_in(payout.total, &currency),
        count,
        created: display::date_time(payout.created_at),
        closed: match (payout.paid_at, payout.cancelled_at) {
            (Some(at), _) => Some(format!("Paid {}", display::date_time(at))),
            (None, Some(at)) => Some(format!("Cancelled {}", display::date_time(at))),
            (None, None) => None,
        },
        hidden_rows: count.saturating_sub(ROWS_SHOWN),
        items: batch
            .items
            .into_iter()
            .take(ROWS_SHOWN)
            .map(|item| ItemRow {
                ambassador: (item.membership_id, item.display_name),
                payout_email: item.payout_email,
                amount: display::money_in(item.amount, &currency),
                entries: item.entries,
                period: format!(
                    "{} to {}",
                    display::date(item.period_start),
                    display::date(item.period_end)
                ),
            })
            .collect(),
        paypal_parts: (1..=parts).collect(),
        currency,
        frame,
    };
    Ok(page(StatusCode::OK, &view))
}

/// `GET /console/payouts/{id}/payout.csv`: the batch's payout CSV.
pub async fn download_csv(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<PayoutId>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "payouts").await?;
    let id = id.into_inner();
    match payouts::csv_file(&state.db, actor.brand_id, id).await {
        Ok(file) => Ok(payout_csv_answer(file)),
        Err(err) => refused(&frame, id, err),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PartQuery {
    part: Option<i64>,
}

/// `GET /console/payouts/{id}/paypal.csv?part=N`: one part of the batch's PayPal file.
pub async fn download_paypal(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<PayoutId>,
    query: web::Query<PartQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "payouts").await?;
    let id = id.into_inner();
    match payouts::paypal_file(&state.db, actor.brand_id, id, query.part).await {
        Ok(file) => paypal_answer(file).map_err(PageError::internal),
        Err(err) => refused(&frame, id, err),
    }
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /console/payouts/{id}/paid`: the brand paid the batch.
pub async fn mark_paid(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<PayoutId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "payouts").await?;
    signed_in.check_form(&form.csrf)?;
    let id = id.into_inner();
    match payouts::mark_paid(&state.db, &actor, id, state.clock.now()).await {
        Ok(_) => Ok(see_other(&format!("/console/payouts/{id}?done=paid"))),
        Err(err) => refused(&frame, id, err),
    }
}

/// `POST /console/payouts/{id}/cancel`: the batch will not be paid; its balances are
/// payable again.
pub async fn cancel(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<PayoutId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "payouts").await?;
    signed_in.check_form(&form.csrf)?;
    let id = id.into_inner();
    match payouts::cancel(&state.db, actor.brand_id, id, state.clock.now()).await {
        Ok(_) => Ok(see_other("/console/payouts?done=cancelled")),
        Err(err) => refused(&frame, id, err),
    }
}
