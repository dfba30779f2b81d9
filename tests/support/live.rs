//! The app in live mode against simulated services the test owns: its Microsoft (and, when asked,
//! Pinecone) sign-in, Azure Resource Manager and the Pinecone Admin API pointed at a
//! `simulator::Demo` on a loopback port, the way a deployer points them at the real ones, with
//! tokens in the real OS keyring. Live pages are the real sites, so a test plays the user's part
//! on them by changing the simulated world directly (`demo.world`).

use crate::{keyring_clear, workspace_root, App, TestEnv};
use simulator::{Demo, Scenario, DEMO_CLIENT_ID};

/// Which sign-ins this build has set up, and any other variables for the app.
#[derive(Default)]
pub struct LiveSetup {
    pub microsoft: bool,
    pub pinecone: bool,
    pub extra: Vec<(&'static str, String)>,
}

pub struct LiveApp {
    pub demo: Demo,
    pub env: TestEnv,
    pub app: App,
}

impl LiveApp {
    pub async fn start(scenario: Scenario, setup: LiveSetup) -> Self {
        keyring_clear();
        let demo = Demo::start(scenario).await.expect("start the simulated services");
        // Live mode opens only Pinecone's own https pages from listAccessToken.
        demo.world.set_landing_base("https://app.pinecone.io/pinecone/azure/landing");
        let env = TestEnv::new();
        // Pages are only recorded; a sign-in's page is followed when a test says so.
        env.set_browser_mode("record");
        let base = demo.base_url();
        let mut vars = vec![
            ("BROWSER", workspace_root().join("tests/support/follow-browser.sh").display().to_string()),
            ("BA_ARM_URL", base.clone()),
            ("BA_PINECONE_API_URL", base.clone()),
        ];
        let endpoints = simulator::idp_endpoints(&base);
        if setup.microsoft {
            vars.extend([
                ("BA_MICROSOFT_CLIENT_ID", DEMO_CLIENT_ID.to_string()),
                ("BA_MICROSOFT_AUTHORIZE_URL", endpoints.entra.authorize.clone()),
                ("BA_MICROSOFT_TOKEN_URL", endpoints.entra.token.clone()),
                ("BA_MICROSOFT_ISSUER", endpoints.entra.issuer.clone()),
                ("BA_MICROSOFT_DEVICE_AUTHORIZATION_URL", endpoints.entra.device_authorization.clone().unwrap_or_default()),
            ]);
        }
        if setup.pinecone {
            vars.extend([
                ("BA_PINECONE_CLIENT_ID", DEMO_CLIENT_ID.to_string()),
                ("BA_PINECONE_AUTHORIZE_URL", endpoints.pinecone.authorize.clone()),
                ("BA_PINECONE_TOKEN_URL", endpoints.pinecone.token.clone()),
                ("BA_PINECONE_ISSUER", endpoints.pinecone.issuer.clone()),
                ("BA_PINECONE_USERINFO_URL", endpoints.pinecone.userinfo.clone().unwrap_or_default()),
            ]);
        }
        vars.extend(setup.extra);
        let app = App::launch_with(&env, &vars).await;
        Self { demo, env, app }
    }

    /// "I've done this — next step", expecting `expect_step` next.
    pub async fn next(&self, expect_step: &str) {
        self.app.click("wizard-next").await;
        self.app.find(&format!("screen-step-{expect_step}")).await;
    }

    /// Signs in with `provider` from its card, the scripted browser following the IdP back.
    pub async fn sign_in(&self, provider: &str) {
        self.env.set_browser_mode("follow");
        self.app.click(&format!("signin-start-{provider}")).await;
        self.app.wait_signin_state(provider, "signed-in").await;
        self.env.set_browser_mode("record");
    }

    pub async fn finish(self) {
        self.app.quit().await;
        keyring_clear();
    }
}
