//! The sign-in settings in effect, for the settings screen (and the support bundle): what each
//! provider signs in with, where those settings came from, and whether Azure CLI is there. Client
//! ids are shown: they are public identifiers, not secrets.

use crate::Assistant;
use serde::Serialize;
use signin::{ResponseMode, SettingsLayer};
use ts_rs::TS;
use vocab::ProviderId;

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSettings {
    pub id: ProviderId,
    pub name: String,
    /// `None` when not set up.
    pub client_id: Option<String>,
    pub authorize_url: String,
    pub token_url: String,
    /// Where a sign-in with a code starts (RFC 8628); `None`: the provider has none.
    pub device_authorization_url: Option<String>,
    pub userinfo_url: Option<String>,
    pub audience: Option<String>,
    pub scopes: Vec<String>,
    /// The redirect, with the port left out (the listener picks one per sign-in).
    pub redirect: String,
    pub response_mode: ResponseMode,
    /// The authorize parameter that picks an organization, if any.
    pub org_param: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInSettings {
    pub layers: Vec<SettingsLayer>,
    /// Why the settings file couldn't be used (the defaults are then in effect).
    pub problem: Option<String>,
    pub providers: Vec<ProviderSettings>,
    /// Azure CLI's program, and where it was found (`None`: not installed).
    pub azure_cli_program: String,
    pub azure_cli_found: Option<String>,
}

impl Assistant {
    pub fn signin_settings(&self) -> SignInSettings {
        let config = self.sign_ins.config();
        let providers = ProviderId::ALL
            .into_iter()
            .map(|id| {
                let p = config.provider(id);
                ProviderSettings {
                    id,
                    name: p.name.clone(),
                    client_id: p.is_configured().then(|| p.client_id.clone()),
                    authorize_url: p.authorize_url(),
                    token_url: p.token_url(),
                    device_authorization_url: p.device_authorization_url(),
                    userinfo_url: p.userinfo_url.clone(),
                    audience: p.audience.clone(),
                    scopes: p.scopes.clone(),
                    redirect: format!("http://{}{}", p.redirect_host, p.redirect_path),
                    response_mode: p.response_mode,
                    org_param: p.org_param.clone(),
                }
            })
            .collect();
        SignInSettings {
            layers: config.layers.clone(),
            problem: self.sign_ins.config_problem().map(str::to_owned),
            providers,
            azure_cli_program: config.azure_cli.program.clone(),
            azure_cli_found: signin::azure_cli::find(&config.azure_cli.program).map(|p| p.display().to_string()),
        }
    }
}
