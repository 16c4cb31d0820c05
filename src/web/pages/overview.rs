//! `GET /app`: the influencer's earnings across every brand: pending, payable and paid
//! per currency with the next date money becomes payable, earnings by month stacked by
//! brand (a chart and its table), and clicks, orders and conversion over the chosen
//! months (`?months=1|3|12`, default 12).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Deserialize;

use crate::api::AppState;
use crate::domain::conversion::conversion_rate;
use crate::domain::display;
use crate::domain::period::Period;
use crate::service::dashboard::{self, BrandDashboard, DashboardQuery};
use crate::web::chart::{self, Stack};
use crate::web::page;
use crate::web::session::{PageError, SignedIn};

/// The periods offered: (months, label).
const PERIODS: [(u32, &str); 3] = [(1, "This month"), (3, "Last 3 months"), (12, "Last 12 months")];

/// One currency's money and its chart.
struct Currency {
    code: String,
    pending: String,
    payable: String,
    paid: String,
    /// "in 12 days (15 Dec 2026)", when something is pending.
    next_payable: Option<String>,
    chart: Option<String>,
    /// The brands in the order of their stacks (colours `swatch-0`…).
    legend: Vec<String>,
    /// The chart's figures: the brands, then one row per month.
    brands: Vec<String>,
    months: Vec<MonthRow>,
}

struct MonthRow {
    month: String,
    amounts: Vec<String>,
    total: String,
}

struct BrandLine {
    id: String,
    name: String,
    currency: String,
    pending: String,
    payable: String,
    paid: String,
}

#[derive(Template)]
#[template(path = "web/overview.html")]
struct Overview<'a> {
    current: &'a str,
    csrf: &'a str,
    name: &'a str,
    months: u32,
    periods: &'a [(u32, &'a str)],
    period_label: String,
    currencies: Vec<Currency>,
    brands: Vec<BrandLine>,
    clicks: i64,
    orders: i64,
    conversion: String,
}

#[derive(Debug, Deserialize)]
pub struct OverviewQuery {
    months: Option<String>,
}

/// The months asked for: one of [`PERIODS`], 12 when absent.
fn months(query: &OverviewQuery) -> Result<u32, PageError> {
    match query.months.as_deref() {
        None | Some("") => Ok(12),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|m| PERIODS.iter().any(|(p, _)| p == m))
            .ok_or_else(|| PageError::BadRequest("The period must be 1, 3 or 12 months.".into())),
    }
}

/// The first day of each month of the period, in order.
fn month_starts(period: &Period) -> Vec<NaiveDate> {
    let mut starts: Vec<NaiveDate> = period.days().filter(|d| d.day() == 1).collect();
    if starts.first() != Some(&period.from()) {
        starts.insert(0, period.from());
    }
    starts
}

/// Commission per month of each brand of `currency`, and the page's figures of it.
fn currency_of(code: &str, entries: &[&BrandDashboard], starts: &[NaiveDate], now: DateTime<Utc>) -> Currency {
    let mut stacks: Vec<Stack> = Vec::new();
    for entry in entries {
        let mut values = vec![0i64; starts.len()];
        for point in &entry.series {
            let month = starts.iter().rposition(|s| *s <= point.date).unwrap_or(0);
            values[month] = values[month].saturating_add(point.commission);
        }
        stacks.push(Stack {
            label: entry.brand_name.clone(),
            values,
        });
    }
    // Under the bars the month alone fits (the caption gives the period); the table
    // names the year too.
    let columns: Vec<String> = starts.iter().map(|d| d.format("%b").to_string()).collect();
    let months = starts
        .iter()
        .enumerate()
        .map(|(i, start)| {
            let values: Vec<i64> = stacks.iter().map(|s| s.values[i]).collect();
            MonthRow {
                month: start.format("%b %Y").to_string(),
                amounts: values.iter().map(|v| display::money_in(*v, code)).collect(),
                total: display::money_in(values.iter().copied().fold(0, i64::saturating_add), code),
            }
        })
        .collect();
    let sum = |pick: fn(&BrandDashboard) -> i64| entries.iter().map(|e| pick(e)).fold(0i64, i64::saturating_add);
    let next = entries.iter().filter_map(|e| e.totals.next_payable_at).min();
    Currency {
        code: code.to_owned(),
        pending: display::money_in(sum(|e| e.totals.pending), code),
        payable: display::money_in(sum(|e| e.totals.approved), code),
        paid: display::money_in(sum(|e| e.totals.paid), code),
        next_payable: next.map(|at| format!("{} ({})", display::relative(at, now), display::date(at))),
        chart: chart::stacked_bars(&columns, &stacks, code),
        legend: stacks.iter().map(|s| s.label.clone()).collect(),
        brands: stacks.into_iter().map(|s| s.label).collect(),
        months,
    }
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<OverviewQuery>,
) -> Result<HttpResponse, PageError> {
    let csrf = &signed_in.session.csrf_token;
    let influencer = signed_in.influencer()?;
    let months = months(&query)?;
    let now = state.clock.now();
    let period = Period::last_months(months, now.date_naive());
    let query = DashboardQuery {
        influencer,
        brand: None,
        period,
    };
    let board = dashboard::build(&state.db, query).await.map_err(PageError::internal)?;
    let starts = month_starts(&period);
    let mut by_currency: BTreeMap<&str, Vec<&BrandDashboard>> = BTreeMap::new();
    for entry in &board.brands {
        by_currency.entry(entry.currency.as_str()).or_default().push(entry);
    }
    let currencies = by_currency
        .iter()
        .map(|(code, entries)| currency_of(code, entries, &starts, now))
        .collect();
    let brands = board
        .brands
        .iter()
        .map(|b| BrandLine {
            id: b.brand_id.to_string(),
            name: b.brand_name.clone(),
            currency: b.currency.clone(),
            pending: display::money_in(b.totals.pending, &b.currency),
            payable: display::money_in(b.totals.approved, &b.currency),
            paid: display::money_in(b.totals.paid, &b.currency),
        })
        .collect();
    let codes = board.brands.iter().flat_map(|b| b.codes.iter());
    let (clicks, orders) = codes.fold((0i64, 0i64), |(c, o), code| {
        (c.saturating_add(code.clicks), o.saturating_add(code.orders))
    });
    let conversion =
        conversion_rate(orders, clicks).map_or_else(|| "–".to_owned(), |rate| display::ratio_percent(&rate));
    let period_label = PERIODS
        .iter()
        .find(|(m, _)| *m == months)
        .map_or_else(String::new, |(_, label)| (*label).to_owned());
    Ok(page(
        StatusCode::OK,
        &Overview {
            current: "overview",
            csrf,
            name: &board.display_name,
            months,
            periods: &PERIODS,
            period_label: format!(
                "{period_label}: {} to {}",
                display::day(period.from()),
                display::day(period.to())
            ),
            currencies,
            brands,
            clicks,
            orders,
            conversion,
        },
    ))
}
