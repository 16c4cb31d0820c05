//! A program preview: what an ambassador would earn on an example cart under terms
//! the brand is drafting, before it saves them. It writes nothing and reads at most the
//! brand's currency. The cart is priced as a checkout would price it: the customer
//! discount of [`crate::domain::discount`], then the commission of
//! [`crate::domain::order_commission::price_order`], the very function that records
//! orders.

use rust_decimal::Decimal;

use super::{ProgramError, check_currency_rules};
use crate::domain::Currency;
use crate::domain::cart::Cart;
use crate::domain::discount::customer_discount;
use crate::domain::order_commission::price_order;
use crate::domain::terms::{Terms, Tier};
use crate::store::ids::BrandId;
use crate::store::{Db, brands};

/// Validated terms and an example cart. Field paths in [`ProgramError::Invalid`] are
/// this command's: `terms.<path in the terms document>`, `cart.lines`.
#[derive(Debug, Clone)]
pub struct PreviewProgram {
    pub brand_id: BrandId,
    /// The program's currency; `None` means the brand's, as at creation.
    pub currency: Option<Currency>,
    pub terms: Terms,
    pub cart: Cart,
    pub shipping_total: i64,
    /// The ambassador's attributed net sales this calendar month before the order, in
    /// minor units: what picks the volume tier.
    pub month_to_date_net: i64,
}

/// What the cart earns, in minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramPreview {
    pub currency: Currency,
    /// Σ quantity × unit_price.
    pub subtotal: i64,
    /// The terms' customer discount on the subtotal.
    pub discount_total: i64,
    /// subtotal − discount_total: what commission is paid on.
    pub net_amount: i64,
    pub shipping_total: i64,
    /// net_amount + shipping_total (before tax).
    pub total: i64,
    /// The commission, after the per-order cap.
    pub commission: i64,
    /// The commission before the cap.
    pub commission_uncapped: i64,
    pub capped: bool,
    /// The rate every line shares, when they share one.
    pub rate: Option<Decimal>,
    pub lines: Vec<PreviewLine>,
    /// The volume tier the order starts in, if the terms have tiers and it reaches one.
    pub tier: Option<Tier>,
}

/// One cart line: its rate and its share of the commission before the cap (the shares
/// add up to `commission_uncapped`); both `None` for a flat commission, which is paid
/// per order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewLine {
    pub sku: String,
    pub rate: Option<Decimal>,
    pub commission: Option<i64>,
}

/// Previews the terms on the cart, in the given currency or the brand's.
pub async fn preview(db: &Db, command: PreviewProgram) -> Result<ProgramPreview, ProgramError> {
    let currency = match command.currency {
        Some(currency) => currency,
        None => {
            let brand = command.brand_id;
            let code = db
                .read(move |conn| {
                    Ok::<_, ProgramError>(brands::find(conn, brand)?.ok_or(ProgramError::BrandGone)?.currency)
                })
                .await?;
            Currency::parse(&code).map_err(|message| ProgramError::Invalid(vec![("currency".to_owned(), message)]))?
        }
    };
    preview_terms(
        &command.terms,
        currency,
        &command.cart,
        command.shipping_total,
        command.month_to_date_net,
    )
}

/// [`preview`] without the database: the brand's console may call it with a currency
/// it already knows.
pub fn preview_terms(
    terms: &Terms,
    currency: Currency,
    cart: &Cart,
    shipping_total: i64,
    month_to_date_net: i64,
) -> Result<ProgramPreview, ProgramError> {
    check_currency_rules(terms, currency.code()).map_err(|err| match err {
        ProgramError::Invalid(found) => ProgramError::Invalid(
            found
                .into_iter()
                .map(|(field, message)| (format!("terms.{field}"), message))
                .collect(),
        ),
        other => other,
    })?;
    let uncomputable = |err: crate::domain::commission::CommissionError| {
        ProgramError::Invalid(vec![("cart.lines".to_owned(), err.to_string())])
    };
    let subtotal = cart.subtotal();
    let discount_total = terms
        .customer_discount
        .as_ref()
        .map_or(0, |d| customer_discount(d, subtotal));
    let priced = price_order(&terms.commission, cart, discount_total, None, month_to_date_net).map_err(uncomputable)?;
    let shares = priced.line_shares().map_err(uncomputable)?;
    let lines = cart
        .lines()
        .iter()
        .zip(&priced.line_rates)
        .enumerate()
        .map(|(i, (line, rate))| PreviewLine {
            sku: line.sku.clone(),
            rate: *rate,
            commission: shares.as_ref().and_then(|s| s.get(i).copied()),
        })
        .collect();
    let total = priced.calc.net.checked_add(shipping_total).ok_or_else(|| {
        ProgramError::Invalid(vec![(
            "cart.shipping_total".to_owned(),
            "the total is too large to represent".to_owned(),
        )])
    })?;
    Ok(ProgramPreview {
        currency,
        subtotal,
        discount_total,
        net_amount: priced.calc.net,
        shipping_total,
        total,
        commission: priced.calc.amount,
        commission_uncapped: priced.calc.uncapped,
        capped: priced.calc.capped,
        rate: priced.headline_rate,
        lines,
        tier: priced.tier,
    })
}
