//! `/console/settings/fx-rates`: the brand's exchange rate table, which converts an
//! order in one currency into a program in another when the shop sends no rate. Every
//! brand user sees it; saving replaces the table through the use case of
//! `PUT /v1/brand/fx-rates`, the owners' (staff get the 403 page it answers).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Frame, owner_only};
use crate::api::AppState;
use crate::domain::display;
use crate::service::fx_rates::{self, FxRatesError, RateInput};
use crate::web::form::{Cell, FieldErrors, cell};
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

const WHAT: &str = "change the exchange rates";
const PAGE: &str = "/console/settings/fx-rates";
/// Empty rows offered below the table's, for new pairs.
const BLANK_ROWS: usize = 3;

struct RateRow {
    from: Cell,
    to: Cell,
    rate: Cell,
    updated: String,
}

#[derive(Template)]
#[template(path = "console/fx_rates.html")]
struct RatesPage {
    frame: Frame,
    rows: Vec<RateRow>,
    /// Whether the brand keeps no rate (what staff are told).
    empty: bool,
    saved: bool,
    /// A refusal of the table as a whole (too many pairs).
    error: Option<String>,
}

/// The form as sent: rows of `from_N`, `to_N`, `rate_N`, read as pairs.
#[derive(Debug, Default)]
struct RatesForm {
    csrf: String,
    rows: Vec<RateInput>,
}

impl RatesForm {
    fn read(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            if name == "csrf" {
                form.csrf = value;
                continue;
            }
            let Some((field, row)) = name.split_once('_') else {
                continue;
            };
            // A row number past what the page offers is not this page's form.
            let Some(row) = row
                .parse::<usize>()
                .ok()
                .filter(|r| *r < fx_rates::MAX_RATES + BLANK_ROWS)
            else {
                continue;
            };
            if form.rows.len() <= row {
                form.rows.resize(row + 1, RateInput::default());
            }
            let input = &mut form.rows[row];
            match field {
                "from" => input.from = value.trim().to_uppercase(),
                "to" => input.to = value.trim().to_uppercase(),
                "rate" => input.rate = value.trim().to_owned(),
                _ => {}
            }
        }
        form
    }
}

fn rows(inputs: &[(RateInput, String)], errors: &FieldErrors) -> Vec<RateRow> {
    let blank = (RateInput::default(), String::new());
    inputs
        .iter()
        .chain(std::iter::repeat_n(&blank, BLANK_ROWS))
        .enumerate()
        .map(|(i, (input, updated))| RateRow {
            from: cell(errors, &format!("from_{i}"), &input.from),
            to: cell(errors, &format!("to_{i}"), &input.to),
            rate: cell(errors, &format!("rate_{i}"), &input.rate),
            updated: updated.clone(),
        })
        .collect()
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<super::settings::SettingsQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let table = fx_rates::list(&state.db, actor.brand_id)
        .await
        .map_err(PageError::internal)?;
    let inputs: Vec<(RateInput, String)> = table
        .into_iter()
        .map(|r| {
            let input = RateInput {
                from: r.from,
                to: r.to,
                rate: r.rate,
            };
            (input, display::date(r.updated_at))
        })
        .collect();
    let view = RatesPage {
        frame,
        empty: inputs.is_empty(),
        rows: rows(&inputs, &FieldErrors::default()),
        saved: query.saved(),
        error: None,
    };
    Ok(page(StatusCode::OK, &view))
}

/// Saves the table; rows left blank are dropped, each refused cell is shown beside itself.
pub async fn save(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let form = RatesForm::read(form.into_inner());
    signed_in.check_form(&form.csrf)?;
    // The rows the brand filled, with the row each came from, for the messages.
    let filled: Vec<(usize, RateInput)> = form
        .rows
        .iter()
        .cloned()
        .enumerate()
        .filter(|(_, r)| !(r.from.is_empty() && r.to.is_empty() && r.rate.is_empty()))
        .collect();
    let inputs: Vec<RateInput> = filled.iter().map(|(_, r)| r.clone()).collect();
    let parsed = fx_rates::parse(&inputs);
    let rates = match parsed {
        Ok(rates) => rates,
        Err(problems) => {
            let mut errors = FieldErrors::default();
            let mut error = None;
            for (field, message) in problems {
                // `rates[k].rate` → the cell `rate_N` of the row the k-th filled one came from.
                let cell = field
                    .strip_prefix("rates[")
                    .and_then(|rest| rest.split_once("]."))
                    .and_then(|(k, name)| Some((filled.get(k.parse::<usize>().ok()?)?.0, name)));
                match cell {
                    Some((row, name)) => errors.add(&format!("{name}_{row}"), message),
                    None => error = Some(format!("The table {message}.")),
                }
            }
            // What was typed, without the blank rows at its end (the page adds its own).
            let mut typed: Vec<(RateInput, String)> = form.rows.into_iter().map(|r| (r, String::new())).collect();
            while typed
                .last()
                .is_some_and(|(r, _)| r.from.is_empty() && r.to.is_empty() && r.rate.is_empty())
            {
                typed.pop();
            }
            let view = RatesPage {
                frame,
                empty: false,
                rows: rows(&typed, &errors),
                saved: false,
                error,
            };
            return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, &view));
        }
    };
    match fx_rates::replace(&state.db, &actor, rates, state.clock.now()).await {
        Ok(_) => Ok(see_other(&format!("{PAGE}?done=saved"))),
        Err(FxRatesError::Forbidden(_)) => Ok(owner_only::refused(&frame, WHAT)),
        Err(FxRatesError::Store(err)) => Err(PageError::internal(err)),
    }
}
