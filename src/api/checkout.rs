//! The shop's checkout (brand API key): checking a code and quoting a cart.
//!
//! Both are read-only and rate-limited per key. Every way a code can fail (unknown,
//! inactive, expired, used up, ambassador paused or ended) is one answer, 404
//! `code_not_found`, so the reason does not leak.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::extract::{ApiKey, Json};
use super::{ApiError, ErrorCode, FieldError};
use crate::api::AppState;
use crate::domain::Currency;
use crate::domain::cart::{Cart, CartField, CartLine};
use crate::domain::money::bounded_amount;
use crate::domain::terms::CustomerDiscount;
use crate::service::attribution::AttributionMethod;
use crate::service::checkout::{self, CheckoutError, Quote, Quoted};

/// The customer discount as the shop applies it.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DiscountView {
    /// `value` is a percentage as a decimal string ("10", "12.5").
    Percent { value: String },
    /// `value` is minor units of the program's currency.
    Fixed { value: i64 },
}

impl From<&CustomerDiscount> for DiscountView {
    fn from(discount: &CustomerDiscount) -> Self {
        match discount {
            CustomerDiscount::Percent { value } => Self::Percent {
                value: value.normalize().to_string(),
            },
            CustomerDiscount::Fixed { amount } => Self::Fixed { value: *amount },
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AmbassadorView {
    pub display_name: String,
}

#[derive(Debug, Serialize)]
pub struct CodeCheckResponse {
    pub code: String,
    pub valid: bool,
    pub currency: String,
    /// `null` when the program gives customers no discount.
    pub discount: Option<DiscountView>,
    pub ambassador: AmbassadorView,
}

impl From<CheckoutError> for ApiError {
    fn from(err: CheckoutError) -> Self {
        match err {
            CheckoutError::CodeNotFound => ApiError::not_found(ErrorCode::CodeNotFound, "No usable code matches."),
            CheckoutError::CurrencyMismatch { program, cart } => ApiError::unprocessable(
                ErrorCode::CurrencyMismatch,
                format!("The program runs in {program}, the cart is in {cart}."),
            ),
            CheckoutError::TotalTooLarge => ApiError::field("shipping_total", "the total is too large to represent"),
            CheckoutError::Store(err) => err.into(),
        }
    }
}

/// A failed code lookup counts against the key's budget of misses.
fn count_miss(state: &AppState, key: &ApiKey, err: CheckoutError) -> ApiError {
    if matches!(err, CheckoutError::CodeNotFound)
        && let Err(limited) = state.checkout_limits.record_miss(key.key_id)
    {
        return limited;
    }
    err.into()
}

/// `GET /v1/checkout/codes/{code}`
pub async fn check_code(
    state: web::Data<AppState>,
    key: ApiKey,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.checkout_limits.check_lookup(key.key_id)?;
    let found = checkout::check_code(&state.db, key.brand_id, code.into_inner(), state.clock.now())
        .await
        .map_err(|err| count_miss(&state, &key, err))?;
    Ok(HttpResponse::Ok().json(CodeCheckResponse {
        code: found.code,
        valid: true,
        currency: found.currency,
        discount: found.discount.as_ref().map(DiscountView::from),
        ambassador: AmbassadorView {
            display_name: found.display_name,
        },
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineRequest {
    pub sku: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub unit_price: i64,
}

/// Validates cart lines into a [`Cart`], recording every problem in `errors`.
pub fn parse_cart(lines: Vec<LineRequest>, errors: &mut Vec<FieldError>) -> Option<Cart> {
    let lines = lines
        .into_iter()
        .map(|line| CartLine {
            sku: line.sku,
            category: line.category,
            quantity: line.quantity,
            unit_price: line.unit_price,
        })
        .collect();
    Cart::parse(lines)
        .map_err(|problems| {
            errors.extend(problems.into_iter().map(|problem| {
                let field = match problem.field {
                    CartField::Lines => "lines".to_owned(),
                    CartField::Sku(i) => format!("lines[{i}].sku"),
                    CartField::Category(i) => format!("lines[{i}].category"),
                    CartField::Quantity(i) => format!("lines[{i}].quantity"),
                    CartField::UnitPrice(i) => format!("lines[{i}].unit_price"),
                };
                FieldError::new(field, problem.message)
            }));
        })
        .ok()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    pub code: Option<String>,
    pub click_id: Option<String>,
    pub currency: String,
    pub lines: Vec<LineRequest>,
    pub shipping_total: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct QuoteResponse {
    pub currency: String,
    pub subtotal: i64,
    pub discount_total: i64,
    /// subtotal − discount_total: what commission would be computed on.
    pub net_amount: i64,
    pub shipping_total: i64,
    /// net_amount + shipping_total (before tax, which the shop adds).
    pub total: i64,
    pub attribution_method: AttributionMethod,
    pub code: Option<String>,
    pub discount: Option<DiscountView>,
    /// Who the purchase supports ("supporting Ana"), when anyone.
    pub supporting: Option<AmbassadorView>,
}

impl From<Quoted> for QuoteResponse {
    fn from(quoted: Quoted) -> Self {
        Self {
            currency: quoted.currency.code().to_owned(),
            subtotal: quoted.subtotal,
            discount_total: quoted.discount_total,
            net_amount: quoted.net_amount,
            shipping_total: quoted.shipping_total,
            total: quoted.total,
            attribution_method: quoted.attribution_method,
            code: quoted.code,
            discount: quoted.discount.as_ref().map(DiscountView::from),
            supporting: quoted.supporting.map(|display_name| AmbassadorView { display_name }),
        }
    }
}

/// `POST /v1/checkout/quote`: the discount to apply and who is supported. Writes nothing.
pub async fn quote(
    state: web::Data<AppState>,
    key: ApiKey,
    Json(body): Json<QuoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let code = body.code.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    let click_id = body.click_id.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    if code.is_some() {
        state.checkout_limits.check_lookup(key.key_id)?;
    } else {
        state.checkout_limits.check_request(key.key_id)?;
    }
    let mut errors = Vec::new();
    let currency = Currency::parse(&body.currency)
        .map_err(|m| errors.push(FieldError::new("currency", m)))
        .ok();
    let shipping_total = body.shipping_total.unwrap_or(0);
    if let Err(message) = bounded_amount(shipping_total) {
        errors.push(FieldError::new("shipping_total", message));
    }
    let cart = parse_cart(body.lines, &mut errors);
    let (Some(currency), Some(cart), true) = (currency, cart, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let quote = Quote {
        brand_id: key.brand_id,
        code,
        click_id,
        currency,
        cart,
        shipping_total,
        now: state.clock.now(),
    };
    let quoted = checkout::quote(&state.db, quote)
        .await
        .map_err(|err| count_miss(&state, &key, err))?;
    Ok(HttpResponse::Ok().json(QuoteResponse::from(quoted)))
}
