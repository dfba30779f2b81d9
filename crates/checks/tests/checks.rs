//! Every live check against the simulated services, in every demo scenario.

use checks::{CheckInputs, CheckState, Checker, PINECONE_ORG_CLAIM};
use clients::{arm::Arm, pinecone::PineconeAdmin};
use signin::Secret;
use simulator::{world::ORG_ID, Plan, Scenario};
use vocab::{CheckId, ProviderId, Trouble};
use wizard::Findings;

mod common;

use common::{run, setup, FAST};

#[tokio::test(flavor = "multi_thread")]
async fn happy_path_verifies_every_check_in_order() {
    let (demo, checker, inputs) = setup(Scenario::HappyPath).await;
    let mut findings = Findings::default();
    let org = run(&checker, CheckId::PineconeOrg, &inputs, &mut findings).await;
    assert_eq!(org.state, CheckState::Verified, "{org:?}");
    assert_eq!(findings.target_org.as_deref(), Some(ORG_ID));
    let subs = run(&checker, CheckId::AzureSubscription, &inputs, &mut findings).await;
    assert_eq!(subs.state, CheckState::Verified);
    assert!(subs.details.iter().any(|d| d.starts_with("Directory: ")), "{:?}", subs.details);
    assert!(subs.details.iter().any(|d| d.contains("Pay-As-You-Go: resource groups pinecone-billing")), "{:?}", subs.details);
    assert_eq!(
        run(&checker, CheckId::AzurePurchase, &inputs, &mut findings).await.state,
        CheckState::Waiting,
        "nothing bought yet"
    );
    assert_eq!(run(&checker, CheckId::Connected, &inputs, &mut findings).await.state, CheckState::Waiting);
    demo.world.subscribe("rg", "pinecone-payg", true);
    let purchase = run(&checker, CheckId::AzurePurchase, &inputs, &mut findings).await;
    assert_eq!(purchase.state, CheckState::Verified);
    assert!(purchase.summary.contains("waiting for you to connect"), "{}", purchase.summary);
    assert_eq!(purchase.advice, None);
    assert!(purchase.offer_link, "bought, not configured: the Configure account link can be regenerated");
    assert!(findings.purchase.as_deref().is_some_and(|id| id.ends_with("/pinecone-payg")), "{findings:?}");
    demo.world.connect(ORG_ID).unwrap();
    let connected = run(&checker, CheckId::Connected, &inputs, &mut findings).await;
    assert_eq!(connected.state, CheckState::Verified, "{connected:?}");
    assert!(!connected.offer_link);
    assert!(connected.facts.iter().any(|f| f.contains("Standard plan, payment Active")), "{:?}", connected.facts);
    assert!(connected.facts.iter().any(|f| f.contains("Subscribed")));
    assert!(connected.facts.contains(&"Recurring billing is on.".to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn each_failure_scenario_ends_on_its_own_advice() {
    let (_d, checker, inputs) = setup(Scenario::NotOwner).await;
    let o = run(&checker, CheckId::PineconeOrg, &inputs, &mut Findings::default()).await;
    assert_eq!(o.state, CheckState::Problem);
    assert_eq!(o.trouble, Some(Trouble::NotOwner));
    assert!(o.advice.unwrap().contains("Ask an owner"));

    let (_d, checker, inputs) = setup(Scenario::NotStarter).await;
    let o = run(&checker, CheckId::PineconeOrg, &inputs, &mut Findings::default()).await;
    assert_eq!(o.state, CheckState::Problem);
    assert!(o.summary.contains("Only organizations on the Starter plan"));
    assert_eq!(o.trouble, Some(Trouble::NotStarter));
    assert!(o.advice.unwrap().contains("create a new organization through Azure Marketplace"));

    let (_d, checker, inputs) = setup(Scenario::SpendingLimit).await;
    let o = run(&checker, CheckId::AzureSubscription, &inputs, &mut Findings::default()).await;
    assert_eq!(o.state, CheckState::Problem);
    assert!(o.details.iter().any(|d| d.contains("spending limit")));
    assert_eq!(o.trouble, Some(Trouble::CannotBuy));

    let (demo, checker, inputs) = setup(Scenario::RecurringOff).await;
    demo.world.subscribe("rg", "p", demo.world.recurring_by_default());
    let o = run(&checker, CheckId::AzurePurchase, &inputs, &mut Findings::default()).await;
    assert_eq!(o.state, CheckState::Verified);
    assert_eq!(o.trouble, Some(Trouble::RecurringOff));
    assert!(o.advice.unwrap().contains("Recurring billing is off"));

    let (demo, checker, inputs) = setup(Scenario::StuckPending).await;
    demo.world.subscribe("rg", "p", true);
    demo.world.connect(ORG_ID).unwrap();
    let mut findings = Findings { target_org: Some(ORG_ID.into()), ..Default::default() };
    let o = run(&checker, CheckId::Connected, &inputs, &mut findings).await;
    assert_eq!(o.state, CheckState::Waiting);
    assert!(o.details.iter().any(|d| d.contains("PendingFulfillmentStart")), "{:?}", o.details);
    assert!(o.offer_link);
    assert_eq!(o.trouble, Some(Trouble::StuckPending));
    assert!(o.advice.unwrap().contains("Configure account"));
}

/// A check that finds a cause opens its "Something's wrong?" entry, so every step naming the
/// check must offer an entry for each cause the check can find.
#[test]
fn every_step_offers_help_for_each_cause_its_check_can_find() {
    let catalog = wizard::Catalog::embedded().unwrap();
    let mut checked = 0;
    for flow in &catalog.flows {
        for step in &flow.steps {
            let Some(check) = step.check else { continue };
            for t in Checker::troubles(check) {
                assert!(
                    step.help.contains(t),
                    "{}/{}: {check:?} can find {t:?}, which the step's help doesn't offer",
                    flow.id,
                    step.id
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} (step, cause) pairs: the flows lost their checks?");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_org_a_pinecone_token_is_scoped_to_is_the_one_judged() {
    let (demo, checker, inputs) = setup(Scenario::HappyPath).await;
    demo.world.add_org("Side Project", Plan::Free);
    let big = demo.world.add_org("Big Co", Plan::Standard);
    let mut findings = Findings::default();
    // The simulated tokens carry the claim as Pinecone's do; the shell reads it like this.
    let claim = signin::oauth::unverified_claim(inputs.pinecone.as_ref().unwrap().expose(), PINECONE_ORG_CLAIM);
    assert_eq!(claim.as_deref(), Some(ORG_ID));
    let scoped = CheckInputs { pinecone_org: claim, ..inputs };
    let o = run(&checker, CheckId::PineconeOrg, &scoped, &mut findings).await;
    assert_eq!(o.state, CheckState::Verified, "{o:?}");
    assert!(o.summary.starts_with("Acme Search"), "{}", o.summary);
    assert_eq!(findings.target_org.as_deref(), Some(ORG_ID));

    // Signed in to the card-paid org: its owners say nothing about the Starter ones, so the
    // answer is "sign in to your Starter org", not "you are not an owner".
    let elsewhere = CheckInputs { pinecone_org: Some(big), ..scoped };
    let o = run(&checker, CheckId::PineconeOrg, &elsewhere, &mut Findings::default()).await;
    assert_eq!(o.state, CheckState::Problem, "{o:?}");
    assert!(o.summary.contains("signed in to Big Co, which is on the Standard plan"), "{}", o.summary);
    let advice = o.advice.unwrap();
    assert!(advice.contains("Acme Search or Side Project") && advice.contains("Sign in to it"), "{advice}");
    let offered: Vec<&str> = o.switch_orgs.iter().map(|org| org.name.as_str()).collect();
    assert_eq!(offered, ["Acme Search", "Side Project"], "each Starter org can be signed in to");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_connection_is_confirmed_from_azure_alone_and_a_pinecone_sign_in_adds_the_plan() {
    let (demo, checker, inputs) = setup(Scenario::HappyPath).await;
    demo.world.subscribe("rg", "p", true);
    let azure_only = CheckInputs { microsoft: inputs.microsoft.clone(), ..Default::default() };
    let mut findings = Findings::default();
    let o = run(&checker, CheckId::Connected, &azure_only, &mut findings).await;
    assert_eq!((o.state, o.offer_link), (CheckState::Waiting, true), "bought, not connected yet: {o:?}");
    demo.world.connect(ORG_ID).unwrap();
    let o = run(&checker, CheckId::Connected, &azure_only, &mut findings).await;
    assert_eq!(o.state, CheckState::Verified, "Azure's activation is the proof: {o:?}");
    assert!(o.facts.iter().any(|f| f.starts_with("Azure: subscription p is Subscribed, activated by Pinecone")), "{:?}", o.facts);
    assert!(
        o.facts.iter().any(|f| f.starts_with("Pinecone's side wasn't checked")),
        "honest about what wasn't seen: {:?}",
        o.facts
    );

    // With a Pinecone sign-in and the org noted on step 1, Pinecone's side is added.
    findings.target_org = Some(ORG_ID.into());
    let o = run(&checker, CheckId::Connected, &inputs, &mut findings).await;
    assert_eq!(o.state, CheckState::Verified);
    assert!(o.facts.iter().any(|f| f == "Pinecone: Acme Search is on the Standard plan, payment Active."), "{:?}", o.facts);
    assert!(!o.facts.iter().any(|f| f.contains("wasn't checked")));

    let without_azure = CheckInputs { microsoft: None, ..inputs };
    let o = run(&checker, CheckId::Connected, &without_azure, &mut findings).await;
    assert_eq!((o.state, o.provider), (CheckState::NeedsSignIn, Some(ProviderId::Microsoft)), "Azure's side is the proof");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_purchase_azure_stopped_is_explained() {
    let (demo, checker, inputs) = setup(Scenario::HappyPath).await;
    demo.world.subscribe("rg", "p", true);
    let mut findings = Findings::default();
    run(&checker, CheckId::AzurePurchase, &inputs, &mut findings).await;
    demo.world.cancel("p");
    let o = run(&checker, CheckId::Connected, &inputs, &mut findings).await;
    assert_eq!(o.state, CheckState::Problem, "{o:?}");
    assert!(o.summary.contains("p is Unsubscribed") && o.advice.unwrap().contains("Buy Pinecone again"), "{}", o.summary);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_org_counts_only_once_azure_says_it_is_active() {
    let (demo, checker, inputs) = setup(Scenario::NotStarter).await;
    let o = run(&checker, CheckId::NewOrgConnected, &inputs, &mut Findings::default()).await;
    assert_eq!(o.state, CheckState::Waiting, "a card-paid org alone is not a connection: {o:?}");
    demo.world.subscribe("rg", "p", true);
    assert_eq!(run(&checker, CheckId::NewOrgConnected, &inputs, &mut Findings::default()).await.state, CheckState::Waiting);
    demo.world.create_connected_org("Fresh").unwrap();
    let o = run(&checker, CheckId::NewOrgConnected, &inputs, &mut Findings::default()).await;
    assert_eq!(o.state, CheckState::Verified, "{o:?}");
    assert!(
        o.facts.iter().any(|f| f.contains("Fresh is on the Standard plan")),
        "the new org, not the older card-paid one: {:?}",
        o.facts
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_purchase_in_progress_is_followed_not_an_earlier_active_one() {
    let (demo, checker, inputs) = setup(Scenario::HappyPath).await;
    demo.world.subscribe("rg", "earlier", true);
    demo.world.create_connected_org("Earlier org").unwrap();
    let mut findings = Findings::default();
    // The purchase step opens before the user clicks Subscribe: the earlier purchase is not this one.
    let o = run(&checker, CheckId::AzurePurchase, &inputs, &mut findings).await;
    assert_eq!(o.state, CheckState::Waiting, "{o:?}");
    assert!(findings.earlier_purchases.as_ref().is_some_and(|ids| ids.len() == 1 && ids[0].ends_with("/earlier")));
    assert_eq!(findings.purchase, None);
    demo.world.subscribe("rg", "this-one", true);
    let o = run(&checker, CheckId::AzurePurchase, &inputs, &mut findings).await;
    assert!(o.summary.contains("this-one") && o.offer_link, "{o:?}");
    assert!(findings.purchase.as_deref().is_some_and(|id| id.ends_with("/this-one")));
    // Once this one is active too, the note keeps the checks on it.
    demo.world.create_connected_org("This org").unwrap();
    let o = run(&checker, CheckId::AzurePurchase, &inputs, &mut findings).await;
    assert!(o.summary.contains("this-one: active") && !o.offer_link, "{o:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_purchase_from_the_past_does_not_count() {
    let (demo, checker, inputs) = setup(Scenario::HappyPath).await;
    demo.world.subscribe("rg", "old-one", true);
    demo.world.cancel("old-one");
    assert_eq!(run(&checker, CheckId::AzurePurchase, &inputs, &mut Findings::default()).await.state, CheckState::Waiting);
    demo.world.subscribe("rg", "new-one", true);
    let o = run(&checker, CheckId::AzurePurchase, &inputs, &mut Findings::default()).await;
    assert_eq!(o.state, CheckState::Verified);
    assert!(o.summary.contains("new-one"), "{}", o.summary);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_sign_ins_and_outages_are_explained() {
    let (demo, checker, _) = setup(Scenario::HappyPath).await;
    let none = CheckInputs::default();
    let o = run(&checker, CheckId::PineconeOrg, &none, &mut Findings::default()).await;
    assert_eq!((o.state, o.provider), (CheckState::NeedsSignIn, Some(ProviderId::Pinecone)));
    let o = run(&checker, CheckId::AzurePurchase, &none, &mut Findings::default()).await;
    assert_eq!((o.state, o.provider), (CheckState::NeedsSignIn, Some(ProviderId::Microsoft)));
    let inputs =
        CheckInputs { microsoft: Some(Secret::new(demo.idp.issue_access_token(simulator::ARM_AUDIENCE))), ..Default::default() };
    demo.world.inject_faults("/subscriptions", 503, Some(0), 5);
    let o = run(&checker, CheckId::AzureSubscription, &inputs, &mut Findings::default()).await;
    assert_eq!(o.state, CheckState::Error);
    assert!(o.summary.contains("busy or failing"), "{}", o.summary);

    // The only subscription can't be read: that is the answer, with what to ask for.
    let (demo, checker, inputs) = setup(Scenario::HappyPath).await;
    demo.world.inject_faults("/subscriptions/", 403, None, 1);
    let o = run(&checker, CheckId::AzurePurchase, &inputs, &mut Findings::default()).await;
    assert_eq!(o.state, CheckState::Error, "{o:?}");
    assert!(o.advice.unwrap().contains("Reader access"));
    demo.world.inject_faults("/admin/organizations", 429, Some(3600), 1);
    let o = run(&checker, CheckId::PineconeOrg, &inputs, &mut Findings::default()).await;
    assert_eq!((o.state, o.retry_after_secs), (CheckState::Waiting, Some(3600)), "{o:?}");
    assert!(o.summary.contains("Pinecone is busy") && o.summary.contains("about an hour"), "{o:?}");
    // A service that asks for centuries is asked again within the hour.
    demo.world.inject_faults("/admin/organizations", 429, Some(10_000_000_000), 1);
    let o = run(&checker, CheckId::PineconeOrg, &inputs, &mut Findings::default()).await;
    assert_eq!((o.state, o.retry_after_secs), (CheckState::Waiting, Some(3600)), "capped at an hour: {o:?}");
}

/// Two subscriptions, one the user can't read: the purchase in the other is still found.
#[tokio::test(flavor = "multi_thread")]
async fn a_subscription_the_user_cannot_read_does_not_hide_the_purchase_in_another() {
    use axum::{routing::get, Json};
    use serde_json::json;
    let router = axum::Router::new()
        .route(
            "/subscriptions",
            get(|| async {
                Json(json!({"value": [
                    {"subscriptionId": "locked", "displayName": "Locked", "state": "Enabled"},
                    {"subscriptionId": "open", "displayName": "Open", "state": "Enabled"}
                ]}))
            }),
        )
        .route(
            "/subscriptions/locked/providers/Microsoft.SaaS/resources",
            get(|| async { (axum::http::StatusCode::FORBIDDEN, Json(json!({"error": {"code": "AuthorizationFailed"}}))) }),
        )
        .route(
            "/subscriptions/open/providers/Microsoft.SaaS/resources",
            get(|| async {
                Json(json!({"value": [{"id": "/subscriptions/open/resourceGroups/rg/providers/Microsoft.SaaS/resources/p", "name": "p",
                    "properties": {"status": "PendingFulfillmentStart", "publisherId": "pineconesystemsinc1688761585469", "offerId": "pineconesaas"}}]}))
            }),
        );
    let server = simulator::Running::start(router).await.unwrap();
    let arm = Arm::new(server.base_url()).with_retry(FAST);
    let checker = Checker { pinecone: PineconeAdmin::new(server.base_url()), arm };
    let found = checker.find_purchase(&Secret::new("t"), &Findings::default()).await.unwrap();
    assert_eq!(found.as_ref().map(|s| s.name()), Some("p"));
}
