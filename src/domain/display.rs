//! Amounts as people read them in e-mail and on pages: locale-neutral, the currency's
//! own digits, thousands grouped with commas, and a symbol only where it is
//! unambiguous (`$16.85` is US dollars; Canadian dollars read `CAD 16.85`).

use super::currency::Currency;
use super::money::format_minor;

/// Currencies written with a symbol; every other one with its ISO code.
const SYMBOLS: [(&str, &str); 4] = [("USD", "$"), ("EUR", "€"), ("GBP", "£"), ("JPY", "¥")];

/// `$16.85`, `€1,234.50`, `¥500`, `-$3.00`, `CAD 1,000.00`, `KWD 1.234`.
pub fn money(minor: i64, currency: Currency) -> String {
    let plain = format_minor(minor, currency.exponent());
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain.as_str()),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let mut grouped = group_thousands(whole);
    if let Some(fraction) = fraction {
        grouped.push('.');
        grouped.push_str(fraction);
    }
    match SYMBOLS.iter().find(|(code, _)| *code == currency.code()) {
        Some((_, symbol)) => format!("{sign}{symbol}{grouped}"),
        None => format!("{sign}{} {grouped}", currency.code()),
    }
}

/// Money in a currency code as stored; a code that is not a currency (it cannot be one
/// in a stored row) is shown with the plain amount rather than failing a message.
pub fn money_in(minor: i64, code: &str) -> String {
    match Currency::parse(code) {
        Ok(currency) => money(minor, currency),
        Err(_) => format!("{code} {minor}"),
    }
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn money_reads_as_people_write_it() {
        assert_eq!(money(1685, cur("USD")), "$16.85");
        assert_eq!(money(500, cur("JPY")), "¥500");
        assert_eq!(money(123_450, cur("EUR")), "€1,234.50");
        assert_eq!(money(-300, cur("USD")), "-$3.00");
        assert_eq!(money(5, cur("USD")), "$0.05");
        assert_eq!(money(100_000, cur("CAD")), "CAD 1,000.00");
        assert_eq!(money(1234, cur("KWD")), "KWD 1.234");
        assert_eq!(money(123_456_789, cur("JPY")), "¥123,456,789");
        assert_eq!(money(i64::MIN, cur("JPY")), "-¥9,223,372,036,854,775,808");
        assert_eq!(money_in(1685, "USD"), "$16.85");
        assert_eq!(money_in(7, "???"), "??? 7");
    }
}
