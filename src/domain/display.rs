//! Amounts as people read them in e-mail and on pages: locale-neutral, the currency's
//! own digits, thousands grouped with commas, and a symbol only where it is
//! unambiguous (`$16.85` is US dollars; Canadian dollars read `CAD 16.85`). Dates are
//! UTC, written `3 Dec 2026`, and a moment ahead or behind reads as a countdown
//! ("in 12 days", "2 hours ago").

use chrono::{DateTime, Utc};

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

/// `3 Dec 2026` (UTC).
pub fn date(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y").to_string()
}

/// `3 Dec 2026, 14:05 UTC`.
pub fn date_time(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// How far `at` is from `now`, in the largest whole unit that fits: "in 12 days",
/// "in 3 hours", "in 5 minutes", "in less than a minute", "12 days ago". Days are whole
/// 24-hour spans, counted down (a hold ending in 11 days 23 hours reads "in 11 days").
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let ahead = at >= now;
    let span = if ahead { at - now } else { now - at };
    let (count, unit) = if span.num_days() >= 1 {
        (span.num_days(), "day")
    } else if span.num_hours() >= 1 {
        (span.num_hours(), "hour")
    } else if span.num_minutes() >= 1 {
        (span.num_minutes(), "minute")
    } else {
        return if ahead { "in less than a minute" } else { "just now" }.to_owned();
    };
    let plural = if count == 1 { "" } else { "s" };
    if ahead {
        format!("in {count} {unit}{plural}")
    } else {
        format!("{count} {unit}{plural} ago")
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

    #[test]
    fn moments_read_as_countdowns() {
        let now = DateTime::parse_from_rfc3339("2026-12-03T12:00:00Z")
            .unwrap_or_else(|e| panic!("{e}"))
            .with_timezone(&Utc);
        let days = chrono::Duration::days;
        assert_eq!(relative(now + days(12), now), "in 12 days");
        assert_eq!(relative(now + days(1), now), "in 1 day");
        assert_eq!(relative(now + days(12) - chrono::Duration::hours(1), now), "in 11 days");
        assert_eq!(relative(now + chrono::Duration::hours(3), now), "in 3 hours");
        assert_eq!(relative(now + chrono::Duration::minutes(5), now), "in 5 minutes");
        assert_eq!(
            relative(now + chrono::Duration::seconds(20), now),
            "in less than a minute"
        );
        assert_eq!(relative(now - days(2), now), "2 days ago");
        assert_eq!(relative(now, now), "in less than a minute");
        assert_eq!(relative(now - chrono::Duration::seconds(5), now), "just now");
        assert_eq!(date(now), "3 Dec 2026");
        assert_eq!(date_time(now), "3 Dec 2026, 12:00 UTC");
    }
}
