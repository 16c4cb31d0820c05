//! An adjustment (either sign) or a bonus for one ambassador: a new ledger entry in the
//! ambassador's program currency, payable at once (the brand decided it; there is no
//! return window to wait for), with the reason and the owner who made it.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::MoneyError;
use crate::domain::adjustment::{ManualKind, Reason};
use crate::service::auth::BrandActor;
use crate::service::events::{self, EventType};
use crate::service::orders::replay::{self, Answer, Answered, Keyed, RenderError};
use crate::store::ids::{LedgerEntryId, MembershipId};
use crate::store::ledger::{self, EntryKind, LedgerEntryRow};
use crate::store::{Db, memberships, programs, time};

/// An adjustment or bonus as the door parsed it.
#[derive(Debug, Clone)]
pub struct NewAdjustment {
    pub membership: MembershipId,
    pub kind: ManualKind,
    /// Minor units, already checked against [`ManualKind::amount`].
    pub amount: i64,
    pub reason: Reason,
}

/// The entry just appended, as handed to the renderer.
#[derive(Debug, Clone)]
pub struct ManualEntry {
    pub entry: LedgerEntryRow,
    pub ambassador_name: String,
}

/// Appends the adjustment or bonus, once per idempotency key (scoped to the
/// ambassador): a retry gets the first answer. Owners only; the key is required, since
/// without one a retried request would add the money twice.
pub async fn adjust(
    db: &Db,
    actor: &BrandActor,
    command: NewAdjustment,
    keyed: Option<Keyed>,
    now: DateTime<Utc>,
    render: impl Fn(&ManualEntry) -> Result<Answer, RenderError> + Send + Sync + 'static,
) -> Result<Answered, MoneyError> {
    actor.require_owner()?;
    let keyed = keyed.ok_or(MoneyError::IdempotencyKeyRequired)?;
    let actor = *actor;
    let render = Arc::new(render);
    let now = time::to_db(now);
    let keyed = Keyed {
        key: format!("adjustment:{}:{}", command.membership, keyed.key),
        request_hash: keyed.request_hash,
    };
    db.write_retrying(move |conn| {
        let brand = actor.brand_id;
        let ambassador =
            memberships::find_ambassador(conn, brand, command.membership)?.ok_or(MoneyError::AmbassadorNotFound)?;
        replay::once(
            conn,
            brand,
            Some(&keyed),
            now,
            || MoneyError::IdempotencyKeyReused,
            |conn| {
                let program = programs::find(conn, brand, ambassador.membership.program_id)?
                    .ok_or(MoneyError::AmbassadorNotFound)?;
                let entry = LedgerEntryRow {
                    id: LedgerEntryId::generate(),
                    brand_id: brand,
                    membership_id: command.membership,
                    order_id: None,
                    refund_id: None,
                    kind: match command.kind {
                        ManualKind::Adjustment => EntryKind::Adjustment,
                        ManualKind::Bonus => EntryKind::Bonus,
                    },
                    amount: command.amount,
                    currency: program.currency,
                    available_at: now,
                    approved_at: Some(now),
                    paid_out_in: None,
                    created_at: now,
                    reason: Some(command.reason.as_str().to_owned()),
                    created_by: Some(actor.user_id),
                };
                ledger::append(conn, &entry)?;
                events::emit(
                    conn,
                    brand,
                    EventType::AdjustmentCreated,
                    &events::AdjustmentCreated::new(&entry),
                    now,
                )?;
                Ok(render(&ManualEntry {
                    entry,
                    ambassador_name: ambassador.display_name.clone(),
                })?)
            },
        )
    })
    .await
}
