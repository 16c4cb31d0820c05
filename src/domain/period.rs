//! A reporting period: whole UTC days `from..=to`, as the dashboard and the brand's
//! statistics take it (`?from=YYYY-MM-DD&to=YYYY-MM-DD`), with the defaults and bounds
//! both share.

use chrono::{Datelike, Days, Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// The period covers this many days ending on `to` when no `from` is given.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest period answered, in days (both ends included).
pub const MAX_DAYS: i64 = 366;

/// One refused query field and why; the door answers every one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError {
    pub field: &'static str,
    pub message: String,
}

impl PeriodError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// The days `from..=to` (UTC): at most [`MAX_DAYS`], `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

/// The first instant of the UTC calendar month of `at`.
pub fn month_start(at: NaiveDateTime) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(at.year(), at.month(), 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(at)
}

/// A date written `YYYY-MM-DD`, nothing else.
pub fn parse_date(input: &str) -> Result<NaiveDate, String> {
    let shaped = input.len() == 10
        && input.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err("must be a date written YYYY-MM-DD".into());
    }
    NaiveDate::parse_from_str(input, "%Y-%m-%d").map_err(|_| "is not a calendar date".into())
}

impl Period {
    /// Both ends are optional: `to` defaults to `today`, `from` to the [`DEFAULT_DAYS`]
    /// days ending on `to`. Every malformed date is reported, then the first broken
    /// bound.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Self, Vec<PeriodError>> {
        let mut errors = Vec::new();
        let mut date = |field: &'static str, input: Option<&str>| match input.map(parse_date).transpose() {
            Ok(date) => date,
            Err(message) => {
                errors.push(PeriodError::new(field, message));
                None
            }
        };
        let (from, to) = (date("from", from), date("to", to));
        if !errors.is_empty() {
            return Err(errors);
        }
        let to = to.unwrap_or(today);
        let from = match from {
            Some(from) => from,
            None => to
                .checked_sub_signed(Duration::days(DEFAULT_DAYS - 1))
                .ok_or_else(|| vec![PeriodError::new("to", "is too early")])?,
        };
        if from > to {
            return Err(vec![PeriodError::new("from", "must not be after `to`")]);
        }
        if (to - from).num_days() + 1 > MAX_DAYS {
            return Err(vec![PeriodError::new(
                "to",
                format!("the range must not be longer than {MAX_DAYS} days"),
            )]);
        }
        if to.succ_opt().is_none() {
            return Err(vec![PeriodError::new("to", "is too late")]);
        }
        Ok(Self { from, to })
    }

    /// The `days` days ending with `today` (1 to [`MAX_DAYS`]).
    pub fn last_days(days: i64, today: NaiveDate) -> Self {
        let days = days.clamp(1, MAX_DAYS);
        let from = today.checked_sub_signed(Duration::days(days - 1)).unwrap_or(today);
        Self { from, to: today }
    }

    /// The calendar months ending with `today`'s, `months` of them (1–12): from the
    /// first day of the earliest to `today`. Always within [`MAX_DAYS`].
    pub fn last_months(months: u32, today: NaiveDate) -> Self {
        let months = months.clamp(1, 12);
        let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
        let from = first
            .checked_sub_months(chrono::Months::new(months - 1))
            .unwrap_or(first);
        Self { from, to: today }
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// Every day of the period, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let to = self.to;
        self.from.iter_days().take_while(move |d| *d <= to)
    }

    /// `from` as `YYYY-MM-DD`, as the running totals key their days.
    pub fn first_day(&self) -> String {
        self.from.format("%Y-%m-%d").to_string()
    }

    /// `to` as `YYYY-MM-DD`.
    pub fn last_day(&self) -> String {
        self.to.format("%Y-%m-%d").to_string()
    }

    /// `from` 00:00 UTC: the first instant of the period.
    pub fn start(&self) -> NaiveDateTime {
        NaiveDateTime::new(self.from, NaiveTime::MIN)
    }

    /// The day after `to`, 00:00 UTC: the first instant after the period, so the
    /// period is `[start, end)`.
    pub fn end(&self) -> NaiveDateTime {
        // `parse` refuses a `to` without a next day.
        let after = self.to.succ_opt().unwrap_or(self.to);
        NaiveDateTime::new(after, NaiveTime::MIN)
    }
}

/// How a period's series is bucketed: by UTC day, or by ISO week (Monday to Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interval {
    #[default]
    Day,
    Week,
}

impl Interval {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "day" => Ok(Self::Day),
            "week" => Ok(Self::Week),
            _ => Err("must be one of day, week".to_owned()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
        }
    }

    /// The first day of the bucket `day` falls in: the day itself, or the Monday of
    /// its ISO week.
    pub fn bucket_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => day,
            Self::Week => day
                .checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
                .unwrap_or(day),
        }
    }
}

impl Period {
    /// The first day of every bucket that holds a day of the period, in order. A week
    /// is labelled by its Monday, which may lie before `from`; the first and last
    /// weeks count only the days of the period.
    pub fn buckets(&self, interval: Interval) -> Vec<NaiveDate> {
        let mut out: Vec<NaiveDate> = Vec::new();
        for day in self.days() {
            let start = interval.bucket_of(day);
            if out.last() != Some(&start) {
                out.push(start);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        parse_date(s).unwrap_or(NaiveDate::MIN)
    }

    fn fields(from: Option<&str>, to: Option<&str>) -> Option<Vec<&'static str>> {
        Period::parse(from, to, date("2026-11-02"))
            .err()
            .map(|e| e.into_iter().map(|e| e.field).collect())
    }

    #[test]
    fn the_last_months_start_on_the_first_of_the_earliest() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("{y}-{m}-{d}"));
        let today = day(2026, 11, 2);
        let year = Period::last_months(12, today);
        assert_eq!((year.from(), year.to()), (day(2025, 12, 1), today));
        assert_eq!(Period::last_months(1, today).from(), day(2026, 11, 1));
        assert_eq!(Period::last_months(3, day(2026, 3, 31)).from(), day(2026, 1, 1));
        // Never longer than a period may be.
        let longest = Period::last_months(12, day(2024, 12, 31));
        assert!((longest.to() - longest.from()).num_days() < MAX_DAYS);
        assert_eq!(Period::last_months(0, today).from(), day(2026, 11, 1));
    }

    #[test]
    fn the_last_days_end_today_and_stay_within_bounds() {
        let today = date("2026-11-02");
        let week = Period::last_days(7, today);
        assert_eq!((week.from(), week.to()), (date("2026-10-27"), today));
        assert_eq!(Period::last_days(0, today).from(), today);
        assert_eq!(week.days().count(), 7);
        assert_eq!(Period::last_days(10_000, today).days().count(), MAX_DAYS as usize);
    }

    #[test]
    fn a_period_defaults_to_the_last_30_days() {
        let today = date("2026-11-02");
        let period = Period::parse(None, None, today);
        assert_eq!(
            period,
            Ok(Period {
                from: date("2026-10-04"),
                to: today
            })
        );
        assert_eq!(period.map(|p| p.days().count()), Ok(30));
        let to_only = Period::parse(None, Some("2026-10-31"), today).map(|p| p.from());
        assert_eq!(to_only, Ok(date("2026-10-02")));
    }

    #[test]
    fn a_period_refuses_bad_dates_reversed_and_overlong_ranges() {
        assert_eq!(fields(Some("2026-1-05"), None), Some(vec!["from"]));
        assert_eq!(fields(Some("2026-02-30"), Some("x")), Some(vec!["from", "to"]));
        assert_eq!(fields(Some("2026-11-03"), None), Some(vec!["from"]));
        assert_eq!(fields(Some("2025-01-01"), Some("2026-01-02")), Some(vec!["to"]));
        assert_eq!(fields(Some("2026-10-01T00:00:00Z"), None), Some(vec!["from"]));
        // 366 days, both ends included, is the longest period.
        assert_eq!(fields(Some("2024-01-01"), Some("2024-12-31")), None);
    }

    #[test]
    fn weeks_start_on_monday_and_cover_every_day_of_the_period() {
        // 2026-11-02 is a Monday; 2026-10-28 a Wednesday, 2026-11-10 a Tuesday.
        let period = Period::parse(Some("2026-10-28"), Some("2026-11-10"), date("2026-11-30"))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            period.buckets(Interval::Week),
            [date("2026-10-26"), date("2026-11-02"), date("2026-11-09")]
        );
        assert_eq!(period.buckets(Interval::Day).len(), 14);
        assert_eq!(Interval::Week.bucket_of(date("2026-11-08")), date("2026-11-02"));
        assert_eq!(Interval::Week.bucket_of(date("2026-11-02")), date("2026-11-02"));
        assert_eq!(Interval::parse("week"), Ok(Interval::Week));
        assert!(Interval::parse("month").is_err());
    }

    #[test]
    fn a_period_is_the_half_open_range_of_its_whole_days() {
        let period = Period::parse(Some("2026-10-30"), Some("2026-10-31"), date("2026-11-02"));
        let bounds = period.map(|p| (p.start().to_string(), p.end().to_string()));
        assert_eq!(
            bounds,
            Ok(("2026-10-30 00:00:00".to_owned(), "2026-11-01 00:00:00".to_owned()))
        );
    }
}
