//! A cart or order as the shop reports it: lines in integer minor units.

/// One line of a cart or order. Amounts are minor units of the order's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub sku: String,
    pub category: Option<String>,
    pub quantity: i64,
    pub unit_price: i64,
}

impl CartLine {
    /// quantity × unit_price, or `None` on overflow.
    pub fn value(&self) -> Option<i64> {
        self.quantity.checked_mul(self.unit_price)
    }
}

/// Σ quantity × unit_price, or `None` when any step overflows `i64`.
pub fn subtotal(lines: &[CartLine]) -> Option<i64> {
    lines.iter().try_fold(0i64, |sum, line| sum.checked_add(line.value()?))
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

    #[test]
    fn subtotal_adds_lines_and_detects_overflow() {
        assert_eq!(subtotal(&[line(2, 2500), line(1, 1999)]), Some(6999));
        assert_eq!(subtotal(&[]), Some(0));
        assert_eq!(subtotal(&[line(2, i64::MAX)]), None);
        assert_eq!(subtotal(&[line(1, i64::MAX), line(1, 1)]), None);
    }
}
