//! `GET /console/ambassadors`: the brand's ambassadors (name, e-mail, program, status,
//! codes, money), filtered by status, 50 a page; the invitation form and the
//! invitations still waiting. `POST /console/ambassadors/invitations` invites an
//! address into a program through the use case of `POST /v1/brand/invitations`, whose
//! e-mail goes out through the same postbox.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Frame;
use crate::api::AppState;
use crate::domain::{Email, display};
use crate::service::ambassadors::{self, Earnings, RosterQuery};
use crate::service::auth::BrandActor;
use crate::service::invitations::{self, InvitationError, Invite};
use crate::service::paging::PageRequest;
use crate::service::programs;
use crate::store::ids::{MembershipId, ProgramId};
use crate::store::memberships::MembershipStatus;
use crate::web::form::FieldErrors;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// Ambassadors on one page.
const PAGE: i64 = 50;
/// Programs offered in the invitation form (a brand has a handful).
const PROGRAMS: i64 = 200;
/// Waiting invitations listed.
const INVITATIONS: i64 = 50;

/// The status filter's choices, with the words the page uses.
const STATUSES: [(MembershipStatus, &str); 3] = [
    (MembershipStatus::Active, "Active"),
    (MembershipStatus::Paused, "Paused"),
    (MembershipStatus::Ended, "Ended"),
];

/// A membership status in the console's words.
pub(super) fn status_words(status: MembershipStatus) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map_or("", |(_, words)| words)
}

/// Money per currency on one line: "$12.00" or "$12.00 · €3.00"; "–" for none.
fn per_currency(earnings: &[Earnings], amount: impl Fn(&Earnings) -> i64) -> String {
    if earnings.is_empty() {
        return "–".to_owned();
    }
    earnings
        .iter()
        .map(|e| display::money_in(amount(e), &e.currency))
        .collect::<Vec<_>>()
        .join(" · ")
}

struct Row {
    id: MembershipId,
    name: String,
    email: String,
    program: String,
    status: &'static str,
    codes: String,
    pending: String,
    payable: String,
    paid: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct Waiting {
    email: String,
    program: String,
    sent: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "console/ambassadors.html")]
struct AmbassadorsPage<'a> {
    frame: Frame,
    notice: Option<&'static str>,
    rows: Vec<Row>,
    statuses: Vec<Choice>,
    filtered: bool,
    next: Option<String>,
    programs: Vec<Choice>,
    invite_email: &'a str,
    errors: &'a FieldErrors,
    waiting: Vec<Waiting>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    after: Option<String>,
    /// The program preselected in the invitation form.
    program: Option<String>,
    done: Option<String>,
}

/// What the page was asked for: a status filter and a page; a value it does not offer
/// is a 400.
fn parse(query: &ListQuery) -> Result<(Option<MembershipStatus>, Option<MembershipId>), PageError> {
    let given = |v: &Option<String>| v.as_deref().filter(|v| !v.is_empty()).map(str::to_owned);
    let status = given(&query.status)
        .map(|s| {
            MembershipStatus::parse(&s)
                .ok_or_else(|| PageError::BadRequest("The status must be active, paused or ended.".into()))
        })
        .transpose()?;
    let after = given(&query.after)
        .map(|a| {
            a.parse::<MembershipId>()
                .map_err(|_| PageError::BadRequest("Not an ambassador id.".into()))
        })
        .transpose()?;
    Ok((status, after))
}

/// The invitation form as typed, and the problems found in it.
struct InviteForm<'a> {
    email: &'a str,
    program: Option<&'a str>,
    errors: &'a FieldErrors,
}

/// The list page; `invite` is the invitation form drawn again after a refusal.
async fn render(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    query: &ListQuery,
    invite: InviteForm<'_>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (filter, after) = parse(query)?;
    let roster = ambassadors::roster(
        &state.db,
        RosterQuery {
            brand: actor.brand_id,
            status: filter,
            page: PageRequest { limit: PAGE, after },
        },
    )
    .await
    .map_err(PageError::internal)?;
    let programs = programs::list(&state.db, actor.brand_id, None, PROGRAMS)
        .await
        .map_err(PageError::internal)?;
    let waiting = invitations::pending(&state.db, actor.brand_id, state.clock.now(), INVITATIONS)
        .await
        .map_err(PageError::internal)?;
    let names: HashMap<ProgramId, &str> = programs.iter().map(|p| (p.id, p.name.as_str())).collect();
    let rows = roster
        .items
        .iter()
        .map(|entry| {
            let a = &entry.ambassador;
            let codes: Vec<&str> = entry
                .codes
                .iter()
                .filter(|c| c.active)
                .map(|c| c.code.as_str())
                .collect();
            Row {
                id: a.id,
                name: a.display_name.clone(),
                email: a.email.clone(),
                program: names.get(&a.program_id).map_or_else(String::new, |n| (*n).to_owned()),
                status: status_words(a.status),
                codes: if codes.is_empty() {
                    "–".to_owned()
                } else {
                    codes.join(", ")
                },
                pending: per_currency(&entry.earnings, |e| e.pending),
                payable: per_currency(&entry.earnings, |e| e.approved),
                paid: per_currency(&entry.earnings, |e| e.paid),
            }
        })
        .collect();
    let chosen = invite.program.or(query.program.as_deref());
    let view = AmbassadorsPage {
        frame,
        notice: match query.done.as_deref() {
            Some("invited") => Some(
                "Invited: the invitation e-mail is on its way, and the invitation waits below until it is accepted.",
            ),
            _ => None,
        },
        rows,
        statuses: STATUSES
            .iter()
            .map(|(s, label)| Choice {
                value: s.as_str().to_owned(),
                label: (*label).to_owned(),
                selected: filter == Some(*s),
            })
            .collect(),
        filtered: filter.is_some(),
        next: roster.next.map(|id| match filter {
            Some(s) => format!("/console/ambassadors?status={}&after={id}", s.as_str()),
            None => format!("/console/ambassadors?after={id}"),
        }),
        programs: programs
            .iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label: p.name.clone(),
                selected: chosen == Some(p.id.to_string().as_str()),
            })
            .collect(),
        invite_email: invite.email,
        errors: invite.errors,
        waiting: waiting
            .into_iter()
            .map(|w| Waiting {
                email: w.email,
                program: w.program_name,
                sent: display::date(w.created_at),
                expires: display::relative(w.expires_at, state.clock.now()),
            })
            .collect(),
    };
    Ok(page(status, &view))
}

pub async fn list(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "ambassadors").await?;
    let none = FieldErrors::default();
    let invite = InviteForm {
        email: "",
        program: None,
        errors: &none,
    };
    render(&state, &actor, frame, &query, invite, StatusCode::OK).await
}

#[derive(Debug, Deserialize)]
pub struct InviteFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    program_id: String,
}

pub async fn invite(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    form: web::Form<InviteFields>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "ambassadors").await?;
    signed_in.check_form(&form.csrf)?;
    let mut errors = FieldErrors::default();
    let email = errors.check("email", Email::parse(&form.email));
    let program_id = errors.check(
        "program_id",
        form.program_id
            .parse::<ProgramId>()
            .map_err(|_| "Choose a program.".to_owned()),
    );
    let status = match (email, program_id) {
        (Some(email), Some(program_id)) => {
            let invite = Invite { email, program_id };
            match invitations::create(&state.db, &state.postbox, actor.brand_id, invite, state.clock.now()).await {
                Ok(_) => return Ok(see_other("/console/ambassadors?done=invited")),
                Err(InvitationError::ProgramNotFound) => {
                    errors.add("program_id", "No such program; choose one of the list.");
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                Err(InvitationError::InviteeIsMember) => {
                    errors.add(
                        "email",
                        "This person is (or was) one of your ambassadors: change their membership on their page.",
                    );
                    StatusCode::CONFLICT
                }
                Err(err) => return Err(PageError::internal(err)),
            }
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let typed = InviteForm {
        email: &form.email,
        program: Some(&form.program_id),
        errors: &errors,
    };
    render(&state, &actor, frame, &ListQuery::default(), typed, status).await
}
