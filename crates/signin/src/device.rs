//! Signing in with a device code (RFC 8628), for when the loopback redirect can't work: a remote
//! desktop whose browser runs on another computer, a browser that can't reach this computer's
//! loopback, a locked-down machine. The app asks the provider's device authorization endpoint
//! for a code, shows the user the code and the page to enter it on (in any browser, on any
//! device), and polls the token endpoint until they approve or decline, or the code expires.
//! Only Microsoft has the endpoint. Saving the tokens is the registry's job, as for every
//! sign-in method ([`crate::SignIns::sign_in_with_device_code`]).
//!
//! Over the `oauth2` crate's device flow, which polls at the provider's `interval` (5 s when it
//! sends none), adds 5 s on `slow_down` for that poll and every later one (RFC 8628 §3.5), keeps
//! polling on `authorization_pending`, gives up once `expires_in` has passed, and ends on any
//! other answer. What it doesn't do is done here, so it needn't be hand-rolled:
//! - it sends its first poll at once, before any interval has passed, which RFC 8628 §3.5 ("before
//!   each new request, the client MUST wait at least the number of seconds specified by the
//!   interval") and a strict provider count as too soon: here the first poll waits an interval;
//! - its back-off after a failed request is capped at 10 s, which would poll faster than a
//!   provider that had asked for more: here the cap is the code's lifetime;
//! - it can't be cancelled: here cancel and the code's deadline race it, and dropping it drops its
//!   request in flight;
//! - it reports nothing while it polls: its sleep function is where a changed interval is seen, and
//!   the UI is told.
//!
//! The user code is shown to the user, so it goes to the UI, but it travels as a [`Secret`] so no
//! log line or `Debug` output can carry it; the device code never leaves this module but to the
//! token endpoint.

use crate::{
    loopback::{CallbackError, WaitControl},
    oauth::{map_error, tokens_with_identity, TokenResponseWithId},
    OAuthError, ProviderConfig, ProviderId, Secret, SignInError, SignInEvent, StoredTokens,
};
use oauth2::{
    basic::{BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse},
    AuthType, ClientId, DeviceAuthorizationUrl, DeviceCodeErrorResponse, DeviceCodeErrorResponseType, EndpointNotSet,
    EndpointSet, HttpClientError, RequestTokenError, Scope, StandardDeviceAuthorizationResponse, StandardRevocableToken,
    TokenUrl,
};
use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

type DeviceClient = oauth2::Client<
    BasicErrorResponse,
    TokenResponseWithId,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// How a device-code sign-in ended without tokens, beside the errors every sign-in shares
/// (cancelled, network, a provider that answered nonsense).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceCodeError {
    /// The provider has no device authorization endpoint in the settings.
    #[error("signing in with a code isn't available for {0}")]
    Unavailable(String),
    /// The code's lifetime (`expires_in`) passed, or the provider answered `expired_token`.
    #[error("the code expired before the sign-in was finished")]
    Expired,
    /// The user said no on the provider's page: `access_denied` (RFC 8628), or Entra's own
    /// `authorization_declined`.
    #[error("the sign-in was declined ({error})")]
    Declined { error: String, description: Option<String> },
    /// Any other refusal from the token endpoint: `bad_verification_code` (Entra: the device
    /// code wasn't recognised), `invalid_grant` (already used), `invalid_client`…
    #[error("the sign-in service didn't accept the code ({error})")]
    NotAccepted { error: String, description: Option<String> },
}

fn client(config: &ProviderConfig, device_url: &str) -> Result<DeviceClient, OAuthError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| OAuthError::Config(format!("{what}: {e}"));
    Ok(oauth2::Client::new(ClientId::new(config.client_id.clone()))
        .set_device_authorization_url(
            DeviceAuthorizationUrl::new(device_url.to_owned()).map_err(|e| bad("device_authorization_url", &e))?,
        )
        .set_token_uri(TokenUrl::new(config.token_url()).map_err(|e| bad("token_url", &e))?)
        // Public client, as for the loopback sign-in: the client id in the body, no secret.
        .set_auth_type(AuthType::RequestBody))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A wait that ended before the tokens came: cancelled stays cancelled; a deadline is the code's.
fn ended(end: CallbackError) -> SignInError {
    match end {
        CallbackError::TimedOut { .. } => DeviceCodeError::Expired.into(),
        other => other.into(),
    }
}

/// What the token endpoint's final answer means. Polling answers (`authorization_pending`,
/// `slow_down`) never get here: the poll loop keeps going on those.
fn poll_error(e: RequestTokenError<HttpClientError<reqwest::Error>, DeviceCodeErrorResponse>) -> SignInError {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let description = r.error_description().cloned();
            let error = r.error().as_ref().to_owned();
            match r.error() {
                DeviceCodeErrorResponseType::ExpiredToken => DeviceCodeError::Expired,
                DeviceCodeErrorResponseType::AccessDenied => DeviceCodeError::Declined { error, description },
                DeviceCodeErrorResponseType::Basic(BasicErrorResponseType::Extension(ext)) if ext == "authorization_declined" => {
                    DeviceCodeError::Declined { error, description }
                }
                _ => DeviceCodeError::NotAccepted { error, description },
            }
            .into()
        }
        RequestTokenError::Request(e) => OAuthError::Network(e.to_string()).into(),
        RequestTokenError::Parse(e, _) => OAuthError::BadResponse(e.to_string()).into(),
        RequestTokenError::Other(e) => OAuthError::BadResponse(e).into(),
    }
}

/// Runs one device-code sign-in up to the tokens: asks for a code, reports it on `emit` (again
/// whenever the polling interval changes), and polls until the user has answered, the code has
/// expired, or `control` is cancelled. The code's lifetime becomes `control`'s fixed deadline.
///
/// # Errors
/// Any [`SignInError`] but the token store's; [`DeviceCodeError`] for the ways only this one ends.
pub async fn authorize(
    provider: ProviderId,
    config: &ProviderConfig,
    http: &reqwest::Client,
    control: &WaitControl,
    emit: impl Fn(SignInEvent),
) -> Result<StoredTokens, SignInError> {
    if !config.is_configured() {
        return Err(SignInError::NotConfigured(config.name.clone()));
    }
    let Some(device_url) = config.device_authorization_url() else {
        return Err(DeviceCodeError::Unavailable(config.name.clone()).into());
    };
    let client = client(config, &device_url)?;
    // The same scopes as the loopback sign-in, so the tokens are good for the same APIs.
    let mut request = client.exchange_device_code().add_scopes(config.scopes.iter().cloned().map(Scope::new));
    if let Some(audience) = &config.audience {
        request = request.add_extra_param("audience", audience.clone());
    }
    let details: StandardDeviceAuthorizationResponse = tokio::select! {
        asked = request.request_async(http) => asked.map_err(|e| SignInError::from(map_error(e)))?,
        end = control.ended() => return Err(ended(end)),
    };
    let (interval, lifetime) = (details.interval(), details.expires_in());
    control.fix_deadline(lifetime);
    let user_code = Secret::new(details.user_code().secret().clone());
    let verification_uri = details.verification_uri().as_str().to_owned();
    // It carries the user code, so it is kept out of logs just the same.
    let verification_uri_complete = details.verification_uri_complete().map(|u| Secret::new(u.secret().clone()));
    let shown = |interval: Duration| SignInEvent::DeviceCode {
        user_code: user_code.clone(),
        verification_uri: verification_uri.clone(),
        verification_uri_complete: verification_uri_complete.clone(),
        remaining_ms: millis(control.remaining()),
        interval_secs: interval.as_secs(),
    };
    tracing::info!(
        "sign-in ({}): waiting for the code to be entered at {verification_uri} (expires in {} s, polling every {} s)",
        provider.as_str(),
        lifetime.as_secs(),
        interval.as_secs()
    );
    emit(shown(interval));
    // The interval the UI was last told, in ms (atomic, so the sign-in's future stays `Send`).
    let told = AtomicU64::new(millis(interval));
    let poll = async {
        tokio::time::sleep(interval).await;
        client
            .exchange_device_access_token(&details)
            .set_max_backoff_interval(lifetime.max(interval))
            .request_async(
                http,
                |next: Duration| {
                    if told.swap(millis(next), Ordering::Relaxed) != millis(next) {
                        // slow_down (5 s more), or the back-off after a failed request.
                        tracing::info!("sign-in ({}): polling every {} s from now on", provider.as_str(), next.as_secs());
                        emit(shown(next));
                    }
                    tokio::time::sleep(next)
                },
                None,
            )
            .await
    };
    let response = tokio::select! {
        polled = poll => polled.map_err(poll_error)?,
        end = control.ended() => return Err(ended(end)),
    };
    tracing::info!("sign-in ({}): the code was approved", provider.as_str());
    let tokens = tokens_with_identity(config, http, &response).await;
    // As for the loopback sign-in: nothing is kept once the user cancelled.
    if control.is_cancelled() {
        return Err(CallbackError::Cancelled.into());
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_authorization_without_interval_polls_every_five_seconds() {
        // RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default."
        let entra = r#"{"device_code":"d","user_code":"U","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"message":"m"}"#;
        let details: StandardDeviceAuthorizationResponse = serde_json::from_str(entra).unwrap();
        assert_eq!(details.interval(), Duration::from_secs(5));
        assert!(details.verification_uri_complete().is_none(), "Entra sends none");
        assert_eq!(details.verification_uri().as_str(), "https://microsoft.com/devicelogin");
    }

    #[test]
    fn the_ui_gets_the_code_in_camel_case_and_debug_output_does_not() {
        let event = SignInEvent::DeviceCode {
            user_code: Secret::new("FQK5HW3UF"),
            verification_uri: "https://microsoft.com/devicelogin".into(),
            verification_uri_complete: None,
            remaining_ms: 900_000,
            interval_secs: 5,
        };
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            serde_json::json!({"type": "deviceCode", "userCode": "FQK5HW3UF", "verificationUri": "https://microsoft.com/devicelogin",
                "verificationUriComplete": null, "remainingMs": 900_000, "intervalSecs": 5})
        );
        assert!(!format!("{event:?}").contains("FQK5HW3UF"));
    }

    #[test]
    fn decline_expiry_and_refusals_are_told_apart() {
        let answer = |error: &str| {
            let r: DeviceCodeErrorResponse = serde_json::from_value(serde_json::json!({"error": error})).unwrap();
            poll_error(RequestTokenError::ServerResponse(r))
        };
        for declined in ["access_denied", "authorization_declined"] {
            assert!(matches!(answer(declined), SignInError::DeviceCode(DeviceCodeError::Declined { .. })), "{declined}");
        }
        assert!(matches!(answer("expired_token"), SignInError::DeviceCode(DeviceCodeError::Expired)));
        for refused in ["bad_verification_code", "invalid_grant"] {
            assert!(
                matches!(answer(refused), SignInError::DeviceCode(DeviceCodeError::NotAccepted { ref error, .. }) if error == refused)
            );
        }
        assert!(matches!(ended(CallbackError::TimedOut { rejected: 0 }), SignInError::DeviceCode(DeviceCodeError::Expired)));
        assert!(matches!(ended(CallbackError::Cancelled), SignInError::Callback(CallbackError::Cancelled)));
    }
}
