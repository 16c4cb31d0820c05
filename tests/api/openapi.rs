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
