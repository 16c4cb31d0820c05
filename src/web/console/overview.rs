//! `GET /console`: the brand's figures for a period (7, 30 or 90 days): attributed
//! sales, orders, clicks and conversion, the commission they earned, a chart of sales
//! by day (by week over 90 days) with its table, the ambassadors who sold most, and
//! the commission owed (pending, payable, paid, all time, each with its parts by ledger
//! kind) and the declared value of gifted products; then what waits on the team now:
//! free items claimed and not yet shipped, and the money a payout batch created now
//! would pay.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Frame;
use crate::api::AppState;
use crate::domain::display;
use crate::domain::period::{Interval, Period};
use crate::service::deals::GiftValues;
use crate::service::reports::{self, CommissionOwed, StatsQuery};
use crate::service::{payouts, rewards};
use crate::store::rewards::RewardStatus;
use crate::web::chart::{self, Stack};
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, words};

/// The periods offered, in days, with their labels; the first is the default.
const PERIODS: [(i64, &str); 3] = [(30, "Last 30 days"), (7, "Last 7 days"), (90, "Last 90 days")];

/// Claimed rewards listed on the page (the rewards page has them all).
const REWARDS_SHOWN: i64 = 5;

#[derive(Debug, Deserialize)]
pub struct OverviewQuery {
    days: Option<String>,
}

struct TopRow {
    id: String,
    name: String,
    orders: i64,
    net_sales: String,
    commission: String,
}

/// One bucket of the chart's table.
struct BucketRow {
    label: String,
    orders: i64,
    net_sales: String,
    commission: String,
}

struct RewardRow {
    ambassador: String,
    item: String,
    claimed: String,
}

#[derive(Template)]
#[template(path = "console/overview.html")]
struct OverviewPage {
    frame: Frame,
    periods: &'static [(i64, &'static str)],
    days: i64,
    period_label: String,
    net_sales: String,
    commission: String,
    orders: i64,
    attributed_orders: i64,
    clicks: i64,
    conversion: String,
    top: Vec<TopRow>,
    /// "day" or "week", for the caption.
    interval: &'static str,
    chart: Option<String>,
    buckets: Vec<BucketRow>,
    owed_pending: String,
    owed_payable: String,
    owed_paid: String,
    /// (figure, its non-zero parts by kind) for the figures that have any.
    owed_parts: Vec<(&'static str, String)>,
    /// The declared value of gifted products, one line per currency that has any.
    gifts: Vec<String>,
    rewards_waiting: Vec<RewardRow>,
    more_rewards: bool,
    payable: String,
    payees: usize,
    pending: String,
    next_payable: Option<String>,
}

/// The days asked for: one of [`PERIODS`], 30 when absent.
fn days(query: &OverviewQuery) -> Result<i64, PageError> {
    match query.days.as_deref() {
        None | Some("") => Ok(PERIODS[0].0),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|d| PERIODS.iter().any(|(p, _)| p == d))
            .ok_or_else(|| PageError::BadRequest("The period must be 7, 30 or 90 days.".into())),
    }
}

/// The labels under the bars: every bar's when there are few, otherwise every few
/// bars' (the rest blank), so they never run into each other on a phone.
fn bucket_labels(starts: &[chrono::NaiveDate], interval: Interval) -> Vec<String> {
    let every = starts.len().div_ceil(8).max(1);
    starts
        .iter()
        .enumerate()
        .map(|(i, start)| {
            if i % every != 0 {
                String::new()
            } else if interval == Interval::Day && starts.len() <= 7 {
                start.format("%a").to_string()
            } else {
                start.format("%-d %b").to_string()
            }
        })
        .collect()
}

/// Each figure of the commission owed with its non-zero parts by kind, for the
/// figures that have any.
fn owed_parts(owed: &CommissionOwed, code: &str) -> Vec<(&'static str, String)> {
    [
        ("Pending", owed.pending),
        ("Payable", owed.payable),
        ("Paid", owed.paid),
    ]
    .into_iter()
    .filter_map(|(label, figure)| Some((label, words::kind_parts(&figure.by_kind?, code))))
    .filter(|(_, parts)| !parts.is_empty())
    .collect()
}

/// "To ship €40.00, delivered €25.00": a currency's gifted value by shipment state
/// (the amounts name the currency), the zero ones left out; `None` when all are zero.
fn gift_line(gift: &GiftValues) -> Option<String> {
    let parts: Vec<String> = [
        ("to ship", gift.to_ship),
        ("shipped", gift.shipped),
        ("delivered", gift.delivered),
    ]
    .into_iter()
    .filter(|(_, value)| *value != 0)
    .map(|(words, value)| format!("{words} {}", display::money_in(value, &gift.currency)))
    .collect();
    let mut line = parts.join(", ");
    if let Some(first) = line.get(..1) {
        line.replace_range(..1, &first.to_uppercase());
    }
    (!line.is_empty()).then_some(line)
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<OverviewQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "overview").await?;
    let days = days(&query)?;
    let now = state.clock.now();
    let period = Period::last_days(days, now.date_naive());
    // A bar a day reads well up to a month; a quarter is drawn by week.
    let interval = if days > 31 { Interval::Week } else { Interval::Day };
    let stats_query = StatsQuery {
        brand: actor.brand_id,
        period,
        currency: None,
        interval,
    };
    let stats = reports::brand_stats(&state.db, stats_query)
        .await
        .map_err(PageError::internal)?;
    let report = payouts::report(&state.db, actor.brand_id, None)
        .await
        .map_err(PageError::internal)?;
    let claimed = rewards::list_for_brand(
        &state.db,
        actor.brand_id,
        Some(RewardStatus::Claimed),
        None,
        REWARDS_SHOWN + 1,
    )
    .await
    .map_err(PageError::internal)?;
    let code = stats.currency.as_str();
    let money = |amount: Option<i64>| amount.map_or_else(|| "—".to_owned(), |a| display::money_in(a, code));
    let more_rewards = claimed.len() as i64 > REWARDS_SHOWN;
    let labels = bucket_labels(&stats.series.iter().map(|b| b.start).collect::<Vec<_>>(), interval);
    let sales = Stack {
        label: "Attributed sales".to_owned(),
        values: stats.series.iter().map(|b| b.net_sales.unwrap_or(0)).collect(),
    };
    let buckets = stats
        .series
        .iter()
        .map(|b| BucketRow {
            label: match interval {
                Interval::Day => display::day(b.start),
                Interval::Week => format!("Week of {}", display::day(b.start)),
            },
            orders: b.attributed_orders,
            net_sales: money(b.net_sales),
            commission: money(b.commission),
        })
        .collect();
    let view = OverviewPage {
        periods: &PERIODS,
        days,
        period_label: format!("{} to {}", display::day(period.from()), display::day(period.to())),
        net_sales: money(stats.net_sales),
        commission: money(stats.commission),
        orders: stats.orders,
        attributed_orders: stats.attributed_orders,
        clicks: stats.clicks,
        conversion: stats
            .conversion_rate
            .as_deref()
            .map_or_else(|| "—".to_owned(), display::ratio_percent),
        top: stats
            .top_ambassadors
            .iter()
            .map(|t| TopRow {
                id: t.membership_id.clone(),
                name: t.display_name.clone(),
                orders: t.orders,
                net_sales: display::money_in(t.net_sales, code),
                commission: display::money_in(t.commission, code),
            })
            .collect(),
        interval: match interval {
            Interval::Day => "day",
            Interval::Week => "week",
        },
        chart: chart::stacked_bars(&labels, &[sales], code),
        buckets,
        owed_pending: money(stats.commission_owed.pending.total),
        owed_payable: money(stats.commission_owed.payable.total),
        owed_paid: money(stats.commission_owed.paid.total),
        owed_parts: owed_parts(&stats.commission_owed, code),
        gifts: stats.gifts.iter().filter_map(gift_line).collect(),
        rewards_waiting: claimed
            .into_iter()
            .take(REWARDS_SHOWN as usize)
            .map(|r| RewardRow {
                ambassador: r.ambassador_display_name,
                item: r.description,
                claimed: r.claimed_at.map_or_else(String::new, |at| display::relative(at, now)),
            })
            .collect(),
        more_rewards,
        payable: display::money_in(report.payable_total, &report.currency),
        payees: report.standings.iter().filter(|s| s.reaches_minimum()).count(),
        pending: display::money_in(report.pending_total, &report.currency),
        next_payable: report
            .next_available_at
            .map(|at| format!("{} ({})", display::relative(at, now), display::date(at))),
        frame,
    };
    Ok(page(StatusCode::OK, &view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_offered_periods_are_answered() {
        let ask = |text: Option<&str>| {
            days(&OverviewQuery {
                days: text.map(str::to_owned),
            })
            .map_err(|e| e.to_string())
        };
        assert_eq!(ask(None), Ok(30));
        assert_eq!(ask(Some("")), Ok(30));
        assert_eq!(ask(Some("7")), Ok(7));
        assert_eq!(ask(Some("90")), Ok(90));
        assert!(ask(Some("31")).is_err());
        assert!(ask(Some("x")).is_err());
    }

    #[test]
    fn gift_lines_leave_out_zero_states_and_currencies() {
        let gift = |to_ship, shipped, delivered| GiftValues {
            currency: "EUR".to_owned(),
            to_ship,
            shipped,
            delivered,
        };
        assert_eq!(gift_line(&gift(0, 0, 0)), None);
        assert_eq!(gift_line(&gift(0, 900, 0)).as_deref(), Some("Shipped €9.00"));
        assert_eq!(
            gift_line(&gift(4_000, 0, 2_500)).as_deref(),
            Some("To ship €40.00, delivered €25.00")
        );
    }

    #[test]
    fn labels_thin_out_so_they_never_crowd() {
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default();
        let week: Vec<_> = (2..=8).map(day).collect();
        assert_eq!(bucket_labels(&week, Interval::Day)[0], "Mon");
        assert!(bucket_labels(&week, Interval::Day).iter().all(|l| !l.is_empty()));
        let month: Vec<_> = (1..=30).map(day).collect();
        let labels = bucket_labels(&month, Interval::Day);
        assert_eq!(labels.iter().filter(|l| !l.is_empty()).count(), 8);
        assert_eq!(labels[0], "1 Nov");
        assert_eq!(labels[4], "5 Nov");
    }
}
