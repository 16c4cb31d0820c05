//! A cart or order as the shop reports it: lines in integer minor units, validated once.
//!
//! [`Cart::parse`] is the one overflow policy of the checkout: every line's
//! quantity × unit_price and the subtotal are at most [`MAX_AMOUNT`], so nothing computed
//! from a [`Cart`] (discounts, nets, commissions) needs to check for overflow again.

use crate::domain::money::{MAX_AMOUNT, bounded_amount};
use crate::domain::text::{Lines, refuse_invisible};

/// Most lines in one cart or order.
pub const MAX_LINES: usize = 500;
/// Most units of one line.
pub const MAX_QUANTITY: i64 = 1_000_000;
/// Longest sku or category, in characters.
pub const MAX_SKU_CHARS: usize = 128;

/// One line of a cart or order. Amounts are minor units of the order's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub sku: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub unit_price: i64,
}

/// Where in the cart a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CartField {
    /// The list of lines as a whole.
    Lines,
    Sku(usize),
    Category(usize),
    Quantity(usize),
    UnitPrice(usize),
}

/// One reason a cart is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartProblem {
    pub field: CartField,
    pub message: String,
}

impl CartProblem {
    fn new(field: CartField, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Lines whose every value (quantity × unit_price) and whose subtotal are at most
/// [`MAX_AMOUNT`] minor units; skus and categories trimmed, a blank category dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    lines: Vec<CartLine>,
    values: Vec<i64>,
    subtotal: i64,
}

impl Cart {
    /// Checks every line and reports every problem; the subtotal is checked only when
    /// each line is valid.
    pub fn parse(lines: Vec<CartLine>) -> Result<Self, Vec<CartProblem>> {
        if lines.is_empty() || lines.len() > MAX_LINES {
            return Err(vec![CartProblem::new(
                CartField::Lines,
                format!("must have 1 to {MAX_LINES} lines"),
            )]);
        }
        let mut problems = Vec::new();
        let mut out = Vec::with_capacity(lines.len());
        let mut values = Vec::with_capacity(lines.len());
        for (i, line) in lines.into_iter().enumerate() {
            let sku = line.sku.trim();
            let sku_rule = if sku.is_empty() || sku.chars().count() > MAX_SKU_CHARS {
                Err(format!("must be 1 to {MAX_SKU_CHARS} characters"))
            } else {
                refuse_invisible(sku, Lines::One)
            };
            if let Err(message) = sku_rule {
                problems.push(CartProblem::new(CartField::Sku(i), message));
            }
            let category = line.category.as_deref().map(str::trim).filter(|c| !c.is_empty());
            let category_rule = match category {
                Some(c) if c.chars().count() > MAX_SKU_CHARS => {
                    Err(format!("must be at most {MAX_SKU_CHARS} characters"))
                }
                Some(c) => refuse_invisible(c, Lines::One),
                None => Ok(()),
            };
            if let Err(message) = category_rule {
                problems.push(CartProblem::new(CartField::Category(i), message));
            }
            if !(1..=MAX_QUANTITY).contains(&line.quantity) {
                problems.push(CartProblem::new(
                    CartField::Quantity(i),
                    format!("must be 1 to {MAX_QUANTITY}"),
                ));
            }
            if let Err(message) = bounded_amount(line.unit_price) {
                problems.push(CartProblem::new(CartField::UnitPrice(i), message));
            } else {
                match line.quantity.checked_mul(line.unit_price) {
                    Some(value) if value <= MAX_AMOUNT => values.push(value),
                    _ => problems.push(CartProblem::new(
                        CartField::UnitPrice(i),
                        format!("quantity × unit_price must be at most {MAX_AMOUNT} minor units"),
                    )),
                }
            }
            out.push(CartLine {
                sku: sku.to_owned(),
                category: category.map(str::to_owned),
                quantity: line.quantity,
                unit_price: line.unit_price,
            });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        match values.iter().try_fold(0i64, |sum, v| sum.checked_add(*v)) {
            Some(subtotal) if subtotal <= MAX_AMOUNT => Ok(Self {
                lines: out,
                values,
                subtotal,
            }),
            _ => Err(vec![CartProblem::new(
                CartField::Lines,
                format!("the lines' subtotal must be at most {MAX_AMOUNT} minor units"),
            )]),
        }
    }

    pub fn lines(&self) -> &[CartLine] {
        &self.lines
    }

    /// Each line with its value, quantity × unit_price.
    pub fn valued_lines(&self) -> impl Iterator<Item = (&CartLine, i64)> {
        self.lines.iter().zip(self.values.iter().copied())
    }

    /// Σ quantity × unit_price.
    pub fn subtotal(&self) -> i64 {
        self.subtotal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(quantity: i64, unit_price: i64) -> CartLine {
        CartLine {
            sku: "SKU".into(),
            category: None,
            quantity,
            unit_price,
        }
    }

    fn fields(lines: Vec<CartLine>) -> Vec<CartField> {
        Cart::parse(lines)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.field)
            .collect()
    }

    #[test]
    fn subtotal_adds_the_lines_values() {
        let cart = Cart::parse(vec![line(2, 2500), line(1, 1999)]).unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(cart.subtotal(), 6999);
        assert_eq!(
            cart.valued_lines().map(|(_, v)| v).collect::<Vec<_>>(),
            vec![5000, 1999]
        );
    }

    #[test]
    fn a_line_or_a_subtotal_over_the_bound_is_refused_never_wrapped() {
        assert_eq!(fields(vec![line(2, i64::MAX)]), vec![CartField::UnitPrice(0)]);
        assert_eq!(fields(vec![line(2, MAX_AMOUNT)]), vec![CartField::UnitPrice(0)]);
        assert_eq!(fields(vec![line(1, MAX_AMOUNT)]), Vec::<CartField>::new());
        assert_eq!(fields(vec![line(1, MAX_AMOUNT), line(1, 1)]), vec![CartField::Lines]);
    }

    #[test]
    fn every_bad_line_is_reported_and_names_are_trimmed() {
        assert_eq!(fields(vec![]), vec![CartField::Lines]);
        let bad = CartLine {
            sku: " ".into(),
            category: Some("x".repeat(MAX_SKU_CHARS + 1)),
            quantity: 0,
            unit_price: -1,
        };
        assert_eq!(
            fields(vec![line(1, 1), bad]),
            vec![
                CartField::Sku(1),
                CartField::Category(1),
                CartField::Quantity(1),
                CartField::UnitPrice(1)
            ]
        );
        let spaced = CartLine {
            sku: " A ".into(),
            category: Some("  ".into()),
            quantity: 1,
            unit_price: 5,
        };
        let cart = Cart::parse(vec![spaced]).unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(cart.lines()[0].sku, "A");
        assert_eq!(cart.lines()[0].category, None);
    }
}
