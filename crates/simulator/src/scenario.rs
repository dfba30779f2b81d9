//! The demo scenarios a sales engineer (or a test) can start with, and the simulated world each
//! one starts from: who the user is in which orgs, which Azure subscriptions and directories
//! they see, and the odd things some real accounts have (an unregistered resource provider,
//! another vendor's purchase with empty fields, lists long enough to come in pages).

use crate::model::{
    AzureSubscription, Org, PaymentStatus, Plan, Role, State, SubscriptionState, Tenant, User, ORG_ID, SUBSCRIPTION_ID,
    TENANT_ID, USER_ID,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// Both flows end on a confirmed finish screen.
    #[default]
    HappyPath,
    /// The user is an org member, not an owner.
    NotOwner,
    /// The org is on Standard, paid by card.
    NotStarter,
    /// "Connect to Pinecone" never activates the purchase.
    StuckPending,
    /// The buyer unticks recurring billing.
    RecurringOff,
    /// The only subscription is a free trial.
    SpendingLimit,
    /// The subscription has never bought a SaaS offer: Microsoft.SaaS isn't registered in it, and
    /// ARM answers 409 `MissingSubscriptionRegistration` until the first purchase registers it.
    UnregisteredProvider,
    /// After connecting, Pinecone takes a while to see the payment: `PaymentPending` first.
    PaymentPending,
    /// The subscription already holds another vendor's purchase, with the fields Azure leaves null.
    ForeignResource,
    /// The Pinecone sign-in lands in the user's card-paid org, not the Starter one to connect.
    WrongOrgToken,
    /// A large account: several orgs, users, subscriptions and directories, every list in pages of one.
    PagedLists,
}

impl Scenario {
    pub const ALL: [Scenario; 11] = [
        Scenario::HappyPath,
        Scenario::NotOwner,
        Scenario::NotStarter,
        Scenario::StuckPending,
        Scenario::RecurringOff,
        Scenario::SpendingLimit,
        Scenario::UnregisteredProvider,
        Scenario::PaymentPending,
        Scenario::ForeignResource,
        Scenario::WrongOrgToken,
        Scenario::PagedLists,
    ];

    /// The scenario spelled `name` in kebab-case (`BA_DEMO_SCENARIO`, the picker).
    pub fn parse(name: &str) -> Option<Self> {
        serde::Deserialize::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(name)).ok()
    }
}

fn org(id: &str, name: &str, plan: Plan, created_at: &str) -> Org {
    Org { id: id.into(), name: name.into(), plan, payment_status: PaymentStatus::Active, created_at: created_at.into() }
}

fn subscription(id: &str, name: &str, state: SubscriptionState, spending_limit: bool) -> AzureSubscription {
    AzureSubscription { id: id.into(), name: name.into(), tenant: TENANT_ID.into(), state, spending_limit }
}

/// The card-paid org some scenarios add beside the Starter one.
pub const PAID_ORG_ID: &str = "-DemoOrg000000000002";

impl State {
    /// The start of `scenario`, whose signed-in user is `email`.
    pub fn seeded(scenario: Scenario, email: &str) -> Self {
        let starter = org(
            ORG_ID,
            "Acme Search",
            if scenario == Scenario::NotStarter { Plan::Standard } else { Plan::Free },
            "2025-01-02T03:04:05Z",
        );
        let mut orgs = vec![starter];
        let mut subscriptions = vec![if scenario == Scenario::SpendingLimit {
            subscription(SUBSCRIPTION_ID, "Free Trial", SubscriptionState::Enabled, true)
        } else {
            subscription(SUBSCRIPTION_ID, "Pay-As-You-Go", SubscriptionState::Enabled, false)
        }];
        let mut tenants = vec![Tenant { id: TENANT_ID.into(), name: "Acme (demo)".into() }];
        let mut users = vec![User { id: USER_ID.into(), email: email.into(), name: Some("Demo Owner".into()) }];
        let mut token_org = ORG_ID.to_owned();
        match scenario {
            Scenario::WrongOrgToken => {
                orgs.push(org(PAID_ORG_ID, "Big Co", Plan::Standard, "2024-06-01T09:00:00Z"));
                token_org = PAID_ORG_ID.into();
            }
            Scenario::PagedLists => {
                orgs.insert(0, org(PAID_ORG_ID, "Old Card Org", Plan::Standard, "2024-06-01T09:00:00Z"));
                orgs.push(org("-DemoOrg000000000003", "Side Project", Plan::Free, "2025-09-09T09:09:09Z"));
                subscriptions.insert(
                    0,
                    subscription("00000000-0000-4000-8000-0000000000a1", "Team Trial", SubscriptionState::Enabled, true),
                );
                subscriptions.insert(
                    1,
                    subscription("00000000-0000-4000-8000-0000000000a2", "Old Project", SubscriptionState::Disabled, false),
                );
                tenants.push(Tenant { id: "22222222-2222-4222-8222-222222222222".into(), name: "Acme Labs".into() });
                users.insert(
                    0,
                    User { id: "5b0a2c1e-0000-4000-8000-000000000002".into(), email: "kim@acme.example".into(), name: None },
                );
                users.push(User {
                    id: "5b0a2c1e-0000-4000-8000-000000000003".into(),
                    email: "lee@acme.example".into(),
                    name: Some("Lee".into()),
                });
            }
            _ => {}
        }
        Self {
            scenario,
            orgs,
            user_email: email.into(),
            user_role: if scenario == Scenario::NotOwner { Role::OrgMember } else { Role::OrgOwner },
            users,
            token_org,
            subscriptions,
            tenants,
            saas: Vec::new(),
            saas_registered: scenario != Scenario::UnregisteredProvider,
            foreign_purchase: scenario == Scenario::ForeignResource,
            payment_pending_reads: 0,
            page_size: if scenario == Scenario::PagedLists { 1 } else { 100 },
            landing_base: "https://app.pinecone.io/marketplace/azure/landing".into(),
        }
    }
}
