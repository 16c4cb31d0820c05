//! A brand's exchange rate table: for each pair of currencies the rate an order in the
//! first converts into a program in the second at, when the shop sends none.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::ids::{BrandId, text_enum};
use super::schema::fx_rates;

text_enum!(
    /// Where the rate an order was converted at came from.
    FxSource { Order => "order", RateTable => "rate_table" }
);

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = fx_rates, treat_none_as_default_value = false)]
pub struct FxRateRow {
    pub brand_id: BrandId,
    pub from_currency: String,
    pub to_currency: String,
    /// A decimal string, as [`crate::domain::fx::FxRate`] reads it.
    pub rate: String,
    /// When the brand last set this pair's rate: the time an order converted at it shows.
    pub updated_at: NaiveDateTime,
}

/// The brand's rates, by pair.
pub fn list(conn: &mut DbConn, brand: BrandId) -> QueryResult<Vec<FxRateRow>> {
    fx_rates::table
        .filter(fx_rates::brand_id.eq(brand))
        .order((fx_rates::from_currency, fx_rates::to_currency))
        .select(FxRateRow::as_select())
        .load(conn)
}

/// The brand's rate from one currency into another, if it keeps one.
pub fn find(conn: &mut DbConn, brand: BrandId, from: &str, to: &str) -> QueryResult<Option<FxRateRow>> {
    fx_rates::table
        .find((brand, from, to))
        .select(FxRateRow::as_select())
        .first(conn)
        .optional()
}

/// Replaces the brand's table with `rows`; the caller's transaction makes it one change.
pub fn replace(conn: &mut DbConn, brand: BrandId, rows: &[FxRateRow]) -> QueryResult<()> {
    diesel::delete(fx_rates::table.filter(fx_rates::brand_id.eq(brand))).execute(conn)?;
    for row in rows {
        diesel::insert_into(fx_rates::table).values(row.clone()).execute(conn)?;
    }
    Ok(())
}
