//! A demo-mode app and the browser the user clicks through: the app through tauri-driver, and
//! headless Chromium for the simulated Pinecone and Azure pages it opens. The app's `BROWSER`
//! records each page it opens; [`DemoApp::open`] follows it in Chromium.

use crate::{next_opened, App, Chromium, TestEnv};

/// The demo app in one scenario, its Chromium, and how many opened pages have been followed.
pub struct DemoApp {
    pub env: TestEnv,
    pub app: App,
    pub web: Chromium,
    pub seen: usize,
}

impl DemoApp {
    /// Launches the demo in `scenario` (kebab-case, as `BA_DEMO_SCENARIO` spells it).
    pub async fn start(scenario: &str) -> Self {
        Self::start_with(scenario, &[]).await
    }

    /// As [`DemoApp::start`], with more variables for the app (the demo's knobs).
    pub async fn start_with(scenario: &str, vars: &[(&str, String)]) -> Self {
        let env = TestEnv::new();
        let mut all = vec![("BA_MODE", "demo".to_string()), ("BA_DEMO_SCENARIO", scenario.to_string())];
        all.extend(vars.iter().map(|(k, v)| (*k, v.clone())));
        let app = App::launch_with(&env, &all).await;
        app.find("demo-banner").await;
        let web = Chromium::start().await;
        Self { env, app, web, seen: 0 }
    }

    /// Clicks the app's Open button `testid` and follows the page it opens in Chromium.
    pub async fn open(&mut self, testid: &str) {
        self.app.click(testid).await;
        let url = next_opened(&self.env, &mut self.seen).await;
        assert!(url.starts_with("http://127.0.0.1:"), "demo pages are simulated locally: {url}");
        self.web.goto(&url).await;
    }

    /// Signs in with `provider` from the app's card, finishing in a Chromium tab.
    pub async fn sign_in(&mut self, provider: &str) {
        self.app.click(&format!("signin-start-{provider}")).await;
        self.finish_sign_in_in_browser(provider).await;
    }

    /// Finishes, in a Chromium tab, the sign-in the app just opened; returns its authorize URL.
    pub async fn finish_sign_in_in_browser(&mut self, provider: &str) -> String {
        let url = next_opened(&self.env, &mut self.seen).await;
        self.web.visit_in_new_tab(&url).await;
        self.app.wait_signin_state(provider, "signed-in").await;
        url
    }

    /// Create flow: opens the listing if asked, walks the app to the subscription step and signs
    /// in with Microsoft there.
    pub async fn walk_to_subscribe_signed_in(&mut self, open_listing: bool) {
        self.app.click("start-flow-create-new-org").await;
        if open_listing {
            self.open("step-open-listing").await;
        }
        for step in ["get-it-now", "select-plan", "subscribe"] {
            self.next(step).await;
        }
        self.sign_in("microsoft").await;
    }

    /// Buys Pinecone in Chromium, from the listing to "Subscribe" on the review page.
    pub async fn buy_in_browser(&self) {
        for testid in ["get-it-now", "subscribe", "review-and-subscribe", "confirm-subscribe"] {
            self.web.click(testid).await;
        }
    }

    /// Create flow, from the start to "Connect to Pinecone" clicked: buys in Chromium, configures
    /// the account with a new org, walks the app to the last step and signs in with Pinecone there.
    pub async fn create_flow_through_connect(&mut self) {
        self.walk_to_subscribe_signed_in(true).await;
        self.buy_in_browser().await;
        for testid in ["configure-account", "auth-email", "org-new"] {
            self.web.click(testid).await;
        }
        for step in ["configure-account", "sign-in-method", "create-org", "connect"] {
            self.next(step).await;
        }
        self.sign_in("pinecone").await;
        self.web.click("connect-to-pinecone").await;
    }

    /// "I've done this — next step", expecting `expect_step` next.
    pub async fn next(&self, expect_step: &str) {
        self.app.click("wizard-next").await;
        self.app.find(&format!("screen-step-{expect_step}")).await;
    }

    pub async fn finish(self) {
        self.web.quit().await;
        self.app.quit().await;
    }
}
