//! Live or demo: the only thing that differs between them is where requests go and where
//! sign-ins are kept. Live mode talks to Pinecone and Azure and keeps sign-ins in the OS keyring;
//! demo mode starts the embedded simulator on a loopback port, points every endpoint and page at
//! it, and keeps sign-ins in memory. Everything else is the same code.

use signin::{SignInConfig, TokenStore};
use simulator::{Demo, Idp, Scenario};
use std::{path::Path, sync::Arc, time::Duration};
use vocab::ProviderId;

/// Live or demo, chosen at start: `--live` / `--demo`, else `BA_MODE=live|demo`; demo by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Live,
    Demo,
}

impl Mode {
    /// From the command line and the environment.
    pub fn from_env() -> Self {
        Self::from_parts(std::env::args(), std::env::var("BA_MODE").ok())
    }

    fn from_parts(mut args: impl Iterator<Item = String>, var: Option<String>) -> Self {
        match args.find(|a| a == "--live" || a == "--demo").as_deref() {
            Some("--live") => Mode::Live,
            Some(_) => Mode::Demo,
            None if var.as_deref() == Some("live") => Mode::Live,
            None => Mode::Demo,
        }
    }
}

/// The scenario a demo starts in: `BA_DEMO_SCENARIO` (kebab-case), else the happy path.
pub fn scenario_from_env() -> Scenario {
    std::env::var("BA_DEMO_SCENARIO").ok().and_then(|s| Scenario::parse(&s)).unwrap_or_default()
}

/// Where the API clients send their requests.
#[derive(Debug, Clone)]
pub struct ApiBases {
    pub pinecone: String,
    pub arm: String,
}

/// How long one request to Pinecone or Azure may take: `BA_HTTP_TIMEOUT_SECS`, else 30 s. A slow
/// network may want more; the fault tests use less, so a late answer fails fast.
pub fn request_timeout() -> std::time::Duration {
    let secs = std::env::var("BA_HTTP_TIMEOUT_SECS").ok().and_then(|s| s.parse::<u64>().ok()).filter(|s| *s > 0);
    std::time::Duration::from_secs(secs.unwrap_or(30))
}

impl ApiBases {
    /// Live: the real services, or `BA_PINECONE_API_URL` / `BA_ARM_URL` (a proxy, a test server).
    pub fn live() -> Self {
        Self {
            pinecone: std::env::var("BA_PINECONE_API_URL").unwrap_or_else(|_| "https://api.pinecone.io".into()),
            arm: std::env::var("BA_ARM_URL").unwrap_or_else(|_| "https://management.azure.com".into()),
        }
    }

    /// Demo: both APIs are the simulator.
    pub fn demo(demo: &Demo) -> Self {
        Self { pinecone: demo.base_url(), arm: demo.base_url() }
    }
}

/// Live sign-in settings: built-in defaults, `signin.toml` in the config folder, then `BA_*`
/// variables. A broken file is reported, not fatal.
pub(crate) fn live_sign_in_config(config_dir: &Path) -> Result<SignInConfig, String> {
    SignInConfig::load(Some(&config_dir.join("signin.toml")), |k| std::env::var(k).ok()).map_err(|e| e.to_string())
}

/// Demo sign-in settings: both providers are the simulator's identity provider.
pub(crate) fn demo_sign_in_config(demo: &Demo) -> SignInConfig {
    let endpoints = simulator::idp_endpoints(&demo.base_url());
    let mut config = SignInConfig::defaults();
    for id in ProviderId::ALL {
        let p = config.provider_mut(id);
        p.client_id = simulator::DEMO_CLIENT_ID.into();
        let e = match id {
            ProviderId::Microsoft => &endpoints.entra,
            ProviderId::Pinecone => &endpoints.pinecone,
        };
        (p.authorize_url, p.token_url) = (e.authorize.clone(), e.token.clone());
        p.device_authorization_url = e.device_authorization.clone();
        // Offline means offline: no provider endpoint of the demo may point at the real one.
        p.userinfo_url = e.userinfo.clone();
        p.issuer = Some(e.issuer.clone());
    }
    config
}

/// The demo IdP's device-code knobs, so a test of the app can run expiry and `slow_down` in
/// seconds: `BA_DEMO_DEVICE_CODE_LIFETIME_SECS` (default 900, Entra's), `…_INTERVAL_SECS` (5),
/// `…_COMPLETE_URI=1` (send `verification_uri_complete`, which Entra doesn't) and
/// `…_SLOW_DOWNS=<n>` (answer the next n polls `slow_down`, as a busy server does).
pub(crate) fn apply_demo_device_code_knobs(idp: &Idp, var: impl Fn(&str) -> Option<String>) {
    let secs = |name: &str| var(name).and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(s) = secs("BA_DEMO_DEVICE_CODE_LIFETIME_SECS") {
        idp.set_device_code_lifetime(Duration::from_secs(s));
    }
    if let Some(s) = secs("BA_DEMO_DEVICE_CODE_INTERVAL_SECS") {
        idp.set_device_code_interval(Duration::from_secs(s));
    }
    if let Some(on) = var("BA_DEMO_DEVICE_CODE_COMPLETE_URI") {
        idp.set_verification_uri_complete(matches!(on.trim(), "1" | "true" | "yes"));
    }
    if let Some(n) = secs("BA_DEMO_DEVICE_CODE_SLOW_DOWNS") {
        idp.slow_down_next_polls(usize::try_from(n).unwrap_or(usize::MAX));
    }
}

/// The token store a mode uses unless told otherwise.
pub(crate) fn default_token_store(mode: Mode, identifier: &str) -> Arc<dyn TokenStore> {
    match mode {
        Mode::Live => Arc::new(signin::KeyringTokenStore::new(identifier)),
        Mode::Demo => Arc::new(signin::MemoryTokenStore::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::{apply_demo_device_code_knobs, Mode};
    use simulator::{Idp, IdpUser, Running};

    fn mode(args: &[&str], var: Option<&str>) -> Mode {
        Mode::from_parts(args.iter().map(|s| s.to_string()), var.map(str::to_owned))
    }

    #[test]
    fn the_command_line_wins_over_the_environment_and_demo_is_the_default() {
        assert_eq!(mode(&["app"], None), Mode::Demo);
        assert_eq!(mode(&["app"], Some("live")), Mode::Live);
        assert_eq!(mode(&["app", "--demo"], Some("live")), Mode::Demo);
        assert_eq!(mode(&["app", "--live"], None), Mode::Live);
        assert_eq!(mode(&["app"], Some("nonsense")), Mode::Demo);
    }

    #[tokio::test]
    async fn the_demo_device_code_knobs_reach_the_simulated_entra() {
        let idp = Idp::new(IdpUser { subject: "s".into(), name: "n".into(), email: "e@x.example".into() }, &["c"]);
        let env = |k: &str| {
            let v = match k {
                "BA_DEMO_DEVICE_CODE_LIFETIME_SECS" => "7",
                "BA_DEMO_DEVICE_CODE_INTERVAL_SECS" => "2",
                "BA_DEMO_DEVICE_CODE_COMPLETE_URI" => "1",
                _ => return None,
            };
            Some(v.to_owned())
        };
        apply_demo_device_code_knobs(&idp, env);
        let running = Running::start(idp.router()).await.unwrap();
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/organizations/oauth2/v2.0/devicecode", running.base_url()))
            .form(&[("client_id", "c"), ("scope", "https://management.azure.com/user_impersonation openid")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!((answer["expires_in"].as_u64(), answer["interval"].as_u64()), (Some(7), Some(2)), "{answer}");
        assert!(answer["verification_uri_complete"].is_string(), "{answer}");
    }
}
