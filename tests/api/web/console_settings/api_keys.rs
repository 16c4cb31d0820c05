//! API keys on the page: made (the secret shown once), listed by the API, revoked.

use super::{ESCAPED, SCRIPT, field_value, forged, items, owner, page_ok};
use crate::helpers::spawn_app;
use crate::web::SESSION;
use crate::web::console::post_console;

#[tokio::test]
async fn an_api_key_made_on_the_page_is_the_apis_its_secret_shown_once_and_revoking_it_stops_it() {
    let app = spawn_app().await;
    let (brand, session) = owner(&app, "acme").await;
    let (other, _) = owner(&app, "beans").await;
    let (their_key, _) = app.create_api_key(&other.access_token, "Theirs").await;
    let list = page_ok(&app, &session, "/console/settings/api-keys").await;

    let path = "/console/settings/api-keys";
    let empty = post_console(&app, &session, &list, path, &[("name", "  ")]).await;
    assert_eq!(empty.status, 422, "{}", empty.html);
    assert!(empty.html.contains("id=\"name-error\""), "{}", empty.html);
    assert_eq!(forged(&app, &session, path, &[("name", "Shop")]).await.status, 403);
    assert!(items(&app, &brand.access_token, "/v1/brand/api-keys").await.is_empty());

    let made = post_console(&app, &session, &list, path, &[("name", SCRIPT)]).await;
    assert_eq!(made.status, 200, "{}", made.html);
    assert_eq!(made.headers["cache-control"], "no-store");
    let secret = field_value(&made, "secret");
    assert!(made.html.contains("data-copy=\"secret\""), "{}", made.html);
    assert!(
        made.html.contains(ESCAPED) && !made.html.contains(SCRIPT),
        "{}",
        made.html
    );
    let keys = items(&app, &brand.access_token, "/v1/brand/api-keys").await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["name"], SCRIPT);
    let id = keys[0]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with(keys[0]["prefix"].as_str().unwrap()));
    assert_eq!(app.get("/v1/checkout/api-key", Some(&secret)).await.status, 200);
    // Shown once: the list has the key's name and prefix, never its secret.
    let listed = page_ok(&app, &session, path).await;
    assert!(!listed.html.contains(&secret), "{}", listed.html);
    assert!(listed.html.contains(ESCAPED), "{}", listed.html);

    // Another brand's key is not found, and stays.
    let theirs = format!("{path}/{their_key}/revoke");
    assert_eq!(app.get_page(&theirs, &[(SESSION, &session)]).await.status, 404);
    assert_eq!(post_console(&app, &session, &listed, &theirs, &[]).await.status, 404);
    assert_eq!(items(&app, &other.access_token, "/v1/brand/api-keys").await.len(), 1);

    let revoke = format!("{path}/{id}/revoke");
    let confirm = page_ok(&app, &session, &revoke).await;
    assert!(confirm.html.contains("cannot be undone"), "{}", confirm.html);
    assert_eq!(forged(&app, &session, &revoke, &[]).await.status, 403);
    assert_eq!(items(&app, &brand.access_token, "/v1/brand/api-keys").await.len(), 1);
    let revoked = post_console(&app, &session, &confirm, &revoke, &[]).await;
    assert_eq!(
        (revoked.status, revoked.location()),
        (303, "/console/settings/api-keys?done=revoked")
    );
    assert!(items(&app, &brand.access_token, "/v1/brand/api-keys").await.is_empty());
    assert_eq!(app.get("/v1/checkout/api-key", Some(&secret)).await.status, 401);
    assert_eq!(app.get_page(&revoke, &[(SESSION, &session)]).await.status, 404);
}
