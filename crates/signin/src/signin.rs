//! One whole sign-in, start to finish: bind the listener, open the authorization URL in the
//! browser, wait for the callback, exchange the code and keep the tokens. Progress is reported as
//! [`SignInEvent`]s; the caller decides how to show them. Also: getting a usable access token
//! later, refreshing it once it has expired.

use crate::{
    loopback::{CallbackError, LoopbackListener, WaitControl},
    oauth::{self, OAuthError},
    pairing::pairing_words,
    ProviderConfig, ProviderId, StoredTokens, TokenStore, TokenStoreError,
};
use serde::Serialize;
use std::sync::Arc;

/// Progress of a sign-in, in the order it happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SignInEvent {
    /// The listener is up; the user should finish signing in in the browser.
    Waiting { authorize_url: String, pairing: String, remaining_ms: u64 },
    /// The browser couldn't be started; the URL must be copied by hand. The wait goes on.
    BrowserFailed { message: String },
    /// The callback arrived and the code is being exchanged.
    Exchanging { callback_at: u64 },
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("sign-in with {0} isn't set up: no client id is configured")]
    NotConfigured(String),
    #[error("couldn't start listening for the sign-in: {0}")]
    Listen(String),
    #[error(transparent)]
    Callback(#[from] CallbackError),
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    #[error(transparent)]
    Store(#[from] TokenStoreError),
}

impl SignInError {
    /// A stable code for the UI and tests.
    pub fn code(&self) -> &'static str {
        match self {
            SignInError::NotConfigured(_) => "signin_not_configured",
            SignInError::Listen(_) => "signin_listen_failed",
            SignInError::Callback(CallbackError::TimedOut { .. }) => "signin_timed_out",
            SignInError::Callback(CallbackError::Cancelled) => "signin_cancelled",
            SignInError::Callback(CallbackError::Provider { error, .. }) if error == "access_denied" => "signin_denied",
            SignInError::Callback(CallbackError::Provider { .. }) => "signin_provider_error",
            SignInError::Callback(CallbackError::Io(_)) => "signin_listen_failed",
            SignInError::OAuth(OAuthError::Network(_)) => "network",
            SignInError::OAuth(OAuthError::Rejected { .. }) => "signin_rejected",
            SignInError::OAuth(_) => "signin_failed",
            SignInError::Store(TokenStoreError::Unavailable(_)) => "keyring_unavailable",
            SignInError::Store(_) => "keyring_failed",
        }
    }

    /// Plain words for the user, with what to do next.
    pub fn user_message(&self) -> String {
        match self {
            SignInError::Callback(CallbackError::TimedOut { rejected }) if *rejected > 0 => {
                "The sign-in timed out. A browser tab from an older sign-in answered instead; close old sign-in tabs and try again.".into()
            }
            SignInError::Callback(CallbackError::TimedOut { .. }) => {
                "The sign-in timed out before the browser came back. Try again, and finish signing in within the time shown.".into()
            }
            SignInError::Callback(CallbackError::Cancelled) => "Sign-in cancelled.".into(),
            SignInError::Callback(CallbackError::Provider { description, .. }) => {
                format!("The sign-in didn't finish: {description}")
            }
            SignInError::OAuth(OAuthError::Network(_)) => {
                "Couldn't reach the sign-in service. Check your internet connection and try again.".into()
            }
            SignInError::Store(TokenStoreError::Unavailable(_)) => {
                "Your system keyring isn't available, so the sign-in can't be saved. You can keep it in memory for this run only.".into()
            }
            other => {
                let text = other.to_string();
                let mut chars = text.chars();
                chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>() + ".").unwrap_or_default()
            }
        }
    }
}

/// Runs a blocking token-store call off the async executor: keyring calls wait on D-Bus (or the
/// platform's store), and calling them inside tokio can panic with "runtime within a runtime".
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("a keyring call panicked")
}

/// Runs one sign-in and saves the tokens in `store`. `open_browser` gets the authorization URL
/// once the listener is bound.
///
/// # Errors
/// Any [`SignInError`]; [`SignInError::code`] tells which.
pub async fn sign_in(
    provider: ProviderId,
    config: &ProviderConfig,
    http: &reqwest::Client,
    store: Arc<dyn TokenStore>,
    control: &WaitControl,
    open_browser: impl FnOnce(&str) -> Result<(), String>,
    emit: impl Fn(SignInEvent),
) -> Result<StoredTokens, SignInError> {
    let tokens = authorize(provider, config, http, control, open_browser, emit).await?;
    let saved = tokens.clone();
    blocking(move || store.save(provider, &saved)).await?;
    eprintln!("sign-in ({}): signed in", provider.as_str());
    Ok(tokens)
}

/// [`sign_in`] up to the tokens, without saving them: for a caller that must save them under
/// its own rules (after other token work has finished, into the store current by then).
///
/// # Errors
/// As [`sign_in`], except for the token store's.
pub async fn authorize(
    provider: ProviderId,
    config: &ProviderConfig,
    http: &reqwest::Client,
    control: &WaitControl,
    open_browser: impl FnOnce(&str) -> Result<(), String>,
    emit: impl Fn(SignInEvent),
) -> Result<StoredTokens, SignInError> {
    if !config.is_configured() {
        return Err(SignInError::NotConfigured(config.name.clone()));
    }
    let listener = LoopbackListener::bind().await.map_err(|e| SignInError::Listen(e.to_string()))?;
    let request = oauth::authorization_request(config, &listener.redirect_uri(&config.redirect_host, &config.redirect_path))?;
    let pairing = pairing_words();
    eprintln!("sign-in ({}): listening on port {} for {}", provider.as_str(), listener.port(), config.redirect_path);
    emit(SignInEvent::Waiting {
        authorize_url: request.url.clone(),
        pairing: pairing.clone(),
        remaining_ms: control.remaining().as_millis() as u64,
    });
    if let Err(message) = open_browser(&request.url) {
        emit(SignInEvent::BrowserFailed { message });
    }
    let callback = listener.wait(&config.redirect_path, &request.state, &pairing, control).await?;
    eprintln!("sign-in ({}): callback received, exchanging the code", provider.as_str());
    // Cancel still counts after the callback: nothing is exchanged or kept once the user said no.
    if control.is_cancelled() {
        return Err(CallbackError::Cancelled.into());
    }
    emit(SignInEvent::Exchanging { callback_at: callback.received_at });
    let tokens = oauth::exchange_code(config, http, &request, &callback.code).await?;
    if control.is_cancelled() {
        return Err(CallbackError::Cancelled.into());
    }
    Ok(tokens)
}

/// The saved tokens for `provider`, refreshed first if the access token has expired.
/// `Ok(None)` means not signed in (never, signed out, or the refresh token was refused).
///
/// # Errors
/// The keyring failed, or refreshing failed for a reason other than a refused refresh token.
pub async fn current_tokens(
    provider: ProviderId,
    config: &ProviderConfig,
    http: &reqwest::Client,
    store: Arc<dyn TokenStore>,
) -> Result<Option<StoredTokens>, SignInError> {
    let s = store.clone();
    let Some(tokens) = blocking(move || s.load(provider)).await? else { return Ok(None) };
    if !tokens.is_expired() {
        return Ok(Some(tokens));
    }
    match oauth::refresh(config, http, &tokens).await {
        Ok(fresh) => {
            let saved = fresh.clone();
            blocking(move || store.save(provider, &saved)).await?;
            eprintln!("sign-in ({}): access token refreshed", provider.as_str());
            Ok(Some(fresh))
        }
        Err(OAuthError::Rejected { error, .. }) if error == "invalid_grant" => {
            blocking(move || store.delete(provider)).await?;
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}
