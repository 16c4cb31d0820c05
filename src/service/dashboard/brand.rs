//! The influencer's view of one brand (the portal's brand page): the dashboard entries
//! of that brand, the program's terms with where the ambassador stands in its volume
//! tiers this month, their codes in it and the latest lines of their statement.

use chrono::{DateTime, Months, Utc};

use super::{BrandDashboard, DashboardQuery, build};
use crate::domain::period::{Period, month_start};
use crate::service::codes::MyCode;
use crate::service::reports::ReportError;
use crate::service::reports::StatementLine;
use crate::store::ids::{BrandId, InfluencerId};
use crate::store::{Db, StoreError, codes as store_codes, dashboard, orders, time};

/// Statement lines shown on the page; the whole statement is the earnings CSV.
pub const LATEST_LINES: i64 = 20;

/// Codes read for the page (an ambassador has a handful per brand).
const CODES: i64 = 200;

#[derive(Debug, Clone)]
pub struct BrandView {
    /// The brand's dashboard entries, the program's currency first.
    pub entries: Vec<BrandDashboard>,
    /// The ambassador's attributed net this calendar month (UTC), in the program's
    /// currency: the basis of the volume tiers.
    pub month_to_date_net: i64,
    pub codes: Vec<MyCode>,
    /// The newest ledger entries of the brand, newest first.
    pub statement: Vec<StatementLine>,
}

/// The brand page of `influencer` for `brand` over `period`; `NotAmbassador` when they are
/// not (and never were) its ambassador, as for another influencer's object.
pub async fn brand_view(
    db: &Db,
    influencer: InfluencerId,
    brand: BrandId,
    period: Period,
    now: DateTime<Utc>,
) -> Result<BrandView, ReportError> {
    let query = DashboardQuery {
        influencer,
        brand: Some(brand),
        period,
    };
    let board = build(db, query).await?;
    let Some(home) = board.brands.first() else {
        return Err(ReportError::NotAmbassador);
    };
    let membership = home.membership_id;
    // The whole calendar month: an order the shop dated a moment ahead of our clock
    // still counts.
    let since = month_start(time::to_db(now));
    let until = since.checked_add_months(Months::new(1)).unwrap_or(since);
    let (month_to_date_net, codes, entries) = db
        .read(move |conn| {
            let net = orders::attributed_net_between(conn, membership, since, until)?;
            let codes = store_codes::list_for_influencer(conn, influencer, Some(brand), None, CODES)?;
            let entries = dashboard::latest_entries(conn, influencer, brand, LATEST_LINES)?;
            Ok::<_, StoreError>((net, codes, entries))
        })
        .await?;
    let codes = codes.into_iter().map(MyCode::from).collect();
    let statement = entries
        .into_iter()
        .map(StatementLine::of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(BrandView {
        entries: board.brands,
        month_to_date_net,
        codes,
        statement,
    })
}
