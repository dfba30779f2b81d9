//! What a sign-in leaves behind ([`StoredTokens`]) and where it can live ([`TokenStore`]): the OS
//! keyring ([`crate::keyring_store`]), or memory for one run when there is no keyring and the
//! user agreed. Never a plain file.

use crate::{ProviderId, Secret};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;
use vocab::now_millis;

/// What a sign-in leaves behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTokens {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    /// Milliseconds since the epoch.
    pub expires_at: Option<u64>,
    pub id_token: Option<Secret>,
    pub name: Option<String>,
    pub email: Option<String>,
    /// How the user signed in (saved tokens from before this field are browser sign-ins).
    #[serde(default)]
    pub method: SignInMethod,
}

/// How a sign-in was made, which decides how an expired access token is renewed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum SignInMethod {
    /// In the browser, through the loopback redirect: renewed with the refresh token.
    #[default]
    Browser,
    /// From Azure CLI's own sign-in: renewed by asking `az` again.
    AzureCli,
}

impl StoredTokens {
    /// Whether the access token has expired (or will within a minute, so a request won't race it).
    pub fn is_expired(&self) -> bool {
        self.expires_at.is_some_and(|at| now_millis() + 60_000 >= at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenStoreError {
    /// No keyring service to talk to (no Secret Service, locked, no D-Bus…).
    #[error("the system keyring isn't available ({0})")]
    Unavailable(String),
    #[error("the saved sign-in couldn't be read ({0}); sign in again to replace it")]
    Corrupt(String),
    #[error("the system keyring failed ({0})")]
    Failed(String),
}

/// Where sign-ins are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Storage {
    /// The OS keyring: sign-ins survive a restart.
    Keyring,
    /// This run only: the user agreed after the keyring turned out unavailable, or a demo.
    Memory,
}

pub trait TokenStore: Send + Sync {
    /// Blocking; call from `spawn_blocking` in async code.
    fn load(&self, provider: ProviderId) -> Result<Option<StoredTokens>, TokenStoreError>;
    fn save(&self, provider: ProviderId, tokens: &StoredTokens) -> Result<(), TokenStoreError>;
    /// Deleting what isn't there is fine.
    fn delete(&self, provider: ProviderId) -> Result<(), TokenStoreError>;
    /// Where this store keeps sign-ins, for the UI.
    fn storage(&self) -> Storage;
}

/// Tokens for this run only.
#[derive(Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<HashMap<ProviderId, StoredTokens>>,
}

impl TokenStore for MemoryTokenStore {
    fn load(&self, provider: ProviderId) -> Result<Option<StoredTokens>, TokenStoreError> {
        Ok(self.tokens.lock().get(&provider).cloned())
    }
    fn save(&self, provider: ProviderId, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
        self.tokens.lock().insert(provider, tokens.clone());
        Ok(())
    }
    fn delete(&self, provider: ProviderId) -> Result<(), TokenStoreError> {
        self.tokens.lock().remove(&provider);
        Ok(())
    }
    fn storage(&self) -> Storage {
        Storage::Memory
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(size: usize) -> StoredTokens {
        StoredTokens {
            access_token: Secret::new("a".repeat(size)),
            refresh_token: Some(Secret::new("r-é-".repeat(10))),
            expires_at: Some(1),
            id_token: None,
            name: Some("Ada".into()),
            email: Some("ada@example.com".into()),
            method: Default::default(),
        }
    }

    #[test]
    fn memory_store_round_trips_and_deletes() {
        let store = MemoryTokenStore::default();
        assert_eq!(store.load(ProviderId::Pinecone), Ok(None));
        store.save(ProviderId::Pinecone, &tokens(10)).unwrap();
        assert_eq!(store.load(ProviderId::Pinecone).unwrap(), Some(tokens(10)));
        assert_eq!(store.load(ProviderId::Microsoft), Ok(None), "providers are separate");
        store.delete(ProviderId::Pinecone).unwrap();
        assert_eq!(store.load(ProviderId::Pinecone), Ok(None));
    }

    #[test]
    fn expiry_is_judged_with_a_minute_of_slack() {
        let mut t = tokens(1);
        t.expires_at = Some(now_millis() + 30_000);
        assert!(t.is_expired());
        t.expires_at = Some(now_millis() + 3_600_000);
        assert!(!t.is_expired());
        t.expires_at = None;
        assert!(!t.is_expired());
    }

    #[test]
    fn debug_output_of_stored_tokens_has_no_secret() {
        let printed = format!("{:?}", tokens(8));
        assert!(!printed.contains("aaaaaaaa") && !printed.contains("r-é-"), "{printed}");
    }
}
