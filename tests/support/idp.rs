//! The identity-provider side of the sign-in e2e tests: the simulated IdP on a loopback port, the
//! settings that point the app at it, and what the OS keyring holds afterwards.

use crate::env::{workspace_root, IDENTIFIER};
use std::process::{Command, Stdio};

/// A running simulated identity provider, and the environment that points the app at it.
pub struct IdpFixture {
    pub idp: simulator::Idp,
    pub running: simulator::Running,
}

pub const CLIENT_ID: &str = "e2e-client";

impl IdpFixture {
    pub async fn start() -> Self {
        let user = simulator::IdpUser { subject: "u-1".into(), name: "Ada Owner".into(), email: "ada@example.com".into() };
        let idp = simulator::Idp::new(user, &[CLIENT_ID]);
        let running = simulator::Running::start(idp.router()).await.expect("start the IdP");
        Self { idp, running }
    }

    /// Variables that configure both providers to use this IdP, and the scripted browser that signs in.
    pub fn app_env(&self) -> Vec<(&'static str, String)> {
        let endpoints = simulator::idp_endpoints(&self.running.base_url());
        vec![
            ("BROWSER", workspace_root().join("tests/support/follow-browser.sh").display().to_string()),
            ("BA_PINECONE_CLIENT_ID", CLIENT_ID.into()),
            ("BA_PINECONE_AUTHORIZE_URL", endpoints.pinecone.authorize),
            ("BA_PINECONE_ISSUER", endpoints.pinecone.issuer),
            ("BA_PINECONE_TOKEN_URL", endpoints.pinecone.token),
            ("BA_MICROSOFT_CLIENT_ID", CLIENT_ID.into()),
            ("BA_MICROSOFT_AUTHORIZE_URL", endpoints.entra.authorize),
            ("BA_MICROSOFT_ISSUER", endpoints.entra.issuer),
            ("BA_MICROSOFT_TOKEN_URL", endpoints.entra.token),
            // Offline means offline: a sign-in with a code goes to this IdP too, never the real Entra.
            ("BA_MICROSOFT_DEVICE_AUTHORIZATION_URL", endpoints.entra.device_authorization.unwrap_or_default()),
        ]
    }
}

/// Whether the OS keyring holds this app's token manifest for `provider` (via libsecret's CLI).
pub fn keyring_has(provider: &str) -> bool {
    Command::new("secret-tool")
        .args(["lookup", "service", IDENTIFIER, "username", &format!("{provider}/tokens")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("secret-tool (libsecret-tools) is installed")
        .success()
}

/// Deletes every keyring entry this app made, so a test starts signed out whatever ran before it.
pub fn keyring_clear() {
    // secret-tool exits non-zero when nothing matched, which is fine here.
    let _ = Command::new("secret-tool")
        .args(["clear", "service", IDENTIFIER])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("secret-tool (libsecret-tools) is installed");
}
