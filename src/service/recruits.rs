//! Two tiers: an ambassador's own invitation link, `/join/{brand_slug}/{code}` with one
//! of their referral codes, through which another influencer joins the same program as
//! their recruit (`memberships.recruited_by`). In a program whose terms set
//! `override_rate` the recruiter then earns that share of each of the recruit's
//! commissions ([`crate::service::overrides`]). The JSON API
//! (`GET /v1/recruit-links/{brand_slug}/{code}`, `POST /v1/me/recruiters/join`) and the
//! portal's page of the link go through [`offer`] and [`join`].
//!
//! A link invites while the program pays an override and its ambassador is active (a
//! code switched off still names them: the link is theirs, not the code's). Joining is
//! refused to anyone already an ambassador of the brand, so nobody recruits themselves,
//! and one level: the recruit's own recruits earn their recruiter nothing.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::attribution;
use super::codes::{self as code_service, IssueError};
use super::events::{self, EventType};
use super::invitations::{Accepted, MemberOf};
use crate::domain::Currency;
use crate::domain::terms::Terms;
use crate::store::codes::CodeOwnerRow;
use crate::store::ids::{InfluencerId, MembershipId};
use crate::store::memberships::{self, MembershipRow, MembershipStatus};
use crate::store::programs::ProgramRow;
use crate::store::{Db, DbConn, StoreError, UnitError, brands, influencers, programs, time};

#[derive(Debug, thiserror::Error)]
pub enum RecruitError {
    /// No such brand or code, an ambassador who is not active, or a program that pays
    /// no override: the link invites nobody (one answer, so a link tells nothing more).
    #[error("this invitation link invites nobody")]
    LinkNotFound,
    #[error("already an ambassador of this brand")]
    AlreadyMember,
    #[error("the account no longer exists")]
    AccountNotFound,
    #[error("could not issue the first code")]
    Code(#[source] IssueError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for RecruitError {
    fn from(err: diesel::result::Error) -> Self {
        Self::Store(err.into())
    }
}

impl UnitError for RecruitError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Store(StoreError::Conflict))
    }
}

/// What a link offers: whose it is, into which program, on which terms.
#[derive(Debug, Clone)]
pub struct Offer {
    pub brand: MemberOf,
    pub program_name: String,
    /// The recruiter's display name.
    pub recruiter: String,
    /// The program's terms in words, as an invitation e-mail says them.
    pub terms: Vec<(String, String)>,
    /// The recruiter's share of each recruit's commission, in percent.
    pub override_rate: Decimal,
}

/// The link's recruiter and program, while the link invites.
struct Link {
    owner: CodeOwnerRow,
    program: ProgramRow,
    terms: Terms,
    brand: MemberOf,
    rate: Decimal,
}

fn link(conn: &mut DbConn, brand_slug: &str, code: &str) -> Result<Link, RecruitError> {
    let brand = brands::find_by_slug(conn, brand_slug)?.ok_or(RecruitError::LinkNotFound)?;
    let owner = attribution::find_code(conn, brand.id, code)?.ok_or(RecruitError::LinkNotFound)?;
    if owner.membership.status != MembershipStatus::Active {
        return Err(RecruitError::LinkNotFound);
    }
    let program = programs::find(conn, brand.id, owner.membership.program_id)?.ok_or(RecruitError::LinkNotFound)?;
    let terms = programs::read_terms(program.id, &program.terms)?;
    let rate = terms
        .override_rate
        .filter(|r| *r > Decimal::ZERO)
        .ok_or(RecruitError::LinkNotFound)?;
    Ok(Link {
        owner,
        program,
        terms,
        rate,
        brand: MemberOf {
            id: brand.id,
            name: brand.name,
            slug: brand.slug,
        },
    })
}

/// What the link at `/join/{brand_slug}/{code}` offers, for anyone who opens it.
pub async fn offer(db: &Db, brand_slug: String, code: String) -> Result<Offer, RecruitError> {
    db.read(move |conn| {
        let link = link(conn, &brand_slug, &code)?;
        let currency = Currency::parse(&link.program.currency)
            .map_err(|e| StoreError::Corrupt(format!("program {} currency: {e}", link.program.id)))?;
        Ok(Offer {
            terms: link.terms.in_words(currency),
            program_name: link.program.name,
            recruiter: link.owner.display_name,
            override_rate: link.rate,
            brand: link.brand,
        })
    })
    .await
}

/// The signed-in influencer joins the link's program as its ambassador's recruit: the
/// membership (naming the recruiter) and its first code, in one transaction.
pub async fn join(
    db: &Db,
    influencer_id: InfluencerId,
    brand_slug: String,
    code: String,
    now: DateTime<Utc>,
) -> Result<Accepted, RecruitError> {
    let now = time::to_db(now);
    db.write(move |conn| {
        let link = link(conn, &brand_slug, &code)?;
        let influencer = influencers::find(conn, influencer_id)?.ok_or(RecruitError::AccountNotFound)?;
        if memberships::find_for_influencer_in_brand(conn, link.brand.id, influencer.id)?.is_some() {
            return Err(RecruitError::AlreadyMember);
        }
        let membership = MembershipRow {
            id: MembershipId::generate(),
            brand_id: link.brand.id,
            program_id: link.program.id,
            influencer_id: influencer.id,
            status: MembershipStatus::Active,
            created_at: now,
            updated_at: now,
            recruited_by: Some(link.owner.membership.id),
        };
        if !memberships::insert_new(conn, &membership)? {
            return Err(RecruitError::AlreadyMember);
        }
        let code =
            code_service::issue_first(conn, &membership, &influencer.display_name).map_err(RecruitError::Code)?;
        let told = events::AmbassadorJoined::recruited(&membership);
        events::emit(conn, membership.brand_id, EventType::AmbassadorJoined, &told, now)?;
        Ok(Accepted {
            id: membership.id,
            program_id: membership.program_id,
            status: membership.status,
            code: code_service::Code::new(code, link.brand.slug.clone()),
            created_at: time::from_db(membership.created_at),
            brand: link.brand,
        })
    })
    .await
}
