//! `GET /console`: the brand's figures for a period (7, 30 or 90 days): attributed
//! sales, orders, clicks and conversion, the commission they earned, the ambassadors
//! who sold most; and what waits on the team now: free items claimed and not yet
//! shipped, and the money a payout batch created now would pay.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Frame;
use crate::api::AppState;
use crate::domain::display;
use crate::domain::period::Period;
use crate::service::reports::{self, StatsQuery};
use crate::service::{payouts, rewards};
use crate::store::rewards::RewardStatus;
use crate::web::page;
use crate::web::session::{PageError, SignedIn};

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

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<OverviewQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "overview").await?;
    let days = days(&query)?;
    let now = state.clock.now();
    let period = Period::last_days(days, now.date_naive());
    let stats_query = StatsQuery {
        brand: actor.brand_id,
        period,
        currency: None,
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
}
