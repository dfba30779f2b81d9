//! Sign-in state held by the shell: the settings, the token store (keyring, or memory once the
//! user agreed), the pending sign-ins' controls, and the IPC commands over the `signin` crate.

use crate::error::IpcError;
use serde::Serialize;
use signin::{
    blocking, oauth::http_client, KeyringTokenStore, MemoryTokenStore, ProviderId, SignInConfig, SignInEvent, TokenStore,
    TokenStoreError, WaitControl,
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, RwLock},
    time::Duration,
};
use tauri::{ipc::Channel, State};

const EXTEND_BY: Duration = Duration::from_secs(300);

pub struct Accounts {
    config: SignInConfig,
    /// Set when the settings file was broken; the defaults are used and the UI says so.
    config_problem: Option<String>,
    http: reqwest::Client,
    store: RwLock<Arc<dyn TokenStore>>,
    pending: Mutex<HashMap<ProviderId, WaitControl>>,
    /// One token lookup (and so at most one refresh) at a time: two refreshes with the same
    /// rotating refresh token would make the provider refuse the second and sign the user out.
    /// Sign-out and a finishing sign-in take it too, so a refresh in flight can't bring back
    /// tokens just deleted, or overwrite or delete a sign-in that just finished.
    refreshing: tokio::sync::Mutex<()>,
}

impl Accounts {
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
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// The keyring store for the app identifier.
    pub fn keyring(identifier: &str) -> Arc<dyn TokenStore> {
        Arc::new(KeyringTokenStore::new(identifier))
    }

    /// Demo mode: both providers are the embedded simulator's identity provider.
    pub fn demo_config(base: &str) -> SignInConfig {
        let mut config = SignInConfig::defaults();
        for id in ProviderId::ALL {
            let p = config.provider_mut(id);
            p.client_id = simulator::DEMO_CLIENT_ID.into();
            (p.authorize_url, p.token_url) = match id {
                ProviderId::Microsoft => {
                    (format!("{base}/{{tenant}}/oauth2/v2.0/authorize"), format!("{base}/{{tenant}}/oauth2/v2.0/token"))
                }
                ProviderId::Pinecone => (format!("{base}/oauth/authorize"), format!("{base}/oauth/token")),
            };
        }
        config
    }

    /// A usable access token for `provider` (refreshed if it had expired), or `None` if not signed in.
    pub async fn current(&self, provider: ProviderId) -> Result<Option<signin::StoredTokens>, IpcError> {
        let _one_at_a_time = self.refreshing.lock().await;
        signin::current_tokens(provider, self.config.provider(provider), &self.http, self.store())
            .await
            .map_err(|e| IpcError::new(e.code(), e.user_message()))
    }

    /// Forgets every sign-in and pending wait (demo reset).
    pub fn reset_to_memory(&self) {
        for (_, control) in self.pending().drain() {
            control.cancel();
        }
        *self.store.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(MemoryTokenStore::default());
    }

    fn store(&self) -> Arc<dyn TokenStore> {
        self.store.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Saves a finished sign-in once no token lookup (which may refresh, save or delete) runs,
    /// into the store current by then (the user may have chosen memory while the browser was
    /// open), unless it was cancelled, replaced or reset while it waited.
    async fn save_sign_in(
        &self,
        provider: ProviderId,
        control: &WaitControl,
        tokens: &signin::StoredTokens,
    ) -> Result<(), IpcError> {
        let _no_lookup_running = self.refreshing.lock().await;
        if control.is_cancelled() {
            let cancelled = signin::SignInError::from(signin::CallbackError::Cancelled);
            return Err(IpcError::new(cancelled.code(), cancelled.user_message()));
        }
        let store = self.store();
        let saved = tokens.clone();
        blocking(move || store.save(provider, &saved)).await.map_err(|e| store_error(&e))?;
        eprintln!("sign-in ({}): signed in", provider.as_str());
        Ok(())
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<ProviderId, WaitControl>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn provider(id: &str) -> Result<ProviderId, IpcError> {
    ProviderId::parse(id).ok_or_else(|| IpcError::new("unknown_provider", format!("There is no sign-in provider `{id}`.")))
}

fn store_error(e: &TokenStoreError) -> IpcError {
    let code = match e {
        TokenStoreError::Unavailable(_) => "keyring_unavailable",
        _ => "keyring_failed",
    };
    IpcError::new(code, signin::SignInError::Store(e.clone()).user_message())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    name: Option<String>,
    email: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderStatus {
    id: ProviderId,
    name: String,
    configured: bool,
    signed_in: Option<Identity>,
    pending: bool,
    /// A problem reading this provider's saved sign-in.
    problem: Option<IpcError>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInStatus {
    /// `keyring` or `memory`.
    storage: &'static str,
    keyring_problem: Option<String>,
    config_problem: Option<String>,
    providers: Vec<ProviderStatus>,
}

#[tauri::command]
pub async fn signin_status(accounts: State<'_, Accounts>) -> Result<SignInStatus, IpcError> {
    let store = accounts.store();
    let mut keyring_problem = None;
    let mut providers = Vec::new();
    for id in ProviderId::ALL {
        let cfg = accounts.config.provider(id);
        let s = store.clone();
        let (signed_in, problem) = match blocking(move || s.load(id)).await {
            Ok(tokens) => (tokens.map(|t| Identity { name: t.name, email: t.email }), None),
            Err(e) => {
                if matches!(e, TokenStoreError::Unavailable(_)) {
                    keyring_problem = Some(store_error(&e).message);
                }
                (None, Some(store_error(&e)))
            }
        };
        providers.push(ProviderStatus {
            id,
            name: cfg.name.clone(),
            configured: cfg.is_configured(),
            signed_in,
            pending: accounts.pending().contains_key(&id),
            problem,
        });
    }
    Ok(SignInStatus { storage: store.kind(), keyring_problem, config_problem: accounts.config_problem.clone(), providers })
}

/// Runs a whole sign-in, streaming progress on `on_event`; returns who signed in.
#[tauri::command]
pub async fn sign_in(
    accounts: State<'_, Accounts>,
    provider: String,
    on_event: Channel<SignInEvent>,
) -> Result<Identity, IpcError> {
    let id = self::provider(&provider)?;
    let control = WaitControl::new(signin::loopback::DEFAULT_TIMEOUT);
    // A new sign-in replaces a pending one for the same provider; its port is freed at once.
    if let Some(old) = accounts.pending().insert(id, control.clone()) {
        old.cancel();
    }
    let result = signin::authorize(
        id,
        accounts.config.provider(id),
        &accounts.http,
        &control,
        |url| {
            webbrowser::open(url)
                .map_err(|e| format!("Your web browser didn't open ({e}). Copy the link below into your browser."))
        },
        |event| {
            let _ = on_event.send(event);
        },
    )
    .await
    .map_err(|e| IpcError::new(e.code(), e.user_message()));
    let result = match result {
        Ok(tokens) => accounts.save_sign_in(id, &control, &tokens).await.map(|()| tokens),
        Err(e) => Err(e),
    };
    {
        let mut pending = accounts.pending();
        // Only forget our own control: a newer sign-in may have replaced it.
        if pending.get(&id).is_some_and(|c| c.same_as(&control)) {
            pending.remove(&id);
        }
    }
    match result {
        Ok(tokens) => Ok(Identity { name: tokens.name, email: tokens.email }),
        Err(e) => {
            eprintln!("sign-in ({provider}): ended with {}", e.code);
            Err(e)
        }
    }
}

/// Gives a pending sign-in five more minutes; returns the milliseconds now left.
#[tauri::command]
pub fn sign_in_extend(accounts: State<'_, Accounts>, provider: String) -> Result<u64, IpcError> {
    let id = self::provider(&provider)?;
    let pending = accounts.pending();
    let control = pending.get(&id).ok_or_else(|| IpcError::new("no_pending_sign_in", "There is no sign-in waiting."))?;
    control.extend(EXTEND_BY);
    Ok(control.remaining().as_millis() as u64)
}

#[tauri::command]
pub fn sign_in_cancel(accounts: State<'_, Accounts>, provider: String) -> Result<(), IpcError> {
    let id = self::provider(&provider)?;
    if let Some(control) = accounts.pending().remove(&id) {
        control.cancel();
    }
    Ok(())
}

#[tauri::command]
pub async fn sign_out(accounts: State<'_, Accounts>, provider: String) -> Result<(), IpcError> {
    let id = self::provider(&provider)?;
    let _no_lookup_running = accounts.refreshing.lock().await;
    let store = accounts.store();
    blocking(move || store.delete(id)).await.map_err(|e| store_error(&e))
}

/// The user's answer to "no keyring": keep sign-ins in memory until the app quits.
#[tauri::command]
pub fn use_memory_tokens(accounts: State<'_, Accounts>) {
    *accounts.store.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(MemoryTokenStore::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> signin::StoredTokens {
        signin::StoredTokens {
            access_token: signin::Secret::new("a"),
            refresh_token: None,
            expires_at: None,
            id_token: None,
            name: Some("Ada".into()),
            email: None,
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_finished_sign_in_waits_for_a_running_lookup_and_saves_to_the_store_current_then() {
        let first: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::default());
        let accounts = Arc::new(Accounts::new(Ok(SignInConfig::defaults()), first.clone()));
        // The user chose "keep sign-ins in memory" while the browser was open.
        let second: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::default());
        *accounts.store.write().unwrap() = second.clone();

        let lookup = accounts.refreshing.lock().await;
        let a = accounts.clone();
        let control = WaitControl::new(Duration::from_secs(60));
        let c = control.clone();
        let save = tokio::spawn(async move { a.save_sign_in(ProviderId::Pinecone, &c, &tokens()).await });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!save.is_finished(), "a lookup (maybe refreshing) is running: the save waits for it");
        drop(lookup);
        save.await.unwrap().unwrap();
        assert_eq!(second.load(ProviderId::Pinecone).unwrap(), Some(tokens()));
        assert_eq!(first.load(ProviderId::Pinecone).unwrap(), None);

        // Cancelled (or replaced, or reset) while it waited: nothing is kept.
        second.delete(ProviderId::Pinecone).unwrap();
        control.cancel();
        let err = accounts.save_sign_in(ProviderId::Pinecone, &control, &tokens()).await.unwrap_err();
        assert_eq!(err.code, "signin_cancelled");
        assert_eq!(second.load(ProviderId::Pinecone).unwrap(), None);
    }
}
