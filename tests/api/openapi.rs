//! The served API and `openapi.yaml` describe the same operations, in both directions.

use std::collections::BTreeSet;

use crate::helpers::spawn_app;

fn spec() -> serde_yaml::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap_or_default();
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("openapi.yaml does not parse: {e}"))
}

fn documented() -> BTreeSet<(String, String)> {
    let spec = spec();
    let mut out = BTreeSet::new();
    if let Some(paths) = spec["paths"].as_mapping() {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete", "head", "options"] {
                if item.get(method).is_some() {
                    out.insert((method.to_uppercase(), path.as_str().unwrap_or_default().to_owned()));
                }
            }
        }
    }
    out
}

fn served() -> BTreeSet<(String, String)> {
    reftrack::api::routes()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_owned()))
        .collect()
}

#[test]
fn every_served_route_is_documented_and_every_documented_route_is_served() {
    let documented = documented();
    let served = served();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "served but not in openapi.yaml: {undocumented:?}"
    );
    assert!(unserved.is_empty(), "in openapi.yaml but not served: {unserved:?}");
}

#[test]
fn spec_is_openapi_3_1_with_problem_errors() {
    let spec = spec();
    assert!(spec["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")));
    assert!(spec["components"]["schemas"]["Problem"].is_mapping());
    // Every operation that can fail documents its problem+json errors.
    let cannot_fail = ["/healthz", "/openapi.yaml"];
    if let Some(paths) = spec["paths"].as_mapping() {
        for (path, item) in paths {
            if cannot_fail.contains(&path.as_str().unwrap_or_default()) {
                continue;
            }
            for (method, op) in item.as_mapping().into_iter().flatten() {
                let Some(responses) = op["responses"].as_mapping() else {
                    continue;
                };
                let codes: Vec<_> = responses.keys().filter_map(|k| k.as_str().map(str::to_owned)).collect();
                assert!(
                    codes.iter().any(|c| c.starts_with('4') || c.starts_with('5')),
                    "{method:?} {path:?} documents no error"
                );
            }
        }
    }
}

/// The router really answers each documented operation (not the 404/405 fallbacks).
#[tokio::test]
async fn every_documented_operation_reaches_a_handler() {
    let app = spawn_app().await;
    for (method, path) in documented() {
        let concrete = path.replace("{id}", "0190a000-0000-7000-8000-000000000000");
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let reply = app.request(method.clone(), &concrete, None, None).await;
        assert!(
            !matches!(reply.code(), "route_not_found" | "method_not_allowed"),
            "{method} {path} fell through to the router's fallback: {}",
            reply.text
        );
    }
}

/// Parses a documented request example into the type its handler deserializes.
fn parses_as<T: serde::de::DeserializeOwned>(example: serde_json::Value) -> Result<(), String> {
    serde_json::from_value::<T>(example)
        .map(drop)
        .map_err(|e| e.to_string())
}

type ExampleCheck = fn(serde_json::Value) -> Result<(), String>;

/// Every request-body example in the spec deserializes into the handler's request type
/// (unknown fields are refused there, so a renamed or removed field fails here), and
/// every operation with a JSON body has at least one example.
#[test]
fn request_examples_deserialize_into_the_request_types() {
    use reftrack::api::*;
    let types: &[(&str, ExampleCheck)] = &[
        ("create_brand", parses_as::<accounts::CreateBrandRequest>),
        ("create_influencer", parses_as::<accounts::CreateInfluencerRequest>),
        ("login", parses_as::<sessions::LoginRequest>),
        ("refresh", parses_as::<sessions::RefreshRequest>),
        ("logout", parses_as::<sessions::RefreshRequest>),
        ("request_password_reset", parses_as::<password_reset::ResetRequest>),
        ("confirm_password_reset", parses_as::<password_reset::ConfirmRequest>),
        ("update_brand", parses_as::<brand::UpdateBrandRequest>),
        ("create_api_key", parses_as::<api_keys::CreateApiKeyRequest>),
        ("invite_team_member", parses_as::<team::InviteTeamMemberRequest>),
        ("update_team_member", parses_as::<team::UpdateTeamMemberRequest>),
        ("accept_team_invitation", parses_as::<team::AcceptTeamInvitationRequest>),
        ("create_program", parses_as::<programs::ProgramRequest>),
        ("update_program", parses_as::<programs::ProgramRequest>),
        ("preview_program", parses_as::<programs::PreviewRequest>),
        ("create_invitation", parses_as::<invitations::CreateInvitationRequest>),
        ("update_ambassador", parses_as::<ambassadors::UpdateAmbassadorRequest>),
        ("create_code", parses_as::<codes::CreateCodeRequest>),
        ("update_code", parses_as::<codes::UpdateCodeRequest>),
        (
            "create_integration",
            parses_as::<integrations::CreateIntegrationRequest>,
        ),
        (
            "update_integration",
            parses_as::<integrations::UpdateIntegrationRequest>,
        ),
        ("create_webhook", parses_as::<webhooks::CreateEndpointRequest>),
        ("update_webhook", parses_as::<webhooks::UpdateEndpointRequest>),
        // The webhook reads raw bytes, not a request type: its JSON examples are the
        // platforms' objects, checked against the mappings in the test below.
        (
            "receive_delivery",
            parses_as::<serde_json::Map<String, serde_json::Value>>,
        ),
        ("fulfil_reward", parses_as::<rewards::FulfilRewardRequest>),
        ("create_adjustment", parses_as::<money::AdjustmentRequest>),
        ("hold_commission", parses_as::<money::ReviewRequest>),
        ("release_commission", parses_as::<money::ReviewRequest>),
        ("reject_commission", parses_as::<money::ReviewRequest>),
        ("reassign_order", parses_as::<money::ReassignRequest>),
        ("create_deal", parses_as::<deals::DealRequest>),
        ("ship_gift", parses_as::<deals::ShipmentRequest>),
        ("reject_proof", parses_as::<deals::ProofRejectRequest>),
        ("report_removed", parses_as::<deals::RemovedRequest>),
        ("counter_deal", parses_as::<me_deals::CounterRequest>),
        ("submit_proof", parses_as::<me_deals::ProofRequest>),
        ("create_payout", parses_as::<payouts::CreatePayoutRequest>),
        ("quote", parses_as::<checkout::QuoteRequest>),
        ("record_order", parses_as::<orders::RecordOrderRequest>),
        (
            "replace_fx_rates",
            parses_as::<reftrack::api::fx_rates::ReplaceRatesRequest>,
        ),
        ("join_recruiter", parses_as::<reftrack::api::recruits::JoinRequest>),
        ("refund_order", parses_as::<orders::RefundRequest>),
        ("update_me", parses_as::<me::UpdateMeRequest>),
        ("change_my_password", parses_as::<me::ChangePasswordRequest>),
        ("accept_invitation", parses_as::<invitations::AcceptInvitationRequest>),
        ("claim_reward", parses_as::<rewards::ClaimRewardRequest>),
    ];
    let spec = spec();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_mapping().into_iter().flatten() {
        for (method, op) in item.as_mapping().into_iter().flatten() {
            let Some(body) = op["requestBody"]["content"]["application/json"].as_mapping() else {
                continue;
            };
            let op_id = op["operationId"].as_str().unwrap_or_default();
            let check = types
                .iter()
                .find(|(id, _)| *id == op_id)
                .map(|(_, check)| *check)
                .unwrap_or_else(|| panic!("{method:?} {path:?} ({op_id}) takes a JSON body: add its type here"));
            let mut examples: Vec<(String, serde_yaml::Value)> = Vec::new();
            if let Some(example) = body.get("example") {
                examples.push(("example".into(), example.clone()));
            }
            for (name, example) in body.get("examples").and_then(|e| e.as_mapping()).into_iter().flatten() {
                examples.push((format!("{name:?}"), example["value"].clone()));
            }
            assert!(!examples.is_empty(), "{op_id} has no request example");
            for (name, example) in examples {
                let json = serde_json::to_value(&example).unwrap_or_default();
                if let Err(err) = check(json) {
                    panic!("{op_id} example {name} does not deserialize: {err}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= types.len(), "only {checked} examples checked");
}

type MapDelivery = fn(&[u8]) -> Result<Vec<reftrack::shops::ShopCommand>, reftrack::shops::MappingError>;

/// The webhook's example bodies are deliveries reftrack acts on: each one, read as the
/// platform and topic its name gives (and the `X-WC-Webhook-Source` host its summary
/// names), maps to commands, none of them an `Ignore`.
#[test]
fn webhook_examples_are_deliveries_reftrack_acts_on() {
    use reftrack::shops::{self, ShopCommand};
    let platforms: &[(&str, MapDelivery)] = &[
        ("shopify_orders_paid", |body| {
            shops::shopify::map("orders/paid", body).map(|command| vec![command])
        }),
        ("woocommerce_order_updated", |body| {
            shops::woocommerce::map("order.updated", "shop.example.com", body)
        }),
        ("stripe_checkout_session_completed", |body| {
            shops::stripe::map(body).map(|command| vec![command])
        }),
    ];
    let spec = spec();
    let examples = &spec["paths"]["/v1/integrations/{id}/webhook"]["post"]["requestBody"]["content"]["application/json"]
        ["examples"];
    let names: BTreeSet<String> = examples
        .as_mapping()
        .into_iter()
        .flatten()
        .filter_map(|(name, _)| name.as_str().map(str::to_owned))
        .collect();
    let known: BTreeSet<String> = platforms.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(names, known, "give each webhook example its platform and topic here");
    for (name, map) in platforms {
        let json = serde_json::to_value(&examples[*name]["value"]).unwrap_or_default();
        let body = serde_json::to_vec(&json).unwrap_or_default();
        let commands = map(&body).unwrap_or_else(|e| panic!("{name} does not map: {e}"));
        assert!(
            !commands.is_empty() && !commands.iter().any(|c| matches!(c, ShopCommand::Ignore { .. })),
            "{name} maps to {commands:?}"
        );
    }
}

/// The spec's `Currency` enum is exactly the set of codes the server accepts (every
/// ISO 4217 code with a minor unit), so a fuzzer drawing from it never hits a 422.
#[test]
fn currency_enum_is_the_set_the_server_accepts() {
    let spec = spec();
    let listed: BTreeSet<String> = spec["components"]["schemas"]["Currency"]["enum"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_owned))
        .collect();
    let mut accepted = BTreeSet::new();
    for a in 'A'..='Z' {
        for b in 'A'..='Z' {
            for c in 'A'..='Z' {
                let code = String::from_iter([a, b, c]);
                if reftrack::domain::Currency::parse(&code).is_ok() {
                    accepted.insert(code);
                }
            }
        }
    }
    assert_eq!(listed, accepted);
}
