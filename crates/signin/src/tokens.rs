//! Where tokens live: the OS keyring (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows) through `keyring`, or memory for one run when there is no keyring and the
//! user agreed. Never a plain file.
//!
//! Keyring entries are namespaced by the app identifier (the service) and the provider (the
//! account), and split into chunks small enough for Windows' 2560-byte credential limit.

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

/// UTF-16 units per keyring entry: Windows stores credentials as UTF-16 and caps them at 2560
/// bytes, 1280 units; keep a margin.
pub const CHUNK_UNITS: usize = 1200;

#[derive(Serialize, Deserialize)]
struct Manifest {
    v: u32,
    /// Which of the two part slots ("a" or "b") holds the current tokens.
    slot: String,
    chunks: usize,
}

/// Tokens in the OS keyring under service `service` (the app identifier).
///
/// Saving writes the parts into the slot the manifest doesn't point at, then switches the
/// manifest, then clears the old slot: a failure at any point leaves a manifest whose parts are
/// all there.
pub struct KeyringTokenStore {
    service: String,
}

impl KeyringTokenStore {
    pub fn new(service: impl Into<String>) -> Self {
        Self { service: service.into() }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, TokenStoreError> {
        keyring::Entry::new(&self.service, account).map_err(map_keyring)
    }

    fn chunk_account(provider: ProviderId, slot: &str, i: usize) -> String {
        format!("{}/tokens/{slot}/{i}", provider.as_str())
    }

    fn manifest_account(provider: ProviderId) -> String {
        format!("{}/tokens", provider.as_str())
    }

    fn read_manifest(&self, provider: ProviderId) -> Result<Option<Manifest>, TokenStoreError> {
        match self.entry(&Self::manifest_account(provider))?.get_password() {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| TokenStoreError::Corrupt(e.to_string())),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring(e)),
        }
    }

    fn delete_account(&self, account: &str) -> Result<bool, TokenStoreError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_keyring(e)),
        }
    }

    /// Deletes a slot's parts by counting up until one is missing, so it works even when the
    /// manifest is damaged or gone.
    fn clear_slot(&self, provider: ProviderId, slot: &str) -> Result<(), TokenStoreError> {
        let mut i = 0;
        while self.delete_account(&Self::chunk_account(provider, slot, i))? {
            i += 1;
        }
        Ok(())
    }
}

fn map_keyring(e: keyring::Error) -> TokenStoreError {
    match e {
        keyring::Error::NoStorageAccess(inner) => TokenStoreError::Unavailable(inner.to_string()),
        keyring::Error::PlatformFailure(inner) => TokenStoreError::Unavailable(inner.to_string()),
        keyring::Error::BadEncoding(_) => TokenStoreError::Corrupt("an entry is not text".into()),
        other => TokenStoreError::Failed(other.to_string()),
    }
}

/// Splits `text` into pieces of at most `max` UTF-16 units, on character boundaries.
pub fn chunks(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut units = 0;
    for c in text.chars() {
        if units + c.len_utf16() > max {
            out.push(std::mem::take(&mut current));
            units = 0;
        }
        units += c.len_utf16();
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

impl TokenStore for KeyringTokenStore {
    fn load(&self, provider: ProviderId) -> Result<Option<StoredTokens>, TokenStoreError> {
        let Some(manifest) = self.read_manifest(provider)? else { return Ok(None) };
        let mut text = String::new();
        for i in 0..manifest.chunks {
            match self.entry(&Self::chunk_account(provider, &manifest.slot, i))?.get_password() {
                Ok(part) => text.push_str(&part),
                Err(keyring::Error::NoEntry) => return Err(TokenStoreError::Corrupt(format!("part {i} is missing"))),
                Err(e) => return Err(map_keyring(e)),
            }
        }
        serde_json::from_str(&text).map(Some).map_err(|e| TokenStoreError::Corrupt(e.to_string()))
    }

    fn save(&self, provider: ProviderId, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
        let old = self.read_manifest(provider).ok().flatten().map(|m| m.slot);
        let slot = if old.as_deref() == Some("a") { "b" } else { "a" };
        let json = serde_json::to_string(tokens).map_err(|e| TokenStoreError::Failed(e.to_string()))?;
        let parts = chunks(&json, CHUNK_UNITS);
        // Leftovers from an interrupted save must not extend the new parts.
        self.clear_slot(provider, slot)?;
        for (i, part) in parts.iter().enumerate() {
            self.entry(&Self::chunk_account(provider, slot, i))?.set_password(part).map_err(map_keyring)?;
        }
        let manifest = serde_json::to_string(&Manifest { v: 1, slot: slot.into(), chunks: parts.len() }).expect("plain struct");
        self.entry(&Self::manifest_account(provider))?.set_password(&manifest).map_err(map_keyring)?;
        self.clear_slot(provider, if slot == "a" { "b" } else { "a" })
    }

    fn delete(&self, provider: ProviderId) -> Result<(), TokenStoreError> {
        // Parts first, manifest last: a failure part-way leaves something a retry can find.
        self.clear_slot(provider, "a")?;
        self.clear_slot(provider, "b")?;
        self.delete_account(&Self::manifest_account(provider)).map(|_| ())
    }

    fn storage(&self) -> Storage {
        Storage::Keyring
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
    fn chunks_respect_the_limit_and_rejoin() {
        let text = "é".repeat(2500) + "xyz";
        let parts = chunks(&text, CHUNK_UNITS);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.encode_utf16().count() * 2 <= 2560));
        assert_eq!(parts.concat(), text);
        assert!(chunks("", 10).is_empty());
        // Characters outside the BMP take two UTF-16 units each; the limit counts units.
        let emoji = "🦀".repeat(1000);
        let parts = chunks(&emoji, CHUNK_UNITS);
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.encode_utf16().count() <= CHUNK_UNITS));
        assert_eq!(parts.concat(), emoji);
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
