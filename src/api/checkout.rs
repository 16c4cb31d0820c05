//! The shop's checkout (brand API key): checking a code and quoting a cart.
//!
//! Both are read-only and rate-limited per key. Every way a code can fail (unknown,
//! inactive, expired, used up, ambassador paused or ended) is one answer, 404
//! `code_not_found`, so the reason does not leak.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::ErrorCode;
use super::extract::{ApiKey, Json};
use super::{ApiError, FieldError, db};
use crate::api::AppState;
use crate::domain::Currency;
use crate::domain::cart::{self, CartLine};
use crate::domain::discount::customer_discount;
use crate::domain::money::{MAX_AMOUNT, bounded_amount};
use crate::domain::terms::CustomerDiscount;
use crate::domain::text::{Lines, refuse_invisible};
use crate::service::attribution::{self, AttributionMethod, Referral};
use crate::store::time;

pub const MAX_LINES: usize = 500;
pub const MAX_QUANTITY: i64 = 1_000_000;
pub const MAX_SKU_CHARS: usize = 128;

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

fn code_not_found() -> ApiError {
    ApiError::not_found(ErrorCode::CodeNotFound, "No usable code matches.")
}

/// `GET /v1/checkout/codes/{code}`
pub async fn check_code(
    state: web::Data<AppState>,
    key: ApiKey,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state.checkout_limits.check_lookup(key.key_id)?;
    let code = code.into_inner();
    let now = time::to_db(state.clock.now());
    let found = db::read_latest(&state.db, move |conn| {
        Ok(attribution::usable_code(conn, key.brand_id, &code, now)?)
    })
    .await?;
    let Ok(referral) = found else {
        state.checkout_limits.record_miss(key.key_id)?;
        return Err(code_not_found());
    };
    Ok(HttpResponse::Ok().json(CodeCheckResponse {
        code: referral.owner.code.code.clone(),
        valid: true,
        currency: referral.program.currency.clone(),
        discount: referral.terms.customer_discount.as_ref().map(DiscountView::from),
        ambassador: AmbassadorView {
            display_name: referral.owner.display_name,
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

/// Validates cart lines into domain lines, recording every problem in `errors`.
pub fn parse_lines(lines: Vec<LineRequest>, errors: &mut Vec<FieldError>) -> Option<Vec<CartLine>> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        errors.push(FieldError::new("lines", format!("must have 1 to {MAX_LINES} lines")));
        return None;
    }
    let before = errors.len();
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.into_iter().enumerate() {
        let sku = line.sku.trim();
        let sku_rule = if sku.is_empty() || sku.chars().count() > MAX_SKU_CHARS {
            Err(format!("must be 1 to {MAX_SKU_CHARS} characters"))
        } else {
            refuse_invisible(sku, Lines::One)
        };
        if let Err(message) = sku_rule {
            errors.push(FieldError::new(format!("lines[{i}].sku"), message));
        }
        let category = line.category.as_deref().map(str::trim).filter(|c| !c.is_empty());
        let category_rule = match category {
            Some(c) if c.chars().count() > MAX_SKU_CHARS => Err(format!("must be at most {MAX_SKU_CHARS} characters")),
            Some(c) => refuse_invisible(c, Lines::One),
            None => Ok(()),
        };
        if let Err(message) = category_rule {
            errors.push(FieldError::new(format!("lines[{i}].category"), message));
        }
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            errors.push(FieldError::new(
                format!("lines[{i}].quantity"),
                format!("must be 1 to {MAX_QUANTITY}"),
            ));
        }
        if let Err(message) = bounded_amount(line.unit_price) {
            errors.push(FieldError::new(format!("lines[{i}].unit_price"), message));
        } else if line
            .quantity
            .checked_mul(line.unit_price)
            .is_none_or(|v| v > MAX_AMOUNT)
        {
            errors.push(FieldError::new(
                format!("lines[{i}].unit_price"),
                format!("quantity × unit_price must be at most {MAX_AMOUNT} minor units"),
            ));
        }
        out.push(CartLine {
            sku: sku.to_owned(),
            category: category.map(str::to_owned),
            quantity: line.quantity,
            unit_price: line.unit_price,
        });
    }
    if errors.len() > before {
        return None;
    }
    if cart::subtotal(&out).is_none_or(|subtotal| subtotal > MAX_AMOUNT) {
        errors.push(FieldError::new(
            "lines",
            format!("the lines' subtotal must be at most {MAX_AMOUNT} minor units"),
        ));
        return None;
    }
    Some(out)
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

/// `POST /v1/checkout/quote`: the discount to apply and who is supported. Writes nothing.
pub async fn quote(
    state: web::Data<AppState>,
    key: ApiKey,
    Json(body): Json<QuoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let code = body.code.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    let click = body.click_id.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    if code.is_some() {
        state.checkout_limits.check_lookup(key.key_id)?;
    } else {
        state.checkout_limits.check_request(key.key_id)?;
    }
    let mut errors = Vec::new();
    let currency = Currency::parse(&body.currency)
        .map_err(|m| errors.push(FieldError::new("currency", m)))
        .ok();
    let shipping = body.shipping_total.unwrap_or(0);
    if let Err(message) = bounded_amount(shipping) {
        errors.push(FieldError::new("shipping_total", message));
    }
    let lines = parse_lines(body.lines, &mut errors);
    let (Some(currency), Some(lines), true) = (currency, lines, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let subtotal = cart::subtotal(&lines).unwrap_or(0);
    let now = time::to_db(state.clock.now());
    let typed_code = code.is_some();
    let decision = db::read_latest(&state.db, move |conn| {
        Ok(attribution::decide(
            conn,
            key.brand_id,
            code.as_deref(),
            click.as_deref(),
            now,
        )?)
    })
    .await?;
    let code_failed = decision
        .candidates
        .iter()
        .any(|c| c.method == AttributionMethod::Code && c.status != "ok");
    if typed_code && code_failed {
        state.checkout_limits.record_miss(key.key_id)?;
        return Err(code_not_found());
    }
    let referral: Option<Referral> = decision.chosen;
    if let Some(referral) = &referral
        && referral.program.currency != currency.code()
    {
        return Err(ApiError::unprocessable(
            ErrorCode::CurrencyMismatch,
            format!(
                "The program runs in {}, the cart is in {}.",
                referral.program.currency,
                currency.code()
            ),
        ));
    }
    let discount_terms = referral.as_ref().and_then(|r| r.terms.customer_discount.clone());
    let discount_total = discount_terms.as_ref().map_or(0, |d| customer_discount(d, subtotal));
    let net = subtotal - discount_total;
    let total = net
        .checked_add(shipping)
        .ok_or_else(|| ApiError::field("shipping_total", "the total is too large to represent"))?;
    Ok(HttpResponse::Ok().json(QuoteResponse {
        currency: currency.code().to_owned(),
        subtotal,
        discount_total,
        net_amount: net,
        shipping_total: shipping,
        total,
        attribution_method: decision.method,
        code: referral.as_ref().map(|r| r.owner.code.code.clone()),
        discount: discount_terms.as_ref().map(DiscountView::from),
        supporting: referral.map(|r| AmbassadorView {
            display_name: r.owner.display_name,
        }),
    }))
}
