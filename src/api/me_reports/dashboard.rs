//! `GET /v1/me/dashboard?from=&to=&brand_id=`: per brand and currency, all-time totals
//! from the ledger, and per-code figures and a daily series over `from..=to`.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{blank_to_none, parse_brand};
use crate::api::extract::Influencer;
use crate::api::money::KindAmounts;
use crate::api::validate::Validator;
use crate::api::{ApiError, AppState};
use crate::domain::period::Period;
use crate::service::dashboard::{self, Dashboard, DashboardQuery as Query};
use crate::store::ids::{BrandId, InfluencerId, MembershipId, RewardId};
use crate::store::rewards::RewardStatus;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub brand_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DashboardResponse {
    pub influencer: InfluencerSummary,
    pub brands: Vec<BrandDashboard>,
}

#[derive(Debug, Serialize)]
pub struct InfluencerSummary {
    pub id: InfluencerId,
    pub display_name: String,
}

/// One membership in one currency.
#[derive(Debug, Serialize)]
pub struct BrandDashboard {
    pub brand_id: BrandId,
    pub brand_name: String,
    pub membership_id: MembershipId,
    pub currency: String,
    pub totals: TotalsView,
    pub codes: Vec<CodeView>,
    pub rewards: RewardsView,
    pub recent_orders: Vec<RecentOrderView>,
    pub series: Vec<SeriesPoint>,
}

/// All-time, in minor units: pending + approved + paid = Σ every ledger entry.
#[derive(Debug, Default, Serialize)]
pub struct TotalsView {
    pub pending: i64,
    pub approved: i64,
    pub paid: i64,
    pub reversed: i64,
    pub next_payable_at: Option<DateTime<Utc>>,
    /// Every entry by kind; the parts add up to pending + approved + paid.
    pub by_kind: KindAmounts,
}

#[derive(Debug, Serialize)]
pub struct CodeView {
    pub code: String,
    pub clicks: i64,
    pub orders: i64,
    pub conversion_rate: Option<String>,
    pub net_sales: i64,
    pub commission: i64,
}

#[derive(Debug, Serialize)]
pub struct RewardsView {
    pub progress: Vec<ProgressView>,
    pub earned: Vec<EarnedRewardView>,
}

#[derive(Debug, Serialize)]
pub struct ProgressView {
    pub sku: String,
    pub description: String,
    /// Qualifying orders (or minor units of net sales) toward the next free item.
    pub current: i64,
    pub target: i64,
}

#[derive(Debug, Serialize)]
pub struct EarnedRewardView {
    pub id: RewardId,
    pub sku: String,
    pub description: String,
    pub status: RewardStatus,
    pub earned_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct RecentOrderView {
    /// The shop's order id.
    pub order_id: String,
    pub placed_at: DateTime<Utc>,
    pub net_amount: i64,
    /// Commission less reversals.
    pub commission: i64,
    pub status: &'static str,
    pub attribution_method: String,
}

#[derive(Debug, Serialize)]
pub struct SeriesPoint {
    pub date: NaiveDate,
    pub clicks: i64,
    pub orders: i64,
    pub net_sales: i64,
    pub commission: i64,
}

impl From<Dashboard> for DashboardResponse {
    fn from(d: Dashboard) -> Self {
        Self {
            influencer: InfluencerSummary {
                id: d.influencer,
                display_name: d.display_name,
            },
            brands: d.brands.into_iter().map(BrandDashboard::from).collect(),
        }
    }
}

impl From<dashboard::BrandDashboard> for BrandDashboard {
    fn from(b: dashboard::BrandDashboard) -> Self {
        let t = b.totals;
        Self {
            brand_id: b.brand_id,
            brand_name: b.brand_name,
            membership_id: b.membership_id,
            currency: b.currency,
            totals: TotalsView {
                pending: t.pending,
                approved: t.approved,
                paid: t.paid,
                reversed: t.reversed,
                next_payable_at: t.next_payable_at,
                by_kind: t.by_kind.into(),
            },
            codes: b
                .codes
                .into_iter()
                .map(|c| CodeView {
                    code: c.code,
                    clicks: c.clicks,
                    orders: c.orders,
                    conversion_rate: c.conversion_rate,
                    net_sales: c.net_sales,
                    commission: c.commission,
                })
                .collect(),
            rewards: RewardsView {
                progress: b
                    .rewards
                    .progress
                    .into_iter()
                    .map(|p| ProgressView {
                        sku: p.sku,
                        description: p.description,
                        current: p.current,
                        target: p.target,
                    })
                    .collect(),
                earned: b
                    .rewards
                    .earned
                    .into_iter()
                    .map(|r| EarnedRewardView {
                        id: r.id,
                        sku: r.sku,
                        description: r.description,
                        status: r.status,
                        earned_at: r.earned_at,
                    })
                    .collect(),
            },
            recent_orders: b
                .recent_orders
                .into_iter()
                .map(|o| RecentOrderView {
                    order_id: o.order_id,
                    placed_at: o.placed_at,
                    net_amount: o.net_amount,
                    commission: o.commission,
                    status: o.status.as_str(),
                    attribution_method: o.attribution_method,
                })
                .collect(),
            series: b
                .series
                .into_iter()
                .map(|d| SeriesPoint {
                    date: d.date,
                    clicks: d.clicks,
                    orders: d.orders,
                    net_sales: d.net_sales,
                    commission: d.commission,
                })
                .collect(),
        }
    }
}

/// `GET /v1/me/dashboard?from=&to=&brand_id=`: empty parameters count as absent; every
/// invalid one is reported in one 422.
pub async fn get_dashboard(
    state: web::Data<AppState>,
    me: Influencer,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let today = state.clock.now().date_naive();
    let mut v = Validator::default();
    let brand = parse_brand(&mut v, query.brand_id);
    let (from, to) = (blank_to_none(query.from), blank_to_none(query.to));
    let period = match Period::parse(from.as_deref(), to.as_deref(), today) {
        Ok(period) => Some(period),
        Err(errors) => {
            for error in errors {
                v.check::<()>(error.field, Err(error.message));
            }
            None
        }
    };
    let (Some(brand), Some(period)) = (brand, period) else {
        return Err(v.into_error());
    };
    let query = Query {
        influencer: me.influencer_id,
        brand,
        period,
    };
    let dashboard = dashboard::build(&state.db, query).await?;
    Ok(HttpResponse::Ok().json(DashboardResponse::from(dashboard)))
}
