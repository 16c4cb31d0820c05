//! `refunds/create`: units of lines when the refund names lines (skus as the order was
//! recorded), else the money the refund's successful transactions gave back.

use crate::shops::{MappingError, OrderRef, RefundAmount, RefundFacts, ShopCommand};

use super::lines::sku_of;
use super::payload::{Refund, RefundLineItem, Transaction};
use super::values;

/// The command for a refund.
pub fn refund(refund: &Refund) -> Result<ShopCommand, MappingError> {
    let refund_id = format!("shopify:{}", values::id(&refund.id, "id")?);
    let order = OrderRef::Id(format!("shopify:{}", values::id(&refund.order_id, "order_id")?));
    let amount = match refunded_units(&refund.refund_line_items)? {
        Units::Lines(units) => RefundAmount::Lines(units),
        Units::GiftCardsOnly => return ignore("refund of gift cards only (not merchandise)"),
        Units::None => match refunded_money(refund)? {
            None => return ignore("refund of nothing (no lines, no successful transactions)"),
            Some(0) => return ignore("refund of nothing (no lines, zero amount)"),
            Some(gross) => RefundAmount::Gross(gross),
        },
    };
    Ok(ShopCommand::Refund(RefundFacts {
        order,
        refund_id,
        amount,
    }))
}

fn ignore(reason: &str) -> Result<ShopCommand, MappingError> {
    Ok(ShopCommand::Ignore { reason: reason.into() })
}

enum Units {
    /// Units by sku, in the order the refund lists them, one entry per sku.
    Lines(Vec<(String, i64)>),
    /// Lines were refunded, but only gift cards, which the order did not record.
    GiftCardsOnly,
    None,
}

/// The refunded units by sku. Lines with quantity 0 (a restock adjustment) name nothing.
fn refunded_units(items: &[RefundLineItem]) -> Result<Units, MappingError> {
    let mut units: Vec<(String, i64)> = Vec::new();
    let mut gift_cards = false;
    for (i, item) in items.iter().enumerate() {
        let field = format!("refund_line_items[{i}]");
        let quantity = item
            .quantity
            .ok_or_else(|| MappingError::new(format!("`{field}.quantity` is missing")))?;
        if quantity < 0 {
            return Err(MappingError::new(format!("`{field}.quantity` must not be negative")));
        }
        let line = item
            .line_item
            .as_ref()
            .ok_or_else(|| MappingError::new(format!("`{field}.line_item` is missing")))?;
        if quantity == 0 {
            continue;
        }
        if line.gift_card {
            gift_cards = true;
            continue;
        }
        let sku = sku_of(line, &format!("{field}.line_item"))?;
        match units.iter_mut().find(|(known, _)| *known == sku) {
            Some((_, total)) => {
                *total = total
                    .checked_add(quantity)
                    .ok_or_else(|| MappingError::new(format!("`{field}.quantity` is too large")))?;
            }
            None => units.push((sku, quantity)),
        }
    }
    Ok(match (units.is_empty(), gift_cards) {
        (false, _) => Units::Lines(units),
        (true, true) => Units::GiftCardsOnly,
        (true, false) => Units::None,
    })
}

/// Σ of the successful `refund` transactions, in minor units of their currency; `None`
/// when there is none. Shopify's `transactions[].currency` is the currency the customer
/// paid in, which on a multi-currency shop can differ from the shop currency the order
/// was recorded in; such a refund is refused rather than read as the wrong money.
fn refunded_money(refund: &Refund) -> Result<Option<i64>, MappingError> {
    let successful: Vec<(usize, &Transaction)> = refund
        .transactions
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind.as_deref() == Some("refund") && t.status.as_deref() == Some("success"))
        .collect();
    if successful.is_empty() {
        return Ok(None);
    }
    let shop_currency = refund
        .total_duties_set
        .as_ref()
        .and_then(|set| set.shop_money.as_ref())
        .and_then(|money| money.currency_code.as_deref());
    let named: Option<(usize, &str)> = successful.iter().find_map(|(i, t)| Some((*i, t.currency.as_deref()?)));
    let (field, code) = match (named, shop_currency) {
        (Some((i, code)), _) => (format!("transactions[{i}].currency"), code),
        (None, Some(code)) => ("total_duties_set.shop_money.currency_code".to_owned(), code),
        (None, None) => {
            return Err(MappingError::new(
                "the refund's transactions name no currency, so their amounts cannot be read",
            ));
        }
    };
    let currency = values::currency(Some(code), &field)?;
    if let Some(shop) = shop_currency.filter(|shop| shop.trim() != currency.code()) {
        return Err(MappingError::new(format!(
            "the refund was paid in {currency}, not the shop currency {shop} the order is recorded in; \
             apply it in reftrack by hand"
        )));
    }
    let mut gross = 0;
    for (i, transaction) in successful {
        let field = format!("transactions[{i}]");
        if let Some(other) = transaction.currency.as_deref().filter(|c| c.trim() != currency.code()) {
            return Err(MappingError::new(format!(
                "`{field}.currency` is {other}, another transaction's is {currency}"
            )));
        }
        let amount = transaction.amount.as_ref().unwrap_or(&serde_json::Value::Null);
        gross = values::add(
            gross,
            values::amount(amount, currency.exponent(), &format!("{field}.amount"))?,
            "transactions",
        )?;
    }
    Ok(Some(gross))
}
