//! The web portal's frame: pages with their security headers, sign-in with a CSRF-checked
//! form and a server-side session cookie, sign-out that ends the session, escaping; and
//! the influencer's pages (one file per area).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

mod account;
mod brand;
mod console;
mod console_ambassadors;
mod console_deals;
mod console_money;
mod console_orders;
mod console_payouts;
mod console_programs;
mod console_reassign;
mod console_settings;
mod console_team;
mod deal_steps;
mod frame;
mod orders;
mod pages;
mod portal_deals;
mod recruits;
mod rewards;

use crate::helpers::{PASSWORD, TestApp};

/// The test apps' public URL is https: cookies are `Secure` with the `__Host-` prefix.
pub const SESSION: &str = "__Host-reftrack_session";
pub const CSRF: &str = "__Host-reftrack_csrf";

pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub html: String,
}

impl Page {
    /// The `Set-Cookie` line of `name`.
    pub fn set_cookie(&self, name: &str) -> String {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|v| v.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} cookie in {:?}", self.headers))
    }

    pub fn cookie_value(&self, name: &str) -> String {
        let line = self.set_cookie(name);
        line[name.len() + 1..].split(';').next().unwrap().to_owned()
    }

    /// The value of the hidden input `name`.
    pub fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .html
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} in {}", self.html))
            + marker.len();
        self.html[start..].split('"').next().unwrap().to_owned()
    }

    /// The value of the hidden input `name` anywhere on the page (the sign-out form has it).
    pub fn hidden_or_none(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        self.html
            .find(&marker)
            .map(|start| self.html[start + marker.len()..].split('"').next().unwrap().to_owned())
            .unwrap_or_default()
    }

    pub fn location(&self) -> &str {
        self.headers.get(LOCATION).map_or("", |v| v.to_str().unwrap())
    }
}

impl TestApp {
    pub async fn page(
        &self,
        method: reqwest::Method,
        path: &str,
        cookies: &[(&str, &str)],
        form: Option<&[(&str, &str)]>,
    ) -> Page {
        let mut request = self.client.request(method, self.url(path));
        if !cookies.is_empty() {
            let line: Vec<String> = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header(COOKIE, line.join("; "));
        }
        if let Some(form) = form {
            let body: Vec<String> = form
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{k}={}",
                        url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                    )
                })
                .collect();
            request = request
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.join("&"));
        }
        let response = request.send().await.unwrap();
        Page {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            html: response.text().await.unwrap(),
        }
    }

    pub async fn get_page(&self, path: &str, cookies: &[(&str, &str)]) -> Page {
        self.page(reqwest::Method::GET, path, cookies, None).await
    }

    /// Signs in through the form; returns the session cookie's value.
    pub async fn sign_in(&self, email: &str, account: &str) -> String {
        let form = self.get_page("/login", &[]).await;
        let csrf_cookie = form.cookie_value(CSRF);
        let signed = self
            .page(
                reqwest::Method::POST,
                "/login",
                &[(CSRF, &csrf_cookie)],
                Some(&[
                    ("csrf", &form.hidden("csrf")),
                    ("email", email),
                    ("password", PASSWORD),
                    ("account", account),
                ]),
            )
            .await;
        assert_eq!(signed.status, 303, "{}", signed.html);
        let home = if account == "brand" { "/console" } else { "/app" };
        assert_eq!(signed.location(), home);
        signed.cookie_value(SESSION)
    }
}
