//! `/console/settings/team`: the brand's members (e-mail, role, joined) and pending
//! invitations; inviting a teammate by e-mail with a role, making a member an owner or
//! staff, removing a member (after a page that says what it ends), revoking an
//! invitation. The use cases are those of `/v1/brand/users`, the owners'; staff get the
//! 403 page. The service's refusals (the last owner, an address taken) are said on the
//! page; without mail set up the page says that no one can be invited rather than
//! offering a form that cannot work.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::confirm::Confirm;
use super::{Frame, owner_only};
use crate::api::AppState;
use crate::domain::{Email, display};
use crate::service::auth::BrandActor;
use crate::service::team::{self, Invite, MAX_SEATS, TeamError, parse_role};
use crate::store::ids::{BrandUserId, BrandUserInvitationId};
use crate::store::users::BrandRole;
use crate::web::form::FieldErrors;
use crate::web::session::{PageError, SignedIn};
use crate::web::{page, see_other};

/// What staff are told they may not do.
const WHAT: &str = "manage the team";
const TEAM: &str = "/console/settings/team";

/// The roles offered, staff first (the usual choice).
const ROLES: [(&str, &str); 2] = [("staff", "Staff"), ("owner", "Owner")];

/// What the page says of a refusal a person can act on, with its status.
fn said(err: &TeamError) -> Option<(StatusCode, &'static str)> {
    let conflict = StatusCode::CONFLICT;
    match err {
        TeamError::LastOwner => Some((
            conflict,
            "The brand must keep at least one owner; make another member an owner first.",
        )),
        TeamError::InvitationAccepted => Some((
            conflict,
            "This invitation was accepted already; remove the member instead.",
        )),
        TeamError::MailNotConfigured => Some((
            conflict,
            "Invitations to the team are sent by e-mail, and this server has no mail set up (REFTRACK_SMTP_URL).",
        )),
        _ => None,
    }
}

/// A use case's refusal: staff get the owners-only page, another brand's member or
/// invitation is 404.
fn refused(frame: &Frame, err: TeamError) -> Result<HttpResponse, PageError> {
    match err {
        TeamError::Forbidden(_) => Ok(owner_only::refused(frame, WHAT)),
        TeamError::MemberNotFound | TeamError::InvitationNotFound => Err(PageError::NotFound),
        err => Err(PageError::internal(err)),
    }
}

struct MemberRow {
    id: BrandUserId,
    email: String,
    role: &'static str,
    owner: bool,
    joined: String,
    you: bool,
}

struct InvitationRow {
    id: BrandUserInvitationId,
    email: String,
    role: &'static str,
    sent: String,
    until: String,
}

#[derive(Template)]
#[template(path = "console/team.html")]
struct TeamPage<'a> {
    frame: Frame,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    /// Mail is set up, so the invitation form is offered.
    can_invite: bool,
    notice: Option<&'static str>,
    /// A refusal of the last action, above everything.
    error: Option<&'a str>,
    typed: &'a InviteForm,
    errors: &'a FieldErrors,
    roles: &'static [(&'static str, &'static str)],
}

#[derive(Debug, Deserialize)]
pub struct TeamQuery {
    done: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

impl Default for InviteForm {
    fn default() -> Self {
        Self {
            csrf: String::new(),
            email: String::new(),
            role: "staff".to_owned(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
}

/// The team page with the invitation form as typed and the refusal of the last action.
async fn team_page(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    status: StatusCode,
    form: (&InviteForm, &FieldErrors, Option<&str>),
    notice: Option<&'static str>,
) -> Result<HttpResponse, PageError> {
    let now = state.clock.now();
    let found = match team::team(&state.db, actor, now).await {
        Ok(found) => found,
        Err(err) => return refused(&frame, err),
    };
    let (typed, errors, error) = form;
    let view = TeamPage {
        frame,
        members: found
            .members
            .into_iter()
            .map(|m| MemberRow {
                you: m.id == actor.user_id,
                id: m.id,
                email: m.email,
                role: m.role.as_str(),
                owner: m.role == BrandRole::Owner,
                joined: display::date(m.created_at),
            })
            .collect(),
        invitations: found
            .invitations
            .into_iter()
            .map(|i| InvitationRow {
                id: i.id,
                email: i.email,
                role: i.role.as_str(),
                sent: display::date(i.created_at),
                until: display::date_time(i.expires_at),
            })
            .collect(),
        can_invite: team::can_invite(&state.postbox),
        notice,
        error,
        typed,
        errors,
        roles: &ROLES,
    };
    Ok(page(status, &view))
}

/// The page again after a refusal the service explains, or the refusal's own answer.
async fn refusal(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    err: TeamError,
) -> Result<HttpResponse, PageError> {
    match said(&err) {
        Some((status, message)) => {
            let form = (&InviteForm::default(), &FieldErrors::default(), Some(message));
            team_page(state, actor, frame, status, form, None).await
        }
        None => refused(&frame, err),
    }
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<TeamQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let notice = match query.done.as_deref() {
        Some("invited") => Some("The invitation is on its way: the link in the e-mail works for 7 days."),
        Some("role") => Some("The role was changed; it applies at once."),
        Some("removed") => Some("The member was removed; every session of theirs has ended."),
        Some("revoked") => Some("The invitation was revoked: its link no longer works."),
        _ => None,
    };
    let form = (&InviteForm::default(), &FieldErrors::default(), None);
    team_page(&state, &actor, frame, StatusCode::OK, form, notice).await
}

/// Invites a teammate; the e-mail carries the link to `/console/join`.
pub async fn invite(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let mut errors = FieldErrors::default();
    let parsed = (
        errors.check("email", Email::parse(&form.email)),
        errors.check("role", parse_role(&form.role)),
    );
    let (Some(email), Some(role)) = parsed else {
        let typed = (&*form, &errors, None);
        return team_page(&state, &actor, frame, StatusCode::UNPROCESSABLE_ENTITY, typed, None).await;
    };
    let invited = team::invite(
        &state.db,
        &state.postbox,
        &actor,
        Invite { email, role },
        state.clock.now(),
    )
    .await;
    let (status, field, message) = match invited {
        Ok(_) => return Ok(see_other(&format!("{TEAM}?done=invited"))),
        Err(TeamError::EmailTaken) => (
            StatusCode::CONFLICT,
            "email",
            "This e-mail already belongs to a brand account (here or at another brand); one e-mail is one brand account."
                .to_owned(),
        ),
        Err(TeamError::InvitationPending) => (
            StatusCode::CONFLICT,
            "email",
            "This e-mail has a pending invitation already; revoke it below to send another.".to_owned(),
        ),
        Err(TeamError::TooManySeats) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "email",
            format!("The team is full: members and pending invitations together are at most {MAX_SEATS}."),
        ),
        Err(err) => return refusal(&state, &actor, frame, err).await,
    };
    errors.add(field, message);
    let typed = (&*form, &errors, None);
    team_page(&state, &actor, frame, status, typed, None).await
}

/// Makes a member an owner or staff; the brand keeps at least one owner.
pub async fn change_role(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<BrandUserId>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let role = parse_role(&form.role).map_err(|m| PageError::BadRequest(format!("The role {m}.")))?;
    let id = id.into_inner();
    match team::change_role(&state.db, &actor, id, role).await {
        // An owner who made themself staff may no longer see the team page.
        Ok(_) if id == actor.user_id && role == BrandRole::Staff => Ok(see_other("/console/settings")),
        Ok(_) => Ok(see_other(&format!("{TEAM}?done=role"))),
        Err(err) => refusal(&state, &actor, frame, err).await,
    }
}

/// Asks before removing a member, naming them and what ends.
pub async fn confirm_remove(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<BrandUserId>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    let id = id.into_inner();
    let found = match team::team(&state.db, &actor, state.clock.now()).await {
        Ok(found) => found,
        Err(err) => return refused(&frame, err),
    };
    let Some(member) = found.members.into_iter().find(|m| m.id == id) else {
        return Err(PageError::NotFound);
    };
    let message = if member.id == actor.user_id {
        "You leave the brand: your account is deleted and you are signed out everywhere at once. This cannot be undone."
            .to_owned()
    } else {
        format!(
            "{}'s account is deleted and every session of theirs ends at once. To have them back, invite the address again.",
            member.email
        )
    };
    let action = format!("{TEAM}/members/{id}/remove");
    Ok(Confirm {
        frame,
        title: "Remove from the team?",
        message: &message,
        action: &action,
        button: "Remove",
        back: TEAM,
    }
    .answer())
}

pub async fn remove(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<BrandUserId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    let id = id.into_inner();
    match team::remove(&state.db, &actor, id, state.clock.now()).await {
        // Their own session ended with their account.
        Ok(()) if id == actor.user_id => Ok(see_other("/login")),
        Ok(()) => Ok(see_other(&format!("{TEAM}?done=removed"))),
        Err(err) => refusal(&state, &actor, frame, err).await,
    }
}

pub async fn revoke_invitation(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<BrandUserInvitationId>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "settings").await?;
    signed_in.check_form(&form.csrf)?;
    match team::revoke_invitation(&state.db, &actor, id.into_inner(), state.clock.now()).await {
        Ok(()) => Ok(see_other(&format!("{TEAM}?done=revoked"))),
        Err(err) => refusal(&state, &actor, frame, err).await,
    }
}
