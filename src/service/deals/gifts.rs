//! The shipment of a deal's gifted products: `to_ship` → `shipped` (carrier and
//! tracking) → `delivered`, only forward, only once the deal is accepted. Owners and
//! staff ship, as they fulfil free-item rewards.

use chrono::{DateTime, Utc};

use super::input::ShipmentUpdate;
use super::view::{DealView, brand_deal_in};
use super::{DealError, Refusal, locked_deal};
use crate::service::auth::BrandActor;
use crate::store::deals::{self, DealStatus, Shipment};
use crate::store::ids::{DealId, GiftId};
use crate::store::{Db, time};

/// Moves a gift's shipment forward. The same step again answers the deal as it stands.
pub async fn ship(
    db: &Db,
    actor: &BrandActor,
    deal: DealId,
    gift: GiftId,
    update: ShipmentUpdate,
    now: DateTime<Utc>,
) -> Result<DealView, DealError> {
    let brand = actor.brand_id;
    let now = time::to_db(now);
    db.write_retrying(move |conn| {
        let row = locked_deal(conn, brand, deal, now)?;
        let mut stored = deals::find_gift(conn, deal, gift)?.ok_or(DealError::GiftNotFound)?;
        let target = match &update {
            ShipmentUpdate::Shipped { .. } => Shipment::Shipped,
            ShipmentUpdate::Delivered => Shipment::Delivered,
        };
        let same = match &update {
            ShipmentUpdate::Shipped { carrier, tracking } => {
                stored.shipment == Shipment::Shipped
                    && stored.carrier.as_ref() == Some(carrier)
                    && stored.tracking.as_ref() == Some(tracking)
            }
            ShipmentUpdate::Delivered => stored.shipment == Shipment::Delivered,
        };
        if !same {
            if !matches!(row.status, DealStatus::Accepted | DealStatus::Completed) {
                return Err(Refusal::NotAccepted.into());
            }
            let order = |s: Shipment| Shipment::ALL.iter().position(|x| *x == s);
            if order(target) <= order(stored.shipment) {
                return Err(Refusal::ShipmentBackwards.into());
            }
            match update.clone() {
                ShipmentUpdate::Shipped { carrier, tracking } => {
                    stored.carrier = Some(carrier);
                    stored.tracking = Some(tracking);
                    stored.shipped_at = Some(now);
                }
                ShipmentUpdate::Delivered => stored.delivered_at = Some(now),
            }
            stored.shipment = target;
            deals::set_shipment(conn, &stored)?;
        }
        brand_deal_in(conn, brand, deal, now)
    })
    .await
}
