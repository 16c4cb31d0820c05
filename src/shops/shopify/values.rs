//! Shopify's ids, amounts and currencies read exactly, each error naming the field it
//! came from (the brand reads it on the delivery).

use serde_json::Value;

use crate::domain::Currency;
use crate::domain::money::{MAX_AMOUNT, bounded_amount, parse_minor};
use crate::shops::MappingError;

/// Shopify's numeric id as text: a JSON integer, or a string of digits (how relays that
/// cannot hold 64-bit integers forward it).
pub fn id(value: &Value, field: &str) -> Result<String, MappingError> {
    optional_id(value, field)?.ok_or_else(|| MappingError::new(format!("`{field}` is missing")))
}

/// Like [`id`], with `null` read as no id.
pub fn optional_id(value: &Value, field: &str) -> Result<Option<String>, MappingError> {
    let text = match value {
        Value::Null => return Ok(None),
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.trim().to_owned(),
        _ => String::new(),
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MappingError::new(format!("`{field}` must be a Shopify numeric id")));
    }
    Ok(Some(text))
}

/// A money amount in minor units of a currency with `exponent` digits: 0 to
/// [`MAX_AMOUNT`], exact (never through a float).
pub fn amount(value: &Value, exponent: u32, field: &str) -> Result<i64, MappingError> {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Null => return Err(MappingError::new(format!("`{field}` is missing"))),
        _ => return Err(MappingError::new(format!("`{field}` must be a decimal amount"))),
    };
    parse_minor(&text, exponent)
        .and_then(bounded_amount)
        .map_err(|reason| MappingError::new(format!("`{field}`: {reason}")))
}

/// `a + b`, refused above [`MAX_AMOUNT`] rather than wrapped.
pub fn add(a: i64, b: i64, field: &str) -> Result<i64, MappingError> {
    a.checked_add(b)
        .filter(|sum| *sum <= MAX_AMOUNT)
        .ok_or_else(|| MappingError::new(format!("`{field}` adds up to more than {MAX_AMOUNT} minor units")))
}

/// The sum of `amounts`, each read with [`amount`]; `field` names the list.
pub fn sum<'a>(amounts: impl Iterator<Item = &'a Value>, exponent: u32, field: &str) -> Result<i64, MappingError> {
    amounts.enumerate().try_fold(0, |total, (i, value)| {
        add(total, amount(value, exponent, &format!("{field}[{i}]"))?, field)
    })
}

/// An ISO 4217 currency code as Shopify writes it ("USD", "JPY").
pub fn currency(code: Option<&str>, field: &str) -> Result<Currency, MappingError> {
    let code = code.map(str::trim).unwrap_or_default();
    if code.is_empty() {
        return Err(MappingError::new(format!("`{field}` is missing")));
    }
    Currency::parse(code).map_err(|reason| MappingError::new(format!("`{field}`: {reason}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_digits_from_numbers_or_strings() {
        assert_eq!(id(&json!(5123456789012u64), "id"), Ok("5123456789012".to_owned()));
        assert_eq!(id(&json!(" 42 "), "id"), Ok("42".to_owned()));
        assert_eq!(optional_id(&Value::Null, "variant_id"), Ok(None));
        for bad in [
            json!(null),
            json!(-1),
            json!(1.5),
            json!("gid://shopify/Order/1"),
            json!(""),
            json!({}),
        ] {
            assert!(id(&bad, "id").is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn amounts_are_exact_bounded_and_name_their_field() {
        assert_eq!(amount(&json!("25.00"), 2, "price"), Ok(2500));
        assert_eq!(amount(&json!("1200"), 0, "price"), Ok(1200));
        assert_eq!(amount(&json!(199.0), 2, "price"), Ok(19900));
        assert_eq!(amount(&json!("10000000000.00"), 2, "price"), Ok(MAX_AMOUNT));
        assert!(amount(&json!("10000000000.01"), 2, "price").is_err());
        assert!(amount(&json!("12.50"), 0, "price").is_err());
        let negative = amount(&json!("-1.00"), 2, "line_items[1].price");
        assert_eq!(
            negative,
            Err(MappingError::new(
                "`line_items[1].price`: must be 0 to 1000000000000 minor units"
            ))
        );
        assert_eq!(
            amount(&Value::Null, 2, "price"),
            Err(MappingError::new("`price` is missing"))
        );
        assert!(amount(&json!(true), 2, "price").is_err());
    }

    #[test]
    fn sums_refuse_to_pass_the_bound() {
        let values = [json!("1.00"), json!("2.50")];
        assert_eq!(sum(values.iter(), 2, "tax_lines"), Ok(350));
        let huge = [json!("10000000000.00"), json!("0.01")];
        assert!(sum(huge.iter(), 2, "tax_lines").is_err());
    }

    #[test]
    fn currencies_must_be_iso() {
        assert_eq!(currency(Some("JPY"), "currency").map(|c| c.exponent()), Ok(0));
        assert!(currency(Some("XYZ"), "currency").is_err());
        assert!(currency(Some("usd"), "currency").is_err());
        assert_eq!(
            currency(None, "currency"),
            Err(MappingError::new("`currency` is missing"))
        );
    }
}
