//! The sign-in commands, over the `signin` crate's [`signin::SignIns`] registry (which owns the
//! pending waits, the one-lookup-at-a-time lock and the choice of token store), and the status
//! the sign-in cards draw.

use crate::{Assistant, Error};
use parking_lot::Mutex;
use serde::Serialize;
use signin::{Identity, SignInEvent, Storage, TokenStoreError};
use std::sync::Arc;
use ts_rs::TS;
use vocab::ProviderId;

/// How long "Extend" adds to a waiting sign-in.
const EXTEND_BY: std::time::Duration = std::time::Duration::from_secs(300);

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProviderStatus {
    pub id: ProviderId,
    pub name: String,
    /// Whether a client id is set up; without one the card says sign-in isn't available.
    pub configured: bool,
    pub signed_in: Option<Identity>,
    /// A sign-in is waiting for the browser.
    pub pending: bool,
    /// A problem reading this provider's saved sign-in.
    pub problem: Option<Error>,
    /// "Use my Azure CLI sign-in" can be offered (Microsoft, with `az` installed).
    pub azure_cli: bool,
    /// Signing in with a code (`sign_in_with_device_code`) can be offered: a client id and a
    /// device authorization endpoint are set up (Microsoft only).
    pub device_code: bool,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInStatus {
    pub storage: Storage,
    /// Set when the keyring can't be reached: the card offers to keep sign-ins in memory.
    pub keyring_problem: Option<String>,
    /// Set when `signin.toml` was broken and the defaults are used.
    pub config_problem: Option<String>,
    pub providers: Vec<ProviderStatus>,
}

fn provider(name: &str) -> Result<ProviderId, Error> {
    ProviderId::parse(name).ok_or_else(|| Error::unknown_provider(name))
}

impl Assistant {
    /// Who is signed in with each provider, read from the token store.
    pub async fn signin_status(&self) -> SignInStatus {
        let mut keyring_problem = None;
        let mut providers = Vec::new();
        for id in ProviderId::ALL {
            let config = self.sign_ins.config().provider(id);
            let (signed_in, problem) = match self.sign_ins.saved_identity(id).await {
                Ok(who) => (who, None),
                Err(e) => {
                    let problem = Error::from(e.clone());
                    if matches!(e, TokenStoreError::Unavailable(_)) {
                        keyring_problem = Some(problem.message.clone());
                    }
                    (None, Some(problem))
                }
            };
            providers.push(ProviderStatus {
                id,
                name: config.name.clone(),
                configured: config.is_configured(),
                signed_in,
                pending: self.sign_ins.is_pending(id),
                problem,
                azure_cli: id == ProviderId::Microsoft && self.sign_ins.azure_cli_available(),
                device_code: self.sign_ins.device_code_available(id),
            });
        }
        SignInStatus {
            storage: self.sign_ins.storage(),
            keyring_problem,
            config_problem: self.sign_ins.config_problem().map(str::to_owned),
            providers,
        }
    }

    /// Runs a whole sign-in through the system browser, reporting progress on `emit`; returns who
    /// signed in. A new sign-in for the same provider replaces a waiting one.
    /// `org` picks the organization to sign in to, where the provider lets the user choose.
    pub async fn sign_in(
        &self,
        provider_name: &str,
        org: Option<String>,
        emit: impl Fn(SignInEvent) + Send,
    ) -> Result<Identity, Error> {
        let id = provider(provider_name)?;
        let browser = self.browser.clone();
        let open = move |url: &str| browser.open(url).map_err(|e| Error::browser_failed(&e).message);
        self.sign_ins.sign_in(id, org.as_deref(), open, emit).await.map_err(|e| {
            let e = Error::from(e);
            tracing::warn!("sign-in ({provider_name}): ended with {:?}", e.code);
            e
        })
    }

    /// Signs in with a device code (RFC 8628), for when the browser can't come back to the app
    /// (a remote desktop, a browser on another device): the code and the page to enter it on
    /// arrive on `emit` as [`SignInEvent::DeviceCode`], again if the polling interval changes;
    /// returns who signed in. Otherwise it is a sign-in like [`Self::sign_in`]: it replaces a
    /// waiting one, `sign_in_cancel` ends it, and the tokens are kept the same way.
    pub async fn sign_in_with_device_code(
        &self,
        provider_name: &str,
        emit: impl Fn(SignInEvent) + Send,
    ) -> Result<Identity, Error> {
        let id = provider(provider_name)?;
        let (page, announced) = (self.device_page.clone(), Arc::new(Mutex::new(None::<String>)));
        let mine = announced.clone();
        let emit = move |event: SignInEvent| {
            if let SignInEvent::DeviceCode { verification_uri, verification_uri_complete, .. } = &event {
                let url = verification_uri_complete.as_ref().map_or(verification_uri.as_str(), |c| c.expose());
                *page.lock() = Some(url.to_owned());
                *mine.lock() = Some(url.to_owned());
            }
            emit(event);
        };
        let result = self.sign_ins.sign_in_with_device_code(id, emit).await;
        // Forget the page only if it is still this sign-in's: "Get a new code" starts the next
        // one before this one has ended, and the next one's page must stay openable.
        let mut current = self.device_page.lock();
        if *current == *announced.lock() {
            *current = None;
        }
        drop(current);
        result.map_err(|e| {
            let e = Error::from(e);
            tracing::info!("sign-in ({provider_name}, device code): ended with {:?}", e.code);
            e
        })
    }

    /// Signs in with Microsoft through Azure CLI's own sign-in, for people who use `az`.
    pub async fn sign_in_with_azure_cli(&self) -> Result<Identity, Error> {
        self.sign_ins.sign_in_with_azure_cli().await.map_err(|e| {
            let e = Error::from(e);
            tracing::warn!("sign-in (microsoft, Azure CLI): ended with {:?}", e.code);
            e
        })
    }

    /// Gives a waiting sign-in five more minutes; returns the milliseconds now left. A device
    /// code lives as long as the provider said, so its time left stays as it was.
    pub fn sign_in_extend(&self, provider_name: &str) -> Result<u64, Error> {
        let left = self.sign_ins.extend(provider(provider_name)?, EXTEND_BY)?;
        Ok(u64::try_from(left.as_millis()).unwrap_or(u64::MAX))
    }

    /// Ends a waiting sign-in and frees its port; cancelling nothing is fine.
    pub fn sign_in_cancel(&self, provider_name: &str) -> Result<(), Error> {
        self.sign_ins.cancel(provider(provider_name)?);
        Ok(())
    }

    pub async fn sign_out(&self, provider_name: &str) -> Result<(), Error> {
        Ok(self.sign_ins.sign_out(provider(provider_name)?).await?)
    }

    /// The user's answer to "no keyring": keep sign-ins in memory until the app quits.
    pub fn use_memory_tokens(&self) {
        self.sign_ins.use_memory();
    }

    /// Whether a browser sign-in can come back to this computer (loopback ports, `localhost`,
    /// proxies); when it can't, the UI offers a sign-in that needs no redirect.
    pub async fn loopback_self_test(&self) -> signin::LoopbackSelfTest {
        signin::blocking(signin::loopback_self_test).await
    }
}
