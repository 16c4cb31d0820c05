//! Orders in another currency than their program's: the rate the order's net is
//! converted at, the shop's when it sent one with the order, else the brand's rate
//! table. Without either the order is recorded unattributed ([`NO_FX_RATE`]): an order
//! is never lost for want of a rate, and the brand can see why it earned nothing.

use chrono::NaiveDateTime;

use crate::domain::Currency;
use crate::domain::fx::FxRate;
use crate::domain::money::MAX_AMOUNT;
use crate::store::fx_rates::{self, FxSource};
use crate::store::ids::BrandId;
use crate::store::orders::OrderFx;
use crate::store::{DbConn, StoreError};

/// Why an order attributed to a program in another currency earned nothing: the shop
/// sent no rate and the brand keeps none for the pair.
pub const NO_FX_RATE: &str = "no_fx_rate";
/// Why likewise: the rate makes the net larger than any amount reftrack takes
/// ([`MAX_AMOUNT`]), so it cannot be the pair's real rate.
pub const FX_OUT_OF_RANGE: &str = "fx_out_of_range";

/// An order's net converted into its program's currency.
#[derive(Debug, Clone)]
pub struct Fx {
    pub rate: FxRate,
    pub source: FxSource,
    /// The rate's time: the order's `placed_at` for the shop's rate, when the brand set
    /// the table's.
    pub at: NaiveDateTime,
    /// The program's currency.
    pub currency: Currency,
    /// The order's net in it, rounded once half away from zero.
    pub net: i64,
}

impl Fx {
    /// The columns the order keeps.
    pub fn stored(&self) -> OrderFx {
        OrderFx {
            rate: self.rate.to_string(),
            source: self.source,
            at: self.at,
            currency: self.currency.code().to_owned(),
            net: self.net,
        }
    }
}

/// What an order attributed to a program needs to earn in the program's currency.
#[derive(Debug)]
pub enum Conversion {
    /// The order is in the program's currency.
    Same,
    Converted(Fx),
    /// No usable rate, for this reason ([`NO_FX_RATE`], [`FX_OUT_OF_RANGE`]): the
    /// order is recorded unattributed.
    Refused(&'static str),
}

/// An order of `net` in `from`, placed at `placed_at`, to be paid in `to`.
#[derive(Debug, Clone, Copy)]
pub struct Converting<'a> {
    pub brand: BrandId,
    pub from: Currency,
    pub to: &'a str,
    pub net: i64,
    /// The rate the shop sent with the order; it wins over the brand's table.
    pub shop_rate: Option<FxRate>,
    pub placed_at: NaiveDateTime,
}

/// The conversion an order needs into its program's currency.
pub fn resolve(conn: &mut DbConn, order: Converting<'_>) -> Result<Conversion, StoreError> {
    if order.to == order.from.code() {
        return Ok(Conversion::Same);
    }
    let to = Currency::parse(order.to).map_err(|e| StoreError::Corrupt(format!("program currency: {e}")))?;
    let (rate, source, at) = match order.shop_rate {
        Some(rate) => (rate, FxSource::Order, order.placed_at),
        None => match fx_rates::find(conn, order.brand, order.from.code(), order.to)? {
            Some(row) => {
                let rate = FxRate::parse(&row.rate)
                    .map_err(|e| StoreError::Corrupt(format!("fx rate {}→{}: {e}", row.from_currency, order.to)))?;
                (rate, FxSource::RateTable, row.updated_at)
            }
            None => return Ok(Conversion::Refused(NO_FX_RATE)),
        },
    };
    match rate.convert(order.net, order.from, to) {
        Some(net) if (0..=MAX_AMOUNT).contains(&net) => Ok(Conversion::Converted(Fx {
            rate,
            source,
            at,
            currency: to,
            net,
        })),
        _ => Ok(Conversion::Refused(FX_OUT_OF_RANGE)),
    }
}
