//! The brand console at `/console`: the brand's team runs its programs, ambassadors,
//! orders, rewards and payouts here, in the same binary and over the same service
//! functions as the JSON API (a page parses its form, calls one use case, renders the
//! outcome). The role a use case requires is checked in the service layer, so a staff
//! member is refused here exactly what the API refuses them.
//!
//! Every page renders inside [`Frame`] (the console's navigation and the session's
//! CSRF token). A brand's objects are looked up through the signed-in user's brand, so
//! another brand's id in a URL is 404.

pub mod ambassadors;
pub mod ambassadors_forms;
pub mod ambassadors_money;
pub mod ambassadors_page;
pub mod api_keys;
pub mod confirm;
pub mod deal;
pub mod deal_actions;
pub mod deal_form;
pub mod deal_gifts;
pub mod deal_new;
pub mod deal_proofs;
pub mod deals;
pub mod fx_rates;
pub mod integration;
pub mod integrations;
pub mod join;
pub mod one_time;
pub mod order;
pub mod order_reassign;
pub mod order_review;
pub mod orders;
pub mod orders_filter;
pub mod overview;
pub mod owner_only;
pub mod payout;
pub mod payouts;
pub mod programs;
pub mod programs_edit;
pub mod programs_form;
pub mod programs_preview;
pub mod programs_view;
pub mod rewards;
pub mod secret;
pub mod settings;
pub mod signup;
pub mod team;
pub mod webhook;
pub mod webhooks;

use actix_web::web;

use super::session::{PageError, SignedIn};
use crate::api::AppState;
use crate::service::auth::BrandActor;

/// The console's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/signup/brand", web::get().to(signup::show))
        .route("/signup/brand", web::post().to(signup::submit))
        .route("/console", web::get().to(overview::show))
        .route("/console/programs", web::get().to(programs::list))
        .route("/console/programs/new", web::get().to(programs_edit::new))
        .route("/console/programs/new", web::post().to(programs_edit::create))
        .route("/console/programs/{id}", web::get().to(programs::show))
        .route("/console/programs/{id}/edit", web::get().to(programs_edit::edit))
        .route("/console/programs/{id}/edit", web::post().to(programs_edit::update))
        .route("/console/ambassadors", web::get().to(ambassadors::list))
        .route("/console/ambassadors/invitations", web::post().to(ambassadors::invite))
        .route("/console/ambassadors/{id}", web::get().to(ambassadors_page::show))
        .route(
            "/console/ambassadors/{id}/status",
            web::post().to(ambassadors_forms::change_status),
        )
        .route(
            "/console/ambassadors/{id}/program",
            web::post().to(ambassadors_forms::move_program),
        )
        .route(
            "/console/ambassadors/{id}/codes",
            web::post().to(ambassadors_forms::add_code),
        )
        .route(
            "/console/ambassadors/{id}/adjustments",
            web::post().to(ambassadors_money::adjust),
        )
        .route("/console/codes/{id}", web::post().to(ambassadors_forms::toggle_code));
    cfg.route("/console/orders", web::get().to(orders::show));
    cfg.route("/console/orders.csv", web::get().to(orders::download));
    cfg.route("/console/orders/{id}", web::get().to(order::show));
    cfg.route("/console/orders/{id}/hold", web::post().to(order_review::hold));
    cfg.route("/console/orders/{id}/release", web::post().to(order_review::release));
    cfg.route("/console/orders/{id}/reject", web::post().to(order_review::reject));
    cfg.route(
        "/console/orders/{id}/reassign",
        web::post().to(order_reassign::reassign),
    );
    cfg.route("/console/deals", web::get().to(deals::list))
        .route("/console/deals", web::post().to(deal_new::create))
        .route("/console/deals/new", web::get().to(deal_new::new))
        .route("/console/deals/{id}", web::get().to(deal::show))
        .route(
            &format!("/console/deals/{{id}}/{{action:{}}}", deal_actions::ACTIONS),
            web::post().to(deal_actions::act),
        )
        .route(
            &format!(
                "/console/deals/{{id}}/proofs/{{proof}}/{{decision:{}}}",
                deal_proofs::DECISIONS
            ),
            web::post().to(deal_proofs::decide),
        )
        .route(
            "/console/deals/{id}/gifts/{gift}/shipment",
            web::post().to(deal_gifts::ship),
        );
    cfg.route("/console/rewards", web::get().to(rewards::show));
    cfg.route("/console/rewards/{id}/fulfil", web::post().to(rewards::fulfil));
    cfg.route("/console/payouts", web::get().to(payouts::show));
    cfg.route("/console/payouts", web::post().to(payouts::create));
    cfg.route("/console/payouts/{id}", web::get().to(payout::show));
    cfg.route("/console/payouts/{id}/payout.csv", web::get().to(payout::download_csv));
    cfg.route(
        "/console/payouts/{id}/paypal.csv",
        web::get().to(payout::download_paypal),
    );
    cfg.route("/console/payouts/{id}/paid", web::post().to(payout::mark_paid));
    cfg.route("/console/payouts/{id}/cancel", web::post().to(payout::cancel));
    cfg.route("/console/settings", web::get().to(settings::show))
        .route("/console/settings", web::post().to(settings::save))
        .route("/console/settings/fx-rates", web::get().to(fx_rates::show))
        .route("/console/settings/fx-rates", web::post().to(fx_rates::save))
        .route("/console/settings/api-keys", web::get().to(api_keys::show))
        .route("/console/settings/api-keys", web::post().to(api_keys::create))
        .route(
            "/console/settings/api-keys/{id}/revoke",
            web::get().to(api_keys::confirm_revoke),
        )
        .route(
            "/console/settings/api-keys/{id}/revoke",
            web::post().to(api_keys::revoke),
        )
        .route("/console/settings/integrations", web::get().to(integrations::show))
        .route("/console/settings/integrations", web::post().to(integrations::create))
        .route("/console/settings/integrations/{id}", web::get().to(integration::show))
        .route(
            "/console/settings/integrations/{id}/name",
            web::post().to(integration::rename),
        )
        .route(
            "/console/settings/integrations/{id}/secret",
            web::post().to(integration::set_secret),
        )
        .route(
            "/console/settings/integrations/{id}/delete",
            web::get().to(integrations::confirm_delete),
        )
        .route(
            "/console/settings/integrations/{id}/delete",
            web::post().to(integrations::delete),
        )
        .route(
            "/console/settings/integrations/{id}/events/{event_id}/retry",
            web::post().to(integration::retry),
        )
        .route("/console/settings/webhooks", web::get().to(webhooks::show))
        .route("/console/settings/webhooks", web::post().to(webhooks::create))
        .route("/console/settings/webhooks/{id}", web::get().to(webhook::show))
        .route("/console/settings/webhooks/{id}", web::post().to(webhook::update))
        .route(
            "/console/settings/webhooks/{id}/rotate",
            web::post().to(webhook::rotate),
        )
        .route("/console/settings/webhooks/{id}/test", web::post().to(webhook::test))
        .route(
            "/console/settings/webhooks/{id}/delete",
            web::get().to(webhooks::confirm_delete),
        )
        .route(
            "/console/settings/webhooks/{id}/delete",
            web::post().to(webhooks::delete),
        )
        .route(
            "/console/settings/webhooks/{id}/deliveries/{delivery_id}/retry",
            web::post().to(webhook::retry),
        )
        .route("/console/settings/team", web::get().to(team::show))
        .route("/console/settings/team", web::post().to(team::invite))
        .route(
            "/console/settings/team/members/{id}/role",
            web::post().to(team::change_role),
        )
        .route(
            "/console/settings/team/members/{id}/remove",
            web::get().to(team::confirm_remove),
        )
        .route(
            "/console/settings/team/members/{id}/remove",
            web::post().to(team::remove),
        )
        .route(
            "/console/settings/team/invitations/{id}/revoke",
            web::post().to(team::revoke_invitation),
        )
        .route("/console/join", web::get().to(join::show))
        .route("/console/join", web::post().to(join::submit));
}

/// What the console's frame shows on every page.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The navigation entry the page belongs to.
    pub current: &'static str,
    /// The session's CSRF token, for every form of the page.
    pub csrf: String,
    /// Whether the user is an owner (owner-only actions are offered, not just refused).
    pub owner: bool,
}

/// The brand user of a console request and the frame of its page; an influencer is sent
/// to their portal, a visitor without a session to the sign-in page.
pub async fn enter(
    state: &AppState,
    signed_in: &SignedIn,
    current: &'static str,
) -> Result<(BrandActor, Frame), PageError> {
    let actor = signed_in.brand(state).await?;
    let frame = Frame {
        current,
        csrf: signed_in.session.csrf_token.clone(),
        owner: actor.is_owner(),
    };
    Ok((actor, frame))
}
