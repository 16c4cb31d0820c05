//! Payout reports and batches (brand JWT).
//!
//! `POST /v1/brand/payouts` takes every payable balance in one transaction; an entry
//! belongs to at most one live batch, which the database enforces with a partial
//! unique index, so two concurrent batches can never pay the same commission.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ErrorCode;
use super::csv_export::{self, Cell};
use super::extract::{BrandUser, Json};
use super::pagination::{Page, PageQuery};
use super::{ApiError, db};
use crate::api::AppState;
use crate::domain::Currency;
use crate::domain::money::format_minor;
use crate::service::payouts::{self as payout_service, NotPayable, PayoutError, Standing};
use crate::store::ids::{MembershipId, PayoutId};
use crate::store::payouts::{self, PayoutItemRow, PayoutRow, PayoutStatus};
use crate::store::{brands, time};

/// PayPal Payouts accepts at most this many rows per bulk file.
pub const PAYPAL_MAX_ROWS: i64 = 5_000;
const CSV_PAGE: i64 = 1_000;

#[derive(Debug, Serialize)]
pub struct PayoutItemResponse {
    pub ambassador_id: MembershipId,
    pub display_name: String,
    pub payout_email: String,
    pub amount: i64,
    /// How many ledger entries the amount pays.
    pub entries: i32,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
}

impl From<PayoutItemRow> for PayoutItemResponse {
    fn from(row: PayoutItemRow) -> Self {
        Self {
            ambassador_id: row.membership_id,
            display_name: row.display_name,
            payout_email: row.payout_email,
            amount: row.amount,
            entries: row.entries,
            period_start: time::from_db(row.period_start),
            period_end: time::from_db(row.period_end),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PayoutResponse {
    pub id: PayoutId,
    pub currency: String,
    pub status: PayoutStatus,
    pub total: i64,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Present on a single batch; lists show `item_count` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<PayoutItemResponse>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_count: Option<i64>,
}

impl PayoutResponse {
    fn new(row: PayoutRow, items: Option<Vec<PayoutItemRow>>, item_count: Option<i64>) -> Self {
        Self {
            id: row.id,
            currency: row.currency,
            status: row.status,
            total: row.total,
            created_at: time::from_db(row.created_at),
            paid_at: row.paid_at.map(time::from_db),
            cancelled_at: row.cancelled_at.map(time::from_db),
            items: items.map(|items| items.into_iter().map(PayoutItemResponse::from).collect()),
            item_count,
        }
    }
}

fn payout_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::PayoutNotFound, "No such payout batch.")
}

fn payout_error(err: PayoutError) -> ApiError {
    match err {
        PayoutError::Overflow => ApiError::internal(err),
        PayoutError::Db(err) => db::retryable(err),
    }
}

fn parse_currency(input: Option<&str>) -> Result<Option<Currency>, ApiError> {
    input
        .map(|c| Currency::parse(c).map_err(|m| ApiError::field("currency", m)))
        .transpose()
}

/// The currency asked for, or the brand's.
fn currency_or_brand(
    conn: &mut crate::store::DbConn,
    user: BrandUser,
    currency: Option<Currency>,
) -> Result<String, ApiError> {
    match currency {
        Some(c) => Ok(c.code().to_owned()),
        None => Ok(brands::find(conn, user.brand_id)?
            .ok_or_else(|| ApiError::not_found(ErrorCode::BrandNotFound, "The brand no longer exists."))?
            .currency),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePayoutRequest {
    pub currency: String,
}

/// `POST /v1/brand/payouts`
pub async fn create_payout(
    state: web::Data<AppState>,
    user: BrandUser,
    Json(body): Json<CreatePayoutRequest>,
) -> Result<HttpResponse, ApiError> {
    let currency = Currency::parse(&body.currency).map_err(|m| ApiError::field("currency", m))?;
    let now = time::to_db(state.clock.now());
    let (payout, items) = db::write_retrying(&state.db, move |conn| {
        payout_service::create_batch(conn, user.brand_id, currency.code(), now)
            .map_err(payout_error)?
            .ok_or_else(|| {
                ApiError::unprocessable(
                    ErrorCode::NothingToPay,
                    "No ambassador has an approved balance that reaches the program's minimum payout.",
                )
            })
    })
    .await?;
    let count = i64::try_from(items.len()).ok();
    Ok(HttpResponse::Created().json(PayoutResponse::new(payout, Some(items), count)))
}

/// `GET /v1/brand/payouts`: newest first.
pub async fn list_payouts(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, after) = query.parse::<PayoutId>()?;
    let rows = db::read(&state.db, move |conn| {
        let rows = payouts::list(conn, user.brand_id, after, limit + 1)?;
        let ids: Vec<PayoutId> = rows.iter().map(|r| r.id).collect();
        let counts = payouts::item_counts(conn, &ids)?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let count = counts.get(&row.id).copied().unwrap_or(0);
                (row, count)
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |(r, _)| r.id.to_string(),
        |(r, count)| PayoutResponse::new(r, None, Some(count)),
    )))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayoutFormatQuery {
    pub format: Option<String>,
    /// PayPal files hold at most 5,000 rows: `part` (1, 2, …) picks one of them.
    pub part: Option<i64>,
}

enum Format {
    Json,
    Csv,
    PayPal,
}

fn format_of(req: &HttpRequest, query: Option<&str>) -> Result<Format, ApiError> {
    match query {
        Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some("paypal") => Ok(Format::PayPal),
        Some(_) => Err(ApiError::field("format", "must be one of json, csv, paypal")),
        None => {
            let wants_csv = req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|accept| accept.contains("text/csv"));
            Ok(if wants_csv { Format::Csv } else { Format::Json })
        }
    }
}

/// `GET /v1/brand/payouts/{id}`: JSON, or the file (`?format=csv` or `Accept:
/// text/csv`), or PayPal Payouts' bulk layout (`?format=paypal`).
pub async fn get_payout(
    state: web::Data<AppState>,
    user: BrandUser,
    req: HttpRequest,
    id: web::Path<PayoutId>,
    query: web::Query<PayoutFormatQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let format = format_of(&req, query.format.as_deref())?;
    let (payout, brand_name, count) = db::read(&state.db, move |conn| {
        let payout = payouts::find(conn, user.brand_id, id)?.ok_or_else(payout_not_found)?;
        let brand = brands::find(conn, user.brand_id)?.map(|b| b.name).unwrap_or_default();
        let count = payouts::item_count(conn, id)?;
        Ok((payout, brand, count))
    })
    .await?;
    let exponent = Currency::parse(&payout.currency).map(|c| c.exponent()).unwrap_or(2);
    if payout.status == PayoutStatus::Cancelled && !matches!(format, Format::Json) {
        // Its entries are released and may be in a newer batch: a file of it could pay
        // the same commission twice.
        return Err(ApiError::conflict(
            ErrorCode::PayoutCancelled,
            "This batch was cancelled; its entries may be in a newer batch. Download that one instead.",
        ));
    }
    match format {
        Format::Json => {
            let items = db::read(&state.db, move |conn| Ok(payouts::items(conn, id, None, i64::MAX)?)).await?;
            Ok(HttpResponse::Ok().json(PayoutResponse::new(payout, Some(items), Some(count))))
        }
        Format::Csv => {
            let currency = payout.currency.clone();
            let filename = format!("payout-{id}.csv");
            let pages = state.db.read_pages(move |conn, cursor| {
                let after = cursor.and_then(|c| c.parse().ok());
                let rows = payouts::items(conn, id, after, CSV_PAGE)?;
                let next = (i64::try_from(rows.len()).unwrap_or(0) == CSV_PAGE)
                    .then(|| rows.last().map(|r| r.membership_id.to_string()))
                    .flatten();
                let cells = rows
                    .into_iter()
                    .map(|r| {
                        vec![
                            Cell::text(id.to_string()),
                            Cell::text(r.membership_id.to_string()),
                            Cell::text(r.display_name),
                            Cell::text(r.payout_email),
                            Cell::text(currency.clone()),
                            Cell::number(format_minor(r.amount, exponent)),
                            Cell::number(r.entries),
                            Cell::text(time::from_db(r.period_start).to_rfc3339()),
                            Cell::text(time::from_db(r.period_end).to_rfc3339()),
                        ]
                    })
                    .collect();
                Ok::<_, ApiError>((cells, next))
            });
            Ok(csv_export::stream(pages, &filename, Some(&CSV_HEADER), Ok))
        }
        Format::PayPal => paypal(&state, payout, brand_name, count, exponent, query.part).await,
    }
}

const CSV_HEADER: [&str; 9] = [
    "payout_id",
    "ambassador_id",
    "display_name",
    "payout_email",
    "currency",
    "amount",
    "entries",
    "period_start",
    "period_end",
];

/// A reference PayPal accepts (≤ 30 characters, no spaces) that still names the
/// batch and the row: `rt` + the random tail of the batch id + the row number.
pub fn paypal_reference(payout: PayoutId, row: i64) -> String {
    let simple = payout.0.simple().to_string();
    format!("rt{}-{row:05}", &simple[simple.len() - 12..])
}

async fn paypal(
    state: &AppState,
    payout: PayoutRow,
    brand_name: String,
    count: i64,
    exponent: u32,
    part: Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let parts = (count + PAYPAL_MAX_ROWS - 1) / PAYPAL_MAX_ROWS;
    let part = match part {
        Some(p) if (1..=parts.max(1)).contains(&p) => p,
        Some(_) => {
            return Err(ApiError::field(
                "part",
                format!("must be between 1 and {}", parts.max(1)),
            ));
        }
        None if parts > 1 => {
            return Err(ApiError::unprocessable(
                ErrorCode::PaypalPartsRequired,
                format!(
                    "This batch has {count} rows; PayPal takes at most {PAYPAL_MAX_ROWS} per file. Download parts 1 to {parts} with ?format=paypal&part=N."
                ),
            ));
        }
        None => 1,
    };
    let id = payout.id;
    let currency = payout.currency.clone();
    let note: String = format!(
        "{brand_name} ambassador payout {}",
        time::from_db(payout.created_at).format("%Y-%m-%d")
    )
    .chars()
    .take(400)
    .collect();
    let skip = (part - 1) * PAYPAL_MAX_ROWS;
    let items = db::read(&state.db, move |conn| {
        Ok(payouts::items(conn, id, None, skip + PAYPAL_MAX_ROWS)?)
    })
    .await?;
    let rows: Vec<Vec<Cell>> = items
        .into_iter()
        .enumerate()
        .skip(usize::try_from(skip).unwrap_or(0))
        .map(|(i, item)| {
            vec![
                // Brands open this file in a spreadsheet before uploading it, so the
                // address is escaped like every exported text cell. A valid address
                // that starts with `=`, `+` or `-` (rare) thus carries a leading `'`,
                // and PayPal refuses that one row rather than the brand running a
                // formula that an ambassador chose.
                Cell::text(item.payout_email),
                Cell::number(format_minor(item.amount, exponent)),
                Cell::text(currency.clone()),
                Cell::text(paypal_reference(id, i64::try_from(i).unwrap_or(0) + 1)),
                Cell::text(note.clone()),
                Cell::text("PAYPAL"),
            ]
        })
        .collect();
    let body = csv_export::encode(None, &rows).map_err(ApiError::internal)?;
    let filename = if parts > 1 {
        format!("paypal-{id}-part{part}.csv")
    } else {
        format!("paypal-{id}.csv")
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body))
}

/// `POST /v1/brand/payouts/{id}/paid`: the brand paid it; its entries become paid.
pub async fn mark_payout_paid(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<PayoutId>,
) -> Result<HttpResponse, ApiError> {
    transition(&state, user, id.into_inner(), true).await
}

/// `POST /v1/brand/payouts/{id}/cancel`: only while pending; releases its entries.
pub async fn cancel_payout(
    state: web::Data<AppState>,
    user: BrandUser,
    id: web::Path<PayoutId>,
) -> Result<HttpResponse, ApiError> {
    transition(&state, user, id.into_inner(), false).await
}

async fn transition(state: &AppState, user: BrandUser, id: PayoutId, paid: bool) -> Result<HttpResponse, ApiError> {
    let now = time::to_db(state.clock.now());
    let (row, items) = db::write(&state.db, move |conn| {
        let current = payouts::find(conn, user.brand_id, id)?.ok_or_else(payout_not_found)?;
        let changed = if paid {
            payouts::mark_paid(conn, id, now)?
        } else {
            payouts::cancel(conn, id, now)?
        };
        if !changed {
            return Err(ApiError::conflict(
                ErrorCode::PayoutNotPending,
                format!(
                    "The batch is {}; only a pending batch can be marked paid or cancelled.",
                    current.status
                ),
            ));
        }
        let row = payouts::find(conn, user.brand_id, id)?.ok_or_else(payout_not_found)?;
        Ok((row, payouts::items(conn, id, None, i64::MAX)?))
    })
    .await?;
    let count = i64::try_from(items.len()).ok();
    Ok(HttpResponse::Ok().json(PayoutResponse::new(row, Some(items), count)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayoutReportQuery {
    pub currency: Option<String>,
    pub format: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PayoutReportLine {
    pub ambassador_id: MembershipId,
    pub display_name: String,
    pub payout_email: String,
    /// Approved and in no batch yet.
    pub balance: i64,
    pub entries: usize,
    pub min_payout: i64,
    /// Whether a batch created now would pay this balance.
    pub reaches_minimum: bool,
    /// Still in its hold period (not approved yet).
    pub pending: i64,
    pub pending_entries: usize,
    /// When the earliest pending entry's hold ends; the next maturation pass after it
    /// approves the entry.
    pub next_available_at: Option<DateTime<Utc>>,
    /// Why a batch created now would not pay this ambassador; `null` when it would.
    pub not_payable_reason: Option<&'static str>,
}

impl From<Standing> for PayoutReportLine {
    fn from(s: Standing) -> Self {
        Self {
            reaches_minimum: s.reaches_minimum(),
            not_payable_reason: s.not_payable().map(NotPayable::as_str),
            ambassador_id: s.membership_id,
            display_name: s.display_name,
            payout_email: s.payout_email,
            balance: s.payable,
            entries: s.payable_entries,
            min_payout: s.min_payout,
            pending: s.pending,
            pending_entries: s.pending_entries,
            next_available_at: s.next_available_at.map(time::from_db),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PayoutReport {
    pub currency: String,
    /// Σ of the balances a batch created now would pay.
    pub payable_total: i64,
    /// Σ of what is still in its hold period.
    pub pending_total: i64,
    /// The earliest end of a hold among pending entries.
    pub next_available_at: Option<DateTime<Utc>>,
    pub items: Vec<PayoutReportLine>,
}

/// `GET /v1/brand/reports/payouts?currency=&format=json|csv`: every ambassador with an
/// approved balance not in a batch yet or money on hold (the brand's currency by
/// default).
pub async fn payout_report(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<PayoutReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let currency = parse_currency(query.currency.as_deref())?;
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::field("format", "must be json or csv")),
    };
    let (currency, standings) = db::read(&state.db, move |conn| {
        let currency = currency_or_brand(conn, user, currency)?;
        let standings = payout_service::standings(conn, user.brand_id, &currency).map_err(payout_error)?;
        Ok((currency, standings))
    })
    .await?;
    let payable_total = standings
        .iter()
        .filter(|s| s.reaches_minimum())
        .fold(0i64, |sum, s| sum.saturating_add(s.payable));
    let pending_total = standings.iter().fold(0i64, |sum, s| sum.saturating_add(s.pending));
    let next_available_at = standings.iter().filter_map(|s| s.next_available_at).min();
    if csv {
        let exponent = Currency::parse(&currency).map(|c| c.exponent()).unwrap_or(2);
        let rows: Vec<Vec<Cell>> = standings
            .iter()
            .map(|s| {
                vec![
                    Cell::text(s.membership_id.to_string()),
                    Cell::text(s.display_name.clone()),
                    Cell::text(s.payout_email.clone()),
                    Cell::text(currency.clone()),
                    Cell::number(format_minor(s.payable, exponent)),
                    Cell::number(s.payable_entries),
                    Cell::number(format_minor(s.min_payout, exponent)),
                    Cell::text(if s.reaches_minimum() { "yes" } else { "no" }),
                    Cell::number(format_minor(s.pending, exponent)),
                    Cell::text(
                        s.next_available_at
                            .map(|at| time::from_db(at).to_rfc3339())
                            .unwrap_or_default(),
                    ),
                    Cell::text(s.not_payable().map(NotPayable::as_str).unwrap_or_default()),
                ]
            })
            .collect();
        let header = [
            "ambassador_id",
            "display_name",
            "payout_email",
            "currency",
            "balance",
            "entries",
            "min_payout",
            "reaches_minimum",
            "pending",
            "next_available_at",
            "not_payable_reason",
        ];
        let body = csv_export::encode(Some(&header), &rows).map_err(ApiError::internal)?;
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"payable-{currency}.csv\""),
            ))
            .body(body));
    }
    Ok(HttpResponse::Ok().json(PayoutReport {
        currency,
        payable_total,
        pending_total,
        next_available_at: next_available_at.map(time::from_db),
        items: standings.into_iter().map(PayoutReportLine::from).collect(),
    }))
}
