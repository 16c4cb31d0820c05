//! The brand's exchange rate table: the rates an order in one currency converts into a
//! program in another at, when the shop sends none with the order
//! ([`crate::service::orders`]). The API and the console replace it whole, through
//! [`parse`] and [`replace`], so both doors accept and refuse the same tables.

use chrono::{DateTime, Utc};

use crate::domain::Currency;
use crate::domain::fx::FxRate;
use crate::service::auth::{BrandActor, ForbiddenRole};
use crate::store::fx_rates::{self, FxRateRow};
use crate::store::ids::BrandId;
use crate::store::{Db, StoreError, time};

/// Pairs a brand's table may hold: far more than the currencies a brand sells in.
pub const MAX_RATES: usize = 100;

/// One rate of the table as a client sent it.
#[derive(Debug, Clone, Default)]
pub struct RateInput {
    pub from: String,
    pub to: String,
    pub rate: String,
}

/// One valid rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewRate {
    pub from: Currency,
    pub to: Currency,
    pub rate: FxRate,
}

/// One rate of the table as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub from: String,
    pub to: String,
    pub rate: String,
    pub updated_at: DateTime<Utc>,
}

impl From<FxRateRow> for Rate {
    fn from(row: FxRateRow) -> Self {
        Self {
            from: row.from_currency,
            to: row.to_currency,
            rate: row.rate,
            updated_at: time::from_db(row.updated_at),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FxRatesError {
    #[error(transparent)]
    Forbidden(#[from] ForbiddenRole),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The table as sent, or every problem with it as (field path under `rates`, message):
/// valid currencies, two different ones per pair, each pair once, a valid rate, at most
/// [`MAX_RATES`] pairs.
pub fn parse(inputs: &[RateInput]) -> Result<Vec<NewRate>, Vec<(String, String)>> {
    let mut errors = Vec::new();
    if inputs.len() > MAX_RATES {
        errors.push(("rates".to_owned(), format!("must hold at most {MAX_RATES} rates")));
    }
    let mut rates: Vec<NewRate> = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("rates[{i}].{name}");
        let from = Currency::parse(&input.from)
            .map_err(|m| errors.push((field("from"), m)))
            .ok();
        let to = Currency::parse(&input.to)
            .map_err(|m| errors.push((field("to"), m)))
            .ok();
        let rate = FxRate::parse(&input.rate)
            .map_err(|m| errors.push((field("rate"), m)))
            .ok();
        let (Some(from), Some(to), Some(rate)) = (from, to, rate) else {
            continue;
        };
        if from == to {
            errors.push((field("to"), "must differ from `from`".to_owned()));
        } else if rates.iter().any(|r| r.from == from && r.to == to) {
            errors.push((field("to"), format!("the pair {from} → {to} is already in the table")));
        } else {
            rates.push(NewRate { from, to, rate });
        }
    }
    if errors.is_empty() { Ok(rates) } else { Err(errors) }
}

/// The brand's table, by pair.
pub async fn list(db: &Db, brand: BrandId) -> Result<Vec<Rate>, StoreError> {
    db.read(move |conn| Ok(fx_rates::list(conn, brand)?.into_iter().map(Rate::from).collect()))
        .await
}

/// Replaces the brand's table with `rates` (owners only: a rate decides what every
/// converted order earns). A pair whose rate is unchanged keeps its time, so an order's
/// record keeps saying when the rate it took was set; a new or changed one is dated now.
/// Orders recorded before keep the rate they were converted at.
pub async fn replace(
    db: &Db,
    actor: &BrandActor,
    rates: Vec<NewRate>,
    now: DateTime<Utc>,
) -> Result<Vec<Rate>, FxRatesError> {
    actor.require_owner()?;
    let brand = actor.brand_id;
    let now = time::to_db(now);
    let rows = db
        .write(move |conn| -> Result<_, StoreError> {
            let current = fx_rates::list(conn, brand)?;
            let rows: Vec<FxRateRow> = rates
                .iter()
                .map(|r| {
                    let rate = r.rate.to_string();
                    let kept = current
                        .iter()
                        .find(|c| c.from_currency == r.from.code() && c.to_currency == r.to.code() && c.rate == rate);
                    FxRateRow {
                        brand_id: brand,
                        from_currency: r.from.code().to_owned(),
                        to_currency: r.to.code().to_owned(),
                        rate,
                        updated_at: kept.map_or(now, |c| c.updated_at),
                    }
                })
                .collect();
            fx_rates::replace(conn, brand, &rows)?;
            Ok(fx_rates::list(conn, brand)?)
        })
        .await?;
    Ok(rows.into_iter().map(Rate::from).collect())
}
