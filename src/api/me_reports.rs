//! The influencer's reports across every brand they work with: the earnings dashboard,
//! the attributed orders with where each commission stands, and the earnings statement
//! as CSV. Only the signed-in influencer's memberships are ever read; no customer data
//! is shown.

use std::collections::{HashMap, HashSet};

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::ErrorCode;
use super::csv_export::{self, Cell};
use super::extract::Influencer;
use super::pagination::{Page, PageQuery};
use super::validate::Validator;
use super::{ApiError, db};
use crate::api::AppState;
use crate::domain::Currency;
use crate::domain::money::format_minor;
use crate::domain::rewards::{progress_by_amount, progress_by_orders};
use crate::domain::terms::{RewardTrigger, Terms};
use crate::store::dashboard::{self, DashboardRows, MembershipSummary, OrderSummary, Qualifying, Window};
use crate::store::ids::{BrandId, CodeId, InfluencerId, LedgerEntryId, MembershipId, OrderId, RewardId};
use crate::store::influencers;
use crate::store::rewards::{RewardRow, RewardStatus};
use crate::store::time;

/// The series covers this many days ending today when no range is given.
pub const DEFAULT_RANGE_DAYS: i64 = 30;
/// The longest range the dashboard answers, in days (both ends included).
pub const MAX_RANGE_DAYS: i64 = 366;
/// Ledger entries per page of the CSV statement.
const STATEMENT_PAGE: i64 = 1000;

fn account_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::AccountNotFound, "The account no longer exists.")
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

fn parse_brand(v: &mut Validator, value: Option<String>) -> Option<Option<BrandId>> {
    v.check_opt(
        "brand_id",
        blank_to_none(value).map(|b| {
            b.parse::<BrandId>()
                .map_err(|_| "must be a brand id (a UUID)".to_owned())
        }),
    )
}

/// A date written `YYYY-MM-DD`, nothing else.
fn parse_date(input: &str) -> Result<NaiveDate, String> {
    let shaped = input.len() == 10
        && input.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err("must be a date written YYYY-MM-DD".into());
    }
    NaiveDate::parse_from_str(input, "%Y-%m-%d").map_err(|_| "is not a calendar date".into())
}

/// The days `from..=to` (UTC) the series and per-code figures cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    /// Both ends are optional: `to` defaults to today, `from` to the
    /// [`DEFAULT_RANGE_DAYS`] days ending on `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Self, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut date = |field: &str, input: Option<&str>| match input.map(parse_date).transpose() {
            Ok(date) => date,
            Err(message) => {
                errors.push((field.to_owned(), message));
                None
            }
        };
        let (from, to) = (date("from", from), date("to", to));
        if !errors.is_empty() {
            return Err(errors);
        }
        let to = to.unwrap_or(today);
        let from = match from {
            Some(from) => from,
            None => to
                .checked_sub_signed(Duration::days(DEFAULT_RANGE_DAYS - 1))
                .ok_or_else(|| vec![("to".to_owned(), "is too early".to_owned())])?,
        };
        if from > to {
            return Err(vec![("from".into(), "must not be after `to`".into())]);
        }
        if (to - from).num_days() + 1 > MAX_RANGE_DAYS {
            return Err(vec![(
                "to".into(),
                format!("the range must not be longer than {MAX_RANGE_DAYS} days"),
            )]);
        }
        Ok(Self { from, to })
    }

    /// Every day of the range, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }

    /// `[from 00:00, to + 1 day 00:00)`.
    fn window(&self) -> Result<Window, ApiError> {
        let until = self.to.succ_opt().ok_or_else(|| ApiError::field("to", "is too late"))?;
        Ok(Window {
            from: NaiveDateTime::new(self.from, NaiveTime::MIN),
            until: NaiveDateTime::new(until, NaiveTime::MIN),
        })
    }
}

/// orders ÷ clicks as a decimal string with at most 4 places ("0.3333", "0.5", "2");
/// `None` without clicks.
pub fn conversion_rate(orders: i64, clicks: i64) -> Option<String> {
    if clicks == 0 {
        return None;
    }
    let rate = Decimal::from(orders).checked_div(Decimal::from(clicks))?;
    Some(
        rate.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
            .to_string(),
    )
}

// ---------------------------------------------------------------------------------
// GET /v1/me/dashboard
// ---------------------------------------------------------------------------------

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

/// Clicks, orders, net sales and commission, added with overflow checks.
#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    clicks: i64,
    orders: i64,
    net_sales: i64,
    commission: i64,
}

impl Figures {
    /// Adds `other`; `None` when a figure would leave `i64`.
    fn add(&mut self, other: Figures) -> Option<()> {
        self.clicks = self.clicks.checked_add(other.clicks)?;
        self.orders = self.orders.checked_add(other.orders)?;
        self.net_sales = self.net_sales.checked_add(other.net_sales)?;
        self.commission = self.commission.checked_add(other.commission)?;
        Some(())
    }

    fn clicks(clicks: i64) -> Self {
        Self {
            clicks,
            ..Self::default()
        }
    }
}

fn parse_day(day: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|_| ApiError::internal(anyhow::anyhow!("the database wrote the day `{day}`, not YYYY-MM-DD")))
}

/// Progress toward each reward of the program's current terms.
fn progress(membership: &MembershipSummary, qualifying: Option<&Qualifying>) -> Vec<ProgressView> {
    let terms = match Terms::from_stored(&membership.terms) {
        Ok(terms) => terms,
        Err(err) => {
            tracing::error!(membership = %membership.membership_id, error = %err, "stored terms do not parse");
            return Vec::new();
        }
    };
    // A qualifying amount beyond i64 has already dropped the membership's entry.
    let (orders, amount) = qualifying.map_or((0, 0), |q| (q.orders, q.amount().unwrap_or(i64::MAX)));
    terms
        .rewards
        .into_iter()
        .map(|rule| {
            let (current, target) = match rule.trigger {
                RewardTrigger::EveryOrders(n) => {
                    let p = progress_by_orders(u64::try_from(orders).unwrap_or(0), n);
                    (
                        i64::try_from(p.current).unwrap_or(i64::MAX),
                        i64::try_from(p.target).unwrap_or(i64::MAX),
                    )
                }
                RewardTrigger::EveryAmount(x) => {
                    let p = progress_by_amount(amount, x);
                    (p.current, p.target)
                }
            };
            ProgressView {
                sku: rule.sku,
                description: rule.description,
                current,
                target,
            }
        })
        .collect()
}

fn recent_order(order: &OrderSummary) -> Option<RecentOrderView> {
    Some(RecentOrderView {
        order_id: order.order_id.clone(),
        placed_at: time::from_db(order.placed_at),
        net_amount: order.net_amount,
        commission: order.entry_amount.unwrap_or(0).checked_sub(order.reversed)?,
        status: order.status().as_str(),
        attribution_method: order.attribution_method.clone(),
    })
}

/// Lays the grouped rows out as one [`BrandDashboard`] per (membership, currency).
/// Clicks carry no currency: they count in the entry of the program's currency, as do
/// rewards, which belong to the membership.
///
/// A membership whose figures no `i64` holds (amounts stored before the door bounds)
/// is left out and logged; it never takes the influencer's other brands down with it.
fn lay_out(rows: DashboardRows, range: &DateRange) -> Result<Vec<BrandDashboard>, ApiError> {
    let memberships: HashMap<MembershipId, &MembershipSummary> =
        rows.memberships.iter().map(|m| (m.membership_id, m)).collect();
    let code_owner: HashMap<CodeId, MembershipId> = rows.codes.iter().map(|c| (c.id, c.membership_id)).collect();
    let mut poisoned: HashSet<MembershipId> = HashSet::new();
    let mut by_code: HashMap<(CodeId, &str), Figures> = HashMap::new();
    let mut by_day: HashMap<(MembershipId, &str, NaiveDate), Figures> = HashMap::new();
    let mut clicks_by_code: HashMap<CodeId, i64> = HashMap::new();
    let mut clicks_by_day: HashMap<(MembershipId, NaiveDate), Figures> = HashMap::new();
    for o in &rows.orders {
        let day = parse_day(&o.day)?;
        let added = o.sums().and_then(|(net_sales, commission)| {
            let figures = Figures {
                clicks: 0,
                orders: o.orders,
                net_sales,
                commission,
            };
            if let Some(code) = o.code_id {
                by_code.entry((code, o.currency.as_str())).or_default().add(figures)?;
            }
            by_day
                .entry((o.membership_id, o.currency.as_str(), day))
                .or_default()
                .add(figures)
        });
        if added.is_none() {
            poisoned.insert(o.membership_id);
        }
    }
    for c in &rows.clicks {
        let day = parse_day(&c.day)?;
        let total = clicks_by_code.entry(c.code_id).or_default();
        *total = total.saturating_add(c.clicks);
        if let Some(membership) = code_owner.get(&c.code_id) {
            let added = clicks_by_day
                .entry((*membership, day))
                .or_default()
                .add(Figures::clicks(c.clicks));
            if added.is_none() {
                poisoned.insert(*membership);
            }
        }
    }
    let days: Vec<NaiveDate> = range.days().collect();
    let mut out = Vec::with_capacity(rows.entries.len());
    for (membership_id, currency) in &rows.entries {
        let Some(m) = memberships.get(membership_id) else {
            continue;
        };
        let home = *currency == m.currency;
        let figures = Layout {
            rows: &rows,
            by_code: &by_code,
            by_day: &by_day,
            clicks_by_code: &clicks_by_code,
            clicks_by_day: &clicks_by_day,
            days: &days,
        };
        let entry = if poisoned.contains(membership_id) {
            None
        } else {
            figures.entry(m, currency, home)
        };
        match entry {
            Some(entry) => out.push(entry),
            None => tracing::error!(
                membership = %membership_id,
                currency = %currency,
                "a dashboard figure of this membership is beyond any representable amount; its entry is left out"
            ),
        }
    }
    Ok(out)
}

/// The grouped figures of one dashboard, read per entry.
struct Layout<'a> {
    rows: &'a DashboardRows,
    by_code: &'a HashMap<(CodeId, &'a str), Figures>,
    by_day: &'a HashMap<(MembershipId, &'a str, NaiveDate), Figures>,
    clicks_by_code: &'a HashMap<CodeId, i64>,
    clicks_by_day: &'a HashMap<(MembershipId, NaiveDate), Figures>,
    days: &'a [NaiveDate],
}

impl Layout<'_> {
    /// One membership's entry in one currency; `None` when a figure leaves `i64`.
    fn entry(&self, m: &MembershipSummary, currency: &str, home: bool) -> Option<BrandDashboard> {
        let membership_id = m.membership_id;
        let totals = match self
            .rows
            .totals
            .iter()
            .find(|t| t.membership_id == membership_id && t.currency == currency)
        {
            Some(t) => {
                let (pending, approved, paid, reversed) = t.totals()?;
                TotalsView {
                    pending,
                    approved,
                    paid,
                    reversed,
                }
            }
            None => TotalsView::default(),
        };
        let mut codes = Vec::new();
        for code in self.rows.codes.iter().filter(|c| c.membership_id == membership_id) {
            let mut figures = self.by_code.get(&(code.id, currency)).copied().unwrap_or_default();
            if home {
                figures.clicks = self.clicks_by_code.get(&code.id).copied().unwrap_or(0);
            }
            codes.push(CodeView {
                code: code.code.clone(),
                clicks: figures.clicks,
                orders: figures.orders,
                conversion_rate: conversion_rate(figures.orders, figures.clicks),
                net_sales: figures.net_sales,
                commission: figures.commission,
            });
        }
        let rewards = if home {
            let qualifying = self.rows.qualifying.iter().find(|q| q.membership_id == membership_id);
            if qualifying.is_some_and(|q| q.amount().is_none()) {
                return None;
            }
            RewardsView {
                progress: progress(m, qualifying),
                earned: self
                    .rows
                    .rewards
                    .iter()
                    .filter(|r| r.membership_id == membership_id)
                    .map(earned_reward)
                    .collect(),
            }
        } else {
            RewardsView {
                progress: Vec::new(),
                earned: Vec::new(),
            }
        };
        let recent_orders = self
            .rows
            .recent_orders
            .iter()
            .filter(|o| o.membership_id == membership_id && o.currency == currency)
            .map(recent_order)
            .collect::<Option<Vec<_>>>()?;
        let mut series = Vec::with_capacity(self.days.len());
        for day in self.days {
            let mut figures = self
                .by_day
                .get(&(membership_id, currency, *day))
                .copied()
                .unwrap_or_default();
            if home && let Some(clicks) = self.clicks_by_day.get(&(membership_id, *day)) {
                figures.add(*clicks)?;
            }
            series.push(SeriesPoint {
                date: *day,
                clicks: figures.clicks,
                orders: figures.orders,
                net_sales: figures.net_sales,
                commission: figures.commission,
            });
        }
        Some(BrandDashboard {
            brand_id: m.brand_id,
            brand_name: m.brand_name.clone(),
            membership_id,
            currency: currency.to_owned(),
            totals,
            codes,
            rewards,
            recent_orders,
            series,
        })
    }
}

fn earned_reward(r: &RewardRow) -> EarnedRewardView {
    EarnedRewardView {
        id: r.id,
        sku: r.sku.clone(),
        description: r.description.clone(),
        status: r.status,
        earned_at: time::from_db(r.earned_at),
    }
}

/// `GET /v1/me/dashboard?from=&to=&brand_id=`: per brand and currency, all-time totals
/// from the ledger, and per-code figures and a daily series over `from..=to`.
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
    let range = match DateRange::parse(from.as_deref(), to.as_deref(), today) {
        Ok(range) => Some(range),
        Err(errors) => {
            for (field, message) in errors {
                v.check::<()>(&field, Err(message));
            }
            None
        }
    };
    let (Some(brand), Some(range)) = (brand, range) else {
        return Err(v.into_error());
    };
    let window = range.window()?;
    let (influencer, rows) = db::read(&state.db, move |conn| {
        let influencer = influencers::find(conn, me.influencer_id)?.ok_or_else(account_not_found)?;
        let rows = dashboard::dashboard(conn, me.influencer_id, brand, window)?;
        Ok((influencer, rows))
    })
    .await?;
    Ok(HttpResponse::Ok().json(DashboardResponse {
        influencer: InfluencerSummary {
            id: influencer.id,
            display_name: influencer.display_name,
        },
        brands: lay_out(rows, &range)?,
    }))
}

// ---------------------------------------------------------------------------------
// GET /v1/me/orders
// ---------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MyOrdersQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    pub brand_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AttributionSummary {
    pub method: String,
    pub reason: String,
}

/// An attributed order as its ambassador sees it: no customer data.
#[derive(Debug, Serialize)]
pub struct MyOrderResponse {
    pub id: OrderId,
    /// The shop's order id.
    pub order_id: String,
    pub brand_id: BrandId,
    pub brand_name: String,
    pub currency: String,
    pub placed_at: DateTime<Utc>,
    pub net_amount: i64,
    /// The rate every line earned, as a decimal string; `null` for flat commissions or
    /// mixed rates.
    pub rate: Option<String>,
    pub terms_version: Option<i32>,
    /// The commission the order earned, before reversals.
    pub commission: i64,
    /// Reversed by refunds so far (positive).
    pub reversed: i64,
    /// `pending`, `approved`, `paid`, `reversed` or `none`.
    pub status: &'static str,
    /// When the commission becomes (or became) payable; `null` without a commission.
    pub available_at: Option<DateTime<Utc>>,
    pub attribution: AttributionSummary,
}

impl From<OrderSummary> for MyOrderResponse {
    fn from(o: OrderSummary) -> Self {
        Self {
            status: o.status().as_str(),
            id: o.id,
            order_id: o.order_id,
            brand_id: o.brand_id,
            brand_name: o.brand_name,
            currency: o.currency,
            placed_at: time::from_db(o.placed_at),
            net_amount: o.net_amount,
            rate: o.commission_rate,
            terms_version: o.terms_version,
            commission: o.commission,
            reversed: o.reversed,
            available_at: o.available_at.map(time::from_db),
            attribution: AttributionSummary {
                method: o.attribution_method,
                reason: o.attribution_reason,
            },
        }
    }
}

/// `GET /v1/me/orders?limit=&cursor=&brand_id=`: the influencer's attributed orders
/// across brands, newest first.
pub async fn list_my_orders(
    state: web::Data<AppState>,
    me: Influencer,
    query: web::Query<MyOrdersQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut v = Validator::default();
    let brand = parse_brand(&mut v, query.brand_id);
    let Some(brand) = brand else {
        return Err(v.into_error());
    };
    let (limit, before) = PageQuery {
        limit: query.limit,
        cursor: query.cursor,
    }
    .parse::<OrderId>()?;
    let rows = db::read(&state.db, move |conn| {
        Ok(dashboard::list_orders(
            conn,
            me.influencer_id,
            brand,
            before,
            limit + 1,
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        limit,
        |o| o.id.to_string(),
        MyOrderResponse::from,
    )))
}

// ---------------------------------------------------------------------------------
// GET /v1/me/earnings.csv
// ---------------------------------------------------------------------------------

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
];

fn rfc3339(at: NaiveDateTime) -> String {
    time::from_db(at).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn statement_page(
    conn: &mut crate::store::DbConn,
    influencer: InfluencerId,
    cursor: Option<String>,
) -> Result<(Vec<Vec<Cell>>, Option<String>), ApiError> {
    let after = cursor
        .map(|c| c.parse::<LedgerEntryId>())
        .transpose()
        .map_err(ApiError::internal)?;
    let mut rows = dashboard::statement_entries(conn, influencer, after, STATEMENT_PAGE + 1)?;
    let next = if i64::try_from(rows.len()).unwrap_or(i64::MAX) > STATEMENT_PAGE {
        rows.truncate(usize::try_from(STATEMENT_PAGE).unwrap_or(0));
        rows.last().map(|r| r.id.to_string())
    } else {
        None
    };
    let mut cells = Vec::with_capacity(rows.len());
    for row in rows {
        let currency = Currency::parse(&row.currency)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("ledger entry {} currency: {e}", row.id)))?;
        cells.push(vec![
            Cell::text(row.id.to_string()),
            Cell::text(rfc3339(row.created_at)),
            Cell::text(row.brand_name.as_str()),
            Cell::text(row.kind.as_str()),
            Cell::text(row.order_id.clone().unwrap_or_default()),
            Cell::text(currency.code()),
            Cell::number(format_minor(row.amount, currency.exponent())),
            Cell::text(row.status().as_str()),
            Cell::text(rfc3339(row.available_at)),
            Cell::text(row.approved_at.map(rfc3339).unwrap_or_default()),
            Cell::text(row.paid_out_in.clone().unwrap_or_default()),
        ]);
    }
    Ok((cells, next))
}

/// `GET /v1/me/earnings.csv`: one row per ledger entry, oldest first, streamed.
pub async fn download_earnings(state: web::Data<AppState>, me: Influencer) -> Result<HttpResponse, ApiError> {
    let influencer = me.influencer_id;
    let pages = state
        .db
        .read_pages(move |conn, cursor| statement_page(conn, influencer, cursor));
    Ok(csv_export::stream(pages, "earnings.csv", Some(EARNINGS_HEADER), Ok))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        parse_date(s).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn conversion_rate_has_at_most_four_places() {
        assert_eq!(conversion_rate(1, 3).as_deref(), Some("0.3333"));
        assert_eq!(conversion_rate(2, 3).as_deref(), Some("0.6667"));
        assert_eq!(conversion_rate(1, 2).as_deref(), Some("0.5"));
        assert_eq!(conversion_rate(0, 5).as_deref(), Some("0"));
        assert_eq!(conversion_rate(3, 1).as_deref(), Some("3"));
        assert_eq!(conversion_rate(1, 0), None);
    }

    #[test]
    fn range_defaults_to_the_last_30_days() {
        let today = date("2026-11-02");
        let range = DateRange::parse(None, None, today);
        assert_eq!(
            range,
            Ok(DateRange {
                from: date("2026-10-04"),
                to: today
            })
        );
        assert_eq!(range.map(|r| r.days().count()), Ok(30));
    }

    #[test]
    fn range_refuses_bad_dates_reversed_and_overlong_ranges() {
        let today = date("2026-11-02");
        let field = |from: Option<&str>, to: Option<&str>| {
            DateRange::parse(from, to, today)
                .err()
                .map(|e| e.into_iter().map(|(f, _)| f).collect::<Vec<_>>())
        };
        assert_eq!(field(Some("2026-1-05"), None), Some(vec!["from".to_owned()]));
        assert_eq!(
            field(Some("2026-02-30"), Some("x")),
            Some(vec!["from".to_owned(), "to".to_owned()])
        );
        assert_eq!(field(Some("2026-11-03"), None), Some(vec!["from".to_owned()]));
        assert_eq!(
            field(Some("2025-01-01"), Some("2026-01-02")),
            Some(vec!["to".to_owned()])
        );
        // 366 days, both ends included, is the longest range.
        assert_eq!(field(Some("2024-01-01"), Some("2024-12-31")), None);
    }
}
