//! `GET /v1/me/earnings.csv` (and the portal's `GET /app/earnings.csv`): the earnings
//! statement, one row per ledger entry, oldest first, streamed page by page.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::api::csv_export::{self, Cell};
use crate::api::extract::Influencer;
use crate::api::{ApiError, AppState};
use crate::service::reports::{self, StatementLine};
use crate::store::Db;
use crate::store::ids::InfluencerId;

pub const EARNINGS_HEADER: &[&str] = &[
    "entry_id",
    "created_at",
    "brand",
    "kind",
    "order_id",
    "currency",
    "amount",
    "status",
    "available_at",
    "approved_at",
    "payout_id",
    "reason",
];

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn row(line: StatementLine) -> Vec<Cell> {
    vec![
        Cell::text(line.id.to_string()),
        Cell::text(rfc3339(line.created_at)),
        Cell::text(line.brand_name),
        Cell::text(line.kind.as_str()),
        Cell::text(line.order_id.unwrap_or_default()),
        Cell::text(line.amount.currency.code()),
        Cell::number(line.amount.to_decimal_string()),
        Cell::text(line.status.as_str()),
        Cell::text(rfc3339(line.available_at)),
        Cell::text(line.approved_at.map(rfc3339).unwrap_or_default()),
        Cell::text(line.payout_id.unwrap_or_default()),
        Cell::text(line.reason.unwrap_or_default()),
    ]
}

pub async fn download_earnings(state: web::Data<AppState>, me: Influencer) -> Result<HttpResponse, ApiError> {
    Ok(earnings_csv(&state.db, me.influencer_id))
}

/// The streamed statement of `influencer`: the one answer of both doors that offer it
/// (this route and the portal's `GET /app/earnings.csv`), so the two files are the same
/// byte for byte.
pub fn earnings_csv(db: &Db, influencer: InfluencerId) -> HttpResponse {
    let pages = reports::statement_pages(db, influencer);
    csv_export::stream(pages, "earnings.csv", Some(EARNINGS_HEADER), |lines| {
        Ok(lines.into_iter().map(row).collect())
    })
}
