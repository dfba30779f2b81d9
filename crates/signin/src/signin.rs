//! One authorization, start to finish: bind the listener, open the authorization URL in the
//! browser, wait for the callback and exchange the code. Progress is reported as
//! [`SignInEvent`]s; the caller decides how to show them. Saving the tokens is the registry's
//! job ([`crate::SignIns`]), under its rules.

use crate::{
    loopback::{CallbackError, CallbackRules, LoopbackListener, WaitControl},
    oauth::{self, OAuthError},
    pairing::pairing_words,
    ProviderConfig, ProviderId, Secret, StoredTokens, TokenStoreError,
};
use serde::Serialize;
use ts_rs::TS;

/// Progress of a sign-in, in the order it happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SignInEvent {
    /// The listener is up; the user should finish signing in in the browser.
    Waiting { authorize_url: String, pairing: String, remaining_ms: u64 },
    /// The browser couldn't be started; the URL must be copied by hand. The wait goes on.
    BrowserFailed { message: String },
    /// The callback arrived and the code is being exchanged.
    Exchanging { callback_at: u64 },
    /// Signing in with a code (RFC 8628): the user opens `verification_uri` in any browser, on
    /// any device, and enters `user_code`. `verification_uri_complete`, when the provider sends
    /// one (Entra doesn't), opens the page with the code already filled in. Sent again, with the
    /// new `interval_secs`, whenever the provider asks the app to poll more slowly.
    DeviceCode {
        /// Shown to the user; a [`Secret`] only so that no log line or `Debug` output carries it.
        #[ts(type = "string")]
        user_code: Secret,
        verification_uri: String,
        /// It carries the user code, so it is kept out of logs just the same.
        #[ts(type = "string | null")]
        verification_uri_complete: Option<Secret>,
        /// Until the code expires; the provider's `expires_in`, which Extend can't change.
        remaining_ms: u64,
        /// How often the app asks whether the user has finished.
        interval_secs: u64,
    },
}

/// Why a sign-in (or a command about one) didn't work. The codes and words for people are
/// given where errors meet the UI (the `assistant` crate).
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("sign-in with {0} isn't set up: no client id is configured")]
    NotConfigured(String),
    #[error("couldn't start listening for the sign-in: {0}")]
    Listen(String),
    #[error("there is no sign-in waiting")]
    NotPending,
    #[error(transparent)]
    Callback(#[from] CallbackError),
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    #[error(transparent)]
    Store(#[from] TokenStoreError),
    #[error(transparent)]
    AzureCli(#[from] crate::azure_cli::AzureCliError),
    #[error(transparent)]
    DeviceCode(#[from] crate::device::DeviceCodeError),
}

/// Runs one authorization up to the tokens. `open_browser` gets the authorization URL once the
/// listener is bound, so the redirect can't race it.
///
/// # Errors
/// Any [`SignInError`] but the token store's.
pub async fn authorize(
    provider: ProviderId,
    config: &ProviderConfig,
    http: &reqwest::Client,
    control: &WaitControl,
    org: Option<&str>,
    open_browser: impl FnOnce(&str) -> Result<(), String>,
    emit: impl Fn(SignInEvent),
) -> Result<StoredTokens, SignInError> {
    if !config.is_configured() {
        return Err(SignInError::NotConfigured(config.name.clone()));
    }
    let listener = LoopbackListener::bind().await.map_err(|e| SignInError::Listen(e.to_string()))?;
    let request =
        oauth::authorization_request(config, &listener.redirect_uri(&config.redirect_host, &config.redirect_path), org)?;
    let pairing = pairing_words();
    tracing::info!("sign-in ({}): listening on port {} for {}", provider.as_str(), listener.port(), config.redirect_path);
    emit(SignInEvent::Waiting {
        authorize_url: request.url.clone(),
        pairing: pairing.clone(),
        remaining_ms: control.remaining().as_millis() as u64,
    });
    if let Err(message) = open_browser(&request.url) {
        emit(SignInEvent::BrowserFailed { message });
    }
    let rules = CallbackRules {
        path: config.redirect_path.clone(),
        host: listener.host_header(&config.redirect_host),
        issuer: config.issuer.clone(),
        state: request.state.clone(),
        pairing,
    };
    let callback = listener.wait(rules, control).await?;
    tracing::info!("sign-in ({}): callback received, exchanging the code", provider.as_str());
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
