//! Credentials: password hashing, access tokens (JWT), refresh tokens and API keys.

pub mod jwt;
pub mod password;
pub mod pepper;
pub mod sealing;
pub mod secrets;
pub mod standard_webhooks;
pub mod webhook_signature;

pub use jwt::{AccessToken, Claims, JwtError, JwtKeys};
