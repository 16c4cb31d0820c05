//! `GET /console/orders/{id}`: one of the brand's orders in full, through the use case
//! of `GET /v1/brand/orders/{id}` (another brand's order is 404, as no order is): the
//! amounts, the commission and where it stands, the lines, refunds and ledger entries,
//! and the attribution record — every referral seen at checkout, what became of each,
//! and why the winner won; the review of the commission (every hold, release and
//! rejection, with its reason and who acted) and the forms of [`super::order_review`]
//! that the commission's state allows; for owners, the form of [`super::order_reassign`]
//! that moves the order to another ambassador.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::orders::Choice;
use super::{Frame, one_time, order_reassign};
use crate::api::AppState;
use crate::domain::display;
use crate::domain::fraud;
use crate::domain::status::OrderStatus;
use crate::service::auth::BrandActor;
use crate::service::orders::{OrderView, attribution_record};
use crate::service::reports::{self, BrandOrderDetail, ReportError};
use crate::service::team;
use crate::store::ids::{MembershipId, OrderId};
use crate::store::ledger::EntryKind;
use crate::store::reviews::ReviewAction;
use crate::web::form::FieldErrors;
use crate::web::page;
use crate::web::session::{PageError, SignedIn};
use crate::web::words::{
    Reader, attribution_words, flag_words, fx_words, hold_words, method_words, outcome_words, status_words,
};

struct Line {
    sku: String,
    category: String,
    quantity: i64,
    unit_price: String,
    rate: String,
}

struct Refund {
    refund_id: String,
    date: String,
    amount: String,
    reversal: String,
}

struct Entry {
    kind: &'static str,
    reason: Option<String>,
    amount: String,
    available: String,
    approved: String,
    payout: Option<String>,
}

struct Candidate {
    method: String,
    code: Option<String>,
    click_id: String,
    outcome: String,
    won: bool,
}

/// One action of the commission's review.
struct Review {
    when: String,
    action: &'static str,
    /// For a reassignment: "from X to Y".
    moved: Option<String>,
    reason: Option<String>,
    by: String,
}

/// The review forms as typed, after a refusal.
#[derive(Default)]
pub(super) struct Typed {
    /// The form refused: `hold`, `release`, `reject` or `reassign`.
    pub(super) form: &'static str,
    pub(super) reason: String,
    /// The ambassador chosen in the reassign form (a membership id as sent).
    pub(super) to: String,
    /// Keyed `{form}-reason` (and `reassign-to`).
    pub(super) errors: FieldErrors,
    /// A refusal of the whole action (the commission's state), said above the forms.
    pub(super) error: Option<String>,
}

/// The reason input of one review form: what was typed and its message, if that form
/// was the one refused.
struct ReasonField {
    id: String,
    value: String,
    error: Option<String>,
    required: bool,
}

impl Typed {
    fn field(&self, form: &str, required: bool) -> ReasonField {
        let id = format!("{form}-reason");
        let refused = self.form == form;
        ReasonField {
            value: if refused { self.reason.clone() } else { String::new() },
            error: self.errors.get(&id).map(str::to_owned),
            id,
            required,
        }
    }
}

#[derive(Template)]
#[template(path = "console/order.html")]
struct OrderPage {
    frame: Frame,
    id: OrderId,
    order_id: String,
    placed: String,
    ambassador: Option<(MembershipId, String)>,
    code: Option<String>,
    net: String,
    commission: String,
    reversed: String,
    /// How the net was converted into the program's currency, when it was.
    conversion: Option<String>,
    status: &'static str,
    amounts: Vec<(&'static str, String)>,
    rate: String,
    terms: String,
    payable: Option<String>,
    flags: Vec<String>,
    /// The fraud signals that held the commission, in words.
    signals: Vec<String>,
    method: String,
    reason: String,
    candidates: Vec<Candidate>,
    lines: Vec<Line>,
    refunds: Vec<Refund>,
    entries: Vec<Entry>,
    notice: Option<&'static str>,
    reviews: Vec<Review>,
    can_hold: bool,
    can_release: bool,
    can_reject: bool,
    /// The one-time key of the review forms ([`one_time`]).
    key: String,
    /// A refusal of the whole action, said above the forms.
    error: Option<String>,
    hold: ReasonField,
    release: ReasonField,
    reject: ReasonField,
    /// The ambassadors the order may move to, for an owner (staff see no form).
    targets: Option<Vec<Choice>>,
    reassign: ReasonField,
    /// The message beside the ambassador select.
    target_error: Option<String>,
}

/// A rate as stored ("10", "12.5") in words.
fn rate_words(rate: Option<&str>) -> String {
    rate.map_or_else(|| "—".to_owned(), |rate| format!("{rate} %"))
}

/// The status line after a review form sent the person back here.
fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "held" => Some(
            "Held for review: the commission does not become payable until you release it. The ambassador sees the order as under review, without your reason.",
        ),
        "released" => Some("Released: the commission becomes payable once its hold period is over."),
        "rejected" => Some(
            "Rejected: what was left of the commission is reversed. The ambassador sees the order as rejected, with your reason.",
        ),
        "reassigned" => Some(
            "Moved: the first ambassador's commission is reversed, and the new one earns theirs under their own program's terms.",
        ),
        _ => None,
    }
}

fn action_words(action: ReviewAction) -> &'static str {
    match action {
        ReviewAction::Hold => "Held",
        ReviewAction::Release => "Released",
        ReviewAction::Reject => "Rejected",
        ReviewAction::Reassign => "Reassigned",
    }
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<OrderId>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "orders").await?;
    let done = notice(query.done.as_deref());
    render(
        &state,
        &actor,
        frame,
        id.into_inner(),
        done,
        Typed::default(),
        StatusCode::OK,
    )
    .await
}

/// The order's page with `typed` (the review forms after a refusal).
pub(super) async fn render(
    state: &AppState,
    actor: &BrandActor,
    frame: Frame,
    id: OrderId,
    notice: Option<&'static str>,
    typed: Typed,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let detail = reports::brand_order(&state.db, actor.brand_id, id)
        .await
        .map_err(|err| match err {
            ReportError::OrderNotFound => PageError::NotFound,
            err => PageError::internal(err),
        })?;
    // The brand's ambassadors, for an owner's reassign form and to name the ambassadors
    // of a reassignment in the history.
    let reassigned = detail.reviews.iter().any(|r| r.action == ReviewAction::Reassign);
    let owner = frame.owner;
    let listed = if owner || reassigned {
        order_reassign::ambassadors(state, actor.brand_id).await?
    } else {
        Vec::new()
    };
    let names = order_reassign::names(&listed);
    let emails = if detail.reviews.is_empty() {
        Default::default()
    } else {
        team::member_emails(&state.db, actor.brand_id)
            .await
            .map_err(PageError::internal)?
    };
    let now = state.clock.now();
    let BrandOrderDetail {
        order: brand_order,
        lines,
        refunds,
        entries,
        reviews,
    } = detail;
    let record = attribution_record(&brand_order.order);
    let order = OrderView::from(&brand_order.order);
    let currency = order.currency.clone();
    let money = |minor: i64| display::money_in(minor, &currency);
    // The commission is in the program's currency, which a converted order is not in.
    let earned_in = order.commission_currency().to_owned();
    let earned = |minor: i64| display::money_in(minor, &earned_in);
    let conversion = order.fx.as_ref().map(|fx| fx_words(fx, order.net_amount, &currency));
    // Refunds' reversals and a rejection's: every reversal entry of the order.
    let reversed = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Reversal)
        .fold(0i64, |sum, e| sum.saturating_sub(e.amount));
    let payable = match (brand_order.status, brand_order.available_at) {
        (OrderStatus::Pending, Some(at)) => Some(format!(
            "{} ({})",
            display::date_time(at),
            hold_words(brand_order.status, Some(at), now).unwrap_or_default()
        )),
        (OrderStatus::Approved | OrderStatus::Paid, Some(at)) => Some(format!("since {}", display::date_time(at))),
        _ => None,
    };
    let (method, reason) = attribution_words(&order.attribution_method, &order.attribution_reason, Reader::Brand);
    let signals = fraud::stored(&brand_order.order.signals);
    // The forms the commission's state allows; the use cases decide again under a lock.
    let status_now = brand_order.status;
    let view = OrderPage {
        frame,
        id,
        notice,
        can_hold: status_now == OrderStatus::Pending,
        can_release: status_now == OrderStatus::Held,
        can_reject: matches!(
            status_now,
            OrderStatus::Pending | OrderStatus::Held | OrderStatus::Approved
        ),
        key: one_time::new_key(),
        hold: typed.field("hold", true),
        release: typed.field("release", false),
        reject: typed.field("reject", true),
        targets: owner.then(|| order_reassign::choices(&listed, order.membership_id, &typed.to)),
        reassign: typed.field(order_reassign::FORM, true),
        target_error: typed.errors.get(order_reassign::TO).map(str::to_owned),
        error: typed.error,
        reviews: reviews
            .into_iter()
            .map(|r| Review {
                when: display::date_time(r.created_at),
                action: action_words(r.action),
                moved: (r.action == ReviewAction::Reassign)
                    .then(|| order_reassign::moved(&names, r.from, r.to))
                    .flatten(),
                reason: r.reason,
                by: r.acted_by.map_or_else(
                    // Only the hold that an order's fraud signals made has no actor.
                    || match r.action {
                        ReviewAction::Hold if !signals.is_empty() => "by reftrack's fraud review".to_owned(),
                        _ => "by an unknown user".to_owned(),
                    },
                    |user| {
                        emails
                            .get(&user)
                            .map_or_else(|| "by a former team member".to_owned(), |e| format!("by {e}"))
                    },
                ),
            })
            .collect(),
        placed: display::date_time(order.placed_at),
        ambassador: order
            .membership_id
            .map(|m| (m, brand_order.ambassador_name.clone().unwrap_or_default())),
        code: brand_order.code.clone(),
        net: money(order.net_amount),
        commission: earned(order.commission),
        reversed: earned(reversed),
        conversion,
        status: status_words(brand_order.status),
        amounts: vec![
            ("Merchandise", money(order.subtotal)),
            ("Discount", money(order.discount_total)),
            ("Net (earns commission)", money(order.net_amount)),
            ("Shipping", money(order.shipping_total)),
            ("Tax", money(order.tax_total)),
        ],
        rate: rate_words(order.commission_rate.as_deref()),
        terms: order
            .terms_version
            .map_or_else(|| "—".to_owned(), |v| format!("version {v}")),
        payable,
        flags: order
            .flags
            .as_array()
            .map(|flags| {
                flags
                    .iter()
                    .filter_map(|f| f.as_str())
                    .map(|f| flag_words(f).to_owned())
                    .collect()
            })
            .unwrap_or_default(),
        signals: signals.iter().map(|s| s.sentence().to_owned()).collect(),
        method,
        reason,
        candidates: record
            .into_iter()
            .map(|c| Candidate {
                method: method_words(&c.method).to_owned(),
                code: c.code,
                click_id: c.click_id.unwrap_or_else(|| "—".to_owned()),
                outcome: outcome_words(&c.status).to_owned(),
                won: c.won,
            })
            .collect(),
        lines: lines
            .into_iter()
            .map(|l| Line {
                sku: l.sku,
                category: l.category.unwrap_or_default(),
                quantity: l.quantity,
                unit_price: money(l.unit_price),
                rate: rate_words(l.rate.as_deref()),
            })
            .collect(),
        refunds: refunds
            .into_iter()
            .map(|r| Refund {
                date: display::date(r.created_at),
                refund_id: r.refund_id,
                amount: money(r.amount),
                reversal: earned(r.reversal),
            })
            .collect(),
        entries: entries
            .into_iter()
            .map(|e| Entry {
                kind: e.kind.as_str(),
                reason: e.reason,
                amount: display::money_in(e.amount, &e.currency),
                available: display::date(e.available_at),
                approved: e.approved_at.map_or_else(|| "not yet".to_owned(), display::date),
                payout: e.payout_id,
            })
            .collect(),
        order_id: order.order_id,
    };
    Ok(page(status, &view))
}
