//! `GET /app/brands/{id}`: one brand as its ambassador sees it: the money, the program's
//! terms in plain words with where they stand in the volume tiers this month, their
//! codes with links to copy and QR codes, free-item progress, and the latest lines of
//! their statement. A brand they are not an ambassador of is 404.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};

use super::codes::{CodeCard, card};
use crate::api::AppState;
use crate::api::codes::recruit_link;
use crate::domain::conversion::conversion_rate;
use crate::domain::display;
use crate::domain::period::Period;
use crate::domain::terms::{CommissionBasis, Terms, percent};
use crate::service::dashboard::{self, BrandDashboard, Progress};
use crate::service::reports::ReportError;
use crate::service::reports::StatementLine;
use crate::store::ids::BrandId;
use crate::web::page;
use crate::web::session::{PageError, SignedIn};
use crate::web::words::entry_words;

struct Money {
    currency: String,
    pending: String,
    payable: String,
    paid: String,
    next_payable: Option<String>,
}

struct CodeFigures {
    code: String,
    clicks: i64,
    orders: i64,
    conversion: String,
    commission: String,
}

struct Bar {
    description: String,
    current: i64,
    target: i64,
    text: String,
}

struct Line {
    date: String,
    kind: String,
    /// The brand's reason, for an adjustment, a bonus or a rejection.
    reason: Option<String>,
    order: String,
    amount: String,
    status: String,
}

#[derive(Template)]
#[template(path = "web/brand.html")]
struct BrandPage<'a> {
    current: &'a str,
    csrf: &'a str,
    name: String,
    money: Vec<Money>,
    terms: Vec<(String, String)>,
    standing: Option<String>,
    /// The ambassador's invitation link for other creators, when the program pays
    /// recruiters.
    recruit_link: Option<String>,
    codes: Vec<CodeCard>,
    figures: Vec<CodeFigures>,
    progress: Vec<Bar>,
    statement: Vec<Line>,
}

fn money_of(entry: &BrandDashboard, now: DateTime<Utc>) -> Money {
    let code = &entry.currency;
    Money {
        currency: code.clone(),
        pending: display::money_in(entry.totals.pending, code),
        payable: display::money_in(entry.totals.approved, code),
        paid: display::money_in(entry.totals.paid, code),
        next_payable: entry
            .totals
            .next_payable_at
            .map(|at| format!("{} ({})", display::relative(at, now), display::date(at))),
    }
}

/// Where the ambassador stands in the volume tiers this month, when the terms have
/// tiers: the rate they earn now and what the next tier needs.
fn standing(terms: &Terms, month_net: i64, currency: &str) -> Option<String> {
    let CommissionBasis::Percent { rate: base } = terms.commission.basis else {
        return None;
    };
    let tiers = &terms.commission.tiers;
    if tiers.is_empty() {
        return None;
    }
    let now = tiers
        .iter()
        .rev()
        .find(|t| t.from_amount <= month_net)
        .map_or(base, |t| t.rate);
    let mut text = format!(
        "This month so far: {} in sales through you, so new orders earn {}.",
        display::money_in(month_net, currency),
        percent(now)
    );
    if let Some(next) = tiers.iter().find(|t| t.from_amount > month_net) {
        text.push_str(&format!(
            " {} more this month and they earn {}.",
            display::money_in(next.from_amount.saturating_sub(month_net), currency),
            percent(next.rate)
        ));
    }
    Some(text)
}

fn bar(progress: &Progress, currency: &str) -> Bar {
    let text = if progress.by_orders {
        format!("{} of {} orders", progress.current, progress.target)
    } else {
        format!(
            "{} of {} in sales",
            display::money_in(progress.current, currency),
            display::money_in(progress.target, currency)
        )
    };
    Bar {
        description: progress.description.clone(),
        current: progress.current.clamp(0, progress.target),
        target: progress.target,
        text,
    }
}

fn line(entry: StatementLine, now: DateTime<Utc>) -> Line {
    let status = entry_words(entry.status, entry.available_at, now);
    Line {
        date: display::date(entry.created_at),
        kind: entry.kind.as_str().replace('_', " "),
        reason: entry.reason,
        order: entry.order_id.unwrap_or_default(),
        amount: display::money(entry.amount.minor, entry.amount.currency),
        status,
    }
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    brand: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let influencer = signed_in.influencer()?;
    let brand: BrandId = brand.parse().map_err(|_| PageError::NotFound)?;
    let now = state.clock.now();
    let period = Period::parse(None, None, now.date_naive()).map_err(|_| PageError::internal("the default period"))?;
    let view = match dashboard::brand_view(&state.db, influencer, brand, period, now).await {
        Ok(view) => view,
        Err(ReportError::NotAmbassador) => return Err(PageError::NotFound),
        Err(err) => return Err(PageError::internal(err)),
    };
    let Some(home) = view.entries.first() else {
        return Err(PageError::NotFound);
    };
    let currency = home.currency.clone();
    let figures = home
        .codes
        .iter()
        .map(|c| CodeFigures {
            code: c.code.clone(),
            clicks: c.clicks,
            orders: c.orders,
            conversion: conversion_rate(c.orders, c.clicks)
                .map_or_else(|| "–".to_owned(), |r| display::ratio_percent(&r)),
            commission: display::money_in(c.commission, &currency),
        })
        .collect();
    let progress = home.rewards.progress.iter().map(|p| bar(p, &currency)).collect();
    let page_view = BrandPage {
        current: "overview",
        csrf: &signed_in.session.csrf_token,
        name: home.brand_name.clone(),
        money: view.entries.iter().map(|e| money_of(e, now)).collect(),
        terms: match crate::domain::Currency::parse(&currency) {
            Ok(code) => home.terms.in_words(code),
            Err(_) => Vec::new(),
        },
        standing: standing(&home.terms, view.month_to_date_net, &currency),
        recruit_link: home
            .terms
            .override_rate
            .filter(|rate| !rate.is_zero())
            .and_then(|_| view.codes.first())
            .map(|c| recruit_link(&state.public_url, &c.code.brand_slug, &c.code.code)),
        figures,
        progress,
        codes: view.codes.into_iter().map(|c| card(&state.public_url, c)).collect(),
        statement: view.statement.into_iter().map(|l| line(l, now)).collect(),
    };
    Ok(page(StatusCode::OK, &page_view))
}
