//! The simulated world's state: Pinecone orgs, users and the demo user's role; Azure's
//! directories, subscriptions and Marketplace purchases; and the changes the simulated pages make
//! to it, following the rules the real services follow (only an owner connects, only a Starter
//! org, one purchase pays for one org, a cancelled purchase can't be configured, the first
//! purchase registers Microsoft.SaaS in a subscription). Each scenario's starting state is in
//! [`crate::scenario`].

pub use crate::scenario::Scenario;
use serde::Serialize;

/// An org's plan, as the Admin API spells it (the console's Starter is `Free`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Plan {
    Free,
    Standard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PaymentStatus {
    Active,
    PaymentPending,
}

/// The demo user's role in the scenario's org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Role {
    OrgOwner,
    OrgMember,
}

/// A Marketplace SaaS purchase's status, as Microsoft.SaaS spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SaasStatus {
    PendingFulfillmentStart,
    Subscribed,
    Unsubscribed,
}

#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub plan: Plan,
    pub payment_status: PaymentStatus,
    /// RFC 3339, as the Admin API sends it.
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct SaasSub {
    pub subscription_id: String,
    pub resource_group: String,
    pub name: String,
    pub status: SaasStatus,
    pub auto_renew: bool,
    /// The `?token=` values that open this purchase's "Configure account" page: the one Azure's
    /// "Configure account now" carries, and each one `listAccessToken` has issued since.
    pub landing_tokens: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SubscriptionState {
    Enabled,
    Disabled,
}

#[derive(Debug, Clone)]
pub struct AzureSubscription {
    pub id: String,
    pub name: String,
    pub tenant: String,
    pub state: SubscriptionState,
    /// Free trials and sponsorships: can't buy Marketplace offers.
    pub spending_limit: bool,
}

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub name: String,
}

/// A member of the user's Pinecone org, as `/admin/users` lists them.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
}

pub const ORG_ID: &str = "-DemoOrg000000000001";
pub const SUBSCRIPTION_ID: &str = "00000000-0000-4000-8000-00000000c0de";
pub const TENANT_ID: &str = "11111111-1111-4111-8111-111111111111";
pub const USER_ID: &str = "5b0a2c1e-0000-4000-8000-000000000001";

/// Everything the simulated services know.
#[derive(Debug)]
pub struct State {
    pub scenario: Scenario,
    pub orgs: Vec<Org>,
    pub user_email: String,
    /// The demo user's role in the Starter org ([`ORG_ID`]); they own any other org they have.
    pub user_role: Role,
    pub users: Vec<User>,
    /// The org a Pinecone sign-in is scoped to when the user doesn't pick one.
    pub token_org: String,
    pub subscriptions: Vec<AzureSubscription>,
    pub tenants: Vec<Tenant>,
    pub saas: Vec<SaasSub>,
    /// Whether Microsoft.SaaS is registered in the subscription; the first purchase registers it.
    pub saas_registered: bool,
    /// Another vendor's purchase sits in the subscription, with the fields Azure leaves null.
    pub foreign_purchase: bool,
    /// After a connect in the payment-pending scenario: how many more reads see `PaymentPending`.
    pub payment_pending_reads: u32,
    /// How many items a list answers with before it gives a next link (or token).
    pub page_size: usize,
    /// Where `listAccessToken` sends the user: the simulated landing page once the server is up.
    pub landing_base: String,
}

/// The time now in RFC 3339 (UTC, seconds), for an org created in the simulation.
fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

fn landing_token() -> String {
    format!("lt-{}", crate::idp::random_token(32))
}

impl State {
    /// Azure's "Subscribe": a SaaS resource appears, waiting for the publisher. Returns the token
    /// of its "Configure account" link.
    pub fn subscribe(&mut self, resource_group: &str, name: &str, auto_renew: bool) -> String {
        let token = landing_token();
        self.saas_registered = true;
        self.saas.push(SaasSub {
            subscription_id: SUBSCRIPTION_ID.into(),
            resource_group: resource_group.into(),
            name: name.into(),
            status: SaasStatus::PendingFulfillmentStart,
            auto_renew,
            landing_tokens: vec![token.clone()],
        });
        token
    }

    /// `listAccessToken`: a fresh "Configure account" token for the resource, if it exists.
    pub fn issue_landing_token(&mut self, resource_group: &str, name: &str) -> Option<String> {
        let sub = self.saas.iter_mut().find(|s| s.resource_group == resource_group && s.name == name)?;
        let token = landing_token();
        sub.landing_tokens.push(token.clone());
        Some(token)
    }

    /// The newest purchase still waiting to be configured, as a test's shortcut for its token.
    pub fn pending_token(&self) -> Result<String, &'static str> {
        let sub = self.saas.iter().rev().find(|s| s.status == SaasStatus::PendingFulfillmentStart);
        sub.and_then(|s| s.landing_tokens.first().cloned()).ok_or("there is no Azure subscription to connect")
    }

    /// Which purchase a "Configure account" token opens, if it can still be configured.
    fn configurable(&self, token: &str) -> Result<usize, &'static str> {
        let i = self
            .saas
            .iter()
            .position(|s| s.landing_tokens.iter().any(|t| t == token))
            .ok_or("this Configure account link isn't valid; open it again from your subscription in the Azure portal")?;
        match self.saas[i].status {
            SaasStatus::PendingFulfillmentStart => Ok(i),
            SaasStatus::Subscribed => Err("this Azure subscription is already connected to an organization"),
            SaasStatus::Unsubscribed => Err("this Azure subscription was cancelled"),
        }
    }

    /// Pinecone's "Connect to Pinecone" on the page `token` opened: that purchase is activated
    /// and the org upgraded, unless the scenario keeps activation stuck.
    pub fn connect_purchase(&mut self, token: &str, org_id: &str) -> Result<(), &'static str> {
        if self.user_role != Role::OrgOwner {
            return Err("only an organization owner can connect it");
        }
        let org = self.orgs.iter().position(|o| o.id == org_id).ok_or("no such organization")?;
        if self.orgs[org].plan != Plan::Free {
            return Err("only organizations on the Starter plan can be connected");
        }
        let purchase = self.configurable(token)?;
        if self.scenario == Scenario::StuckPending {
            return Ok(());
        }
        self.saas[purchase].status = SaasStatus::Subscribed;
        self.orgs[org].plan = Plan::Standard;
        self.after_payment_connected(org);
        Ok(())
    }

    /// In the payment-pending scenario Pinecone sees the payment only after a few reads.
    fn after_payment_connected(&mut self, org: usize) {
        if self.scenario == Scenario::PaymentPending {
            self.orgs[org].payment_status = PaymentStatus::PaymentPending;
            self.payment_pending_reads = 3;
        }
    }

    /// The orgs as a read of `/admin/organizations` sees them (a read moves a pending payment on).
    pub fn read_orgs(&mut self) -> Vec<Org> {
        let orgs = self.orgs.clone();
        if self.payment_pending_reads > 0 {
            self.payment_pending_reads -= 1;
            if self.payment_pending_reads == 0 {
                for o in &mut self.orgs {
                    o.payment_status = PaymentStatus::Active;
                }
            }
        }
        orgs
    }

    /// The subscription with `id`, if the user can see it.
    pub fn subscription(&self, id: &str) -> Option<&AzureSubscription> {
        self.subscriptions.iter().find(|s| s.id == id)
    }

    /// The user's role in `org`: the scenario's role in the Starter org, owner of any other.
    pub fn role_in(&self, org: &str) -> Role {
        if org == ORG_ID {
            self.user_role
        } else {
            Role::OrgOwner
        }
    }

    /// "Create a new organization" on the page `token` opened: a new org, billed through that
    /// purchase from the start.
    pub fn create_connected_org_for(&mut self, token: &str, name: &str) -> Result<String, &'static str> {
        let purchase = self.configurable(token)?;
        let stuck = self.scenario == Scenario::StuckPending;
        let id = self.add_org(name, if stuck { Plan::Free } else { Plan::Standard });
        if !stuck {
            self.saas[purchase].status = SaasStatus::Subscribed;
            let org = self.orgs.len() - 1;
            self.after_payment_connected(org);
        }
        Ok(id)
    }

    /// Another organization the signed-in user belongs to. Returns its id.
    pub fn add_org(&mut self, name: &str, plan: Plan) -> String {
        let id = format!("-DemoOrg{:012}", self.orgs.len() + 1);
        self.orgs.push(Org {
            id: id.clone(),
            name: name.into(),
            plan,
            payment_status: PaymentStatus::Active,
            created_at: now_rfc3339(),
        });
        id
    }

    /// "Cancel subscription" in the Azure portal.
    pub fn cancel(&mut self, name: &str) {
        for s in self.saas.iter_mut().filter(|s| s.name == name) {
            s.status = SaasStatus::Unsubscribed;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connecting_follows_the_rules_of_the_real_services() {
        let mut s = State::seeded(Scenario::NotStarter, "o@example.com");
        let t = s.subscribe("rg", "pinecone", true);
        assert_eq!(s.connect_purchase(&t, ORG_ID), Err("only organizations on the Starter plan can be connected"));
        let mut s = State::seeded(Scenario::NotOwner, "o@example.com");
        let t = s.subscribe("rg", "pinecone", true);
        assert_eq!(s.connect_purchase(&t, ORG_ID), Err("only an organization owner can connect it"));
        let mut s = State::seeded(Scenario::HappyPath, "o@example.com");
        assert_eq!(s.pending_token(), Err("there is no Azure subscription to connect"));
        let t = s.subscribe("rg", "pinecone", true);
        s.connect_purchase(&t, ORG_ID).unwrap();
        assert_eq!(s.orgs[0].plan, Plan::Standard);
        assert_eq!(s.connect_purchase(&t, ORG_ID), Err("only organizations on the Starter plan can be connected"));
    }

    #[test]
    fn new_orgs_carry_a_creation_time_in_rfc_3339() {
        let mut s = State::seeded(Scenario::HappyPath, "o@example.com");
        let id = s.add_org("Second", Plan::Free);
        let created = &s.orgs.iter().find(|o| o.id == id).unwrap().created_at;
        assert!(humantime::parse_rfc3339(created).is_ok(), "{created}");
        assert_eq!(Scenario::parse("stuck-pending"), Some(Scenario::StuckPending));
        assert_eq!(Scenario::parse("nope"), None);
    }
}
