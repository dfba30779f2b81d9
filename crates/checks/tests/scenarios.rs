//! The live checks in the demo scenarios that real accounts have and the first ones didn't: a
//! subscription that never bought a SaaS offer, a payment Pinecone takes a while to see, another
//! vendor's purchase with null fields, a sign-in scoped to the wrong org, and lists in pages.

use checks::{CheckInputs, CheckState, PINECONE_ORG_CLAIM};
use signin::Secret;
use simulator::{world::ORG_ID, Scenario};
use vocab::CheckId;
use wizard::Findings;

mod common;

use common::{run, setup};

#[tokio::test(flavor = "multi_thread")]
async fn a_subscription_that_never_bought_a_saas_offer_is_nothing_bought_yet_not_an_error() {
    let (demo, checker, inputs) = setup(Scenario::UnregisteredProvider).await;
    let mut findings = Findings::default();
    let subs = run(&checker, CheckId::AzureSubscription, &inputs, &mut findings).await;
    assert_eq!(subs.state, CheckState::Verified, "the 409 is a first-time buyer, not a failure: {subs:?}");
    assert_eq!(findings.earlier_purchases, Some(vec![]));
    let o = run(&checker, CheckId::AzurePurchase, &inputs, &mut findings).await;
    assert_eq!((o.state, o.summary.as_str()), (CheckState::Waiting, "No Pinecone subscription on Azure yet."));
    demo.world.subscribe("rg", "p", true);
    assert_eq!(run(&checker, CheckId::AzurePurchase, &inputs, &mut findings).await.state, CheckState::Verified);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_payment_pinecone_has_not_seen_yet_waits_with_its_own_message() {
    let (demo, checker, inputs) = setup(Scenario::PaymentPending).await;
    let mut findings = Findings { target_org: Some(ORG_ID.into()), ..Findings::default() };
    demo.world.subscribe("rg", "p", true);
    demo.world.connect(ORG_ID).unwrap();
    let o = run(&checker, CheckId::Connected, &inputs, &mut findings).await;
    assert_eq!(o.state, CheckState::Waiting, "{o:?}");
    assert!(o.summary.contains("Pinecone is still setting up the payment for Acme Search"), "{}", o.summary);
    assert!(o.details.iter().any(|d| d.contains("payment PaymentPending")), "{:?}", o.details);
    let mut last = o;
    for _ in 0..3 {
        last = run(&checker, CheckId::Connected, &inputs, &mut findings).await;
    }
    assert_eq!(last.state, CheckState::Verified, "once Pinecone sees the payment: {last:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_vendors_purchase_with_null_fields_is_not_taken_for_pinecones() {
    let (demo, checker, inputs) = setup(Scenario::ForeignResource).await;
    let mut findings = Findings::default();
    let o = run(&checker, CheckId::AzurePurchase, &inputs, &mut findings).await;
    assert_eq!(o.state, CheckState::Waiting, "the foreign purchase is neither Pinecone's nor an error: {o:?}");
    demo.world.subscribe("rg", "pinecone-payg", true);
    let o = run(&checker, CheckId::AzurePurchase, &inputs, &mut findings).await;
    assert_eq!(o.state, CheckState::Verified, "{o:?}");
    assert!(o.summary.contains("pinecone-payg"));
    let all = checker.arm.pinecone_saas_all(inputs.microsoft.as_ref().unwrap(), simulator::world::SUBSCRIPTION_ID).await.unwrap();
    assert_eq!(all.len(), 1, "only Pinecone's");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_scoped_to_the_card_paid_org_is_offered_the_starter_one_which_then_verifies() {
    let (demo, checker, inputs) = setup(Scenario::WrongOrgToken).await;
    assert_eq!(inputs.pinecone_org.as_deref(), Some(simulator::world::PAID_ORG_ID), "the scenario's default sign-in");
    let o = run(&checker, CheckId::PineconeOrg, &inputs, &mut Findings::default()).await;
    assert_eq!(o.state, CheckState::Problem, "{o:?}");
    assert!(o.summary.contains("signed in to Big Co"));
    assert_eq!(o.switch_orgs.iter().map(|org| org.id.as_str()).collect::<Vec<_>>(), [ORG_ID]);

    // What signing in again with orgId=<the Starter org> gives.
    let scoped = demo.idp.issue_pinecone_token_for_org(ORG_ID);
    let inputs = CheckInputs {
        pinecone_org: signin::oauth::unverified_claim(&scoped, PINECONE_ORG_CLAIM),
        pinecone: Some(Secret::new(scoped)),
        ..inputs
    };
    let mut findings = Findings::default();
    let o = run(&checker, CheckId::PineconeOrg, &inputs, &mut findings).await;
    assert_eq!(o.state, CheckState::Verified, "{o:?}");
    assert_eq!(findings.target_org.as_deref(), Some(ORG_ID));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_list_read_in_pages_of_one_gives_the_same_answers() {
    let (demo, checker, inputs) = setup(Scenario::PagedLists).await;
    let mut findings = Findings::default();
    let o = run(&checker, CheckId::PineconeOrg, &inputs, &mut findings).await;
    assert_eq!(o.state, CheckState::Verified, "the owner is found through pages of users and role bindings: {o:?}");
    let o = run(&checker, CheckId::AzureSubscription, &inputs, &mut findings).await;
    assert_eq!(o.state, CheckState::Verified, "{o:?}");
    let details = o.details.join("\n");
    assert!(details.contains("Directory: Acme (demo), Acme Labs"), "both directories, from two pages: {details}");
    assert!(details.contains("Subscription Pay-As-You-Go: resource groups pinecone-billing, shared-services"), "{details}");
    assert!(details.contains("Don't pick Team Trial: it has a spending limit"), "{details}");
    assert!(details.contains("Don't pick Old Project: it is Disabled"), "{details}");
    demo.world.subscribe("rg", "p", true);
    assert_eq!(run(&checker, CheckId::AzurePurchase, &inputs, &mut findings).await.state, CheckState::Verified);
}
