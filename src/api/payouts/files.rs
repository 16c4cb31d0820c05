//! The payout files of `GET /v1/brand/payouts/{id}`: the CSV (`?format=csv` or `Accept:
//! text/csv`), streamed, and PayPal Payouts' bulk upload layout (`?format=paypal`).

use actix_web::HttpResponse;
use actix_web::http::header;

use super::exponent_of;
use crate::api::csv_export::{self, Cell};
use crate::api::extract::BrandUser;
use crate::api::{ApiError, AppState};
use crate::domain::money::format_minor;
use crate::service::payouts::{self as service, CsvFile, PayoutItem, PaypalFile};
use crate::store::ids::PayoutId;
use crate::store::ledger::EntryKind;

const CSV_HEADER: [&str; 15] = [
    "payout_id",
    "ambassador_id",
    "display_name",
    "payout_email",
    "currency",
    "amount",
    "entries",
    "period_start",
    "period_end",
    "commissions",
    "reversals",
    "adjustments",
    "bonuses",
    "flat_fees",
    "overrides",
];

/// One row per ambassador, amounts as decimals with the currency's digits.
pub(super) async fn payout_csv(state: &AppState, user: BrandUser, id: PayoutId) -> Result<HttpResponse, ApiError> {
    let file = service::csv_file(&state.db, user.brand_id, id).await?;
    Ok(payout_csv_answer(file))
}

/// The streamed answer of a batch's CSV file: the one rendering of both doors that
/// offer it (this API and the console's download), so the two files are the same byte
/// for byte.
pub fn payout_csv_answer(file: CsvFile) -> HttpResponse {
    let id = file.payout.id;
    let currency = file.payout.currency;
    let exponent = exponent_of(&currency);
    let row = move |item: PayoutItem| {
        let kind = |k: EntryKind| Cell::number(format_minor(item.by_kind.get(k), exponent));
        vec![
            Cell::text(id.to_string()),
            Cell::text(item.membership_id.to_string()),
            Cell::text(item.display_name),
            Cell::text(item.payout_email),
            Cell::text(currency.clone()),
            Cell::number(format_minor(item.amount, exponent)),
            Cell::number(item.entries),
            Cell::text(item.period_start.to_rfc3339()),
            Cell::text(item.period_end.to_rfc3339()),
            kind(EntryKind::Commission),
            kind(EntryKind::Reversal),
            kind(EntryKind::Adjustment),
            kind(EntryKind::Bonus),
            kind(EntryKind::FlatFee),
            kind(EntryKind::Override),
        ]
    };
    csv_export::stream(
        file.pages,
        &format!("payout-{id}.csv"),
        Some(&CSV_HEADER),
        move |items: Vec<PayoutItem>| Ok(items.into_iter().map(&row).collect()),
    )
}

/// No header row; recipient e-mail, amount, currency, reference, note, wallet.
pub(super) async fn paypal_csv(
    state: &AppState,
    user: BrandUser,
    id: PayoutId,
    part: Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let file = service::paypal_file(&state.db, user.brand_id, id, part).await?;
    paypal_answer(file)
}

/// The answer of one part of a batch's PayPal file, for this API and the console's
/// download alike (the same bytes from both doors).
pub fn paypal_answer(file: PaypalFile) -> Result<HttpResponse, ApiError> {
    let id = file.payout.id;
    let exponent = exponent_of(&file.payout.currency);
    let rows: Vec<Vec<Cell>> = file
        .rows
        .into_iter()
        .map(|row| {
            vec![
                // Brands open this file in a spreadsheet before uploading it, so the
                // address is escaped like every exported text cell. A valid address
                // that starts with `=`, `+` or `-` (rare) thus carries a leading `'`,
                // and PayPal refuses that one row rather than the brand running a
                // formula that an ambassador chose.
                Cell::text(row.payout_email),
                Cell::number(format_minor(row.amount, exponent)),
                Cell::text(file.payout.currency.clone()),
                Cell::text(row.reference),
                Cell::text(file.note.clone()),
                Cell::text("PAYPAL"),
            ]
        })
        .collect();
    let body = csv_export::encode(None, &rows).map_err(ApiError::internal)?;
    let filename = if file.parts > 1 {
        format!("paypal-{id}-part{}.csv", file.part)
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
