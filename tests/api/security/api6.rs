//! API6 Unrestricted access to sensitive business flows.

use super::cart;
use crate::helpers::spawn_app;

/// Guessing codes through quotes spends the same miss budget as code checks: past it,
/// every code lookup of the key is 429, hits included, while carts without a code are
/// still quoted.
#[tokio::test]
async fn code_guesses_through_quotes_lock_every_code_lookup_but_not_plain_carts() {
    let app = spawn_app().await;
    let p = app.program_with_ambassador("acme").await;
    let key = Some(p.api_key.as_str());
    let mut statuses = Vec::new();
    for i in 0..40 {
        let reply = app
            .post("/v1/checkout/quote", key, &cart(Some(&format!("GUESS{i:03}"))))
            .await;
        statuses.push(reply.status);
    }
    assert!(statuses.iter().all(|s| *s == 404 || *s == 429), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    app.get(&format!("/v1/checkout/codes/{}", p.code), key)
        .await
        .assert_problem(429, "rate_limited");
    app.post("/v1/checkout/quote", key, &cart(Some(&p.code)))
        .await
        .assert_problem(429, "rate_limited");
    let plain = app.post("/v1/checkout/quote", key, &cart(None)).await;
    assert_eq!(plain.status, 200, "{}", plain.text);
}
