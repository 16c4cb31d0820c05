//! Lays the dashboard's grouped rows out as one [`BrandDashboard`] per (membership,
//! currency). Clicks carry no currency: they count in the entry of the program's
//! currency, as do rewards, which belong to the membership. Every sum is checked; a
//! membership with a figure beyond `i64` or unreadable terms is left out and logged.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::{BrandDashboard, CodeFigures, EarnedReward, Progress, RecentOrder, Rewards, SeriesPoint, Totals};
use crate::domain::conversion::conversion_rate;
use crate::domain::period::Period;
use crate::domain::rewards::{progress_by_amount, progress_by_orders};
use crate::domain::status::OrderStatus;
use crate::domain::terms::{RewardTrigger, Terms};
use crate::store::dashboard::{DashboardRows, MembershipSummary, OrderSummary, Qualifying};
use crate::store::ids::{CodeId, MembershipId};
use crate::store::rewards::RewardRow;
use crate::store::{StoreError, programs, time};

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

fn parse_day(day: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt(format!("the database wrote the day `{day}`, not YYYY-MM-DD")))
}

/// See the module: the entries to show, in the order of `rows.entries`.
pub(super) fn lay_out(rows: &DashboardRows, period: &Period) -> Result<Vec<BrandDashboard>, StoreError> {
    let code_owner: HashMap<CodeId, MembershipId> = rows.codes.iter().map(|c| (c.id, c.membership_id)).collect();
    let mut poisoned: HashSet<MembershipId> = HashSet::new();
    let mut terms: HashMap<MembershipId, Terms> = HashMap::new();
    for m in &rows.memberships {
        // `read_terms` logs what does not read back.
        match programs::read_terms(m.program_id, &m.terms) {
            Ok(read) => {
                terms.insert(m.membership_id, read);
            }
            Err(_) => {
                poisoned.insert(m.membership_id);
            }
        }
    }
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
    let memberships: HashMap<MembershipId, &MembershipSummary> =
        rows.memberships.iter().map(|m| (m.membership_id, m)).collect();
    let days: Vec<NaiveDate> = period.days().collect();
    let layout = Layout {
        rows,
        terms: &terms,
        by_code: &by_code,
        by_day: &by_day,
        clicks_by_code: &clicks_by_code,
        clicks_by_day: &clicks_by_day,
        days: &days,
    };
    let mut out = Vec::with_capacity(rows.entries.len());
    for (membership_id, currency) in &rows.entries {
        let Some(m) = memberships.get(membership_id) else {
            continue;
        };
        let entry = if poisoned.contains(membership_id) {
            None
        } else {
            layout.entry(m, currency, *currency == m.currency)
        };
        match entry {
            Some(entry) => out.push(entry),
            None => tracing::error!(
                membership = %membership_id,
                currency = %currency,
                "a dashboard figure of this membership is beyond any representable amount, or its terms do not \
                 read back; its entry is left out"
            ),
        }
    }
    Ok(out)
}

/// The grouped figures of one dashboard, read per entry.
struct Layout<'a> {
    rows: &'a DashboardRows,
    terms: &'a HashMap<MembershipId, Terms>,
    by_code: &'a HashMap<(CodeId, &'a str), Figures>,
    by_day: &'a HashMap<(MembershipId, &'a str, NaiveDate), Figures>,
    clicks_by_code: &'a HashMap<CodeId, i64>,
    clicks_by_day: &'a HashMap<(MembershipId, NaiveDate), Figures>,
    days: &'a [NaiveDate],
}

impl Layout<'_> {
    /// One membership's entry in one currency (`home`: its program's); `None` when a
    /// figure leaves `i64`.
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
                Totals {
                    pending,
                    approved,
                    paid,
                    reversed,
                    by_kind: t.by_kind()?,
                    // A commission cancelled during its hold leaves an entry with a
                    // date but nothing to be paid on it.
                    next_payable_at: t.next_payable_at.filter(|_| pending > 0).map(time::from_db),
                }
            }
            None => Totals::default(),
        };
        let mut codes = Vec::new();
        for code in self.rows.codes.iter().filter(|c| c.membership_id == membership_id) {
            let mut figures = self.by_code.get(&(code.id, currency)).copied().unwrap_or_default();
            if home {
                figures.clicks = self.clicks_by_code.get(&code.id).copied().unwrap_or(0);
            }
            codes.push(CodeFigures {
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
            Rewards {
                progress: progress(self.terms.get(&membership_id)?, qualifying),
                earned: self
                    .rows
                    .rewards
                    .iter()
                    .filter(|r| r.membership_id == membership_id)
                    .map(earned_reward)
                    .collect(),
            }
        } else {
            Rewards::default()
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
            terms: self.terms.get(&membership_id)?.clone(),
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

/// Progress toward each reward of the program's current terms.
fn progress(terms: &Terms, qualifying: Option<&Qualifying>) -> Vec<Progress> {
    // A qualifying amount beyond i64 has already dropped the membership's entry.
    let (orders, amount) = qualifying.map_or((0, 0), |q| (q.orders, q.amount().unwrap_or(i64::MAX)));
    terms
        .rewards
        .iter()
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
            Progress {
                sku: rule.sku.clone(),
                description: rule.description.clone(),
                by_orders: matches!(rule.trigger, RewardTrigger::EveryOrders(_)),
                current,
                target,
            }
        })
        .collect()
}

fn recent_order(order: &OrderSummary) -> Option<RecentOrder> {
    Some(RecentOrder {
        order_id: order.order_id.clone(),
        placed_at: time::from_db(order.placed_at),
        net_amount: order.net_amount,
        commission: order.entry_amount.unwrap_or(0).checked_sub(order.reversed)?,
        status: OrderStatus::of(order.state()),
        attribution_method: order.attribution_method.clone(),
    })
}

fn earned_reward(r: &RewardRow) -> EarnedReward {
    EarnedReward {
        id: r.id,
        sku: r.sku.clone(),
        description: r.description.clone(),
        status: r.status,
        earned_at: time::from_db(r.earned_at),
    }
}
