//! `GET /app`: the influencer's earnings across every brand: pending, payable and paid,
//! per currency and per brand.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::api::AppState;
use crate::domain::display;
use crate::domain::period::Period;
use crate::service::dashboard::{self, DashboardQuery, Totals};
use crate::store::refresh_tokens::AccountKind;
use crate::web::page;
use crate::web::session::{PageError, SignedIn};

/// Money of one currency, formatted.
struct Figures {
    currency: String,
    pending: String,
    payable: String,
    paid: String,
}

struct BrandLine {
    name: String,
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
    totals: Vec<Figures>,
    brands: Vec<BrandLine>,
}

#[derive(Template)]
#[template(path = "web/brand_soon.html")]
struct BrandSoon<'a> {
    csrf: &'a str,
}

pub async fn show(state: web::Data<AppState>, signed_in: SignedIn) -> Result<HttpResponse, PageError> {
    let csrf = &signed_in.session.csrf_token;
    let subject = &signed_in.session.subject;
    if subject.account == AccountKind::Brand {
        return Ok(page(StatusCode::OK, &BrandSoon { csrf }));
    }
    let influencer = subject.id.parse().map_err(|_| PageError::SignIn)?;
    let today = state.clock.now().date_naive();
    let period = Period::parse(None, None, today).map_err(|_| PageError::Internal("the default period".into()))?;
    let query = DashboardQuery {
        influencer,
        brand: None,
        period,
    };
    let board = dashboard::build(&state.db, query)
        .await
        .map_err(|err| PageError::Internal(format!("{err:#}")))?;
    let mut per_currency: BTreeMap<String, Totals> = BTreeMap::new();
    let mut brands = Vec::new();
    for brand in &board.brands {
        let sum = per_currency.entry(brand.currency.clone()).or_default();
        sum.pending = sum.pending.saturating_add(brand.totals.pending);
        sum.approved = sum.approved.saturating_add(brand.totals.approved);
        sum.paid = sum.paid.saturating_add(brand.totals.paid);
        brands.push(BrandLine {
            name: brand.brand_name.clone(),
            pending: display::money_in(brand.totals.pending, &brand.currency),
            payable: display::money_in(brand.totals.approved, &brand.currency),
            paid: display::money_in(brand.totals.paid, &brand.currency),
        });
    }
    let totals = per_currency
        .into_iter()
        .map(|(currency, t)| Figures {
            pending: display::money_in(t.pending, &currency),
            payable: display::money_in(t.approved, &currency),
            paid: display::money_in(t.paid, &currency),
            currency,
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        &Overview {
            current: "overview",
            csrf,
            name: &board.display_name,
            totals,
            brands,
        },
    ))
}
