//! Tokens in the OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows) through `keyring`, under the app identifier (the service) and `<provider>/tokens`
//! (the account).
//!
//! Two layouts, because the platforms differ in one way that matters:
//! - **Single** (Linux, macOS): one entry holds everything, replaced in one write. Secret Service
//!   and Keychain have no small size limit, and one write is both the cheapest save (one D-Bus
//!   round trip) and the only one that can't be torn.
//! - **Chunked** (Windows, whose credentials hold at most 2560 bytes of UTF-16): the parts go to
//!   whichever of two slots the manifest doesn't point at, then the manifest is switched, then
//!   the old slot is cleared. The manifest write is the one moment the tokens change.
//!
//! Either way a failure, or the process dying, at any step leaves the old tokens or the new ones,
//! never a mix; a sign-out deletes the manifest first (the moment the sign-in is gone) and then
//! sweeps every part slot, whatever an earlier failure left there. The entries are reached
//! through [`KeyringEntries`], so tests can make any single operation fail.

use crate::{ProviderId, Storage, StoredTokens, TokenStore, TokenStoreError};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::{collections::HashSet, sync::Arc};

/// UTF-16 units per keyring entry in the chunked layout: Windows stores credentials as UTF-16
/// and caps them at 2560 bytes, 1280 units; keep a margin.
pub const CHUNK_UNITS: usize = 1200;
/// Parts per slot, at most. A sweep deletes every one of them, present or not, so a gap left by
/// an interrupted clear can't hide the parts after it.
pub const MAX_PARTS: usize = 16;
const SLOTS: [&str; 2] = ["a", "b"];

/// Get, set and delete of one keyring's entries by account name. [`OsKeyring`] in the app.
pub trait KeyringEntries: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<String>, TokenStoreError>;
    fn set(&self, account: &str, value: &str) -> Result<(), TokenStoreError>;
    /// Whether there was something to delete.
    fn delete(&self, account: &str) -> Result<bool, TokenStoreError>;
    /// Deletes every entry whose account starts with `prefix` and says how many there were, where
    /// the keyring can list entries; `None` where it can't, and the store then deletes each
    /// account a part could have, one by one.
    fn delete_prefixed(&self, _prefix: &str) -> Result<Option<usize>, TokenStoreError> {
        Ok(None)
    }
}

/// The OS keyring, under one service name.
pub struct OsKeyring {
    service: String,
}

impl OsKeyring {
    pub fn new(service: impl Into<String>) -> Self {
        Self { service: service.into() }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, TokenStoreError> {
        keyring::Entry::new(&self.service, account).map_err(map_keyring)
    }
}

impl KeyringEntries for OsKeyring {
    fn get(&self, account: &str) -> Result<Option<String>, TokenStoreError> {
        match self.entry(account)?.get_password() {
            Ok(text) => Ok(Some(text)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring(e)),
        }
    }

    fn set(&self, account: &str, value: &str) -> Result<(), TokenStoreError> {
        self.entry(account)?.set_password(value).map_err(map_keyring)
    }

    fn delete(&self, account: &str) -> Result<bool, TokenStoreError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_keyring(e)),
        }
    }

    /// Secret Service can search by attribute: one search for this app's items instead of a
    /// D-Bus round trip for each account a part could have (a sweep of both slots one by one
    /// measured about 2 s here). `keyring` stores the service and account as the `service` and
    /// `username` attributes.
    #[cfg(target_os = "linux")]
    fn delete_prefixed(&self, prefix: &str) -> Result<Option<usize>, TokenStoreError> {
        use dbus_secret_service::{EncryptionType, SecretService};
        let failed = |e: dbus_secret_service::Error| TokenStoreError::Failed(e.to_string());
        let ss = SecretService::connect(EncryptionType::Plain).map_err(|e| TokenStoreError::Unavailable(e.to_string()))?;
        let found = ss.search_items(std::collections::HashMap::from([("service", self.service.as_str())])).map_err(failed)?;
        let mut deleted = 0;
        for item in found.unlocked.iter().chain(&found.locked) {
            if item.get_attributes().map_err(failed)?.get("username").is_some_and(|u| u.starts_with(prefix)) {
                item.delete().map_err(failed)?;
                deleted += 1;
            }
        }
        Ok(Some(deleted))
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

/// How tokens are laid out in the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One entry, replaced in one write.
    Single,
    /// A manifest and parts in two slots, for keyrings with a small size limit.
    Chunked,
}

impl Layout {
    /// Chunked only where the platform needs it.
    pub fn for_this_platform() -> Self {
        if cfg!(windows) {
            Layout::Chunked
        } else {
            Layout::Single
        }
    }
}

/// What `<provider>/tokens` holds: the tokens themselves (single layout), or a manifest naming
/// the slot and number of parts (chunked layout, and every save before the single layout).
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Main {
    Whole { v: u32, tokens: StoredTokens },
    Manifest { v: u32, slot: String, chunks: usize },
}

/// Tokens in a keyring.
pub struct KeyringTokenStore {
    entries: Arc<dyn KeyringEntries>,
    layout: Layout,
    /// Providers whose entry was found in the chunked layout while this store uses the single
    /// one: their parts are swept after the next save, since nothing reads them any more.
    leftover_parts: Mutex<HashSet<ProviderId>>,
}

impl KeyringTokenStore {
    /// The OS keyring under `service` (the app identifier), in this platform's layout.
    pub fn new(service: impl Into<String>) -> Self {
        Self::with_entries(Arc::new(OsKeyring::new(service)), Layout::for_this_platform())
    }

    /// Any keyring, in either layout (tests use both on every platform).
    pub fn with_entries(entries: Arc<dyn KeyringEntries>, layout: Layout) -> Self {
        Self { entries, layout, leftover_parts: Mutex::default() }
    }

    fn main_account(provider: ProviderId) -> String {
        format!("{}/tokens", provider.as_str())
    }

    fn part_account(provider: ProviderId, slot: &str, i: usize) -> String {
        format!("{}/tokens/{slot}/{i}", provider.as_str())
    }

    /// The main entry, strictly: a read that fails is an error, never "nothing saved", or a save
    /// would take the live slot for a free one.
    fn read_main(&self, provider: ProviderId) -> Result<Option<Main>, TokenStoreError> {
        match self.entries.get(&Self::main_account(provider))? {
            None => Ok(None),
            Some(text) => serde_json::from_str(&text).map(Some).map_err(|e| TokenStoreError::Corrupt(e.to_string())),
        }
    }

    /// Deletes every part of `slot`: all the keyring lists under its prefix, or, where it can't
    /// list, parts 0..MAX_PARTS one by one, since a missing part says nothing about the ones after it.
    fn sweep(&self, provider: ProviderId, slot: &str) -> Result<(), TokenStoreError> {
        if self.entries.delete_prefixed(&format!("{}/tokens/{slot}/", provider.as_str()))?.is_some() {
            return Ok(());
        }
        for i in 0..MAX_PARTS {
            self.entries.delete(&Self::part_account(provider, slot, i))?;
        }
        Ok(())
    }

    /// Deletes every part of both slots (a sign-out, or the leftovers of the chunked layout).
    fn sweep_all(&self, provider: ProviderId) -> Result<(), TokenStoreError> {
        if self.entries.delete_prefixed(&format!("{}/tokens/", provider.as_str()))?.is_some() {
            return Ok(());
        }
        SLOTS.iter().try_for_each(|slot| self.sweep(provider, slot))
    }

    fn save_single(&self, provider: ProviderId, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
        let text = serde_json::to_string(&Main::Whole { v: 2, tokens: tokens.clone() })
            .map_err(|e| TokenStoreError::Failed(e.to_string()))?;
        self.entries.set(&Self::main_account(provider), &text)?;
        if self.leftover_parts.lock().contains(&provider) && self.tidy(provider, None) {
            self.leftover_parts.lock().remove(&provider);
        }
        Ok(())
    }

    /// Sweeps `slot` (or both) after a save has committed: the new tokens are in, so a failure
    /// here only leaves unread parts for a later sweep, and is logged rather than failing the save.
    fn tidy(&self, provider: ProviderId, slot: Option<&str>) -> bool {
        let swept = match slot {
            Some(slot) => self.sweep(provider, slot),
            None => self.sweep_all(provider),
        };
        match swept {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("keyring ({}): old token parts not cleared yet ({e})", provider.as_str());
                false
            }
        }
    }

    fn save_chunked(&self, provider: ProviderId, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
        let live = match self.read_main(provider) {
            Ok(Some(Main::Manifest { slot, .. })) => Some(slot),
            Ok(Some(Main::Whole { .. }) | None) => None,
            // Unreadable: there are no tokens to keep, and no live slot to know of.
            Err(TokenStoreError::Corrupt(_)) => None,
            Err(e) => return Err(e),
        };
        let slot = if live.as_deref() == Some("a") { "b" } else { "a" };
        let json = serde_json::to_string(tokens).map_err(|e| TokenStoreError::Failed(e.to_string()))?;
        let parts = chunks(&json, CHUNK_UNITS);
        if parts.len() > MAX_PARTS {
            return Err(TokenStoreError::Failed(format!("the sign-in needs {} keyring entries, over {MAX_PARTS}", parts.len())));
        }
        // Parts past the new count, left by an interrupted save, are never read: the manifest
        // says how many there are. The next save into the other slot sweeps them.
        for (i, part) in parts.iter().enumerate() {
            self.entries.set(&Self::part_account(provider, slot, i), part)?;
        }
        let manifest = serde_json::to_string(&Main::Manifest { v: 1, slot: slot.into(), chunks: parts.len() })
            .map_err(|e| TokenStoreError::Failed(e.to_string()))?;
        self.entries.set(&Self::main_account(provider), &manifest)?;
        self.tidy(provider, Some(if slot == "a" { "b" } else { "a" }));
        Ok(())
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
        match self.read_main(provider)? {
            None => Ok(None),
            Some(Main::Whole { tokens, .. }) => Ok(Some(tokens)),
            Some(Main::Manifest { slot, chunks, .. }) => {
                if !SLOTS.contains(&slot.as_str()) || chunks > MAX_PARTS {
                    return Err(TokenStoreError::Corrupt(format!("the manifest names slot {slot:?} with {chunks} parts")));
                }
                let mut text = String::new();
                for i in 0..chunks {
                    match self.entries.get(&Self::part_account(provider, &slot, i))? {
                        Some(part) => text.push_str(&part),
                        None => return Err(TokenStoreError::Corrupt(format!("part {i} is missing"))),
                    }
                }
                if self.layout == Layout::Single {
                    self.leftover_parts.lock().insert(provider);
                }
                serde_json::from_str(&text).map(Some).map_err(|e| TokenStoreError::Corrupt(e.to_string()))
            }
        }
    }

    fn save(&self, provider: ProviderId, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
        match self.layout {
            Layout::Single => self.save_single(provider, tokens),
            Layout::Chunked => self.save_chunked(provider, tokens),
        }
    }

    fn delete(&self, provider: ProviderId) -> Result<(), TokenStoreError> {
        // The main entry first: once it is gone the sign-in is gone, and whatever parts a failure
        // leaves after that are never read, and are swept by the next sign-out or chunked save.
        self.entries.delete(&Self::main_account(provider))?;
        self.sweep_all(provider)?;
        self.leftover_parts.lock().remove(&provider);
        Ok(())
    }

    fn storage(&self) -> Storage {
        Storage::Keyring
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
