//! `GET /v1/brand/reports/payouts?currency=&format=json|csv`: what is payable now.

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::exponent_of;
use crate::api::csv_export::{self, Cell};
use crate::api::extract::BrandUser;
use crate::api::money::KindAmounts;
use crate::api::{ApiError, AppState};
use crate::domain::Currency;
use crate::domain::money::format_minor;
use crate::service::payouts::{self as service, NotPayable, PayableReport, Standing};
use crate::store::ids::MembershipId;

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
    /// `balance` split by what moved the money; the parts add up to it.
    pub balance_by_kind: KindAmounts,
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
            balance_by_kind: s.payable_by_kind.into(),
            entries: s.payable_entries,
            min_payout: s.min_payout,
            pending: s.pending,
            pending_entries: s.pending_entries,
            next_available_at: s.next_available_at,
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

impl From<PayableReport> for PayoutReport {
    fn from(report: PayableReport) -> Self {
        Self {
            currency: report.currency,
            payable_total: report.payable_total,
            pending_total: report.pending_total,
            next_available_at: report.next_available_at,
            items: report.standings.into_iter().map(PayoutReportLine::from).collect(),
        }
    }
}

const CSV_HEADER: [&str; 11] = [
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

/// `GET /v1/brand/reports/payouts?currency=&format=json|csv`: every ambassador with an
/// approved balance not in a batch yet or money on hold (the brand's currency by
/// default).
pub async fn payout_report(
    state: web::Data<AppState>,
    user: BrandUser,
    query: web::Query<PayoutReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let currency = query
        .currency
        .as_deref()
        .map(|c| Currency::parse(c).map_err(|m| ApiError::field("currency", m)))
        .transpose()?;
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::field("format", "must be json or csv")),
    };
    let report = service::report(&state.db, user.brand_id, currency).await?;
    if csv {
        return report_csv(&report);
    }
    Ok(HttpResponse::Ok().json(PayoutReport::from(report)))
}

fn report_csv(report: &PayableReport) -> Result<HttpResponse, ApiError> {
    let currency = &report.currency;
    let exponent = exponent_of(currency);
    let rows: Vec<Vec<Cell>> = report
        .standings
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
                Cell::text(s.next_available_at.map(|at| at.to_rfc3339()).unwrap_or_default()),
                Cell::text(s.not_payable().map(NotPayable::as_str).unwrap_or_default()),
            ]
        })
        .collect();
    let body = csv_export::encode(Some(&CSV_HEADER), &rows).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"payable-{currency}.csv\""),
        ))
        .body(body))
}
