//! The influencer's earnings dashboard: one entry per brand and currency they work in,
//! with all-time totals from the ledger, per-code figures and a daily series over a
//! period, reward progress and the most recent orders.
//!
//! A membership whose figures no `i64` holds (amounts stored before the door bounds)
//! or whose terms no longer read back is left out and logged; it never takes the
//! influencer's other brands down with it.

mod brand;
mod layout;

pub use brand::{BrandView, brand_view};

use chrono::{DateTime, NaiveDate, Utc};

use super::reports::ReportError;
use crate::domain::period::Period;
use crate::domain::status::OrderStatus;
use crate::domain::terms::Terms;
use crate::store::ids::{BrandId, InfluencerId, MembershipId, RewardId};
use crate::store::ledger::KindTotals;
use crate::store::rewards::RewardStatus;
use crate::store::{Db, dashboard, influencers};

/// `GET /v1/me/dashboard`: the influencer's brands (or one of them) over `period`.
#[derive(Debug, Clone, Copy)]
pub struct DashboardQuery {
    pub influencer: InfluencerId,
    pub brand: Option<BrandId>,
    pub period: Period,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub influencer: InfluencerId,
    pub display_name: String,
    pub brands: Vec<BrandDashboard>,
}

/// One membership in one currency.
#[derive(Debug, Clone)]
pub struct BrandDashboard {
    pub brand_id: BrandId,
    pub brand_name: String,
    pub membership_id: MembershipId,
    pub currency: String,
    /// The membership's current program terms (every entry of the membership has them).
    pub terms: Terms,
    pub totals: Totals,
    pub codes: Vec<CodeFigures>,
    pub rewards: Rewards,
    pub recent_orders: Vec<RecentOrder>,
    pub series: Vec<SeriesPoint>,
}

/// All-time, in minor units: pending + approved + paid = Σ every ledger entry;
/// `reversed` is the total of reversals as a positive number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub pending: i64,
    pub approved: i64,
    pub paid: i64,
    pub reversed: i64,
    /// When the earliest pending commission becomes payable (its hold ends).
    pub next_payable_at: Option<DateTime<Utc>>,
    /// Every entry by kind: the parts add up to pending + approved + paid.
    pub by_kind: KindTotals,
}

/// One code's figures over the period.
#[derive(Debug, Clone)]
pub struct CodeFigures {
    pub code: String,
    pub clicks: i64,
    pub orders: i64,
    /// orders ÷ clicks, `None` without clicks.
    pub conversion_rate: Option<String>,
    pub net_sales: i64,
    pub commission: i64,
}

/// Rewards belong to the membership: shown on its program's currency only.
#[derive(Debug, Clone, Default)]
pub struct Rewards {
    pub progress: Vec<Progress>,
    pub earned: Vec<EarnedReward>,
}

#[derive(Debug, Clone)]
pub struct Progress {
    pub sku: String,
    pub description: String,
    /// Whether the rule counts orders (else minor units of net sales).
    pub by_orders: bool,
    /// Qualifying orders (or minor units of net sales) toward the next free item.
    pub current: i64,
    pub target: i64,
}

#[derive(Debug, Clone)]
pub struct EarnedReward {
    pub id: RewardId,
    pub sku: String,
    pub description: String,
    pub status: RewardStatus,
    pub earned_at: DateTime<Utc>,
}

/// A recent order, without customer data.
#[derive(Debug, Clone)]
pub struct RecentOrder {
    /// The shop's order id.
    pub order_id: String,
    pub placed_at: DateTime<Utc>,
    pub net_amount: i64,
    /// Commission less reversals.
    pub commission: i64,
    pub status: OrderStatus,
    pub attribution_method: String,
}

/// One day of the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeriesPoint {
    pub date: NaiveDate,
    pub clicks: i64,
    pub orders: i64,
    pub net_sales: i64,
    pub commission: i64,
}

/// The dashboard from one read snapshot: a fixed number of grouped statements, laid
/// out here.
pub async fn build(db: &Db, query: DashboardQuery) -> Result<Dashboard, ReportError> {
    let DashboardQuery {
        influencer,
        brand,
        period,
    } = query;
    let (account, rows) = db
        .read(move |conn| {
            let account = influencers::find(conn, influencer)?.ok_or(ReportError::AccountNotFound)?;
            let rows = dashboard::dashboard(conn, influencer, brand, period)?;
            Ok::<_, ReportError>((account, rows))
        })
        .await?;
    Ok(Dashboard {
        influencer: account.id,
        display_name: account.display_name,
        brands: layout::lay_out(&rows, &period)?,
    })
}
