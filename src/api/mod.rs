//! The HTTP layer: routing, extractors, handlers and the problem+json error type.
//!
//! Every route is declared once in [`endpoints`]; the router and the OpenAPI drift
//! test both read that table, so the served API and the spec are compared for real.

pub mod accounts;
pub mod ambassadors;
pub mod api_keys;
pub mod brand;
pub mod brand_orders;
pub mod brand_stats;
pub mod checkout;
pub mod client_ip;
pub mod codes;
pub mod csv_export;
pub mod deals;
pub mod deals_view;
pub mod error;
pub mod error_code;
pub mod extract;
pub mod framing;
pub mod fx_rates;
pub mod inbox;
pub mod integrations;
pub mod invitations;
pub mod key_cache;
pub mod limits;
pub mod links;
pub mod me;
pub mod me_deals;
pub mod me_reports;
pub mod money;
pub mod notifications;
pub mod ops;
pub mod orders;
pub mod pagination;
pub mod password_reset;
pub mod payouts;
pub mod programs;
pub mod recruits;
pub mod request_span;
pub mod responses;
pub mod rewards;
pub mod sessions;
pub mod shop_webhooks;
pub mod state;
pub mod strict_json;
pub mod team;
pub mod validate;
pub mod webhooks;

use std::collections::BTreeMap;

use actix_web::http::Method;
use actix_web::{HttpRequest, HttpResponse, Route, web};

pub use error::{ApiError, FieldError};
pub use error_code::ErrorCode;
pub use state::AppState;

/// One served operation: a method on a path template (actix syntax, `{id}`).
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    route: Route,
}

fn endpoint(method: Method, path: &'static str, route: Route) -> Endpoint {
    Endpoint { method, path, route }
}

/// Every route the service answers.
#[rustfmt::skip]
pub fn endpoints() -> Vec<Endpoint> {
    use Method as M;
    vec![
        endpoint(M::GET, "/healthz", web::get().to(ops::healthz)),
        endpoint(M::GET, "/readyz", web::get().to(ops::readyz)),
        endpoint(M::GET, "/openapi.yaml", web::get().to(ops::openapi)),
        endpoint(M::GET, "/metrics", web::get().to(ops::metrics)),
        // Sign-up and sessions (public).
        endpoint(M::POST, "/v1/brands", web::post().to(accounts::create_brand)),
        endpoint(M::POST, "/v1/influencers", web::post().to(accounts::create_influencer)),
        endpoint(M::POST, "/v1/auth/login", web::post().to(sessions::login)),
        endpoint(M::POST, "/v1/auth/refresh", web::post().to(sessions::refresh)),
        endpoint(M::POST, "/v1/auth/logout", web::post().to(sessions::logout)),
        endpoint(M::POST, "/v1/auth/password-reset", web::post().to(password_reset::request_reset)),
        endpoint(M::POST, "/v1/auth/password-reset/confirm", web::post().to(password_reset::confirm_reset)),
        // One-click unsubscribe from notification e-mails (the signed token authorises).
        endpoint(M::GET, "/v1/notifications/unsubscribe", web::get().to(notifications::confirm_page)),
        endpoint(M::POST, "/v1/notifications/unsubscribe", web::post().to(notifications::unsubscribe)),
        // Brand staff.
        endpoint(M::GET, "/v1/brand", web::get().to(brand::get_brand)),
        endpoint(M::PATCH, "/v1/brand", web::patch().to(brand::update_brand)),
        endpoint(M::POST, "/v1/brand/api-keys", web::post().to(api_keys::create_api_key)),
        endpoint(M::GET, "/v1/brand/api-keys", web::get().to(api_keys::list_api_keys)),
        endpoint(M::DELETE, "/v1/brand/api-keys/{id}", web::delete().to(api_keys::revoke_api_key)),
        endpoint(M::POST, "/v1/brand/users", web::post().to(team::invite_team_member)),
        endpoint(M::GET, "/v1/brand/users", web::get().to(team::list_team_members)),
        endpoint(M::PATCH, "/v1/brand/users/{id}", web::patch().to(team::update_team_member)),
        endpoint(M::DELETE, "/v1/brand/users/{id}", web::delete().to(team::remove_team_member)),
        endpoint(M::DELETE, "/v1/brand/users/invitations/{id}", web::delete().to(team::revoke_team_invitation)),
        // Public: the e-mailed token of a team invitation is the credential.
        endpoint(M::POST, "/v1/brand/users/accept", web::post().to(team::accept_team_invitation)),
        endpoint(M::POST, "/v1/brand/programs", web::post().to(programs::create_program)),
        endpoint(M::GET, "/v1/brand/programs", web::get().to(programs::list_programs)),
        endpoint(M::GET, "/v1/brand/programs/{id}", web::get().to(programs::get_program)),
        endpoint(M::PATCH, "/v1/brand/programs/{id}", web::patch().to(programs::update_program)),
        endpoint(M::GET, "/v1/brand/programs/{id}/versions", web::get().to(programs::list_program_versions)),
        endpoint(M::POST, "/v1/brand/programs/preview", web::post().to(programs::preview_program)),
        endpoint(M::POST, "/v1/brand/invitations", web::post().to(invitations::create_invitation)),
        endpoint(M::GET, "/v1/brand/ambassadors", web::get().to(ambassadors::list_ambassadors)),
        endpoint(M::GET, "/v1/brand/ambassadors/{id}", web::get().to(ambassadors::get_ambassador)),
        endpoint(M::PATCH, "/v1/brand/ambassadors/{id}", web::patch().to(ambassadors::update_ambassador)),
        endpoint(M::POST, "/v1/brand/ambassadors/{id}/codes", web::post().to(codes::create_code)),
        endpoint(M::GET, "/v1/brand/ambassadors/{id}/codes", web::get().to(codes::list_codes)),
        endpoint(M::GET, "/v1/brand/ambassadors/{id}/entries", web::get().to(ambassadors::list_ambassador_entries)),
        endpoint(M::POST, "/v1/brand/ambassadors/{id}/adjustments", web::post().to(money::create_adjustment)),
        endpoint(M::PATCH, "/v1/brand/codes/{id}", web::patch().to(codes::update_code)),
        endpoint(M::POST, "/v1/brand/integrations", web::post().to(integrations::create_integration)),
        endpoint(M::GET, "/v1/brand/integrations", web::get().to(integrations::list_integrations)),
        endpoint(M::GET, "/v1/brand/integrations/{id}", web::get().to(integrations::get_integration)),
        endpoint(M::PATCH, "/v1/brand/integrations/{id}", web::patch().to(integrations::update_integration)),
        endpoint(M::DELETE, "/v1/brand/integrations/{id}", web::delete().to(integrations::delete_integration)),
        endpoint(M::GET, "/v1/brand/integrations/{id}/events", web::get().to(integrations::list_events)),
        endpoint(M::POST, "/v1/brand/integrations/{id}/events/{event_id}/retry", web::post().to(integrations::retry_event)),
        endpoint(M::POST, "/v1/brand/webhooks", web::post().to(webhooks::create_webhook)),
        endpoint(M::GET, "/v1/brand/webhooks", web::get().to(webhooks::list_webhooks)),
        endpoint(M::GET, "/v1/brand/webhooks/{id}", web::get().to(webhooks::get_webhook)),
        endpoint(M::PATCH, "/v1/brand/webhooks/{id}", web::patch().to(webhooks::update_webhook)),
        endpoint(M::DELETE, "/v1/brand/webhooks/{id}", web::delete().to(webhooks::delete_webhook)),
        endpoint(M::POST, "/v1/brand/webhooks/{id}/rotate-secret", web::post().to(webhooks::rotate_webhook_secret)),
        endpoint(M::POST, "/v1/brand/webhooks/{id}/test", web::post().to(webhooks::test_webhook)),
        endpoint(M::GET, "/v1/brand/webhooks/{id}/deliveries", web::get().to(webhooks::list_webhook_deliveries)),
        endpoint(M::POST, "/v1/brand/webhooks/{id}/deliveries/{delivery_id}/retry", web::post().to(webhooks::retry_webhook_delivery)),
        endpoint(M::GET, "/v1/brand/fx-rates", web::get().to(fx_rates::list_fx_rates)),
        endpoint(M::PUT, "/v1/brand/fx-rates", web::put().to(fx_rates::replace_fx_rates)),
        endpoint(M::GET, "/v1/brand/rewards", web::get().to(rewards::list_brand_rewards)),
        endpoint(M::POST, "/v1/brand/rewards/{id}/fulfil", web::post().to(rewards::fulfil_reward)),
        endpoint(M::GET, "/v1/brand/orders", web::get().to(brand_orders::list_brand_orders)),
        endpoint(M::GET, "/v1/brand/orders.csv", web::get().to(brand_orders::download_brand_orders)),
        endpoint(M::GET, "/v1/brand/orders/{id}", web::get().to(brand_orders::get_brand_order)),
        endpoint(M::POST, "/v1/brand/orders/{id}/hold", web::post().to(money::hold_commission)),
        endpoint(M::POST, "/v1/brand/orders/{id}/release", web::post().to(money::release_commission)),
        endpoint(M::POST, "/v1/brand/orders/{id}/reject", web::post().to(money::reject_commission)),
        endpoint(M::POST, "/v1/brand/orders/{id}/reassign", web::post().to(money::reassign_order)),
        // Deals (brand JWT): offers, counter-offers, proof, gifts.
        endpoint(M::POST, "/v1/brand/deals", web::post().to(deals::create_deal)),
        endpoint(M::GET, "/v1/brand/deals", web::get().to(deals::list_deals)),
        endpoint(M::GET, "/v1/brand/deals/{id}", web::get().to(deals::get_deal)),
        endpoint(M::POST, "/v1/brand/deals/{id}/withdraw", web::post().to(deals::withdraw_deal)),
        endpoint(M::POST, "/v1/brand/deals/{id}/counter/accept", web::post().to(deals::accept_counter)),
        endpoint(M::POST, "/v1/brand/deals/{id}/counter/decline", web::post().to(deals::decline_counter)),
        endpoint(M::POST, "/v1/brand/deals/{id}/cancel", web::post().to(deals::cancel_deal)),
        endpoint(M::POST, "/v1/brand/deals/{id}/gifts/{gift_id}/shipment", web::post().to(deals::ship_gift)),
        endpoint(M::POST, "/v1/brand/proofs/{id}/approve", web::post().to(deals::approve_proof)),
        endpoint(M::POST, "/v1/brand/proofs/{id}/reject", web::post().to(deals::reject_proof)),
        endpoint(M::POST, "/v1/brand/proofs/{id}/removed", web::post().to(deals::report_removed)),
        endpoint(M::GET, "/v1/brand/deliverables", web::get().to(deals::due_deliverables)),
        endpoint(M::GET, "/v1/brand/stats", web::get().to(brand_stats::get_brand_stats)),
        endpoint(M::GET, "/v1/brand/reports/payouts", web::get().to(payouts::payout_report)),
        endpoint(M::POST, "/v1/brand/payouts", web::post().to(payouts::create_payout)),
        endpoint(M::GET, "/v1/brand/payouts", web::get().to(payouts::list_payouts)),
        endpoint(M::GET, "/v1/brand/payouts/{id}", web::get().to(payouts::get_payout)),
        endpoint(M::POST, "/v1/brand/payouts/{id}/paid", web::post().to(payouts::mark_payout_paid)),
        endpoint(M::POST, "/v1/brand/payouts/{id}/cancel", web::post().to(payouts::cancel_payout)),
        // Checkout (brand API key).
        endpoint(M::GET, "/v1/checkout/api-key", web::get().to(api_keys::get_current_api_key)),
        endpoint(M::GET, "/v1/checkout/codes/{code}", web::get().to(checkout::check_code)),
        endpoint(M::POST, "/v1/checkout/quote", web::post().to(checkout::quote)),
        endpoint(M::POST, "/v1/checkout/orders", web::post().to(orders::record_order)),
        endpoint(M::POST, "/v1/checkout/orders/{order_id}/refunds", web::post().to(orders::refund_order)),
        endpoint(M::POST, "/v1/checkout/orders/{order_id}/cancel", web::post().to(orders::cancel_order)),
        // Shop webhooks (authenticated by the platform's signature).
        endpoint(M::POST, "/v1/integrations/{id}/webhook", web::post().to(shop_webhooks::receive_delivery)),
        // Influencers.
        endpoint(M::GET, "/v1/me", web::get().to(me::get_me)),
        endpoint(M::PATCH, "/v1/me", web::patch().to(me::update_me)),
        endpoint(M::POST, "/v1/me/password", web::post().to(me::change_my_password)),
        endpoint(M::GET, "/v1/me/codes", web::get().to(codes::list_my_codes)),
        endpoint(M::GET, "/v1/me/invitations", web::get().to(inbox::list_my_invitations)),
        endpoint(M::POST, "/v1/me/invitations/accept", web::post().to(invitations::accept_invitation)),
        endpoint(M::POST, "/v1/me/recruiters/join", web::post().to(recruits::join_recruiter)),
        endpoint(M::POST, "/v1/me/invitations/{id}/accept", web::post().to(inbox::accept_invitation_by_id)),
        endpoint(M::POST, "/v1/me/invitations/{id}/decline", web::post().to(inbox::decline_invitation)),
        endpoint(M::GET, "/v1/me/rewards", web::get().to(rewards::list_my_rewards)),
        endpoint(M::POST, "/v1/me/rewards/{id}/claim", web::post().to(rewards::claim_reward)),
        endpoint(M::GET, "/v1/me/dashboard", web::get().to(me_reports::get_dashboard)),
        endpoint(M::GET, "/v1/me/orders", web::get().to(me_reports::list_my_orders)),
        endpoint(M::GET, "/v1/me/orders/{id}", web::get().to(me_reports::get_my_order)),
        endpoint(M::GET, "/v1/me/earnings.csv", web::get().to(me_reports::download_earnings)),
        endpoint(M::GET, "/v1/me/deals", web::get().to(me_deals::list_my_deals)),
        endpoint(M::GET, "/v1/me/deals/{id}", web::get().to(me_deals::get_my_deal)),
        endpoint(M::POST, "/v1/me/deals/{id}/accept", web::post().to(me_deals::accept_deal)),
        endpoint(M::POST, "/v1/me/deals/{id}/decline", web::post().to(me_deals::decline_deal)),
        endpoint(M::POST, "/v1/me/deals/{id}/counter", web::post().to(me_deals::counter_deal)),
        endpoint(M::POST, "/v1/me/deals/{id}/deliverables/{deliverable_id}/proofs", web::post().to(me_deals::submit_proof)),
        // Referral links (public).
        endpoint(M::GET, "/r/{brand_slug}/{code}", web::get().to(links::follow_link)),
    ]
}

/// The (method, path) pairs of [`endpoints`], for the spec drift test.
pub fn routes() -> Vec<(Method, &'static str)> {
    endpoints().into_iter().map(|e| (e.method, e.path)).collect()
}

/// The static scope a path is served under: `/v1/<first segment>` for API paths
/// (`/v1/checkout`, `/v1/brand`, …), none for the operator endpoints and links.
fn scope_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/v1/")?;
    let end = rest.find('/').map_or(path.len(), |i| "/v1/".len() + i);
    Some(&path[..end])
}

/// Registers every endpoint, one resource per path, so a known path with an unknown
/// method answers 405 (with `Allow` listing the path's methods) and an unknown path
/// 404, both as problem+json.
///
/// The router tries resources in order and matches each templated path with a regex.
/// Grouping paths under static scopes, and registering static paths before templated
/// ones within each, keeps routing a request to a few string comparisons and at most
/// a handful of regexes, whatever the number of routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    type Paths = BTreeMap<(bool, &'static str), Vec<(Method, Route)>>;
    let mut scopes: BTreeMap<Option<&'static str>, Paths> = BTreeMap::new();
    for e in endpoints() {
        scopes
            .entry(scope_of(e.path))
            .or_default()
            .entry((e.path.contains('{'), e.path))
            .or_default()
            .push((e.method, e.route));
    }
    let resource = |path: &str, routes: Vec<(Method, Route)>| {
        let allow = routes
            .iter()
            .map(|(method, _)| method.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let refuse = move |req: HttpRequest| std::future::ready(method_not_allowed(&req, &allow));
        routes.into_iter().fold(
            web::resource(path.to_owned()).default_service(web::to(refuse)),
            |resource, (_, route)| resource.route(route),
        )
    };
    // `None` sorts first; scopes go before the top-level paths, whose link route is
    // templated.
    let mut top_level = Paths::new();
    for (scope, paths) in scopes {
        let Some(prefix) = scope else {
            top_level = paths;
            continue;
        };
        let scope = paths.into_iter().fold(
            web::scope(prefix).default_service(web::to(not_found)),
            |scope, ((_, path), routes)| scope.service(resource(&path[prefix.len()..], routes)),
        );
        cfg.service(scope);
    }
    for ((_, path), routes) in top_level {
        cfg.service(resource(path, routes));
    }
}

pub async fn not_found(req: HttpRequest) -> HttpResponse {
    actix_web::ResponseError::error_response(&route_not_found(req.path()))
}

/// 404 `route_not_found`: nothing is served at this path.
pub fn route_not_found(path: &str) -> ApiError {
    ApiError::not_found(ErrorCode::RouteNotFound, format!("No route for {path}."))
}

fn method_not_allowed(req: &HttpRequest, allow: &str) -> HttpResponse {
    let err = ApiError::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        format!("{} is not allowed on {}; use {allow}.", req.method(), req.path()),
    );
    let mut response = actix_web::ResponseError::error_response(&err);
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(allow) {
        response.headers_mut().insert(actix_web::http::header::ALLOW, value);
    }
    response
}

/// Path parameters that fail to parse (an id that is not a UUID) name no resource: 404,
/// with one fixed sentence (the parser's message describes the parser, not the request).
pub fn path_error(_: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::not_found(ErrorCode::NotFound, "No such resource.").into()
}

/// Query strings that fail to parse are invalid input: 422, field `query`, with the
/// deserialiser's message (it names the parameter and what it expected) but not
/// actix-web's wrapper text around it.
pub fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let message = match err {
        actix_web::error::QueryPayloadError::Deserialize(inner) => inner.to_string(),
        _ => "cannot be read".to_owned(),
    };
    ApiError::field("query", message).into()
}
