//! The shop's checkout before the order: checking a code and quoting a cart.
//!
//! Both only read. Every way a code can fail (unknown, inactive, expired, used up,
//! ambassador paused or ended) is one answer, [`CheckoutError::CodeNotFound`], so the
//! reason does not leak.

use chrono::{DateTime, Utc};

use crate::domain::Currency;
use crate::domain::cart::Cart;
use crate::domain::discount::customer_discount;
use crate::domain::terms::CustomerDiscount;
use crate::service::attribution::{self, AttributionMethod};
use crate::store::ids::BrandId;
use crate::store::{Db, StoreError, time};

#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("no usable code matches")]
    CodeNotFound,
    #[error("the program runs in {program}, the cart is in {cart}")]
    CurrencyMismatch { program: String, cart: String },
    #[error("the cart's total is too large to represent")]
    TotalTooLarge,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A usable code and what it gives the customer.
#[derive(Debug, Clone)]
pub struct CodeCheck {
    /// The code as stored (normalised).
    pub code: String,
    /// The program's currency.
    pub currency: String,
    /// `None` when the program gives customers no discount.
    pub discount: Option<CustomerDiscount>,
    pub display_name: String,
}

/// Looks up a code typed at checkout.
pub async fn check_code(db: &Db, brand: BrandId, code: String, now: DateTime<Utc>) -> Result<CodeCheck, CheckoutError> {
    let now = time::to_db(now);
    let found = db
        .read_latest(move |conn| attribution::usable_code(conn, brand, &code, now))
        .await?;
    let referral = found.map_err(|_| CheckoutError::CodeNotFound)?;
    Ok(CodeCheck {
        code: referral.owner.code.code,
        currency: referral.program.currency,
        discount: referral.terms.customer_discount,
        display_name: referral.owner.display_name,
    })
}

/// A cart to quote, parsed at the door.
#[derive(Debug, Clone)]
pub struct Quote {
    pub brand_id: BrandId,
    pub code: Option<String>,
    pub click_id: Option<String>,
    pub currency: Currency,
    pub cart: Cart,
    pub shipping_total: i64,
    pub now: DateTime<Utc>,
}

/// The discount the shop applies and who the purchase supports.
#[derive(Debug, Clone)]
pub struct Quoted {
    pub currency: Currency,
    pub subtotal: i64,
    pub discount_total: i64,
    /// subtotal − discount_total: what commission would be computed on.
    pub net_amount: i64,
    pub shipping_total: i64,
    /// net_amount + shipping_total (before tax, which the shop adds).
    pub total: i64,
    pub attribution_method: AttributionMethod,
    pub code: Option<String>,
    pub discount: Option<CustomerDiscount>,
    /// The display name of the ambassador the purchase supports.
    pub supporting: Option<String>,
}

/// Quotes a cart: attribution as an order would get it, and the customer discount.
/// Writes nothing, so a checkout can call it on every cart change. A typed code that
/// is not usable is [`CheckoutError::CodeNotFound`].
pub async fn quote(db: &Db, quote: Quote) -> Result<Quoted, CheckoutError> {
    let Quote {
        brand_id,
        code,
        click_id,
        currency,
        cart,
        shipping_total,
        now,
    } = quote;
    let now = time::to_db(now);
    let typed_code = code.is_some();
    let codes: Vec<String> = code.into_iter().collect();
    let decision = db
        .read_latest(move |conn| attribution::decide(conn, brand_id, &codes, click_id.as_deref(), None, now))
        .await?;
    let code_failed = decision
        .candidates
        .iter()
        .any(|c| c.method == AttributionMethod::Code && c.status != "ok");
    if typed_code && code_failed {
        return Err(CheckoutError::CodeNotFound);
    }
    let referral = decision.chosen;
    if let Some(referral) = &referral
        && referral.program.currency != currency.code()
    {
        return Err(CheckoutError::CurrencyMismatch {
            program: referral.program.currency.clone(),
            cart: currency.code().to_owned(),
        });
    }
    let subtotal = cart.subtotal();
    let discount = referral.as_ref().and_then(|r| r.terms.customer_discount.clone());
    let discount_total = discount.as_ref().map_or(0, |d| customer_discount(d, subtotal));
    let net_amount = subtotal - discount_total;
    let total = net_amount
        .checked_add(shipping_total)
        .ok_or(CheckoutError::TotalTooLarge)?;
    Ok(Quoted {
        currency,
        subtotal,
        discount_total,
        net_amount,
        shipping_total,
        total,
        attribution_method: decision.method,
        code: referral.as_ref().map(|r| r.owner.code.code.clone()),
        discount,
        supporting: referral.map(|r| r.owner.display_name),
    })
}
