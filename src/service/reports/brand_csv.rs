//! The brand's orders as a CSV file (`GET /v1/brand/orders.csv`, and the console's
//! download): the filters of the order list, newest first, one row per order, read
//! [`ORDERS_CSV_PAGE`] orders at a time on the list's keyset (the order id), so a file
//! of any size is never in memory whole. The rows are built here, cells escaped by
//! [`crate::domain::csv`], so every door writes the same bytes; a door only streams.

use chrono::{DateTime, SecondsFormat, Utc};
use tokio::sync::mpsc::Receiver;

use super::ReportError;
use super::brand::{BrandOrder, order_filter};
use crate::domain::Currency;
use crate::domain::csv::Cell;
use crate::domain::money::format_minor;
use crate::domain::status::OrderStatus;
use crate::store::brand_reports::{self, AmbassadorName, OrderFacts};
use crate::store::ids::{BrandId, MembershipId, OrderId};
use crate::store::{Db, time};

/// Orders read per page of the file.
pub const ORDERS_CSV_PAGE: i64 = 1_000;

/// The file's name, as the download offers it.
pub const ORDERS_CSV_FILENAME: &str = "orders.csv";

/// The header row. Amounts are decimals in major units with the currency's digits
/// (as in the payout CSV); times are RFC 3339 in UTC.
pub const ORDERS_CSV_HEADER: &[&str] = &[
    "order_id",
    "placed_at",
    "currency",
    "subtotal",
    "discount",
    "net",
    "refunded",
    "commission",
    "commission_reversed",
    "commission_status",
    "available_at",
    "ambassador",
    "ambassador_email",
    "code",
    "attribution_method",
    "attribution_reason",
    "commission_currency",
    "fx_rate",
];

/// The filters of [`super::BrandOrdersQuery`], without its page: the file holds every
/// order they match.
#[derive(Debug, Clone)]
pub struct OrdersCsvQuery {
    pub brand: BrandId,
    pub ambassador: Option<MembershipId>,
    /// A code as the brand typed it; one that cannot exist matches nothing.
    pub code: Option<String>,
    pub status: Option<OrderStatus>,
    /// Placed at or after.
    pub placed_from: Option<DateTime<Utc>>,
    /// Placed before.
    pub placed_before: Option<DateTime<Utc>>,
}

/// The rows of the file, page after page (see [`Db::read_pages`]); the header is
/// [`ORDERS_CSV_HEADER`]. Dropping the receiver stops the reading.
pub type OrdersCsvPages = Receiver<Result<Vec<Vec<Cell>>, ReportError>>;

/// Starts reading the brand's orders for the file. Each page is its own read
/// snapshot: an order recorded while the file streams may or may not be in it, but
/// no order is ever in it twice (the keyset moves strictly down the ids).
pub fn orders_csv(db: &Db, query: OrdersCsvQuery) -> OrdersCsvPages {
    let brand = query.brand;
    let filter = order_filter(
        query.ambassador,
        query.code.as_deref(),
        query.status,
        query.placed_from,
        query.placed_before,
    );
    db.read_pages(move |conn, cursor| {
        let Some(filter) = &filter else {
            return Ok((Vec::new(), None));
        };
        let before = cursor.and_then(|c| c.parse::<OrderId>().ok());
        let orders = brand_reports::list_orders(conn, brand, filter, before, ORDERS_CSV_PAGE)?;
        let facts = brand_reports::facts(conn, &orders)?;
        let next = (i64::try_from(orders.len()).unwrap_or(0) == ORDERS_CSV_PAGE)
            .then(|| orders.last().map(|o| o.id.to_string()))
            .flatten();
        let rows = orders
            .into_iter()
            .map(|order| {
                let ambassador = order.membership_id.and_then(|m| facts.ambassadors.get(&m));
                row(BrandOrder::of(order, &facts), &facts, ambassador)
            })
            .collect();
        Ok::<_, ReportError>((rows, next))
    })
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// One order's row, in the order of [`ORDERS_CSV_HEADER`].
fn row(order: BrandOrder, facts: &OrderFacts, ambassador: Option<&AmbassadorName>) -> Vec<Cell> {
    let o = &order.order;
    // A stored currency always parses; two digits is the default of the payout files.
    let exponent = Currency::parse(&o.currency).map_or(2, |c| c.exponent());
    let amount = |minor: i64| Cell::number(format_minor(minor, exponent));
    // The commission is in the program's currency, which a converted order is not in.
    let earned_in = o.commission_currency();
    let earned_exponent = Currency::parse(earned_in).map_or(2, |c| c.exponent());
    let earned = |minor: i64| Cell::number(format_minor(minor, earned_exponent));
    vec![
        Cell::text(o.order_id.clone()),
        Cell::text(rfc3339(time::from_db(o.placed_at))),
        Cell::text(o.currency.clone()),
        amount(o.subtotal),
        amount(o.discount_total),
        amount(o.net_amount),
        amount(facts.refunded.get(&o.id).copied().unwrap_or(0)),
        earned(o.commission),
        earned(facts.reversed.get(&o.id).copied().unwrap_or(0)),
        Cell::text(order.status.as_str()),
        Cell::text(order.available_at.map(rfc3339).unwrap_or_default()),
        Cell::text(ambassador.map(|a| a.display_name.clone()).unwrap_or_default()),
        Cell::text(ambassador.map(|a| a.email.clone()).unwrap_or_default()),
        Cell::text(order.code.clone().unwrap_or_default()),
        Cell::text(o.attribution_method.clone()),
        Cell::text(o.attribution_reason.clone()),
        Cell::text(earned_in.to_owned()),
        Cell::text(o.fx_rate.clone().unwrap_or_default()),
    ]
}
