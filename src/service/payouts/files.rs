//! The files a brand pays from: the payout CSV (read page by page, so a large batch
//! never sits in memory whole) and PayPal Payouts' bulk file, split into numbered
//! parts of at most 5,000 rows.

use tokio::sync::mpsc::Receiver;

use super::{Payout, PayoutError, PayoutItem};
use crate::store::ids::{BrandId, PayoutId};
use crate::store::payouts::{self, PayoutStatus};
use crate::store::{Db, DbConn, brands};

/// PayPal Payouts accepts at most this many rows per bulk file.
pub const PAYPAL_MAX_ROWS: i64 = 5_000;
/// Rows per page of the CSV file.
const CSV_PAGE: i64 = 1_000;
/// PayPal's limit on a row's note.
const PAYPAL_NOTE_CHARS: usize = 400;

/// The brand's batch, unless it was cancelled: its entries are released and may be in
/// a newer batch, so a file of it could pay the same commission twice.
fn downloadable(conn: &mut DbConn, brand: BrandId, id: PayoutId) -> Result<Payout, PayoutError> {
    let payout = payouts::find(conn, brand, id)?.ok_or(PayoutError::NotFound)?;
    if payout.status == PayoutStatus::Cancelled {
        return Err(PayoutError::Cancelled);
    }
    Ok(payout.into())
}

/// The payout CSV of a batch: its items, by membership id, page after page.
pub struct CsvFile {
    pub payout: Payout,
    pub pages: Receiver<Result<Vec<PayoutItem>, PayoutError>>,
}

pub async fn csv_file(db: &Db, brand: BrandId, id: PayoutId) -> Result<CsvFile, PayoutError> {
    let payout = db.read(move |conn| downloadable(conn, brand, id)).await?;
    let pages = db.read_pages(move |conn, cursor| {
        let after = cursor.and_then(|c| c.parse().ok());
        let rows = payouts::items(conn, id, after, CSV_PAGE)?;
        let next = (i64::try_from(rows.len()).unwrap_or(0) == CSV_PAGE)
            .then(|| rows.last().map(|r| r.membership_id.to_string()))
            .flatten();
        Ok::<_, PayoutError>((rows.into_iter().map(PayoutItem::of).collect(), next))
    });
    Ok(CsvFile { payout, pages })
}

/// One part of a batch's PayPal bulk file.
#[derive(Debug, Clone)]
pub struct PaypalFile {
    pub payout: Payout,
    /// 1-based; `parts` is at least 1.
    pub part: i64,
    pub parts: i64,
    /// The same note on every row: the brand and the batch's day.
    pub note: String,
    pub rows: Vec<PaypalRow>,
}

#[derive(Debug, Clone)]
pub struct PaypalRow {
    pub payout_email: String,
    pub amount: i64,
    /// At most 30 characters and no spaces, as PayPal wants.
    pub reference: String,
}

/// Part `part` of the batch's PayPal file. A batch of more than [`PAYPAL_MAX_ROWS`]
/// items has several parts and must name one.
pub async fn paypal_file(db: &Db, brand: BrandId, id: PayoutId, part: Option<i64>) -> Result<PaypalFile, PayoutError> {
    db.read(move |conn| {
        let payout = downloadable(conn, brand, id)?;
        let rows = payouts::item_count(conn, id)?;
        let parts = (rows + PAYPAL_MAX_ROWS - 1) / PAYPAL_MAX_ROWS;
        let part = match part {
            Some(p) if (1..=parts.max(1)).contains(&p) => p,
            Some(_) => return Err(PayoutError::NoSuchPart { parts: parts.max(1) }),
            None if parts > 1 => return Err(PayoutError::PartsRequired { rows, parts }),
            None => 1,
        };
        let brand_name = brands::find(conn, brand)?.map(|b| b.name).unwrap_or_default();
        let note = format!(
            "{brand_name} ambassador payout {}",
            payout.created_at.format("%Y-%m-%d")
        )
        .chars()
        .take(PAYPAL_NOTE_CHARS)
        .collect();
        let skip = (part - 1) * PAYPAL_MAX_ROWS;
        let rows = payouts::items_from(conn, id, skip, PAYPAL_MAX_ROWS)?
            .into_iter()
            .zip(skip + 1..)
            .map(|(item, row)| PaypalRow {
                payout_email: item.payout_email,
                amount: item.amount,
                reference: paypal_reference(id, row),
            })
            .collect();
        Ok(PaypalFile {
            payout,
            part,
            parts: parts.max(1),
            note,
            rows,
        })
    })
    .await
}

/// A reference PayPal accepts (≤ 30 characters, no spaces) that still names the
/// batch and the row: `rt` + the random tail of the batch id + the row number.
pub fn paypal_reference(payout: PayoutId, row: i64) -> String {
    let simple = payout.0.simple().to_string();
    format!("rt{}-{row:05}", &simple[simple.len() - 12..])
}

#[cfg(test)]
mod tests {
    use super::paypal_reference;
    use crate::store::ids::PayoutId;

    #[test]
    fn a_paypal_reference_fits_thirty_characters_without_spaces() {
        let reference = paypal_reference(PayoutId::generate(), 123_456);
        assert!(reference.len() <= 30 && !reference.contains(' '), "{reference}");
        assert!(
            reference.starts_with("rt") && reference.ends_with("-123456"),
            "{reference}"
        );
    }
}
