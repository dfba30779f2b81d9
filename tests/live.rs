//! Live mode end to end: the app started with `BA_MODE=live`, its Microsoft sign-in and Azure
//! Resource Manager pointed at the simulator (`BA_MICROSOFT_*`, `BA_ARM_URL`, `BA_PINECONE_API_URL`)
//! the way a deployer points them at the real ones, tokens in the real OS keyring, and Pinecone
//! sign-in not set up, as in any build without a Pinecone client id. The connect flow must still
//! end on a finish screen confirmed from Azure alone. Live pages are the real sites, so the test
//! plays the user's part on them by changing the simulated world directly.

use e2e::{workspace_root, LiveApp, LiveSetup};
use simulator::{Scenario, ARM_AUDIENCE, DEMO_CLIENT_ID};

struct Live(LiveApp);

impl std::ops::Deref for Live {
    type Target = LiveApp;
    fn deref(&self) -> &LiveApp {
        &self.0
    }
}

impl Live {
    /// The live app against a simulated world in `scenario`; `microsoft_browser_sign_in` says
    /// whether this build has a Microsoft client id. Pinecone sign-in is never set up.
    async fn start(scenario: Scenario, microsoft_browser_sign_in: bool, extra: Vec<(&'static str, String)>) -> Self {
        Self(LiveApp::start(scenario, LiveSetup { microsoft: microsoft_browser_sign_in, pinecone: false, extra }).await)
    }

    async fn sign_in_with_microsoft_in_the_browser(&self) {
        self.sign_in("microsoft").await;
    }

    /// Steps 1 to 6 of the connect flow: Pinecone can't be checked, so the first step says how to
    /// go on without it.
    async fn walk_to_choose_subscription(&self) {
        self.app.click("start-flow-connect-existing-org").await;
        self.app.find("screen-step-open-billing").await;
        self.app.wait_signin_state("pinecone", "unconfigured").await;
        assert!(!self.app.exists("signin-start-pinecone").await, "no Pinecone sign-in to offer in this build");
        for step in ["connect-marketplace", "select-azure", "continue-to-marketplace", "subscribe", "choose-subscription"] {
            self.next(step).await;
        }
    }

    /// Steps 6 to 12 once Microsoft is signed in, with the user's purchase and Pinecone's
    /// "Connect" done in the (simulated) world, to the finish screen.
    async fn buy_connect_and_finish(&self) {
        self.app.wait_check("choose-subscription", "verified").await;
        for step in ["recurring-billing", "review", "confirm-subscribe"] {
            self.next(step).await;
        }
        // The user clicks Subscribe on Azure's review page.
        self.demo.world.subscribe("pinecone-billing", "pinecone-payg", true);
        self.app.wait_check("confirm-subscribe", "verified").await;
        for step in ["sign-in-method", "select-org", "connect"] {
            self.next(step).await;
        }
        self.app.wait_check("connect", "waiting").await;
        // The user picks their org on Pinecone's page and clicks "Connect to Pinecone".
        self.demo.world.connect(simulator::world::ORG_ID).expect("connect the purchase");
        self.app.wait_check("connect", "verified").await;
        let details = self.app.text("check-details-connect").await;
        assert!(details.contains("activated by Pinecone"), "{details}");
        assert!(details.contains("isn't signed in with Pinecone"), "says which side wasn't checked: {details}");
        self.app.click("wizard-next").await;
        self.app.find("screen-finish").await;
        let confirmed = self.app.text("finish-confirmation").await;
        assert!(confirmed.contains("Azure: subscription pinecone-payg is Subscribed, activated by Pinecone"), "{confirmed}");
        assert!(confirmed.contains("Pinecone's side wasn't checked"), "honest about the side it couldn't see: {confirmed}");
        assert!(!confirmed.contains("plan, payment"), "no Pinecone fact without a Pinecone sign-in: {confirmed}");
    }

    async fn finish(self) {
        self.0.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_flow_confirmed_from_azure_alone_with_a_browser_sign_in() {
    let live = Live::start(Scenario::HappyPath, true, vec![]).await;

    // The settings screen says what this copy signs in with, where that came from, and what is unverified.
    live.app.click("open-settings").await;
    live.app.find("screen-settings").await;
    let layers = live.app.text("settings-layers").await;
    assert!(layers.contains("BA_MICROSOFT_CLIENT_ID"), "{layers}");
    assert_eq!(live.app.text("settings-client-id-microsoft").await, DEMO_CLIENT_ID);
    assert_eq!(live.app.text("settings-client-id-pinecone").await, "Not set up: no client id");
    assert_eq!(live.app.text("settings-response-mode-microsoft").await, "form_post");
    assert_eq!(
        live.app.text("settings-audience-pinecone").await,
        "https://us-central1-production-console.cloudfunctions.net/api/v1"
    );
    assert!(live.app.text("settings-notes-pinecone").await.contains("Unverified"));
    // The About card: the version the packages carry, the build, the mode.
    assert_eq!(live.app.text("about-version").await, env!("CARGO_PKG_VERSION"));
    assert_eq!(live.app.text("about-build").await, "Debug (for development)");
    assert!(live.app.text("about-mode").await.contains("real Pinecone and Azure"));
    live.app.screenshot("settings.png").await;
    live.app.click("settings-back").await;
    live.app.find("screen-start").await;

    live.walk_to_choose_subscription().await;
    assert!(!live.app.exists("signin-azure-cli-microsoft").await, "no az on this PATH, so it isn't offered");
    live.sign_in_with_microsoft_in_the_browser().await;
    assert!(live.app.text("signin-user-microsoft").await.contains("dana@acme.example"));
    let authorize = live.env.opened_urls().last().cloned().unwrap_or_default();
    assert!(authorize.contains("response_mode=form_post"), "Entra's recommended mode for localhost: {authorize}");
    assert!(authorize.contains("redirect_uri=http%3A%2F%2Flocalhost%3A"), "{authorize}");
    assert!(authorize.contains("%2Fcallback%2Fmicrosoft"), "{authorize}");
    assert!(e2e::keyring_has("microsoft"), "live mode keeps the sign-in in the OS keyring");
    live.buy_connect_and_finish().await;
    live.app.screenshot("live-finish.png").await;
    live.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_flow_confirmed_from_azure_alone_with_the_azure_cli_sign_in() {
    let env_dir = tempfile::tempdir().unwrap();
    let token_file = env_dir.path().join("az-token");
    let calls = env_dir.path().join("az-calls");
    let fake_az = workspace_root().join("tests/support/fake-az");
    let path = format!("{}:{}", fake_az.display(), std::env::var("PATH").unwrap_or_default());
    let extra = vec![
        ("PATH", path),
        ("BA_FAKE_AZ_TOKEN_FILE", token_file.display().to_string()),
        ("BA_FAKE_AZ_LOG", calls.display().to_string()),
    ];
    // No Microsoft client id: Azure CLI's own sign-in needs none.
    let live = Live::start(Scenario::HappyPath, false, extra).await;
    live.walk_to_choose_subscription().await;
    live.app.wait_signin_state("microsoft", "unconfigured").await;

    // Before `az login`: az's own error, and what to do about it.
    live.app.click("signin-azure-cli-microsoft").await;
    live.app.wait_signin_state("microsoft", "failed").await;
    assert_eq!(live.app.attr("signin-error-microsoft", "data-code").await.as_deref(), Some("azure_cli_not_signed_in"));
    assert!(live.app.text("signin-error-microsoft").await.contains("az login"));
    live.app.screenshot("azure-cli-not-signed-in.png").await;

    // After `az login`: az prints a token the (simulated) Entra issued for Azure Resource Manager.
    std::fs::write(&token_file, live.demo.idp.issue_access_token(ARM_AUDIENCE)).unwrap();
    live.app.click("signin-azure-cli-microsoft").await;
    live.app.wait_signin_state("microsoft", "signed-in").await;
    let card = live.app.text("signin-microsoft").await;
    assert!(card.contains("through Azure CLI") && card.contains("dana@acme.example"), "{card}");
    let asked = std::fs::read_to_string(&calls).unwrap_or_default();
    assert!(asked.contains("account get-access-token --resource https://management.azure.com/"), "{asked}");
    assert!(live.env.opened_urls().is_empty(), "no browser for an Azure CLI sign-in: {:?}", live.env.opened_urls());
    live.buy_connect_and_finish().await;
    live.finish().await;
}
