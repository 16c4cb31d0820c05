//! The filters of the console's order list, as its GET form sends them (so a filtered
//! list can be bookmarked): a period of whole UTC days, a status, an ambassador and a
//! code. Each is checked by the rule the JSON API applies to the same filter of
//! `GET /v1/brand/orders`; the list, its "Older orders" link and its CSV download carry
//! the same filters.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use crate::domain::period::parse_date;
use crate::domain::status::OrderStatus;
use crate::service::paging::PageRequest;
use crate::service::reports::{BrandOrdersQuery, OrdersCsvQuery};
use crate::store::ids::{BrandId, MembershipId, OrderId};
use crate::web::form::FieldErrors;

/// The query string as typed; [`Filter::parse`] checks each value.
#[derive(Debug, Default, Deserialize)]
pub struct OrdersQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub ambassador: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub after: String,
}

/// The filters and the page, checked.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// The first day, from its start (UTC).
    pub from: Option<NaiveDate>,
    /// The last day, to its end (UTC).
    pub to: Option<NaiveDate>,
    pub status: Option<OrderStatus>,
    pub ambassador: Option<MembershipId>,
    /// The code as typed (the service normalises it, as for the API).
    pub code: Option<String>,
    pub after: Option<OrderId>,
}

/// An empty value (a select's "any", an empty box) counts as absent.
fn given(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

/// The start of a UTC day.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

impl Filter {
    /// The filters, each refused one kept in `errors` under its field.
    pub fn parse(query: &OrdersQuery, errors: &mut FieldErrors) -> Self {
        let from = given(&query.from).and_then(|d| errors.check("from", parse_date(d)));
        let to = given(&query.to).and_then(|d| errors.check("to", parse_date(d)));
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            errors.add("to", "must not be before the first day");
        }
        if to.is_some_and(|to| to.succ_opt().is_none()) {
            errors.add("to", "is too late");
        }
        let status = given(&query.status).and_then(|s| errors.check("status", OrderStatus::parse_filter(s)));
        let ambassador = given(&query.ambassador).and_then(|a| {
            errors.check(
                "ambassador",
                a.parse::<MembershipId>()
                    .map_err(|_| "must be one of your ambassadors".to_owned()),
            )
        });
        let after = given(&query.after).and_then(|a| {
            errors.check(
                "after",
                a.parse::<OrderId>()
                    .map_err(|_| "is not a page link this list gave".to_owned()),
            )
        });
        Self {
            from,
            to,
            status,
            ambassador,
            code: given(&query.code).map(str::to_owned),
            after,
        }
    }

    /// Whether any filter (not the page) is set.
    pub fn narrows(&self) -> bool {
        self.from.is_some()
            || self.to.is_some()
            || self.status.is_some()
            || self.ambassador.is_some()
            || self.code.is_some()
    }

    /// Orders placed at or after this instant.
    pub fn placed_from(&self) -> Option<DateTime<Utc>> {
        self.from.map(start_of)
    }

    /// Orders placed before this instant: the end of the last day.
    pub fn placed_before(&self) -> Option<DateTime<Utc>> {
        self.to.and_then(|d| d.succ_opt()).map(start_of)
    }

    /// The use case's query for a page of `limit` orders of `brand`.
    pub fn page_query(&self, brand: BrandId, limit: i64) -> BrandOrdersQuery {
        BrandOrdersQuery {
            brand,
            ambassador: self.ambassador,
            code: self.code.clone(),
            status: self.status,
            placed_from: self.placed_from(),
            placed_before: self.placed_before(),
            page: PageRequest {
                limit,
                after: self.after,
            },
        }
    }

    /// The use case's query for the CSV file of every order these filters match.
    pub fn file_query(&self, brand: BrandId) -> OrdersCsvQuery {
        OrdersCsvQuery {
            brand,
            ambassador: self.ambassador,
            code: self.code.clone(),
            status: self.status,
            placed_from: self.placed_from(),
            placed_before: self.placed_before(),
        }
    }

    /// `path` with these filters in its query string, continuing after `after`.
    pub fn href(&self, path: &str, after: Option<OrderId>) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(from) = self.from {
            query.append_pair("from", &from.to_string());
        }
        if let Some(to) = self.to {
            query.append_pair("to", &to.to_string());
        }
        if let Some(status) = self.status {
            query.append_pair("status", status.as_str());
        }
        if let Some(ambassador) = self.ambassador {
            query.append_pair("ambassador", &ambassador.to_string());
        }
        if let Some(code) = &self.code {
            query.append_pair("code", code);
        }
        if let Some(after) = after {
            query.append_pair("after", &after.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: OrdersQuery) -> (Filter, FieldErrors) {
        let mut errors = FieldErrors::default();
        (Filter::parse(&query, &mut errors), errors)
    }

    #[test]
    fn the_period_covers_whole_utc_days_and_the_link_keeps_every_filter() {
        let (filter, errors) = parse(OrdersQuery {
            from: "2026-11-01".into(),
            to: "2026-11-02".into(),
            status: "pending".into(),
            code: " ana 10 ".into(),
            ..OrdersQuery::default()
        });
        assert!(errors.is_empty());
        assert_eq!(
            filter.placed_from().map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-01T00:00:00+00:00")
        );
        assert_eq!(
            filter.placed_before().map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-03T00:00:00+00:00")
        );
        assert_eq!(
            filter.href("/console/orders", None),
            "/console/orders?from=2026-11-01&to=2026-11-02&status=pending&code=ana+10"
        );
        assert!(filter.narrows());
    }

    #[test]
    fn each_refused_filter_is_said_beside_its_field() {
        let (filter, errors) = parse(OrdersQuery {
            from: "2026-11-05".into(),
            to: "2026-11-01".into(),
            status: "lost".into(),
            ambassador: "nobody".into(),
            after: "x".into(),
            ..OrdersQuery::default()
        });
        for field in ["to", "status", "ambassador", "after"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(errors.get("from").is_none());
        let (_, errors) = parse(OrdersQuery {
            from: "5 Nov".into(),
            ..OrdersQuery::default()
        });
        assert!(errors.get("from").is_some());
        assert_eq!(filter.from, NaiveDate::from_ymd_opt(2026, 11, 5));
        let (empty, errors) = parse(OrdersQuery::default());
        assert!(errors.is_empty() && !empty.narrows());
        assert_eq!(empty.href("/console/orders", None), "/console/orders");
    }
}
