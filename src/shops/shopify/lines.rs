//! An order's money as reftrack counts it: merchandise lines tax excluded, their
//! discounts, shipping after its discounts, and the tax taken out.
//!
//! Shopify prices are in the shop currency (`price`, never `price_set`'s presentment
//! money). With `taxes_included` a price carries tax, so each line's `tax_lines` and
//! each shipping line's are taken out of its value and counted as tax instead: then
//! subtotal − discounts + shipping + tax is the order's `total_price` either way.

use crate::domain::cart::CartLine;
use crate::domain::money::MAX_AMOUNT;
use crate::shops::{MappingError, lines_of};

use super::payload::{LineItem, ShippingLine};
use super::values;

/// The merchandise of an order.
#[derive(Debug, PartialEq, Eq)]
pub struct Merchandise {
    pub lines: Vec<CartLine>,
    /// Σ of the lines' `discount_allocations` (what `total_discounts` also counts; never
    /// both). With `taxes_included` these amounts include tax, as Shopify gives them.
    pub discount_total: i64,
    /// The tax taken out of the lines (0 unless `taxes_included`).
    pub tax_taken_out: i64,
}

/// The sku reftrack records a line under, and a refund of that line names: `sku`, else
/// `variant:{variant_id}` (a product without skus), else `line:{id}` (a custom item).
pub fn sku_of(line: &LineItem, field: &str) -> Result<String, MappingError> {
    if let Some(sku) = line.sku.as_deref().map(str::trim).filter(|sku| !sku.is_empty()) {
        return Ok(sku.to_owned());
    }
    let variant = line
        .variant_id
        .as_ref()
        .map(|v| values::optional_id(v, &format!("{field}.variant_id")));
    if let Some(variant) = variant.transpose()?.flatten() {
        return Ok(format!("variant:{variant}"));
    }
    let id = line.id.as_ref().unwrap_or(&serde_json::Value::Null);
    Ok(format!("line:{}", values::id(id, &format!("{field}.id"))?))
}

/// The order's merchandise lines. Gift cards are skipped (money kept for later, not
/// merchandise), and so are lines with quantity 0 (removed by an order edit).
pub fn merchandise(items: &[LineItem], exponent: u32, taxes_included: bool) -> Result<Merchandise, MappingError> {
    let mut out = Merchandise {
        lines: Vec::with_capacity(items.len()),
        discount_total: 0,
        tax_taken_out: 0,
    };
    for (i, item) in items.iter().enumerate() {
        let field = format!("line_items[{i}]");
        let quantity = item
            .quantity
            .ok_or_else(|| MappingError::new(format!("`{field}.quantity` is missing")))?;
        if quantity < 0 {
            return Err(MappingError::new(format!("`{field}.quantity` must not be negative")));
        }
        if quantity == 0 || item.gift_card {
            continue;
        }
        let price_field = format!("{field}.price");
        let price = values::amount(
            item.price.as_ref().unwrap_or(&serde_json::Value::Null),
            exponent,
            &price_field,
        )?;
        let value = price
            .checked_mul(quantity)
            .filter(|value| *value <= MAX_AMOUNT)
            .ok_or_else(|| {
                MappingError::new(format!(
                    "`{field}`: price × quantity must be at most {MAX_AMOUNT} minor units"
                ))
            })?;
        let tax = if taxes_included {
            let tax_field = format!("{field}.tax_lines");
            values::sum(item.tax_lines.iter().map(|t| &t.price), exponent, &tax_field)?
        } else {
            0
        };
        let net = value
            .checked_sub(tax)
            .filter(|net| *net >= 0)
            .ok_or_else(|| MappingError::new(format!("`{field}` has more tax than its price")))?;
        let discount_field = format!("{field}.discount_allocations");
        let discount = values::sum(
            item.discount_allocations.iter().map(|d| &d.amount),
            exponent,
            &discount_field,
        )?;
        out.discount_total = values::add(out.discount_total, discount, "discount_allocations")?;
        out.tax_taken_out = values::add(out.tax_taken_out, tax, "tax_lines")?;
        out.lines.extend(lines_of(sku_of(item, &field)?, quantity, net));
    }
    Ok(out)
}

/// Shipping after its discounts, and the tax taken out of it (with `taxes_included`):
/// `(shipping, tax)`.
pub fn shipping(lines: &[ShippingLine], exponent: u32, taxes_included: bool) -> Result<(i64, i64), MappingError> {
    let mut shipping = 0;
    let mut tax_taken_out = 0;
    for (i, line) in lines.iter().enumerate() {
        let field = format!("shipping_lines[{i}]");
        let price = values::amount(&line.price, exponent, &format!("{field}.price"))?;
        let discount_field = format!("{field}.discount_allocations");
        let discount = values::sum(
            line.discount_allocations.iter().map(|d| &d.amount),
            exponent,
            &discount_field,
        )?;
        let tax = if taxes_included {
            values::sum(
                line.tax_lines.iter().map(|t| &t.price),
                exponent,
                &format!("{field}.tax_lines"),
            )?
        } else {
            0
        };
        let net = price
            .checked_sub(discount)
            .and_then(|rest| rest.checked_sub(tax))
            .filter(|net| *net >= 0)
            .ok_or_else(|| MappingError::new(format!("`{field}` has more discount and tax than its price")))?;
        shipping = values::add(shipping, net, "shipping_lines")?;
        tax_taken_out = values::add(tax_taken_out, tax, "shipping_lines")?;
    }
    Ok((shipping, tax_taken_out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(value: serde_json::Value) -> LineItem {
        serde_json::from_value(value).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn sku_falls_back_to_the_variant_then_the_line() {
        let sku = |v| sku_of(&item(v), "line_items[0]");
        assert_eq!(
            sku(json!({"id": 1, "variant_id": 2, "sku": " TEE-BLACK-M "})),
            Ok("TEE-BLACK-M".into())
        );
        assert_eq!(
            sku(json!({"id": 1, "variant_id": 2, "sku": ""})),
            Ok("variant:2".into())
        );
        assert_eq!(
            sku(json!({"id": 1, "variant_id": null, "sku": null})),
            Ok("line:1".into())
        );
        assert!(sku(json!({"sku": null})).is_err());
    }

    #[test]
    fn a_tax_inclusive_line_that_does_not_divide_is_split_keeping_its_units() {
        let items = [
            item(json!({"id": 1, "sku": "A", "quantity": 2, "price": "1200", "tax_lines": [{"price": "196"}]})),
            item(json!({"id": 2, "sku": "B", "quantity": 3, "price": "1500", "tax_lines": [{"price": "368"}]})),
        ];
        let merchandise = merchandise(&items, 0, true).unwrap_or_else(|e| panic!("{e}"));
        let units: Vec<_> = merchandise.lines.iter().map(|l| (l.quantity, l.unit_price)).collect();
        assert_eq!(units, vec![(2, 1102), (2, 1377), (1, 1378)]);
        assert_eq!(merchandise.tax_taken_out, 564);
    }

    #[test]
    fn tax_lines_are_not_taken_out_of_tax_exclusive_prices() {
        let items = [item(
            json!({"id": 1, "sku": "A", "quantity": 1, "price": "10.00", "tax_lines": [{"price": "0.80"}]}),
        )];
        let merchandise = merchandise(&items, 2, false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(merchandise.lines[0].unit_price, 1000);
        assert_eq!(merchandise.tax_taken_out, 0);
    }

    #[test]
    fn unreadable_lines_are_refused_with_their_field() {
        let refused = |v, taxes_included| merchandise(&[item(v)], 2, taxes_included).err().map(|e| e.0);
        assert_eq!(
            refused(json!({"id": 1, "sku": "A", "price": "1.00"}), false),
            Some("`line_items[0].quantity` is missing".into())
        );
        assert_eq!(
            refused(json!({"id": 1, "sku": "A", "quantity": -1, "price": "1.00"}), false),
            Some("`line_items[0].quantity` must not be negative".into())
        );
        assert_eq!(
            refused(
                json!({"id": 1, "sku": "A", "quantity": 1, "price": "1.00", "tax_lines": [{"price": "2.00"}]}),
                true
            ),
            Some("`line_items[0]` has more tax than its price".into())
        );
        assert!(
            refused(
                json!({"id": 1, "sku": "A", "quantity": 1_000_000, "price": "10000000.00"}),
                false
            )
            .is_some()
        );
        assert!(refused(json!({"id": 1, "sku": "A", "quantity": 1, "price": "abc"}), false).is_some());
    }

    #[test]
    fn shipping_is_net_of_its_discounts_and_of_included_tax() {
        let lines: Vec<ShippingLine> = serde_json::from_value(json!([
            {"price": "800", "tax_lines": [{"price": "73"}], "discount_allocations": []},
            {"price": "500", "tax_lines": [], "discount_allocations": [{"amount": "500"}]},
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(shipping(&lines, 0, true), Ok((727, 73)));
        assert_eq!(shipping(&lines, 0, false), Ok((800, 0)));
    }
}
