//! Sign-in settings for the two identity providers, in layers, each overriding the one before:
//! the built-in defaults (`signin.default.toml`), the deployment's settings baked in when the app
//! was built (`BA_DEPLOYMENT_CONFIG`, see `docs/deploying.md`), an optional `signin.toml` in the
//! app's config folder, then environment variables (`BA_<PROVIDER>_<SETTING>`). The settings
//! screen shows which layers were applied.

use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, path::Path};
use ts_rs::TS;
use vocab::ProviderId;

const DEFAULTS: &str = include_str!("../signin.default.toml");
/// The deployment's settings file, copied in by build.rs (empty when none was given).
const DEPLOYMENT: &str = include_str!(concat!(env!("OUT_DIR"), "/deployment.toml"));

/// Where the settings in effect came from, in the order applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SettingsLayer {
    /// The app's own defaults: endpoints, scopes, and no client ids.
    BuiltIn,
    /// The deployer's settings, baked in when this build was made.
    Deployment,
    /// `signin.toml` in the app's config folder.
    File { path: String },
    /// `BA_*` environment variables.
    Environment { variables: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Shown on the button: "Sign in with Microsoft".
    pub name: String,
    /// May contain `{tenant}`.
    pub authorize_url: String,
    pub token_url: String,
    /// The device authorization endpoint (RFC 8628 §3.1), for signing in with a code entered in
    /// a browser anywhere, when the loopback redirect can't work; may contain `{tenant}`. `None`:
    /// the provider has none (Pinecone's login documents none).
    #[serde(default)]
    pub device_authorization_url: Option<String>,
    #[serde(default)]
    pub tenant: Option<String>,
    /// Sent as the `audience` parameter (Auth0).
    #[serde(default)]
    pub audience: Option<String>,
    /// OpenID Connect userinfo, read when the id token doesn't name the user.
    #[serde(default)]
    pub userinfo_url: Option<String>,
    /// The provider's issuer, compared with the `iss` of an authorization response that carries
    /// one (RFC 9207), so one provider's answer can't pass for another's. `{tenant}` stands for
    /// any one path segment.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The authorize parameter that picks an organization, where the provider has one
    /// (Pinecone's login: `orgId`).
    #[serde(default)]
    pub org_param: Option<String>,
    pub client_id: String,
    pub scopes: Vec<String>,
    /// `localhost` or `127.0.0.1`: the host written into the redirect URI.
    pub redirect_host: String,
    pub redirect_path: String,
    pub response_mode: ResponseMode,
    #[serde(default)]
    pub extra_params: BTreeMap<String, String>,
}

/// How the provider sends the authorization response back to the loopback listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// In the redirect's query string (the OAuth default).
    Query,
    /// As a form the browser posts, which keeps the code out of the address bar and history
    /// (Entra recommends it for `http://localhost` redirects).
    FormPost,
}

impl ResponseMode {
    /// The `response_mode` parameter's value.
    pub fn as_param(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::FormPost => "form_post",
        }
    }
}

impl std::str::FromStr for ResponseMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [ResponseMode::Query, ResponseMode::FormPost]
            .into_iter()
            .find(|m| m.as_param() == s)
            .ok_or_else(|| format!("response_mode `{s}`: use query or form_post"))
    }
}

impl ProviderConfig {
    fn expand(&self, url: &str) -> String {
        url.replace("{tenant}", self.tenant.as_deref().unwrap_or("organizations"))
    }

    pub fn authorize_url(&self) -> String {
        self.expand(&self.authorize_url)
    }

    pub fn token_url(&self) -> String {
        self.expand(&self.token_url)
    }

    pub fn device_authorization_url(&self) -> Option<String> {
        self.device_authorization_url.as_deref().map(|u| self.expand(u))
    }

    /// Whether signing in with a device code can be offered: a client id and a device endpoint.
    pub fn offers_device_code(&self) -> bool {
        self.is_configured() && self.device_authorization_url.is_some()
    }

    /// Whether a client id has been configured; without one the provider can't be used.
    pub fn is_configured(&self) -> bool {
        !self.client_id.trim().is_empty()
    }
}

/// Azure CLI, for "Use my Azure CLI sign-in".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureCliConfig {
    /// The program: a name looked up on `PATH`, or a path.
    pub program: String,
    /// `--resource` for `az account get-access-token`.
    pub resource: String,
}

/// Settings for both providers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInConfig {
    pub microsoft: ProviderConfig,
    pub pinecone: ProviderConfig,
    pub azure_cli: AzureCliConfig,
    /// Which layers made these settings.
    #[serde(skip)]
    pub layers: Vec<SettingsLayer>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the sign-in settings in {path} couldn't be used: {message}")]
    File { path: String, message: String },
    #[error("{var} is not valid: {message}")]
    Env { var: String, message: String },
}

impl SignInConfig {
    pub fn defaults() -> Self {
        let mut config: Self = toml::from_str(DEFAULTS).expect("signin.default.toml is valid (tested)");
        config.layers = vec![SettingsLayer::BuiltIn];
        config
    }

    pub fn provider(&self, id: ProviderId) -> &ProviderConfig {
        match id {
            ProviderId::Microsoft => &self.microsoft,
            ProviderId::Pinecone => &self.pinecone,
        }
    }

    pub fn provider_mut(&mut self, id: ProviderId) -> &mut ProviderConfig {
        match id {
            ProviderId::Microsoft => &mut self.microsoft,
            ProviderId::Pinecone => &mut self.pinecone,
        }
    }

    /// Defaults, overridden by `file` (if it exists) and then by `env`.
    ///
    /// # Errors
    /// A file that exists but isn't valid TOML for these settings, or an invalid variable.
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::load_layers(DEPLOYMENT, file, env)
    }

    /// [`Self::load`] with the deployment's settings given (`deployment` is the baked-in file).
    fn load_layers(deployment: &str, file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut value: toml::Value = toml::from_str(DEFAULTS).expect("defaults parse");
        let mut layers = vec![SettingsLayer::BuiltIn];
        if !deployment.trim().is_empty() {
            let baked: toml::Value = toml::from_str(deployment).map_err(|e| ConfigError::File {
                path: "the settings built into this app".into(),
                message: toml_problem(deployment, &e),
            })?;
            merge(&mut value, baked);
            layers.push(SettingsLayer::Deployment);
        }
        if let Some(path) = file {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    let overrides: toml::Value = toml::from_str(&text)
                        .map_err(|e| ConfigError::File { path: path.display().to_string(), message: toml_problem(&text, &e) })?;
                    merge(&mut value, overrides);
                    layers.push(SettingsLayer::File { path: path.display().to_string() });
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ConfigError::File { path: path.display().to_string(), message: e.to_string() }),
            }
        }
        let mut config: SignInConfig = value.try_into().map_err(|e: toml::de::Error| ConfigError::File {
            path: file.map(|p| p.display().to_string()).unwrap_or_else(|| "the settings built into this app".into()),
            message: e.to_string(),
        })?;
        let mut used = Vec::new();
        let mut get = |name: String| {
            let v = env(&name);
            if v.is_some() {
                used.push(name);
            }
            v
        };
        for id in ProviderId::ALL {
            let prefix = format!("BA_{}_", id.as_str().to_uppercase());
            let p = config.provider_mut(id);
            let mut var = |name: &str| get(format!("{prefix}{name}"));
            if let Some(v) = var("CLIENT_ID") {
                p.client_id = v;
            }
            if let Some(v) = var("TENANT") {
                p.tenant = Some(v);
            }
            if let Some(v) = var("AUTHORIZE_URL") {
                p.authorize_url = v;
            }
            if let Some(v) = var("TOKEN_URL") {
                p.token_url = v;
            }
            if let Some(v) = var("DEVICE_AUTHORIZATION_URL") {
                // Empty turns it off: a deployment whose registration doesn't allow the device flow.
                p.device_authorization_url = Some(v).filter(|u| !u.is_empty());
            }
            if let Some(v) = var("USERINFO_URL") {
                p.userinfo_url = Some(v).filter(|u| !u.is_empty());
            }
            if let Some(v) = var("ISSUER") {
                p.issuer = Some(v).filter(|u| !u.is_empty());
            }
            if let Some(v) = var("AUDIENCE") {
                p.audience = Some(v);
            }
            if let Some(v) = var("SCOPES") {
                p.scopes = v.split_whitespace().map(str::to_owned).collect();
            }
            if let Some(v) = var("RESPONSE_MODE") {
                p.response_mode =
                    v.parse().map_err(|message| ConfigError::Env { var: format!("{prefix}RESPONSE_MODE"), message })?;
            }
        }
        if let Some(v) = get("BA_AZURE_CLI".into()) {
            config.azure_cli.program = v;
        }
        if !used.is_empty() {
            layers.push(SettingsLayer::Environment { variables: used });
        }
        for id in ProviderId::ALL {
            config.provider(id).validate().map_err(|message| ConfigError::File {
                path: file.map(|p| p.display().to_string()).unwrap_or_else(|| "the defaults".into()),
                message: format!("[{}] {message}", id.as_str()),
            })?;
        }
        config.layers = layers;
        Ok(config)
    }
}

impl ProviderConfig {
    /// The settings a loopback sign-in can't work without (RFC 8252 §7.3: a loopback redirect).
    fn validate(&self) -> Result<(), String> {
        // An identity provider is reached over https; plain http only on this computer (tests,
        // the demo's simulated provider).
        let urls = [
            ("authorize_url", Some(self.authorize_url())),
            ("token_url", Some(self.token_url())),
            ("device_authorization_url", self.device_authorization_url()),
            ("userinfo_url", self.userinfo_url.clone()),
            ("issuer", self.issuer.as_ref().map(|i| i.replace("{tenant}", "tenant"))),
        ];
        for (name, url) in urls {
            let Some(url) = url else { continue };
            let ok = url::Url::parse(&url).is_ok_and(|u| {
                u.scheme() == "https"
                    || (u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")))
            });
            if !ok {
                return Err(format!("{name} `{url}`: use an https address"));
            }
        }
        if !matches!(self.redirect_host.as_str(), "localhost" | "127.0.0.1" | "[::1]") {
            return Err(format!("redirect_host `{}`: use localhost, 127.0.0.1 or [::1]", self.redirect_host));
        }
        if !self.redirect_path.starts_with('/') || self.redirect_path.contains(['?', '#', ' ']) {
            return Err(format!("redirect_path `{}`: use a path such as /callback", self.redirect_path));
        }
        Ok(())
    }
}

/// A TOML syntax error as its line and reason, without the copy of the offending line TOML's own
/// message quotes: that line may hold a value that must not be repeated on screen or in a
/// support bundle (a client secret pasted in by mistake, say).
fn toml_problem(text: &str, e: &toml::de::Error) -> String {
    let line = e.span().and_then(|span| text.get(..span.start)).map(|before| before.matches('\n').count() + 1);
    match line {
        Some(line) => format!("line {line}: {}", e.message().trim_end()),
        None => e.message().trim_end().to_owned(),
    }
}

fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_have_no_client_ids_and_the_documented_endpoints() {
        let c = SignInConfig::defaults();
        assert!(!c.microsoft.is_configured() && !c.pinecone.is_configured(), "no borrowed client ids");
        assert_eq!(c.microsoft.authorize_url(), "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize");
        assert_eq!(c.microsoft.redirect_host, "localhost");
        assert!(c.microsoft.scopes.contains(&"https://management.azure.com/user_impersonation".to_string()));
        assert_eq!(c.pinecone.audience.as_deref(), Some("https://us-central1-production-console.cloudfunctions.net/api/v1"));
        assert_eq!(c.layers, [SettingsLayer::BuiltIn]);
        assert_eq!(
            c.microsoft.device_authorization_url().as_deref(),
            Some("https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode")
        );
        assert_eq!(c.pinecone.device_authorization_url, None, "Pinecone's login documents no device flow");
        assert!(!c.microsoft.offers_device_code(), "not without a client id");
        assert_eq!(c.pinecone.scopes, ["openid", "profile", "email", "offline_access"]);
    }

    #[test]
    fn file_then_environment_override_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("signin.toml");
        std::fs::write(
            &file,
            "[microsoft]\nclient_id = \"from-file\"\ntenant = \"contoso.example\"\n[pinecone]\nclient_id = \"pc-file\"\n",
        )
        .unwrap();
        let env = |k: &str| (k == "BA_PINECONE_CLIENT_ID").then(|| "pc-env".to_string());
        let c = SignInConfig::load(Some(&file), env).unwrap();
        assert_eq!(c.microsoft.client_id, "from-file");
        assert_eq!(c.microsoft.token_url(), "https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token");
        assert_eq!(
            c.microsoft.device_authorization_url().as_deref(),
            Some("https://login.microsoftonline.com/contoso.example/oauth2/v2.0/devicecode"),
            "the same {{tenant}} as the other Entra addresses"
        );
        assert!(c.microsoft.offers_device_code());
        assert_eq!(c.pinecone.client_id, "pc-env");
        let off = |k: &str| (k == "BA_MICROSOFT_DEVICE_AUTHORIZATION_URL").then(String::new);
        assert_eq!(SignInConfig::load(Some(&file), off).unwrap().microsoft.device_authorization_url, None, "empty turns it off");
    }

    #[test]
    fn a_broken_file_is_a_clear_error_and_a_missing_one_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        assert!(SignInConfig::load(Some(&dir.path().join("none.toml")), |_| None).is_ok());
        let file = dir.path().join("signin.toml");
        std::fs::write(&file, "[microsoft\n").unwrap();
        let err = SignInConfig::load(Some(&file), |_| None).unwrap_err();
        assert!(err.to_string().contains("signin.toml"), "{err}");
        std::fs::write(&file, "[microsoft]\nclient_idd = \"typo\"\n").unwrap();
        assert!(SignInConfig::load(Some(&file), |_| None).is_err(), "unknown keys are refused, not ignored");
        // A public client has no secret: there is nowhere to put one (RFC 8252 §8.5).
        std::fs::write(&file, "[pinecone]\nclient_secret = \"s3cret\"\n").unwrap();
        let err = SignInConfig::load(Some(&file), |_| None).unwrap_err();
        assert!(err.to_string().contains("client_secret") && !err.to_string().contains("s3cret"), "{err}");
        // Nor is one on a line that doesn't parse, which TOML's own message would quote.
        std::fs::write(&file, "[pinecone]\nclient_id = \"c\"\nclient_secret = \"s3cret-unterminated\n").unwrap();
        let err = SignInConfig::load(Some(&file), |_| None).unwrap_err().to_string();
        assert!(err.contains("line 3: ") && !err.contains("s3cret"), "{err}");
    }

    #[test]
    fn redirect_settings_that_cannot_work_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("signin.toml");
        for (bad, named) in [
            ("[pinecone]\nresponse_mode = \"fragment\"", "unknown variant `fragment`, expected `query` or `form_post`"),
            ("[microsoft]\nredirect_host = \"example.com\"", "redirect_host `example.com`"),
            ("[microsoft]\nredirect_path = \"callback\"", "redirect_path `callback`"),
        ] {
            std::fs::write(&file, bad).unwrap();
            let err = SignInConfig::load(Some(&file), |_| None).unwrap_err().to_string();
            assert!(err.contains(named) && err.contains("signin.toml"), "{err}");
        }
        std::fs::write(&file, "[microsoft]\nredirect_host = \"127.0.0.1\"").unwrap();
        assert!(SignInConfig::load(Some(&file), |_| None).is_ok());
    }

    #[test]
    fn a_bad_response_mode_is_refused() {
        let env = |k: &str| (k == "BA_MICROSOFT_RESPONSE_MODE").then(|| "fragment".to_string());
        assert!(SignInConfig::load(None, env).is_err());
    }
}
