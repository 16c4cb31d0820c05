//! What both web doors show of a deal, in the same words: its status and who must
//! answer, the fee per item and what the deal pays, the fee's versions, each
//! deliverable with its proofs, and each gift with its shipment. The console speaks
//! about the ambassador, the portal to them ([`Reader`]); neither ever names the brand
//! user who acted (`created_by`, `decided_by` are left out here). And how both show a
//! refusal of one of a deal's forms ([`refused`]).

use actix_web::http::StatusCode;
use chrono::NaiveDate;

use crate::domain::display;
use crate::service::deals::{DealError, DealView, DeliverableView};
use crate::store::deal_proofs::{ProofRow, ProofState};
use crate::store::deals::{DealStatus, DeliverableKind, DeliverableRow, GiftRow, Party, Platform, Shipment};
use crate::store::ids::{DeliverableId, GiftId, ProofId};
use crate::store::time;
use crate::web::form::Sent;
use crate::web::session::PageError;
use crate::web::words::Reader;

/// A deal's status as both doors say it.
pub fn status_words(status: DealStatus) -> &'static str {
    match status {
        DealStatus::Offered => "Offered",
        DealStatus::Accepted => "Accepted",
        DealStatus::Declined => "Declined",
        DealStatus::Expired => "Expired",
        DealStatus::Withdrawn => "Withdrawn",
        DealStatus::Completed => "Completed",
        DealStatus::Cancelled => "Cancelled",
    }
}

pub fn platform_words(platform: Platform) -> &'static str {
    match platform {
        Platform::Instagram => "Instagram",
        Platform::Tiktok => "TikTok",
        Platform::Youtube => "YouTube",
        Platform::Facebook => "Facebook",
        Platform::X => "X",
        Platform::Blog => "Blog",
        Platform::Other => "Other platform",
    }
}

pub fn kind_words(kind: DeliverableKind) -> &'static str {
    match kind {
        DeliverableKind::Post => "Post",
        DeliverableKind::Story => "Story",
        DeliverableKind::Reel => "Reel",
        DeliverableKind::Video => "Video",
        DeliverableKind::Article => "Article",
        DeliverableKind::Other => "Other",
    }
}

pub fn proof_words(state: ProofState) -> &'static str {
    match state {
        ProofState::Submitted => "Waiting for review",
        ProofState::Approved => "Approved",
        ProofState::Rejected => "Rejected",
        ProofState::Removed => "Removed",
    }
}

pub fn shipment_words(shipment: Shipment) -> &'static str {
    match shipment {
        Shipment::ToShip => "To ship",
        Shipment::Shipped => "Shipped",
        Shipment::Delivered => "Delivered",
    }
}

/// One item of a deliverable: "Instagram post".
pub fn item_words(row: &DeliverableRow) -> String {
    format!(
        "{} {}",
        platform_words(row.platform),
        kind_words(row.kind).to_lowercase()
    )
}

/// A deliverable in a few words: "2 × Instagram post".
pub fn deliverable_words(row: &DeliverableRow) -> String {
    format!("{} × {}", row.count, item_words(row))
}

/// A due date as stored (`2026-11-30`) as people read it: `30 Nov 2026`.
pub fn due_words(due_on: &str) -> String {
    NaiveDate::parse_from_str(due_on, "%Y-%m-%d").map_or_else(|_| due_on.to_owned(), display::day)
}

/// "1 of 2 approved".
pub fn progress_words(approved: i64, row: &DeliverableRow) -> String {
    format!("{approved} of {} approved", row.count)
}

/// Who a party is to the reader.
fn party_words(party: Party, reader: Reader) -> &'static str {
    match (party, reader) {
        (Party::Brand, Reader::Brand) | (Party::Influencer, Reader::Ambassador) => "you",
        (Party::Brand, Reader::Ambassador) => "the brand",
        (Party::Influencer, Reader::Brand) => "the ambassador",
    }
}

/// Who must answer an open offer, in the reader's words; `None` once it is not open.
pub fn awaiting_words(view: &DealView, reader: Reader) -> Option<&'static str> {
    if view.status != DealStatus::Offered {
        return None;
    }
    Some(match (view.deal.awaiting, reader) {
        (Party::Brand, Reader::Brand) | (Party::Influencer, Reader::Ambassador) => "Waiting for you",
        (Party::Brand, Reader::Ambassador) => "Waiting for the brand",
        (Party::Influencer, Reader::Brand) => "Waiting for the ambassador",
    })
}

/// The deal's figures and state, for a list row and the head of its page.
pub struct Summary {
    pub title: String,
    pub status: &'static str,
    /// The status as stored, for a CSS class.
    pub status_key: &'static str,
    pub awaiting: Option<&'static str>,
    pub currency: String,
    pub fee: String,
    pub items: i64,
    pub fee_total: String,
    pub earned: String,
    /// `—` without gifts.
    pub gift_value: String,
    pub gifts: usize,
    /// While offered: until when it may be answered.
    pub expires: Option<String>,
    /// The soonest due date of a deliverable still wanting approved proof, while accepted.
    pub next_due: Option<String>,
}

impl Summary {
    pub fn of(view: &DealView, reader: Reader) -> Self {
        let currency = view.deal.currency.clone();
        let money = |minor: i64| display::money_in(minor, &currency);
        let next_due = (view.status == DealStatus::Accepted)
            .then(|| {
                view.deliverables
                    .iter()
                    .filter(|d| d.approved < i64::from(d.row.count))
                    .map(|d| d.row.due_on.as_str())
                    .min()
                    .map(due_words)
            })
            .flatten();
        Self {
            title: view.deal.title.clone(),
            status: status_words(view.status),
            status_key: view.status.as_str(),
            awaiting: awaiting_words(view, reader),
            fee: money(view.fee()),
            items: view.items(),
            fee_total: money(view.fee_total()),
            earned: money(view.earned()),
            gift_value: if view.gifts.is_empty() {
                "—".to_owned()
            } else {
                money(view.gift_value())
            },
            gifts: view.gifts.len(),
            expires: (view.status == DealStatus::Offered)
                .then(|| display::date_time(time::from_db(view.deal.expires_at))),
            next_due,
            currency,
        }
    }
}

/// One version of the fee: who proposed what, and what became of it.
pub struct Version {
    pub number: i32,
    pub fee: String,
    pub by: &'static str,
    pub when: String,
    pub note: Option<String>,
    pub declined: Option<String>,
    /// "on the table" while offered, "accepted" for the accepted one.
    pub mark: Option<&'static str>,
}

fn versions(view: &DealView, reader: Reader) -> Vec<Version> {
    view.versions
        .iter()
        .map(|v| Version {
            number: v.version,
            fee: display::money_in(v.fee, &view.deal.currency),
            by: party_words(v.proposed_by, reader),
            when: display::date_time(time::from_db(v.created_at)),
            note: v.note.clone(),
            declined: v.declined_at.map(|at| display::date(time::from_db(at))),
            mark: if view.deal.accepted_version == Some(v.version) {
                Some("accepted")
            } else if view.status == DealStatus::Offered && v.version == view.deal.version {
                Some("on the table")
            } else {
                None
            },
        })
        .collect()
}

/// One proof of a deliverable item.
pub struct ProofLine {
    pub id: ProofId,
    pub url: String,
    pub published: String,
    /// "1,200 views · 80 likes", when any figure was given.
    pub figures: Option<String>,
    pub state: &'static str,
    pub state_key: &'static str,
    pub submitted: bool,
    pub approved: bool,
    /// The brand's reason for a rejection.
    pub reason: Option<String>,
    /// "Removed 3 Nov 2026: the post was taken down".
    pub removed: Option<String>,
}

fn figures(proof: &ProofRow) -> Option<String> {
    let parts: Vec<String> = [
        (proof.views, "views"),
        (proof.likes, "likes"),
        (proof.comments, "comments"),
    ]
    .into_iter()
    .filter_map(|(n, what)| n.map(|n| format!("{} {what}", grouped(n))))
    .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// `12345` → `12,345`.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

impl ProofLine {
    fn of(p: &ProofRow) -> Self {
        Self {
            id: p.id,
            url: p.url.clone(),
            published: display::date_time(time::from_db(p.published_at)),
            figures: figures(p),
            state: proof_words(p.state),
            state_key: p.state.as_str(),
            submitted: p.state == ProofState::Submitted,
            approved: p.state == ProofState::Approved,
            reason: p.reason.clone(),
            removed: p.removed_at.map(|at| {
                let why = p.removal_reason.as_deref().unwrap_or_default();
                format!("Removed {}: {why}", display::date(time::from_db(at)))
            }),
        }
    }
}

/// One deliverable: what, how many, by when, and its proofs.
pub struct Item {
    pub id: DeliverableId,
    /// "2 × Instagram post".
    pub what: String,
    /// "Instagram post": one of them.
    pub one: String,
    pub due: String,
    pub overdue: bool,
    pub keep_up_days: i32,
    pub requirements: String,
    /// "1 of 2 approved".
    pub progress: String,
    /// Whether another proof may be sent (an item without proof approved or waiting).
    pub room: bool,
    pub proofs: Vec<ProofLine>,
}

impl Item {
    fn of(d: &DeliverableView) -> Self {
        Self {
            id: d.row.id,
            what: deliverable_words(&d.row),
            one: item_words(&d.row),
            due: due_words(&d.row.due_on),
            overdue: d.overdue,
            keep_up_days: d.row.keep_up_days,
            requirements: d.row.requirements.clone(),
            progress: progress_words(d.approved, &d.row),
            room: d.approved + d.waiting < i64::from(d.row.count),
            proofs: d.proofs.iter().map(ProofLine::of).collect(),
        }
    }
}

/// One gifted product and where its shipment is.
pub struct GiftLine {
    pub id: GiftId,
    pub sku: String,
    pub description: String,
    pub quantity: i64,
    pub value: String,
    pub shipment: &'static str,
    /// The shipment as stored, for a CSS class.
    pub shipment_key: &'static str,
    pub to_ship: bool,
    pub shipped: bool,
    /// "DHL 1Z999" once shipped.
    pub tracking: Option<String>,
    /// "shipped 2 Nov 2026 · delivered 5 Nov 2026".
    pub dates: Option<String>,
}

impl GiftLine {
    fn of(g: &GiftRow, currency: &str) -> Self {
        let day = |at: Option<chrono::NaiveDateTime>| at.map(|at| display::date(time::from_db(at)));
        let dates: Vec<String> = [
            day(g.shipped_at).map(|d| format!("shipped {d}")),
            day(g.delivered_at).map(|d| format!("delivered {d}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        Self {
            id: g.id,
            sku: g.sku.clone(),
            description: g.description.clone(),
            quantity: g.quantity,
            value: display::money_in(g.quantity.saturating_mul(g.unit_value), currency),
            shipment: shipment_words(g.shipment),
            shipment_key: g.shipment.as_str(),
            to_ship: g.shipment == Shipment::ToShip,
            shipped: g.shipment == Shipment::Shipped,
            tracking: match (&g.carrier, &g.tracking) {
                (Some(carrier), Some(tracking)) => Some(format!("{carrier} {tracking}")),
                _ => None,
            },
            dates: (!dates.is_empty()).then(|| dates.join(" · ")),
        }
    }
}

/// Everything a deal's page shows of it, in the reader's words.
pub struct DealLines {
    pub summary: Summary,
    pub terms: String,
    pub versions: Vec<Version>,
    pub items: Vec<Item>,
    pub gifts: Vec<GiftLine>,
    pub offered: String,
}

impl DealLines {
    pub fn of(view: &DealView, reader: Reader) -> Self {
        Self {
            summary: Summary::of(view, reader),
            terms: view.deal.terms.clone(),
            versions: versions(view, reader),
            items: view.deliverables.iter().map(Item::of).collect(),
            gifts: view
                .gifts
                .iter()
                .map(|g| GiftLine::of(g, &view.deal.currency))
                .collect(),
            offered: display::date(time::from_db(view.deal.created_at)),
        }
    }
}

/// The use cases' "no such deal" (another brand's or influencer's too), proof, gift or
/// deliverable is 404; anything else is a failure of ours.
pub fn not_found(err: DealError) -> PageError {
    match err {
        DealError::NotFound
        | DealError::ProofNotFound
        | DealError::GiftNotFound
        | DealError::DeliverableNotFound
        | DealError::AccountNotFound => PageError::NotFound,
        err => PageError::internal(err),
    }
}

/// A deal form's refusal that the page shows again (`typed`: the form as sent): a state
/// that refuses the step, said above the forms (409), or a field the use case checked
/// against the stored state, said beside it (422). Any other error is handed back.
pub fn refused(err: DealError, typed: &mut Sent) -> Result<StatusCode, DealError> {
    match err {
        DealError::Refused(refusal) => {
            typed.error = Some(refusal.sentence());
            Ok(StatusCode::CONFLICT)
        }
        DealError::Field(path, message) => {
            typed.errors.add(&typed.input(&path), message);
            Ok(StatusCode::UNPROCESSABLE_ENTITY)
        }
        err => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_grouped_and_parties_named_for_the_reader() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(-1_000), "-1,000");
        assert_eq!(party_words(Party::Brand, Reader::Brand), "you");
        assert_eq!(party_words(Party::Brand, Reader::Ambassador), "the brand");
        assert_eq!(party_words(Party::Influencer, Reader::Brand), "the ambassador");
        assert_eq!(party_words(Party::Influencer, Reader::Ambassador), "you");
    }
}
