//! The live checks: what each check id in the flow data proves through the APIs, and what the
//! user is told when it can't. Research §3 (troubleshooting) and §4 (verification model) are the
//! source of the rules and the wording.

use crate::{arm::Arm, arm::SaasResource, pinecone::PineconeAdmin, ApiError};
use serde::Serialize;
use signin::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckState {
    /// An API confirmed the step.
    Verified,
    /// Not yet; check again shortly (the UI polls with backoff).
    Waiting,
    /// Something the user must change; `advice` says what.
    Problem,
    /// The check needs a sign-in first.
    NeedsSignIn,
    /// The check itself failed (offline, service error); try again.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckOutcome {
    pub state: CheckState,
    /// One sentence for the step screen.
    pub summary: String,
    pub details: Vec<String>,
    /// What to do next, for problems and warnings (a verified step can still carry a warning).
    pub advice: Option<String>,
    /// Facts worth keeping for the finish screen.
    pub facts: Vec<String>,
    /// `microsoft` or `pinecone`, when `state` is `needs-sign-in`.
    pub provider: Option<String>,
}

impl CheckOutcome {
    fn new(state: CheckState, summary: impl Into<String>) -> Self {
        Self { state, summary: summary.into(), details: Vec::new(), advice: None, facts: Vec::new(), provider: None }
    }

    fn sign_in(provider: &str, why: &str) -> Self {
        Self { provider: Some(provider.into()), ..Self::new(CheckState::NeedsSignIn, why) }
    }

    fn error(e: &ApiError) -> Self {
        let mut o = Self::new(CheckState::Error, format!("The check couldn't run: {e}."));
        o.advice = Some(match e {
            ApiError::Offline { .. } => "Check your internet connection, then check again. Nothing you did is lost.".into(),
            ApiError::Unauthorized { .. } => "Your sign-in has expired. Sign out and sign in again.".into(),
            _ => "Try again in a minute. If it keeps failing, you can still finish the steps yourself.".into(),
        });
        o
    }

    fn advice(mut self, advice: impl Into<String>) -> Self {
        self.advice = Some(advice.into());
        self
    }
}

/// The tokens a check may use, and what it remembers between runs.
#[derive(Debug, Default)]
pub struct CheckInputs {
    pub pinecone: Option<Secret>,
    pub pinecone_email: Option<String>,
    pub microsoft: Option<Secret>,
}

/// What one check learns that a later one needs (the org the user is connecting). The shell
/// keeps it in the saved progress, so it survives a restart and goes with Start over.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CheckMemory {
    pub target_org: Option<String>,
}

impl CheckMemory {
    pub fn from_notes(notes: &std::collections::BTreeMap<String, String>) -> Self {
        Self { target_org: notes.get("target_org").cloned() }
    }

    pub fn to_notes(&self) -> std::collections::BTreeMap<String, String> {
        self.target_org.iter().map(|id| ("target_org".to_owned(), id.clone())).collect()
    }
}

pub struct Checker {
    pub pinecone: PineconeAdmin,
    pub arm: Arm,
}

impl Checker {
    /// Runs `check` once.
    pub async fn run(&self, check: &str, inputs: &CheckInputs, memory: &mut CheckMemory) -> CheckOutcome {
        let result = match check {
            "pinecone-org" => self.pinecone_org(inputs, memory).await,
            "azure-subscription" => self.azure_subscription(inputs).await,
            "azure-purchase" => self.azure_purchase(inputs).await,
            "connected" => self.connected(inputs, memory).await,
            "new-org-connected" => self.new_org_connected(inputs).await,
            other => Ok(CheckOutcome::new(CheckState::Error, format!("This app has no check called `{other}`."))),
        };
        result.unwrap_or_else(|e| CheckOutcome::error(&e))
    }

    async fn pinecone_org(&self, inputs: &CheckInputs, memory: &mut CheckMemory) -> Result<CheckOutcome, ApiError> {
        let (Some(token), Some(email)) = (&inputs.pinecone, &inputs.pinecone_email) else {
            return Ok(CheckOutcome::sign_in("pinecone", "Sign in with Pinecone so the assistant can check your organization."));
        };
        let orgs = self.pinecone.organizations(token).await?;
        if orgs.is_empty() {
            return Ok(CheckOutcome::new(CheckState::Problem, "This Pinecone sign-in has no organizations.")
                .advice("Sign in the same way you sign in to Pinecone today (Google, GitHub, Microsoft or email): a different sign-in method can be a different account."));
        }
        let starter: Vec<_> = orgs.iter().filter(|o| o.is_starter()).collect();
        if starter.is_empty() {
            let names: Vec<String> = orgs.iter().map(|o| format!("{} is on the {} plan", o.name, o.plan)).collect();
            let mut o = CheckOutcome::new(CheckState::Problem, "Only organizations on the Starter plan can be connected to Azure.")
                .advice("To move an organization that already pays by card to Azure billing, create a new organization through Azure Marketplace (the other guide in this app), then ask Pinecone support to move your projects.");
            o.details = names;
            return Ok(o);
        }
        for org in &starter {
            if self.pinecone.is_owner(token, email, &org.id).await? {
                memory.target_org = Some(org.id.clone());
                let mut o =
                    CheckOutcome::new(CheckState::Verified, format!("{} is on the Starter plan and you are an owner.", org.name));
                o.details = vec![format!("Signed in as {email}.")];
                return Ok(o);
            }
        }
        let mut o = CheckOutcome::new(CheckState::Problem, "You are not an owner of this organization.")
            .advice("Only an organization owner can connect it to a cloud marketplace. Ask an owner to do these steps, or to make you an owner.");
        o.details = starter.iter().map(|org| format!("{} (Starter plan)", org.name)).collect();
        Ok(o)
    }

    async fn azure_subscription(&self, inputs: &CheckInputs) -> Result<CheckOutcome, ApiError> {
        let Some(token) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in(
                "microsoft",
                "Sign in with Microsoft so the assistant can check your Azure subscriptions.",
            ));
        };
        let subs = self.arm.subscriptions(token).await?;
        if subs.is_empty() {
            return Ok(CheckOutcome::new(CheckState::Problem, "This Microsoft account can't see any Azure subscription.")
                .advice("Sign in with the account you use in the Azure portal. If your company has several directories, ask your Azure administrator which one to use, and for Owner or Contributor access to a subscription."));
        }
        let buyable: Vec<_> = subs.iter().filter(|s| s.can_buy()).collect();
        let Some(first) = buyable.first() else {
            let mut o = CheckOutcome::new(CheckState::Problem, "None of your Azure subscriptions can buy Marketplace offers.")
                .advice("Subscriptions with a spending limit (free trials, sponsorships) or that aren't enabled can't buy Pinecone. Use a pay-as-you-go or Enterprise subscription, or ask your Azure administrator.");
            o.details = subs
                .iter()
                .map(|s| {
                    if s.has_spending_limit() {
                        format!("{} has a spending limit", s.display_name)
                    } else {
                        format!("{} is {}", s.display_name, s.state)
                    }
                })
                .collect();
            return Ok(o);
        };
        let groups = self.arm.resource_groups(token, &first.subscription_id).await?;
        let mut o = CheckOutcome::new(
            CheckState::Verified,
            format!("You can buy Pinecone with the subscription {}.", first.display_name),
        );
        o.details = buyable.iter().map(|s| format!("Subscription: {}", s.display_name)).collect();
        if !groups.is_empty() {
            o.details.push(format!(
                "Resource groups in {}: {}",
                first.display_name,
                groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        Ok(o)
    }

    /// The user's live Pinecone SaaS resource in any enabled subscription: an active one first,
    /// then one waiting for activation. Cancelled or suspended ones from the past don't count.
    pub async fn find_purchase(&self, token: &Secret) -> Result<Option<SaasResource>, ApiError> {
        let mut found: Vec<SaasResource> = Vec::new();
        for sub in self.arm.subscriptions(token).await?.iter().filter(|s| s.state == "Enabled") {
            found.extend(self.arm.pinecone_saas_all(token, &sub.subscription_id).await?);
        }
        let rank = |s: &SaasResource| match s.properties.status.as_str() {
            "Subscribed" => Some(0),
            "PendingFulfillmentStart" => Some(1),
            _ => None,
        };
        Ok(found.into_iter().filter_map(|s| rank(&s).map(|r| (r, s))).min_by_key(|(r, _)| *r).map(|(_, s)| s))
    }

    async fn azure_purchase(&self, inputs: &CheckInputs) -> Result<CheckOutcome, ApiError> {
        let Some(token) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in("microsoft", "Sign in with Microsoft so the assistant can see your purchase."));
        };
        let Some(saas) = self.find_purchase(token).await? else {
            return Ok(CheckOutcome::new(CheckState::Waiting, "No Pinecone subscription on Azure yet.").advice(
                "Finish the purchase in the Azure portal: Review + subscribe, then Subscribe. The assistant keeps checking.",
            ));
        };
        let status = match saas.properties.status.as_str() {
            "PendingFulfillmentStart" => "bought, waiting for you to connect it to Pinecone",
            "Subscribed" => "active",
            other => other,
        };
        let mut o =
            CheckOutcome::new(CheckState::Verified, format!("Azure has your Pinecone subscription {}: {status}.", saas.name));
        if saas.properties.auto_renew == Some(false) {
            o.advice = Some("Recurring billing is off, so this subscription ends after its first month and your organization loses Azure billing. Turn recurring billing on for the Pinecone subscription in the Azure portal.".into());
        }
        Ok(o)
    }

    /// Describes what Pinecone and Azure say now, for details and for the finish screen.
    fn describe(org: Option<&crate::pinecone::Organization>, saas: Option<&SaasResource>) -> Vec<String> {
        let mut details = Vec::new();
        if let Some(o) = org {
            details.push(format!(
                "Pinecone: {} is on the {} plan, payment {}.",
                o.name,
                if o.is_starter() { "Starter" } else { &o.plan },
                o.payment_status
            ));
        }
        if let Some(s) = saas {
            details.push(format!("Azure: subscription {} is {}.", s.name, s.properties.status));
        }
        details
    }

    fn confirmed(details: Vec<String>, saas: &SaasResource) -> CheckOutcome {
        let mut o = CheckOutcome::new(CheckState::Verified, "Your organization is connected: Azure now pays for Pinecone.");
        o.facts = details.clone();
        o.facts.push(if saas.properties.auto_renew == Some(false) {
            "Recurring billing is off.".into()
        } else {
            "Recurring billing is on.".into()
        });
        o.details = details;
        o
    }

    fn still_waiting(details: Vec<String>) -> CheckOutcome {
        let mut o = CheckOutcome::new(CheckState::Waiting, "Waiting for Pinecone and Azure to finish connecting.")
            .advice("This can take a few minutes. If it stays like this, make sure you clicked Connect to Pinecone and saw the confirmation. If you closed that page, open the Configure account page again.");
        o.details = details;
        o
    }

    /// Connecting an existing org: that org (noted by `pinecone-org` while it was on Starter) is now
    /// paid and active, and Azure's subscription is active. Both sides must say so.
    async fn connected(&self, inputs: &CheckInputs, memory: &CheckMemory) -> Result<CheckOutcome, ApiError> {
        let Some(pc) = &inputs.pinecone else {
            return Ok(CheckOutcome::sign_in("pinecone", "Sign in with Pinecone so the assistant can confirm the connection."));
        };
        let Some(ms) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in(
                "microsoft",
                "Sign in with Microsoft too, so the assistant can confirm Azure's side.",
            ));
        };
        let Some(target) = &memory.target_org else {
            return Ok(CheckOutcome::new(CheckState::Problem, "The assistant doesn't know which organization you are connecting.")
                .advice("It notes your organization on step 1, while it is still on the Starter plan. Without that, check the confirmation message on Pinecone's page: it is your proof."));
        };
        let orgs = self.pinecone.organizations(pc).await?;
        let org = orgs.iter().find(|o| &o.id == target);
        let saas = self.find_purchase(ms).await?;
        let details = Self::describe(org, saas.as_ref());
        match (org, &saas) {
            (Some(o), Some(s)) if o.is_paid_and_active() && s.properties.status == "Subscribed" => {
                Ok(Self::confirmed(details, s))
            }
            _ => Ok(Self::still_waiting(details)),
        }
    }

    /// A new org created through Azure: Azure's subscription is active and an org is paid and
    /// active. A card-paid org alone is not enough: Azure has to say its side is done.
    async fn new_org_connected(&self, inputs: &CheckInputs) -> Result<CheckOutcome, ApiError> {
        let Some(ms) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in("microsoft", "Sign in with Microsoft so the assistant can confirm Azure's side."));
        };
        let Some(pc) = &inputs.pinecone else {
            return Ok(CheckOutcome::sign_in(
                "pinecone",
                "Sign in with Pinecone so the assistant can see your new organization.",
            ));
        };
        let saas = self.find_purchase(ms).await?;
        let orgs = self.pinecone.organizations(pc).await?;
        let org = orgs.iter().find(|o| o.is_paid_and_active());
        let details = Self::describe(org, saas.as_ref());
        match (org, &saas) {
            (Some(_), Some(s)) if s.properties.status == "Subscribed" => Ok(Self::confirmed(details, s)),
            _ => Ok(Self::still_waiting(details)),
        }
    }
}
