//! Sign-in settings for the two identity providers: built-in defaults, then an optional TOML file,
//! then environment variables (`BA_<PROVIDER>_<SETTING>`), each overriding the one before.

use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, path::Path};
use vocab::ProviderId;

const DEFAULTS: &str = include_str!("../signin.default.toml");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Shown on the button: "Sign in with Microsoft".
    pub name: String,
    /// May contain `{tenant}`.
    pub authorize_url: String,
    pub token_url: String,
    #[serde(default)]
    pub tenant: Option<String>,
    /// Sent as the `audience` parameter (Auth0).
    #[serde(default)]
    pub audience: Option<String>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

    /// Whether a client id has been configured; without one the provider can't be used.
    pub fn is_configured(&self) -> bool {
        !self.client_id.trim().is_empty()
    }
}

/// Settings for both providers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInConfig {
    pub microsoft: ProviderConfig,
    pub pinecone: ProviderConfig,
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
        toml::from_str(DEFAULTS).expect("signin.default.toml is valid (tested)")
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
        let mut value: toml::Value = toml::from_str(DEFAULTS).expect("defaults parse");
        if let Some(path) = file {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    let overrides: toml::Value = toml::from_str(&text)
                        .map_err(|e| ConfigError::File { path: path.display().to_string(), message: e.to_string() })?;
                    merge(&mut value, overrides);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ConfigError::File { path: path.display().to_string(), message: e.to_string() }),
            }
        }
        let mut config: SignInConfig = value.try_into().map_err(|e: toml::de::Error| ConfigError::File {
            path: file.map(|p| p.display().to_string()).unwrap_or_default(),
            message: e.to_string(),
        })?;
        for id in ProviderId::ALL {
            let prefix = format!("BA_{}_", id.as_str().to_uppercase());
            let p = config.provider_mut(id);
            let get = |name: &str| env(&format!("{prefix}{name}"));
            if let Some(v) = get("CLIENT_ID") {
                p.client_id = v;
            }
            if let Some(v) = get("TENANT") {
                p.tenant = Some(v);
            }
            if let Some(v) = get("AUTHORIZE_URL") {
                p.authorize_url = v;
            }
            if let Some(v) = get("TOKEN_URL") {
                p.token_url = v;
            }
            if let Some(v) = get("AUDIENCE") {
                p.audience = Some(v);
            }
            if let Some(v) = get("SCOPES") {
                p.scopes = v.split_whitespace().map(str::to_owned).collect();
            }
            if let Some(v) = get("RESPONSE_MODE") {
                p.response_mode =
                    v.parse().map_err(|message| ConfigError::Env { var: format!("{prefix}RESPONSE_MODE"), message })?;
            }
        }
        for id in ProviderId::ALL {
            config.provider(id).validate().map_err(|message| ConfigError::File {
                path: file.map(|p| p.display().to_string()).unwrap_or_else(|| "the defaults".into()),
                message: format!("[{}] {message}", id.as_str()),
            })?;
        }
        Ok(config)
    }
}

impl ProviderConfig {
    /// The settings a loopback sign-in can't work without (RFC 8252 §7.3: a loopback redirect).
    fn validate(&self) -> Result<(), String> {
        if !matches!(self.redirect_host.as_str(), "localhost" | "127.0.0.1" | "[::1]") {
            return Err(format!("redirect_host `{}`: use localhost, 127.0.0.1 or [::1]", self.redirect_host));
        }
        if !self.redirect_path.starts_with('/') || self.redirect_path.contains(['?', '#', ' ']) {
            return Err(format!("redirect_path `{}`: use a path such as /callback", self.redirect_path));
        }
        Ok(())
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
        assert_eq!(c.pinecone.audience.as_deref(), Some("https://api.pinecone.io/"));
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
        assert_eq!(c.pinecone.client_id, "pc-env");
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
