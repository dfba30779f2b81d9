//! The sign-ins an app holds: the settings, the token store (the keyring, or memory once the user
//! agreed), the waits in progress, and the rule that one token lookup runs at a time. This is the
//! only way the app signs in, looks up a token or signs out, and the crate's own tests go through
//! it too.
//!
//! Why one lookup at a time: a lookup may refresh, and two refreshes with the same rotating
//! refresh token make the provider refuse the second and sign the user out (or, as RFC 9700
//! §4.14.2 has providers do, revoke the whole sign-in). A finishing sign-in and a sign-out wait
//! for a running lookup as well, so a refresh in flight can't bring back tokens just deleted, or
//! overwrite a sign-in that just finished. Another process using the same keyring (a second copy
//! of the app, a script) is kept in step by a lock file: a refresh takes it and reads the keyring
//! again first, and a refused refresh reads the keyring again before deleting anything.

use crate::{
    azure_cli::{self, AzureCliError},
    device,
    loopback::{CallbackError, WaitControl, DEFAULT_TIMEOUT},
    oauth::{self, http_client, OAuthError},
    signin::authorize,
    tokens::SignInMethod,
    MemoryTokenStore, ProviderId, SignInConfig, SignInError, SignInEvent, Storage, StoredTokens, TokenStore, TokenStoreError,
};
use parking_lot::{Mutex, RwLock};
use serde::Serialize;
use std::{collections::HashMap, path::PathBuf, sync::Arc, time::Duration};
use ts_rs::TS;

/// Who is signed in, as the sign-in card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub name: Option<String>,
    pub email: Option<String>,
    pub method: SignInMethod,
}

impl From<&StoredTokens> for Identity {
    fn from(t: &StoredTokens) -> Self {
        Self { name: t.name.clone(), email: t.email.clone(), method: t.method }
    }
}

/// Runs a blocking token-store call off the async executor: keyring calls wait on D-Bus (or the
/// platform's store), and calling them inside tokio can panic with "runtime within a runtime".
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("a keyring call panicked")
}

pub struct SignIns {
    config: SignInConfig,
    /// Set when the settings file was broken; the defaults are used and the UI says so.
    config_problem: Option<String>,
    http: reqwest::Client,
    store: RwLock<Arc<dyn TokenStore>>,
    pending: Mutex<HashMap<ProviderId, WaitControl>>,
    lookups: tokio::sync::Mutex<()>,
    /// Where the lock files that keep processes' refreshes apart live (the app's data folder);
    /// `None` for a store no other process can see (memory).
    lock_dir: Option<PathBuf>,
}

impl SignIns {
    /// `config` is the loaded settings, or why they couldn't be loaded (the defaults are used then).
    pub fn new(config: Result<SignInConfig, String>, store: Arc<dyn TokenStore>) -> Self {
        let (config, config_problem) = match config {
            Ok(c) => (c, None),
            Err(problem) => (SignInConfig::defaults(), Some(problem)),
        };
        Self {
            config,
            config_problem,
            http: http_client(),
            store: RwLock::new(store),
            pending: Mutex::new(HashMap::new()),
            lookups: tokio::sync::Mutex::new(()),
            lock_dir: None,
        }
    }

    /// Keeps refreshes in step with other processes using the same keyring, with lock files in `dir`.
    pub fn with_lock_dir(mut self, dir: PathBuf) -> Self {
        self.lock_dir = Some(dir);
        self
    }

    /// Waits for, and takes, the cross-process lock on refreshing `provider` (released when the
    /// file is dropped). Without a lock folder, or if the lock file can't be made, the refresh
    /// goes ahead unlocked: this process's own lookups are still one at a time.
    async fn refresh_lock(&self, provider: ProviderId) -> Option<std::fs::File> {
        let dir = self.lock_dir.clone()?;
        let locked = blocking(move || -> std::io::Result<std::fs::File> {
            std::fs::create_dir_all(&dir)?;
            let file = std::fs::File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(dir.join(format!("refresh-{}.lock", provider.as_str())))?;
            file.lock()?;
            Ok(file)
        })
        .await;
        locked.map_err(|e| tracing::warn!("sign-in ({}): refreshing without the lock file ({e})", provider.as_str())).ok()
    }

    pub fn config(&self) -> &SignInConfig {
        &self.config
    }

    pub fn config_problem(&self) -> Option<&str> {
        self.config_problem.as_deref()
    }

    fn store(&self) -> Arc<dyn TokenStore> {
        self.store.read().clone()
    }

    /// Where sign-ins are kept now.
    pub fn storage(&self) -> Storage {
        self.store().storage()
    }

    pub fn is_pending(&self, provider: ProviderId) -> bool {
        self.pending.lock().contains_key(&provider)
    }

    /// Who the saved sign-in for `provider` is, without refreshing anything.
    ///
    /// # Errors
    /// The token store couldn't be read.
    pub async fn saved_identity(&self, provider: ProviderId) -> Result<Option<Identity>, TokenStoreError> {
        let store = self.store();
        Ok(blocking(move || store.load(provider)).await?.as_ref().map(Identity::from))
    }

    /// Every token saved for any provider, for the support bundle, which removes each from what
    /// it copies: none should be in a log line to begin with, and this makes sure. A store that
    /// can't be read gives none.
    pub async fn saved_secrets(&self) -> Vec<crate::Secret> {
        let store = self.store();
        blocking(move || {
            let saved = ProviderId::ALL.into_iter().filter_map(|p| store.load(p).ok().flatten());
            saved.flat_map(|t| [Some(t.access_token), t.refresh_token, t.id_token].into_iter().flatten()).collect()
        })
        .await
    }

    /// Runs a whole sign-in: listens, opens the browser with `open_browser`, waits, exchanges the
    /// code, and saves the tokens once no lookup runs, into the store current by then (the user
    /// may have chosen memory while the browser was open). A newer sign-in for the same provider
    /// cancels this one.
    ///
    /// # Errors
    /// Any [`SignInError`]; a sign-in cancelled (or reset) while it waited keeps nothing.
    pub async fn sign_in(
        &self,
        provider: ProviderId,
        org: Option<&str>,
        open_browser: impl FnOnce(&str) -> Result<(), String>,
        emit: impl Fn(SignInEvent),
    ) -> Result<Identity, SignInError> {
        let control = self.begin(provider);
        let config = self.config.provider(provider);
        let result = match authorize(provider, config, &self.http, &control, org, open_browser, emit).await {
            Ok(tokens) => self.save_finished(provider, Some(&control), tokens).await,
            Err(e) => Err(e),
        };
        self.end(provider, &control);
        result
    }

    /// Whether signing in with a device code can be offered for `provider` (a client id and a
    /// device authorization endpoint: Microsoft, once set up).
    pub fn device_code_available(&self, provider: ProviderId) -> bool {
        self.config.provider(provider).offers_device_code()
    }

    /// Runs a whole sign-in with a device code (RFC 8628), for when the loopback redirect can't
    /// work: asks for a code, reports it on `emit` for the user to enter in any browser, polls
    /// until they answer, and saves the tokens under the same rules as [`Self::sign_in`]. It is
    /// the provider's one waiting sign-in, like a loopback one: either kind replaces the other,
    /// and [`Self::cancel`] ends it. Its deadline is the code's lifetime, which
    /// [`Self::extend`] can't move.
    ///
    /// # Errors
    /// Any [`SignInError`]; [`crate::DeviceCodeError`] for declined, expired and refused codes.
    pub async fn sign_in_with_device_code(
        &self,
        provider: ProviderId,
        emit: impl Fn(SignInEvent),
    ) -> Result<Identity, SignInError> {
        let config = self.config.provider(provider);
        // Refused before it can replace a waiting sign-in that does work.
        if !config.is_configured() {
            return Err(SignInError::NotConfigured(config.name.clone()));
        }
        if config.device_authorization_url.is_none() {
            return Err(crate::DeviceCodeError::Unavailable(config.name.clone()).into());
        }
        let control = self.begin(provider);
        let result = match device::authorize(provider, config, &self.http, &control, emit).await {
            Ok(tokens) => self.save_finished(provider, Some(&control), tokens).await,
            Err(e) => Err(e),
        };
        self.end(provider, &control);
        result
    }

    /// Makes a new sign-in `provider`'s waiting one: one at a time per provider, so a pending one
    /// (of any method) is cancelled, and a loopback listener's port is freed at once.
    fn begin(&self, provider: ProviderId) -> WaitControl {
        let control = WaitControl::new(DEFAULT_TIMEOUT);
        if let Some(old) = self.pending.lock().insert(provider, control.clone()) {
            old.cancel();
        }
        control
    }

    /// Forgets a finished sign-in's control, if it is still ours: a newer one may have replaced it.
    fn end(&self, provider: ProviderId, control: &WaitControl) {
        let mut pending = self.pending.lock();
        if pending.get(&provider).is_some_and(|c| c.same_as(control)) {
            pending.remove(&provider);
        }
    }

    /// Saves a sign-in's tokens once no lookup runs, into the store current by then, unless it was
    /// cancelled (or replaced, or reset) meanwhile. Every sign-in method saves through here.
    pub(crate) async fn save_finished(
        &self,
        provider: ProviderId,
        control: Option<&WaitControl>,
        tokens: StoredTokens,
    ) -> Result<Identity, SignInError> {
        let _no_lookup_running = self.lookups.lock().await;
        if control.is_some_and(WaitControl::is_cancelled) {
            return Err(CallbackError::Cancelled.into());
        }
        let identity = Identity::from(&tokens);
        let store = self.store();
        blocking(move || store.save(provider, &tokens)).await?;
        tracing::info!("sign-in ({}): signed in", provider.as_str());
        Ok(identity)
    }

    /// Whether "Use my Azure CLI sign-in" can be offered: `az` is installed.
    pub fn azure_cli_available(&self) -> bool {
        azure_cli::find(&self.config.azure_cli.program).is_some()
    }

    /// Signs in with Microsoft using Azure CLI's own sign-in (no browser, no client id).
    ///
    /// # Errors
    /// Azure CLI isn't there, isn't signed in, or failed; or the token store refused.
    pub async fn sign_in_with_azure_cli(&self) -> Result<Identity, SignInError> {
        let tokens = azure_cli::access_token(&self.config.azure_cli).await?;
        self.save_finished(ProviderId::Microsoft, None, tokens).await
    }

    /// Pushes a waiting sign-in's deadline out by `by`; returns the time now left. A device-code
    /// sign-in's deadline is the code's, so it stays where it is (the time left says so).
    ///
    /// # Errors
    /// [`SignInError::NotPending`] when nothing waits.
    pub fn extend(&self, provider: ProviderId, by: Duration) -> Result<Duration, SignInError> {
        let pending = self.pending.lock();
        let control = pending.get(&provider).ok_or(SignInError::NotPending)?;
        control.extend(by);
        Ok(control.remaining())
    }

    /// Ends a waiting sign-in; its port is closed before its wait returns.
    pub fn cancel(&self, provider: ProviderId) {
        if let Some(control) = self.pending.lock().remove(&provider) {
            control.cancel();
        }
    }

    /// Deletes the saved sign-in, once no lookup runs.
    ///
    /// # Errors
    /// The token store refused.
    pub async fn sign_out(&self, provider: ProviderId) -> Result<(), SignInError> {
        let _no_lookup_running = self.lookups.lock().await;
        let store = self.store();
        Ok(blocking(move || store.delete(provider)).await?)
    }

    /// Keeps sign-ins in memory from now on (the user's answer to "no keyring").
    pub fn use_memory(&self) {
        *self.store.write() = Arc::new(MemoryTokenStore::default());
    }

    /// Forgets every sign-in and waiting sign-in (a demo reset).
    pub fn reset_to_memory(&self) {
        for (_, control) in self.pending.lock().drain() {
            control.cancel();
        }
        self.use_memory();
    }

    /// A usable access token for `provider`, refreshed first if it had expired; `None` when not
    /// signed in (never, signed out, or the refresh token was refused).
    ///
    /// # Errors
    /// The token store failed, or refreshing failed for a reason other than a refused refresh token.
    pub async fn current(&self, provider: ProviderId) -> Result<Option<StoredTokens>, SignInError> {
        let _one_at_a_time = self.lookups.lock().await;
        let store = self.store();
        let s = store.clone();
        let Some(tokens) = blocking(move || s.load(provider)).await? else { return Ok(None) };
        if !tokens.is_expired() {
            return Ok(Some(tokens));
        }
        // Our turn to refresh; another process may have refreshed while we waited for it.
        let _across_processes = self.refresh_lock(provider).await;
        let s = store.clone();
        let Some(tokens) = blocking(move || s.load(provider)).await? else { return Ok(None) };
        if !tokens.is_expired() {
            return Ok(Some(tokens));
        }
        if tokens.method == SignInMethod::AzureCli {
            return match azure_cli::access_token(&self.config.azure_cli).await {
                Ok(fresh) => {
                    let saved = fresh.clone();
                    blocking(move || store.save(provider, &saved)).await?;
                    Ok(Some(fresh))
                }
                // Logged out of `az` since: signed out here too.
                Err(AzureCliError::NotSignedIn(_) | AzureCliError::NotFound(_)) => {
                    blocking(move || store.delete(provider)).await?;
                    Ok(None)
                }
                Err(e) => Err(e.into()),
            };
        }
        match oauth::refresh(self.config.provider(provider), &self.http, &tokens).await {
            Ok(fresh) => {
                let saved = fresh.clone();
                blocking(move || store.save(provider, &saved)).await?;
                tracing::info!("sign-in ({}): access token refreshed", provider.as_str());
                Ok(Some(fresh))
            }
            Err(OAuthError::Rejected { error, .. }) if error == "invalid_grant" => {
                // Refused: but if the keyring now holds another refresh token, someone else
                // refreshed meanwhile (a process that doesn't take the lock), and that sign-in is good.
                let s = store.clone();
                let now = blocking(move || s.load(provider)).await?;
                if let Some(theirs) = now.filter(|t| t.refresh_token != tokens.refresh_token) {
                    tracing::info!("sign-in ({}): refreshed elsewhere meanwhile; using that", provider.as_str());
                    return Ok(Some(theirs));
                }
                blocking(move || store.delete(provider)).await?;
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    fn tokens() -> StoredTokens {
        StoredTokens {
            access_token: Secret::new("a"),
            refresh_token: None,
            expires_at: None,
            id_token: None,
            name: Some("Ada".into()),
            email: None,
            method: Default::default(),
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_finished_sign_in_waits_for_a_running_lookup_and_saves_to_the_store_current_then() {
        let first: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::default());
        let sign_ins = Arc::new(SignIns::new(Ok(SignInConfig::defaults()), first.clone()));
        // The user chose "keep sign-ins in memory" while the browser was open.
        sign_ins.use_memory();
        let second = sign_ins.store();

        let lookup = sign_ins.lookups.lock().await;
        let s = sign_ins.clone();
        let control = WaitControl::new(Duration::from_secs(60));
        let c = control.clone();
        let save = tokio::spawn(async move { s.save_finished(ProviderId::Pinecone, Some(&c), tokens()).await });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!save.is_finished(), "a lookup (maybe refreshing) is running: the save waits for it");
        drop(lookup);
        save.await.unwrap().unwrap();
        assert_eq!(second.load(ProviderId::Pinecone).unwrap(), Some(tokens()));
        assert_eq!(first.load(ProviderId::Pinecone).unwrap(), None, "saved into the store current at save time");

        // Cancelled (or replaced, or reset) while it waited: nothing is kept.
        second.delete(ProviderId::Pinecone).unwrap();
        control.cancel();
        let err = sign_ins.save_finished(ProviderId::Pinecone, Some(&control), tokens()).await.unwrap_err();
        assert!(matches!(err, SignInError::Callback(CallbackError::Cancelled)), "{err:?}");
        assert_eq!(second.load(ProviderId::Pinecone).unwrap(), None);
    }

    #[tokio::test]
    async fn extend_needs_a_waiting_sign_in() {
        let sign_ins = SignIns::new(Ok(SignInConfig::defaults()), Arc::new(MemoryTokenStore::default()));
        assert!(matches!(sign_ins.extend(ProviderId::Pinecone, Duration::from_secs(1)), Err(SignInError::NotPending)));
        sign_ins.cancel(ProviderId::Pinecone);
        assert!(!sign_ins.is_pending(ProviderId::Pinecone));
    }
}
