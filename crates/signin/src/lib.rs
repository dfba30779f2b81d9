//! Sign-in through the system browser (RFC 8252): a loopback listener that catches the redirect,
//! the PKCE S256 authorization-code exchange and refresh over the `oauth2` crate, signing in with
//! a device code (RFC 8628) where the redirect can't work, token storage in the OS keyring, and
//! [`SignIns`], the registry every sign-in, token lookup and sign-out goes through. Nothing here
//! knows about Tauri.

pub mod azure_cli;
pub mod config;
pub mod device;
pub mod keyring_store;
pub mod loopback;
pub mod oauth;
pub mod pairing;
pub mod registry;
pub mod secret;
pub mod selftest;
pub mod signin;
pub mod tokens;

pub use azure_cli::AzureCliError;
pub use config::{AzureCliConfig, ConfigError, ProviderConfig, ResponseMode, SettingsLayer, SignInConfig};
pub use device::DeviceCodeError;
pub use keyring_store::{KeyringEntries, KeyringTokenStore, Layout, OsKeyring};
pub use loopback::{CallbackError, CallbackRules, LoopbackListener, WaitControl};
pub use oauth::OAuthError;
pub use registry::{blocking, Identity, SignIns};
pub use secret::Secret;
pub use selftest::{loopback_self_test, LoopbackSelfTest};
pub use signin::{authorize, SignInError, SignInEvent};
pub use tokens::{MemoryTokenStore, SignInMethod, Storage, StoredTokens, TokenStore, TokenStoreError};
pub use vocab::ProviderId;
