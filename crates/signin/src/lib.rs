//! Sign-in through the system browser (RFC 8252): a loopback listener that catches the redirect,
//! the PKCE S256 authorization-code exchange and refresh over the `oauth2` crate, and token
//! storage in the OS keyring. Nothing here knows about Tauri.

pub mod config;
pub mod loopback;
pub mod oauth;
pub mod pairing;
pub mod secret;
pub mod signin;
pub mod tokens;

pub use config::{ConfigError, ProviderConfig, ProviderId, SignInConfig};
pub use loopback::{CallbackError, LoopbackListener, WaitControl};
pub use secret::Secret;
pub use signin::{authorize, blocking, current_tokens, sign_in, SignInError, SignInEvent};
pub use tokens::{KeyringTokenStore, MemoryTokenStore, StoredTokens, TokenStore, TokenStoreError};

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}
