//! End-to-end in demo mode: the app through tauri-driver, and the system-browser side through a
//! second WebDriver session in headless Chromium. The app's `BROWSER` records each page it opens;
//! the test opens it in Chromium and clicks through the simulated Pinecone and Azure pages, and the
//! app's live checks see every change.

use e2e::{next_opened, DemoApp};

const ORG: &str = "org--DemoOrg000000000001";

#[tokio::test(flavor = "multi_thread")]
async fn connect_an_existing_org_to_the_confirmed_finish() {
    let mut d = DemoApp::start("happy-path").await;
    d.app.click("start-flow-connect-existing-org").await;
    d.sign_in("pinecone").await;
    d.app.wait_check("open-billing", "verified").await;
    assert!(d.app.text("check-summary-open-billing").await.contains("on the Starter plan and you are an owner"));
    d.app.assert_accessible("a verified check with a signed-in Pinecone").await;
    d.app.screenshot("all/state-check-verified-signed-in.png").await;
    d.open("step-open-billing").await;
    d.next("connect-marketplace").await;
    d.web.click("connect-marketplace").await;
    d.next("select-azure").await;
    d.web.click("cloud-azure").await;
    d.next("continue-to-marketplace").await;
    d.web.click("continue-to-marketplace").await;
    d.next("subscribe").await;
    d.web.click("subscribe").await;
    d.next("choose-subscription").await;
    d.sign_in("microsoft").await;
    d.app.wait_check("choose-subscription", "verified").await;
    // A verified check lists what it found; the step's Next still fits the default window.
    let next_bottom = d.app.step_boxes().await["actions"].as_array().unwrap().last().unwrap()["bottom"].as_f64().unwrap();
    assert!(next_bottom <= 760.0, "Next ends at {next_bottom} px on the verified subscription step");
    d.app.screenshot("all/state-check-verified-details.png").await;
    d.next("recurring-billing").await;
    d.next("review").await;
    d.web.click("review-and-subscribe").await;
    d.next("confirm-subscribe").await;
    d.web.click("confirm-subscribe").await;
    d.app.wait_check("confirm-subscribe", "verified").await;
    assert!(!d.app.exists("check-advice-confirm-subscribe").await, "recurring billing is on: no warning");
    assert!(d.app.exists("check-regenerate-confirm-subscribe").await, "bought, not yet configured: the link can be opened again");
    d.next("sign-in-method").await;
    d.web.click("configure-account").await;
    d.web.click("auth-google").await;
    d.next("select-org").await;
    d.web.click(ORG).await;
    d.next("connect").await;
    d.web.click("connect-to-pinecone").await;
    d.web.wait_for_text("Your organization is connected").await;
    d.app.wait_check("connect", "verified").await;
    d.app.click("wizard-next").await;
    d.app.find("screen-finish").await;
    d.app.assert_accessible("the confirmed finish").await;
    let confirmed = d.app.text("finish-confirmation").await;
    assert!(confirmed.contains("Acme Search is on the Standard plan, payment Active"), "{confirmed}");
    assert!(confirmed.contains("pinecone-payg is Subscribed"), "{confirmed}");
    assert_eq!(d.app.attr("steplist-open-billing", "data-state").await.as_deref(), Some("verified"));
    assert_eq!(
        d.app.attr("steplist-connect-marketplace", "data-state").await.as_deref(),
        Some("done"),
        "no API can see this step"
    );
    d.app.screenshot("demo-finish.png").await;
    d.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_a_new_org_to_the_confirmed_finish() {
    let mut d = DemoApp::start("happy-path").await;
    d.app.click("start-flow-create-new-org").await;
    d.open("step-open-listing").await;
    d.next("get-it-now").await;
    d.web.click("get-it-now").await;
    d.next("select-plan").await;
    d.web.click("plan-payg").await;
    d.next("subscribe").await;
    d.sign_in("microsoft").await;
    d.app.wait_check("subscribe", "verified").await;
    d.web.click("subscribe").await;
    d.web.click("review-and-subscribe").await;
    d.web.click("confirm-subscribe").await;
    d.next("configure-account").await;
    d.app.wait_check("configure-account", "verified").await;
    d.web.click("configure-account").await;
    d.next("sign-in-method").await;
    d.web.click("auth-github").await;
    d.next("create-org").await;
    d.web.click("org-new").await;
    d.next("connect").await;
    d.sign_in("pinecone").await;
    d.web.click("connect-to-pinecone").await;
    d.app.wait_check("connect", "verified").await;
    d.app.click("wizard-next").await;
    assert!(d.app.text("finish-confirmation").await.contains("is on the Standard plan, payment Active"));
    d.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn not_owner_and_not_starter_end_on_their_troubleshooting_messages() {
    let mut d = DemoApp::start("not-owner").await;
    d.app.click("start-flow-connect-existing-org").await;
    d.sign_in("pinecone").await;
    d.app.wait_check("open-billing", "problem").await;
    assert!(d.app.text("check-advice-open-billing").await.contains("Only an organization owner can connect it"));
    d.app.wait_help_opened("not-owner").await;
    d.app.click("check-help-open-billing").await;
    assert_eq!(d.app.focused_testid().await.as_deref(), Some("help-open-not-owner"), "More help below goes to the entry");
    d.app.assert_accessible("a check's problem, with its help opened").await;
    d.app.screenshot("all/state-check-problem-help-open.png").await;
    d.open("step-open-billing").await;
    d.web.wait_for_text("Only organization owners can connect").await;

    // The scenario picker on the start screen resets the demo into another scenario.
    d.app.click("start-over").await;
    d.app.click("start-over-confirm").await;
    d.app.find("screen-start").await;
    d.app.driver.execute("const s = document.querySelector('[data-testid=demo-scenario]'); s.value = 'not-starter'; s.dispatchEvent(new Event('change'));", vec![]).await.unwrap();
    d.app.wait_until("the demo to reset into not-starter", "return !!document.body.dataset.lastResetMs").await;
    d.app.click("start-flow-connect-existing-org").await;
    d.sign_in("pinecone").await;
    d.app.wait_check("open-billing", "problem").await;
    assert!(d.app.text("check-summary-open-billing").await.contains("Only organizations on the Starter plan can be connected"));
    assert!(d.app.text("check-advice-open-billing").await.contains("create a new organization through Azure Marketplace"));
    d.app.wait_help_opened("not-starter").await;
    d.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn spending_limit_and_recurring_billing_off_are_flagged() {
    let mut d = DemoApp::start("spending-limit").await;
    d.walk_to_subscribe_signed_in(false).await;
    d.app.wait_check("subscribe", "problem").await;
    assert!(d.app.text("check-details-subscribe").await.contains("Free Trial has a spending limit"));
    d.app.wait_help_opened("cannot-buy").await;
    d.finish().await;

    let mut d = DemoApp::start("recurring-off").await;
    d.walk_to_subscribe_signed_in(true).await;
    d.buy_in_browser().await;
    d.next("configure-account").await;
    d.app.wait_check("configure-account", "verified").await;
    assert!(d.app.text("check-advice-configure-account").await.contains("Recurring billing is off"));
    d.app.wait_help_opened("recurring-off").await;
    d.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn activation_stuck_at_pending_keeps_waiting_and_offers_the_link_again() {
    let mut d = DemoApp::start("stuck-pending").await;
    d.create_flow_through_connect().await;
    d.app.wait_check("connect", "waiting").await;
    d.app
        .wait_until(
            "a second poll",
            "return /Checked [2-9]/.test(document.querySelector('[data-testid=check-status-connect]').textContent)",
        )
        .await;
    assert!(d.app.text("check-details-connect").await.contains("PendingFulfillmentStart"));
    assert!(d.app.text("check-advice-connect").await.contains("open the Configure account page again"));
    // Pending for a moment is normal; pending answer after answer opens "stuck at Pending".
    d.app.wait_help_opened("stuck-pending").await;
    d.app.assert_accessible("a waiting check, polling").await;
    d.app.screenshot("all/state-check-waiting.png").await;
    d.app.click("check-regenerate-connect").await;
    let landing = next_opened(&d.env, &mut d.seen).await;
    assert!(landing.contains("/pinecone/azure/landing?token=lt-"), "{landing}");
    d.finish().await;
}
