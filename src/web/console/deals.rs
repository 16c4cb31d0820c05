//! `GET /console/deals`: the brand's deals, newest first, 25 a page, narrowed by status
//! through a GET form (the filter of `GET /v1/brand/deals`), each row with who it is
//! for, where it stands and who must answer, its fee per item, items, what it pays and
//! its gifts' value; and the deliverables of accepted deals still due, soonest first
//! (`?due=overdue`: only those past their due date), through [`deals::due`]. An owner is
//! offered "Offer a deal" ([`super::deal_new`]).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Frame;
use super::orders::{Choice, status_choices};
use crate::api::AppState;
use crate::service::deals::{self, DealView, DueDeliverable};
use crate::service::paging::PageRequest;
use crate::store::deals::{DealFilter, DealStatus};
use crate::store::ids::{DealId, MembershipId};
use crate::web::deal_lines::{Summary, deliverable_words, due_words, progress_words, status_words};
use crate::web::form::{FieldErrors, given};
use crate::web::page;
use crate::web::session::{PageError, SignedIn};
use crate::web::words::Reader;

/// Deals a page.
const PAGE: i64 = 25;
/// Deliverables due listed.
const DUE: i64 = 20;

/// One deal in a list (this page's and an ambassador's).
pub(super) struct DealLine {
    pub id: DealId,
    /// The ambassador, with a link to their page; or the invitee's address.
    pub ambassador: Option<(MembershipId, String)>,
    pub invitee: Option<String>,
    pub summary: Summary,
}

impl DealLine {
    pub(super) fn of(view: &DealView) -> Self {
        Self {
            id: view.deal.id,
            ambassador: (view.deal.membership_id).map(|m| (m, view.ambassador_name.clone().unwrap_or_default())),
            invitee: view.invitation_email.clone(),
            summary: Summary::of(view, Reader::Brand),
        }
    }
}

struct DueLine {
    deal: DealId,
    title: String,
    ambassador: Option<(MembershipId, String)>,
    what: String,
    due: String,
    progress: String,
    overdue: bool,
}

impl DueLine {
    fn of(d: DueDeliverable) -> Self {
        Self {
            deal: d.deal_id,
            what: deliverable_words(&d.row),
            due: due_words(&d.row.due_on),
            progress: progress_words(d.approved, &d.row),
            ambassador: d.ambassador_id.map(|m| (m, d.ambassador_name.unwrap_or_default())),
            title: d.deal_title,
            overdue: d.overdue,
        }
    }
}

#[derive(Template)]
#[template(path = "console/deals.html")]
struct DealsPage {
    frame: Frame,
    statuses: Vec<Choice>,
    status_error: Option<String>,
    rows: Vec<DealLine>,
    filtered: bool,
    newest: Option<String>,
    older: Option<String>,
    due: Vec<DueLine>,
    overdue_only: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct DealsQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    due: String,
}

pub async fn list(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<DealsQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "deals").await?;
    let mut errors = FieldErrors::default();
    let status = given(&query.status).and_then(|s| {
        let known = DealStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        errors.check("status", DealStatus::parse(s).ok_or(format!("must be one of {known}")))
    });
    let after = given(&query.after).and_then(|a| {
        // Said beside the one field of the form: the link was not one this list gave.
        errors.check(
            "status",
            a.parse::<DealId>()
                .map_err(|_| "does not go with that page link".to_owned()),
        )
    });
    let overdue_only = query.due == "overdue";
    let mut view = DealsPage {
        frame,
        statuses: status_choices(DealStatus::ALL, status, |s| s.as_str(), status_words),
        status_error: errors.get("status").map(str::to_owned),
        rows: Vec::new(),
        filtered: status.is_some(),
        newest: None,
        older: None,
        due: Vec::new(),
        overdue_only,
    };
    let now = state.clock.now();
    let due = deals::due(&state.db, &actor, overdue_only, DUE, now)
        .await
        .map_err(PageError::internal)?;
    view.due = due.into_iter().map(DueLine::of).collect();
    if !errors.is_empty() {
        return Ok(page(StatusCode::BAD_REQUEST, &view));
    }
    let filter = DealFilter {
        membership: None,
        status,
    };
    let listed = deals::brand_deals(&state.db, &actor, filter, PageRequest { limit: PAGE, after }, now)
        .await
        .map_err(PageError::internal)?;
    let href = |after: Option<DealId>| {
        let mut href = format!("/console/deals?status={}", status.map_or("", |s| s.as_str()));
        if let Some(after) = after {
            href.push_str(&format!("&after={after}"));
        }
        href
    };
    view.rows = listed.items.iter().map(DealLine::of).collect();
    view.newest = after.map(|_| href(None));
    view.older = listed.next.map(|next| href(Some(next)));
    Ok(page(StatusCode::OK, &view))
}
