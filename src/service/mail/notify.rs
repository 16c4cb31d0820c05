//! Notifications fanned out from outbox events by the dispatcher, in its transaction:
//! a sale to the ambassador who referred it (`order.recorded`), and a payout to each
//! ambassador a batch paid (`payout.paid`), unless the influencer switched them off; and
//! a deal offered (`deal.offered`) to the ambassador or the invitee, always (it asks
//! for an answer).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::QueryResult;
use serde::Deserialize;

use super::Postbox;
use super::compose::{DealOffer, PayoutPaid, Sale};
use super::unsubscribe::Topic;
use crate::domain::display;
use crate::store::DbConn;
use crate::store::ids::{DealId, InvitationId, MembershipId, PayoutId};
use crate::store::influencers::{self, InfluencerRow};
use crate::store::mail::MailKind;
use crate::store::outbox::OutboxEventRow;
use crate::store::{brands, invitations, memberships, payouts};

/// The part of `order.recorded` a sale message needs.
#[derive(Debug, Deserialize)]
struct OrderRecordedData {
    order: OrderData,
    ambassador_id: Option<MembershipId>,
    code: Option<String>,
    commission: Option<EntryData>,
}

#[derive(Debug, Deserialize)]
struct OrderData {
    order_id: String,
    currency: String,
    net_amount: i64,
}

#[derive(Debug, Deserialize)]
struct EntryData {
    amount: i64,
    currency: String,
    available_at: DateTime<Utc>,
}

/// The part of `payout.paid` a payout message needs.
#[derive(Debug, Deserialize)]
struct PayoutPaidData {
    payout_id: PayoutId,
    currency: String,
    paid_at: Option<DateTime<Utc>>,
}

/// Payout items read per query while fanning a batch out.
const ITEMS_PER_READ: i64 = 500;

/// Writes the notifications `event` calls for; how many.
pub fn fan_out(conn: &mut DbConn, postbox: &Postbox, event: &OutboxEventRow, now: NaiveDateTime) -> QueryResult<usize> {
    if !postbox.is_open() {
        return Ok(0);
    }
    match event.event_type.as_str() {
        "order.recorded" => sale(conn, postbox, event, now),
        "payout.paid" => payout_paid(conn, postbox, event, now),
        "deal.offered" => deal_offered(conn, postbox, event, now),
        _ => Ok(0),
    }
}

/// The ambassador's influencer, when the membership belongs to the event's brand.
fn influencer_of(
    conn: &mut DbConn,
    event: &OutboxEventRow,
    membership: MembershipId,
) -> QueryResult<Option<InfluencerRow>> {
    let Some(ambassador) = memberships::find_ambassador(conn, event.brand_id, membership)? else {
        return Ok(None);
    };
    influencers::find(conn, ambassador.membership.influencer_id)
}

fn brand_name(conn: &mut DbConn, event: &OutboxEventRow) -> QueryResult<String> {
    Ok(brands::find(conn, event.brand_id)?.map(|b| b.name).unwrap_or_default())
}

fn sale(conn: &mut DbConn, postbox: &Postbox, event: &OutboxEventRow, now: NaiveDateTime) -> QueryResult<usize> {
    let Ok(data) = serde_json::from_str::<OrderRecordedData>(&event.data) else {
        return Ok(0);
    };
    let Some(membership) = data.ambassador_id else {
        return Ok(0);
    };
    let Some(influencer) = influencer_of(conn, event, membership)? else {
        return Ok(0);
    };
    if !influencer.notify_sales {
        return Ok(0);
    }
    let brand = brand_name(conn, event)?;
    let letter = Sale {
        name: &influencer.display_name,
        brand: &brand,
        order_number: &data.order.order_id,
        order_total: display::money_in(data.order.net_amount, &data.order.currency),
        commission: data
            .commission
            .as_ref()
            .map(|entry| display::money_in(entry.amount, &entry.currency)),
        payable_at: data.commission.as_ref().map(|entry| entry.available_at),
        code: data.code.as_deref(),
        unsubscribe: postbox.unsubscribe_url(influencer.id, Topic::Sales),
        public_url: postbox.public_url(),
    }
    .letter(&influencer.email);
    let key = format!("sale:{}", event.id);
    let posted = postbox.post(conn, MailKind::Sale, Some(event.brand_id), Some(key), &letter, now)?;
    Ok(usize::from(posted))
}

fn payout_paid(conn: &mut DbConn, postbox: &Postbox, event: &OutboxEventRow, now: NaiveDateTime) -> QueryResult<usize> {
    let Ok(data) = serde_json::from_str::<PayoutPaidData>(&event.data) else {
        return Ok(0);
    };
    let brand = brand_name(conn, event)?;
    let paid_at = data
        .paid_at
        .unwrap_or_else(|| crate::store::time::from_db(event.created_at));
    let mut posted = 0;
    let mut after = None;
    loop {
        let items = payouts::items(conn, data.payout_id, after, ITEMS_PER_READ)?;
        let Some(last) = items.last() else { break };
        after = Some(last.membership_id);
        for item in &items {
            let Some(influencer) = influencer_of(conn, event, item.membership_id)? else {
                continue;
            };
            if !influencer.notify_payouts {
                continue;
            }
            let letter = PayoutPaid {
                name: &influencer.display_name,
                brand: &brand,
                amount: display::money_in(item.amount, &data.currency),
                payout_email: &item.payout_email,
                paid_at,
                unsubscribe: postbox.unsubscribe_url(influencer.id, Topic::Payouts),
                public_url: postbox.public_url(),
            }
            .letter(&influencer.email);
            let key = format!("payout_paid:{}:{}", event.id, item.membership_id);
            if postbox.post(
                conn,
                MailKind::PayoutPaid,
                Some(event.brand_id),
                Some(key),
                &letter,
                now,
            )? {
                posted += 1;
            }
        }
        if i64::try_from(items.len()).unwrap_or(0) < ITEMS_PER_READ {
            break;
        }
    }
    Ok(posted)
}

/// The part of `deal.offered` the offer message needs.
#[derive(Debug, Deserialize)]
struct DealOfferedData {
    deal_id: DealId,
    title: String,
    ambassador_id: Option<MembershipId>,
    invitation_id: Option<InvitationId>,
    fee: i64,
    currency: String,
    items: i64,
    fee_total: i64,
    gift_value: i64,
    expires_at: DateTime<Utc>,
}

fn deal_offered(
    conn: &mut DbConn,
    postbox: &Postbox,
    event: &OutboxEventRow,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let Ok(data) = serde_json::from_str::<DealOfferedData>(&event.data) else {
        return Ok(0);
    };
    let (to, name) = match (data.ambassador_id, data.invitation_id) {
        (Some(membership), _) => match influencer_of(conn, event, membership)? {
            Some(influencer) => (influencer.email, Some(influencer.display_name)),
            None => return Ok(0),
        },
        (None, Some(invitation)) => match invitations::find(conn, event.brand_id, invitation)? {
            Some(invitation) => (invitation.email, None),
            None => return Ok(0),
        },
        (None, None) => return Ok(0),
    };
    let brand = brand_name(conn, event)?;
    let money = |minor| display::money_in(minor, &data.currency);
    let letter = DealOffer {
        name: name.as_deref(),
        brand: &brand,
        title: &data.title,
        fee: money(data.fee),
        items: data.items,
        fee_total: money(data.fee_total),
        gift_value: (data.gift_value > 0).then(|| money(data.gift_value)),
        expires_at: data.expires_at,
        deal_path: format!("/app/deals/{}", data.deal_id),
        public_url: postbox.public_url(),
    }
    .letter(&to);
    let key = format!("deal_offer:{}", event.id);
    let posted = postbox.post(conn, MailKind::DealOffer, Some(event.brand_id), Some(key), &letter, now)?;
    Ok(usize::from(posted))
}
