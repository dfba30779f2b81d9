//! End-to-end through the demo app, one test per scenario that real accounts have and the first
//! demo didn't: a subscription that never bought a SaaS offer (ARM's 409), a payment Pinecone
//! takes a while to see, another vendor's purchase with null fields, a Pinecone sign-in scoped to
//! the wrong org, and every list served in pages of one. The checks' answers to each are in
//! crates/checks/tests/scenarios.rs; these show the user sees them.

use e2e::DemoApp;

/// simulator::world::ORG_ID, the Starter org to connect.
const STARTER_ORG: &str = "-DemoOrg000000000001";

/// Create flow in `scenario` to the purchase step, which must say nothing is bought yet, then
/// buys in the browser and waits for the step to verify.
async fn nothing_bought_then_bought(scenario: &str) -> DemoApp {
    let mut d = DemoApp::start(scenario).await;
    d.walk_to_subscribe_signed_in(true).await;
    d.app.wait_check("subscribe", "verified").await;
    d.next("configure-account").await;
    d.app.wait_check("configure-account", "waiting").await;
    assert_eq!(d.app.text("check-summary-configure-account").await, "No Pinecone subscription on Azure yet.");
    d.buy_in_browser().await;
    d.app.wait_check("configure-account", "verified").await;
    d
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_time_buyers_subscription_is_fine_and_the_purchase_is_found_after_buying() {
    // ARM answers 409 MissingSubscriptionRegistration until the purchase registers Microsoft.SaaS.
    nothing_bought_then_bought("unregistered-provider").await.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_payment_pinecone_has_not_seen_yet_waits_with_its_own_message_then_confirms() {
    let mut d = DemoApp::start("payment-pending").await;
    d.create_flow_through_connect().await;
    // It waits for Azure before the click too; after it, Azure is done and Pinecone isn't yet.
    d.app
        .wait_until(
            "the payment-pending message",
            "const e = document.querySelector('[data-testid=check-summary-connect]'); return !!e && e.textContent.includes('Pinecone is still setting up the payment')",
        )
        .await;
    assert_eq!(d.app.attr("check-connect", "data-state").await.as_deref(), Some("waiting"));
    assert!(d.app.text("check-advice-connect").await.contains("Nothing more is needed from you"));
    d.app.wait_check("connect", "verified").await;
    d.app.click("wizard-next").await;
    assert!(d.app.text("finish-confirmation").await.contains("payment Active"));
    d.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn another_vendors_purchase_is_not_taken_for_pinecones() {
    let d = nothing_bought_then_bought("foreign-resource").await;
    let panel = d.app.text("check-configure-account").await;
    assert!(!panel.to_lowercase().contains("contoso"), "the other vendor's purchase isn't mentioned: {panel}");
    d.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_to_the_wrong_org_offers_the_starter_one_and_signing_in_to_it_verifies() {
    let mut d = DemoApp::start("wrong-org-token").await;
    d.app.click("start-flow-connect-existing-org").await;
    d.sign_in("pinecone").await;
    d.app.wait_check("open-billing", "problem").await;
    assert!(d.app.text("check-summary-open-billing").await.contains("signed in to Big Co"));
    d.app.wait_help_opened("not-starter").await;
    d.app.click(&format!("check-switch-org-open-billing-{STARTER_ORG}")).await;
    let authorize = d.finish_sign_in_in_browser("pinecone").await;
    assert!(authorize.contains(&format!("orgId={STARTER_ORG}")), "the sign-in asks for that org: {authorize}");
    d.app.wait_check("open-billing", "verified").await;
    assert!(d.app.text("check-summary-open-billing").await.contains("on the Starter plan and you are an owner"));
    d.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_served_in_pages_of_one_give_the_same_answers() {
    let mut d = DemoApp::start("paged-lists").await;
    d.app.click("start-flow-connect-existing-org").await;
    d.sign_in("pinecone").await;
    d.app.wait_check("open-billing", "verified").await;
    for step in ["connect-marketplace", "select-azure", "continue-to-marketplace", "subscribe", "choose-subscription"] {
        d.next(step).await;
    }
    d.sign_in("microsoft").await;
    d.app.wait_check("choose-subscription", "verified").await;
    let details = d.app.text("check-details-choose-subscription").await;
    assert!(details.contains("Acme Labs"), "the second directory came from the second page: {details}");
    assert!(details.contains("Don't pick Old Project: it is Disabled"), "{details}");
    d.finish().await;
}
