//! `POST /console/deals/{id}/gifts/{gift}/shipment`: a gifted product shipped (with
//! carrier and tracking, which the ambassador reads) or delivered, on the deal's page,
//! through the use case of the JSON API ([`deals::ship`]) and its input rule
//! ([`ShipmentUpdate::parse`]); owners and staff alike, as they ship free-item rewards.
//! Another deal's gift is 404; a refused carrier or tracking number is said beside its
//! input (422); a shipment that would go backwards, or a deal not accepted, is the page
//! again with the use case's sentence (409).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::deal::{answer_form, render};
use crate::api::AppState;
use crate::service::deals::{self, input::ShipmentUpdate};
use crate::store::ids::{DealId, GiftId};
use crate::web::form::Sent;
use crate::web::session::{PageError, SignedIn};

#[derive(Debug, Deserialize)]
pub struct ShipmentFields {
    #[serde(default)]
    csrf: String,
    /// `shipped` or `delivered`.
    #[serde(default)]
    shipment: String,
    #[serde(default)]
    carrier: String,
    #[serde(default)]
    tracking: String,
}

pub async fn ship(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(DealId, GiftId)>,
    fields: web::Form<ShipmentFields>,
) -> Result<HttpResponse, PageError> {
    let (actor, frame) = super::enter(&state, &signed_in, "deals").await?;
    signed_in.check_form(&fields.csrf)?;
    let (id, gift) = path.into_inner();
    let values = vec![
        ("carrier", fields.carrier.clone()),
        ("tracking", fields.tracking.clone()),
    ];
    let mut typed = Sent::new("ship", gift, values);
    let update = match ShipmentUpdate::parse(&fields.shipment, Some(&fields.carrier), Some(&fields.tracking)) {
        Ok(update) => update,
        Err(found) => {
            for (path, message) in found {
                match path.as_str() {
                    "shipment" => typed.error = Some(format!("The shipment {message}.")),
                    _ => typed.errors.add(&typed.input(&path), message),
                }
            }
            return render(&state, &actor, frame, id, None, typed, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let done = match update {
        ShipmentUpdate::Shipped { .. } => "shipped",
        ShipmentUpdate::Delivered => "delivered",
    };
    let outcome = deals::ship(&state.db, &actor, id, gift, update, state.clock.now()).await;
    answer_form(&state, &actor, frame, id, outcome, done, typed, "ship gifts").await
}
