//! Every live check against the simulated services, in every demo scenario.

use clients::{
    arm::Arm,
    checks::{CheckInputs, CheckMemory, CheckState, Checker},
    pinecone::PineconeAdmin,
    Retry,
};
use signin::Secret;
use simulator::{world::ORG_ID, Demo, Scenario};
use std::time::Duration;

const FAST: Retry = Retry { attempts: 2, first_delay: Duration::from_millis(10), max_delay: Duration::from_millis(20) };

async fn setup(scenario: Scenario) -> (Demo, Checker, CheckInputs) {
    let demo = Demo::start(scenario).await.unwrap();
    let checker = Checker {
        pinecone: PineconeAdmin::new(demo.base_url()).with_retry(FAST),
        arm: Arm::new(demo.base_url()).with_retry(FAST),
    };
    let inputs = CheckInputs {
        pinecone: Some(Secret::new(demo.idp.issue_access_token())),
        pinecone_email: Some("dana@acme.example".into()),
        microsoft: Some(Secret::new(demo.idp.issue_access_token())),
    };
    (demo, checker, inputs)
}

#[tokio::test(flavor = "multi_thread")]
async fn happy_path_verifies_every_check_in_order() {
    let (demo, checker, inputs) = setup(Scenario::HappyPath).await;
    let mut memory = CheckMemory::default();
    let org = checker.run("pinecone-org", &inputs, &mut memory).await;
    assert_eq!(org.state, CheckState::Verified, "{org:?}");
    assert_eq!(memory.target_org.as_deref(), Some(ORG_ID));
    assert_eq!(checker.run("azure-subscription", &inputs, &mut memory).await.state, CheckState::Verified);
    assert_eq!(checker.run("azure-purchase", &inputs, &mut memory).await.state, CheckState::Waiting, "nothing bought yet");
    assert_eq!(checker.run("connected", &inputs, &mut memory).await.state, CheckState::Waiting);
    demo.world.subscribe("rg", "pinecone-payg", true);
    let purchase = checker.run("azure-purchase", &inputs, &mut memory).await;
    assert_eq!(purchase.state, CheckState::Verified);
    assert!(purchase.summary.contains("waiting for you to connect"), "{}", purchase.summary);
    assert_eq!(purchase.advice, None);
    demo.world.connect(ORG_ID).unwrap();
    let connected = checker.run("connected", &inputs, &mut memory).await;
    assert_eq!(connected.state, CheckState::Verified, "{connected:?}");
    assert!(connected.facts.iter().any(|f| f.contains("Standard plan, payment Active")), "{:?}", connected.facts);
    assert!(connected.facts.iter().any(|f| f.contains("Subscribed")));
    assert!(connected.facts.contains(&"Recurring billing is on.".to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn each_failure_scenario_ends_on_its_own_advice() {
    let (_d, checker, inputs) = setup(Scenario::NotOwner).await;
    let o = checker.run("pinecone-org", &inputs, &mut CheckMemory::default()).await;
    assert_eq!(o.state, CheckState::Problem);
    assert!(o.advice.unwrap().contains("Ask an owner"));

    let (_d, checker, inputs) = setup(Scenario::NotStarter).await;
    let o = checker.run("pinecone-org", &inputs, &mut CheckMemory::default()).await;
    assert_eq!(o.state, CheckState::Problem);
    assert!(o.summary.contains("Only organizations on the Starter plan"));
    assert!(o.advice.unwrap().contains("create a new organization through Azure Marketplace"));

    let (_d, checker, inputs) = setup(Scenario::SpendingLimit).await;
    let o = checker.run("azure-subscription", &inputs, &mut CheckMemory::default()).await;
    assert_eq!(o.state, CheckState::Problem);
    assert!(o.details.iter().any(|d| d.contains("spending limit")));

    let (demo, checker, inputs) = setup(Scenario::RecurringOff).await;
    demo.world.subscribe("rg", "p", true);
    let o = checker.run("azure-purchase", &inputs, &mut CheckMemory::default()).await;
    assert_eq!(o.state, CheckState::Verified);
    assert!(o.advice.unwrap().contains("Recurring billing is off"));

    let (demo, checker, inputs) = setup(Scenario::StuckPending).await;
    demo.world.subscribe("rg", "p", true);
    demo.world.connect(ORG_ID).unwrap();
    let mut memory = CheckMemory { target_org: Some(ORG_ID.into()) };
    let o = checker.run("connected", &inputs, &mut memory).await;
    assert_eq!(o.state, CheckState::Waiting);
    assert!(o.details.iter().any(|d| d.contains("PendingFulfillmentStart")), "{:?}", o.details);
    assert!(o.advice.unwrap().contains("Configure account"));
}

#[tokio::test(flavor = "multi_thread")]
async fn connected_needs_the_noted_org_and_both_sides() {
    let (demo, checker, inputs) = setup(Scenario::NotStarter).await;
    demo.world.subscribe("rg", "p", true);
    // A card-paid Standard org is paid and active, but nobody noted it as the org being connected.
    let o = checker.run("connected", &inputs, &mut CheckMemory::default()).await;
    assert_eq!(o.state, CheckState::Problem, "{o:?}");
    let without_azure = CheckInputs { microsoft: None, ..inputs };
    let o = checker.run("connected", &without_azure, &mut CheckMemory { target_org: Some(ORG_ID.into()) }).await;
    assert_eq!((o.state, o.provider.as_deref()), (CheckState::NeedsSignIn, Some("microsoft")), "Azure's side must be seen too");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_org_counts_only_once_azure_says_it_is_active() {
    let (demo, checker, inputs) = setup(Scenario::NotStarter).await;
    let o = checker.run("new-org-connected", &inputs, &mut CheckMemory::default()).await;
    assert_eq!(o.state, CheckState::Waiting, "a card-paid org alone is not a connection: {o:?}");
    demo.world.subscribe("rg", "p", true);
    assert_eq!(checker.run("new-org-connected", &inputs, &mut CheckMemory::default()).await.state, CheckState::Waiting);
    demo.world.create_connected_org("Fresh").unwrap();
    let o = checker.run("new-org-connected", &inputs, &mut CheckMemory::default()).await;
    assert_eq!(o.state, CheckState::Verified, "{o:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_purchase_from_the_past_does_not_count() {
    let (demo, checker, inputs) = setup(Scenario::HappyPath).await;
    demo.world.subscribe("rg", "old-one", true);
    demo.world.cancel("old-one");
    assert_eq!(checker.run("azure-purchase", &inputs, &mut CheckMemory::default()).await.state, CheckState::Waiting);
    demo.world.subscribe("rg", "new-one", true);
    let o = checker.run("azure-purchase", &inputs, &mut CheckMemory::default()).await;
    assert_eq!(o.state, CheckState::Verified);
    assert!(o.summary.contains("new-one"), "{}", o.summary);
}

#[test]
fn check_memory_round_trips_through_progress_notes() {
    let memory = CheckMemory { target_org: Some("org-1".into()) };
    assert_eq!(CheckMemory::from_notes(&memory.to_notes()), memory);
    assert!(CheckMemory::default().to_notes().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_sign_ins_and_outages_are_explained() {
    let (demo, checker, _) = setup(Scenario::HappyPath).await;
    let none = CheckInputs::default();
    let o = checker.run("pinecone-org", &none, &mut CheckMemory::default()).await;
    assert_eq!((o.state, o.provider.as_deref()), (CheckState::NeedsSignIn, Some("pinecone")));
    let o = checker.run("azure-purchase", &none, &mut CheckMemory::default()).await;
    assert_eq!((o.state, o.provider.as_deref()), (CheckState::NeedsSignIn, Some("microsoft")));
    let inputs = CheckInputs { microsoft: Some(Secret::new(demo.idp.issue_access_token())), ..Default::default() };
    demo.world.inject_faults("/subscriptions", 503, Some(0), 5);
    let o = checker.run("azure-subscription", &inputs, &mut CheckMemory::default()).await;
    assert_eq!(o.state, CheckState::Error);
    assert!(o.summary.contains("busy or failing"), "{}", o.summary);
    let o = checker.run("nonsense", &inputs, &mut CheckMemory::default()).await;
    assert_eq!(o.state, CheckState::Error);
}
