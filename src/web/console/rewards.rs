//! `GET /console/rewards`: the free items the brand's ambassadors earned, in three tabs —
//! claimed and waiting to be shipped (the default: name and address to ship to), earned
//! and not claimed yet, shipped — oldest first, so the longest wait comes first.
//! `POST /console/rewards/{id}/fulfil` marks one shipped with an optional carrier and
//! tracking reference, through the use case and field rules of `POST
//! /v1/brand/rewards/{id}/fulfil`: another brand's reward is 404, one already shipped
//! or not claimed a 409 page that says so.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Frame;
use crate::api::AppState;
use crate::domain::{display, shipping};
use crate::service::rewards::{self, FulfilReward, Reward, RewardError};
use crate::store::ids::{BrandId, MembershipId, RewardId};
use crate::store::rewards::RewardStatus;
use crate::web::form::FieldErrors;
use crate::web::pages::notice::Notice;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// Rewards a page.
const PAGE: i64 = 25;

/// The tabs: the status listed, its label, and what an empty tab says.
const TABS: [(RewardStatus, &str, &str); 3] = [
    (
        RewardStatus::Claimed,
        "To ship",
        "Nothing to ship: no claimed free item is waiting.",
    ),
    (
        RewardStatus::Earned,
        "Earned, not claimed",
        "No free item waits for its ambassador to claim it.",
    ),
    (RewardStatus::Fulfilled, "Shipped", "No free item has been shipped yet."),
];

struct Item {
    id: RewardId,
    ambassador: (MembershipId, String),
    item: String,
    sku: String,
    earned: String,
    claimed: Option<String>,
    ship_to: Option<String>,
    /// The address as typed, one entry a line.
    address: Vec<String>,
    shipped: Option<String>,
    tracking: Option<String>,
    carrier: Option<String>,
    /// The form's boxes as sent (tracking, carrier), when it was refused.
    typed: (String, String),
    /// Why the form's tracking reference, and its carrier, were refused.
    errors: (Option<String>, Option<String>),
}

impl From<Reward> for Item {
    fn from(r: Reward) -> Self {
        Self {
            id: r.id,
            ambassador: (r.membership_id, r.ambassador_display_name),
            item: r.description,
            sku: r.sku,
            earned: display::date(r.earned_at),
            claimed: r.claimed_at.map(display::date),
            ship_to: r.shipping_name,
            address: r
                .shipping_address
                .map(|a| a.lines().map(str::to_owned).collect())
                .unwrap_or_default(),
            shipped: r.fulfilled_at.map(display::date),
            tracking: r.tracking,
            carrier: r.carrier,
            typed: Default::default(),
            errors: Default::default(),
        }
    }
}

/// A tab of the page.
struct Tab {
    href: String,
    label: &'static str,
    current: bool,
}

/// A "Mark shipped" form sent back with what was typed and why it was refused.
struct Refused {
    id: RewardId,
    tracking: String,
    carrier: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "console/rewards.html")]
struct RewardsPage {
    frame: Frame,
    tabs: Vec<Tab>,
    /// The tab shown is the claimed items' (they carry the form).
    shipping: bool,
    empty: &'static str,
    items: Vec<Item>,
    more: Option<String>,
    done: Option<&'static str>,
    /// Above the list: a refused form, wherever its item is listed.
    alert: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RewardsQuery {
    status: Option<String>,
    after: Option<String>,
    done: Option<String>,
}

/// The tab asked for (claimed by default) and the page; `None` for values this page
/// never links to.
fn tab_of(query: &RewardsQuery) -> Option<(RewardStatus, Option<RewardId>)> {
    let status = match query.status.as_deref().map(str::trim) {
        None | Some("") => RewardStatus::Claimed,
        Some(s) => RewardStatus::parse(s)?,
    };
    let after = match query.after.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(a) => Some(a.parse().ok()?),
    };
    Some((status, after))
}

fn tab_href(status: RewardStatus, after: Option<RewardId>) -> String {
    match after {
        Some(after) => format!("/console/rewards?status={status}&after={after}"),
        None => format!("/console/rewards?status={status}"),
    }
}

/// The page of `status` after `after`, with the form of `refused` as it was sent.
async fn render(
    state: &AppState,
    (brand, frame): (BrandId, Frame),
    (status, after): (RewardStatus, Option<RewardId>),
    done: Option<&'static str>,
    refused: Option<Refused>,
) -> Result<HttpResponse, PageError> {
    let mut found = rewards::list_for_brand(&state.db, brand, Some(status), after, PAGE + 1)
        .await
        .map_err(PageError::internal)?;
    let more = (found.len() as i64 > PAGE).then(|| {
        found.truncate(PAGE as usize);
        found.last().map(|r| tab_href(status, Some(r.id)))
    });
    let status_code = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let view = RewardsPage {
        frame,
        tabs: TABS
            .iter()
            .map(|(s, label, _)| Tab {
                href: tab_href(*s, None),
                label,
                current: *s == status,
            })
            .collect(),
        shipping: status == RewardStatus::Claimed,
        empty: TABS.iter().find(|(s, ..)| *s == status).map_or("", |(.., empty)| empty),
        items: found
            .into_iter()
            .map(|reward| {
                let mut item = Item::from(reward);
                if let Some(refused) = refused.as_ref().filter(|r| r.id == item.id) {
                    item.typed = (refused.tracking.clone(), refused.carrier.clone());
                    let error = |field| refused.errors.get(field).map(str::to_owned);
                    item.errors = (error("tracking"), error("carrier"));
                }
                item
            })
            .collect(),
        more: more.flatten(),
        done,
        alert: refused
            .as_ref()
            .and_then(|r| r.errors.iter().next())
            .map(|(field, message)| {
                let what = if field == "carrier" {
                    "carrier"
                } else {
                    "tracking reference"
                };
                format!("The item was not marked shipped: the {what} {message}.")
            }),
    };
    Ok(page(status_code, &view))
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<RewardsQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "rewards").await?;
    let Some(tab) = tab_of(&query) else {
        let notice = Notice {
            console: true,
            current: frame.current,
            csrf: &frame.csrf,
            title: "Rewards",
            message: "This list has no such tab or page.",
            back: "/console/rewards",
            back_label: "Free items to ship",
        };
        return Ok(notice.answer(StatusCode::BAD_REQUEST));
    };
    let done = match query.done.as_deref() {
        Some("shipped") => Some("Marked shipped: the ambassador sees it on their Rewards page."),
        _ => None,
    };
    render(&state, (actor.brand_id, frame), tab, done, None).await
}

#[derive(Debug, Deserialize)]
pub struct FulfilForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    tracking: String,
    #[serde(default)]
    carrier: String,
}

/// An optional box: empty is the API's absent field, anything else is read by `rule`
/// (`None` when it refused, the message kept under `field`).
fn optional(
    errors: &mut FieldErrors,
    field: &str,
    typed: &str,
    rule: fn(&str) -> Result<String, String>,
) -> Option<Option<String>> {
    match typed.trim() {
        "" => Some(None),
        text => errors.check(field, rule(text)).map(Some),
    }
}

pub async fn fulfil(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<RewardId>,
    form: web::Form<FulfilForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "rewards").await?;
    signed_in.check_form(&form.csrf)?;
    let id = id.into_inner();
    let mut errors = FieldErrors::default();
    let tracking = optional(&mut errors, "tracking", &form.tracking, shipping::tracking);
    let carrier = optional(&mut errors, "carrier", &form.carrier, shipping::carrier);
    let (Some(tracking), Some(carrier)) = (tracking, carrier) else {
        let refused = Refused {
            id,
            tracking: form.tracking.clone(),
            carrier: form.carrier.clone(),
            errors,
        };
        let claimed = (RewardStatus::Claimed, None);
        return render(&state, (actor.brand_id, frame), claimed, None, Some(refused)).await;
    };
    let command = FulfilReward {
        brand_id: actor.brand_id,
        id,
        tracking,
        carrier,
        now: state.clock.now(),
    };
    let (title, message) = match rewards::fulfil(&state.db, command).await {
        Ok(_) => return Ok(see_other("/console/rewards?done=shipped")),
        Err(RewardError::NotFound) => return Err(PageError::NotFound),
        Err(RewardError::AlreadyFulfilled) => (
            "Already shipped",
            "This free item was already marked shipped; its tracking reference is on the Shipped tab.",
        ),
        Err(RewardError::NotClaimed | RewardError::AlreadyClaimed) => (
            "Not claimed yet",
            "The ambassador has not claimed this free item yet, so there is no address to ship it to.",
        ),
        Err(err) => return Err(PageError::internal(err)),
    };
    let notice = Notice {
        console: true,
        current: frame.current,
        csrf: &frame.csrf,
        title,
        message,
        back: "/console/rewards",
        back_label: "Free items to ship",
    };
    Ok(notice.answer(StatusCode::CONFLICT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_claimed_tab_is_the_default_and_unknown_tabs_are_refused() {
        let ask = |status: Option<&str>, after: Option<&str>| {
            tab_of(&RewardsQuery {
                status: status.map(str::to_owned),
                after: after.map(str::to_owned),
                done: None,
            })
        };
        assert_eq!(ask(None, None), Some((RewardStatus::Claimed, None)));
        assert_eq!(ask(Some("earned"), Some("")), Some((RewardStatus::Earned, None)));
        assert_eq!(ask(Some("lost"), None), None);
        assert_eq!(ask(Some("claimed"), Some("x")), None);
        let id = RewardId::generate();
        assert_eq!(
            ask(Some("fulfilled"), Some(&id.to_string())),
            Some((RewardStatus::Fulfilled, Some(id)))
        );
    }
}
