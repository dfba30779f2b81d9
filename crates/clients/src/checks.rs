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
    /// Azure's purchase is waiting to be configured, so the "Configure account" page can be opened
    /// again with a fresh link (for a user who closed that tab).
    pub offer_link: bool,
    /// A service asked to be left alone this long (`Retry-After`); the next poll waits at least this.
    pub retry_after_secs: Option<u64>,
}

impl CheckOutcome {
    fn new(state: CheckState, summary: impl Into<String>) -> Self {
        Self {
            state,
            summary: summary.into(),
            details: Vec::new(),
            advice: None,
            facts: Vec::new(),
            provider: None,
            offer_link: false,
            retry_after_secs: None,
        }
    }

    fn sign_in(provider: &str, why: &str) -> Self {
        Self { provider: Some(provider.into()), ..Self::new(CheckState::NeedsSignIn, why) }
    }

    /// The check couldn't run for a reason outside the services (the token store, say).
    pub fn failure(summary: impl Into<String>) -> Self {
        Self::new(CheckState::Error, summary)
    }

    fn error(e: &ApiError) -> Self {
        let mut o = Self::new(CheckState::Error, format!("The check couldn't run: {e}."));
        o.advice = Some(match e {
            ApiError::Offline { .. } => "Check your internet connection, then check again. Nothing you did is lost.".into(),
            ApiError::Unauthorized { .. } => "Your sign-in has expired. Sign out and sign in again.".into(),
            ApiError::Forbidden { service: "Azure", .. } => "Your Microsoft account may not read this subscription. Ask your Azure administrator for at least Reader access, or sign in with the account you buy with.".into(),
            ApiError::Forbidden { .. } => "Your Pinecone account may not read this. Sign in as an owner of the organization.".into(),
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
    /// The org the Pinecone token is scoped to (its `https://pinecone.io/orgId` claim), when it
    /// says. Users and role bindings answer for that org only (research §1.2, §1.3).
    pub pinecone_org: Option<String>,
    pub microsoft: Option<Secret>,
}

/// The claim naming the org a Pinecone user token is scoped to.
pub const PINECONE_ORG_CLAIM: &str = "https://pinecone.io/orgId";

/// What one check learns that a later one needs: the org the user is connecting, and the Azure
/// purchase they made. The shell keeps it in the saved progress, so it survives a restart and
/// goes with Start over.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CheckMemory {
    pub target_org: Option<String>,
    /// The ARM id of the Pinecone SaaS resource this flow bought, once a check has seen it
    /// waiting to be configured. Later checks follow that one.
    pub purchase: Option<String>,
    /// The active Pinecone purchases that existed before this flow's purchase step (taken once,
    /// when the subscription or purchase step is first checked): never this flow's purchase.
    pub earlier_purchases: Option<Vec<String>>,
}

impl CheckMemory {
    pub fn from_notes(notes: &std::collections::BTreeMap<String, String>) -> Self {
        Self {
            target_org: notes.get("target_org").cloned(),
            purchase: notes.get("purchase").cloned(),
            // One ARM id a line (ids have no line breaks); an empty note is "taken, none".
            earlier_purchases: notes.get("earlier_purchases").map(|v| v.lines().map(str::to_owned).collect()),
        }
    }

    pub fn to_notes(&self) -> std::collections::BTreeMap<String, String> {
        let earlier = self.earlier_purchases.as_ref().map(|ids| ids.join("\n"));
        [("target_org", self.target_org.clone()), ("purchase", self.purchase.clone()), ("earlier_purchases", earlier)]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
            .collect()
    }

    fn is_earlier(&self, s: &SaasResource) -> bool {
        self.earlier_purchases.as_ref().is_some_and(|ids| ids.iter().any(|id| id.eq_ignore_ascii_case(&s.id)))
    }

    fn is_noted(&self, s: &SaasResource) -> bool {
        // ARM ids compare without regard to case.
        self.purchase.as_ref().is_some_and(|id| id.eq_ignore_ascii_case(&s.id))
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
            "azure-subscription" => self.azure_subscription(inputs, memory).await,
            "azure-purchase" => self.azure_purchase(inputs, memory).await,
            "connected" => self.connected(inputs, memory).await,
            "new-org-connected" => self.new_org_connected(inputs, memory).await,
            other => Ok(CheckOutcome::new(CheckState::Error, format!("This app has no check called `{other}`."))),
        };
        result.unwrap_or_else(|e| match e {
            // Not a failure: the service will answer later, and the panel polls again then.
            ApiError::Busy { service, wait_secs } => CheckOutcome {
                retry_after_secs: Some(wait_secs),
                ..CheckOutcome::new(
                    CheckState::Waiting,
                    format!("{service} is busy and asked the assistant to wait; it checks again in about {wait_secs} seconds."),
                )
            },
            e => CheckOutcome::error(&e),
        })
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
        // An org-scoped token can only tell about its own org's owners, so that org is the one judged.
        let signed_into = inputs.pinecone_org.as_ref().and_then(|id| orgs.iter().find(|o| &o.id == id));
        if let Some(org) = signed_into.filter(|o| !o.is_starter() && !starter.is_empty()) {
            let names: Vec<&str> = starter.iter().map(|o| o.name.as_str()).collect();
            let mut o = CheckOutcome::new(
                CheckState::Problem,
                format!("You are signed in to {}, which is on the {} plan, not Starter.", org.name, org.plan),
            )
            .advice(format!(
                "Your Starter organization is {}. In the Pinecone console, switch to it; then sign out here and sign in with Pinecone again, so the assistant checks that one.",
                names.join(" or ")
            ));
            o.details = vec![format!("Signed in as {email}.")];
            return Ok(o);
        }
        let starter: Vec<_> = match signed_into {
            Some(org) if org.is_starter() => vec![org],
            _ => starter,
        };
        if starter.is_empty() {
            let names: Vec<String> = orgs.iter().map(|o| format!("{} is on the {} plan", o.name, o.plan)).collect();
            let mut o = CheckOutcome::new(CheckState::Problem, "Only organizations on the Starter plan can be connected to Azure.")
                .advice("To move an organization that already pays by card to Azure billing: create a new organization through Azure Marketplace (the other guide in this app); make the original owner's email an Owner or Billing Admin of the new organization; download the old organization's invoices; ask Pinecone support to migrate your projects; and downgrade the old organization only after Pinecone confirms the migration.");
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

    async fn azure_subscription(&self, inputs: &CheckInputs, memory: &mut CheckMemory) -> Result<CheckOutcome, ApiError> {
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
        self.note_earlier_purchases(token, memory).await?;
        let mut o = CheckOutcome::new(
            CheckState::Verified,
            format!("You can buy Pinecone with the subscription {}.", first.display_name),
        );
        // The directory matters to users with several: Azure's form lists only this one's subscriptions.
        let tenants = self.arm.tenants(token).await?;
        if !tenants.is_empty() {
            let names: Vec<&str> = tenants.iter().map(|t| t.display_name.as_deref().unwrap_or(t.tenant_id.as_str())).collect();
            o.details.push(format!("Directory: {}", names.join(", ")));
        }
        // Enough to help with step 6 without a long wait for someone with dozens of subscriptions.
        for sub in buyable.iter().take(5) {
            let groups = self.arm.resource_groups(token, &sub.subscription_id).await?;
            o.details.push(if groups.is_empty() {
                format!("Subscription {}: no resource groups yet (Azure's form can create one)", sub.display_name)
            } else {
                format!(
                    "Subscription {}: resource groups {}",
                    sub.display_name,
                    groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(", ")
                )
            });
        }
        for sub in subs.iter().filter(|s| !s.can_buy()) {
            o.details.push(if sub.has_spending_limit() {
                format!("Don't pick {}: it has a spending limit, so it can't buy Pinecone", sub.display_name)
            } else {
                format!("Don't pick {}: it is {}", sub.display_name, sub.state)
            });
        }
        Ok(o)
    }

    /// Every Pinecone purchase in the user's enabled subscriptions. A subscription the user
    /// can't read is skipped, so one locked-down subscription doesn't hide the purchase in
    /// another; if none can be read, that error is the answer.
    async fn purchases(&self, token: &Secret) -> Result<Vec<SaasResource>, ApiError> {
        let mut found: Vec<SaasResource> = Vec::new();
        let mut first_error = None;
        let mut read_any = false;
        for sub in self.arm.subscriptions(token).await?.iter().filter(|s| s.state == "Enabled") {
            match self.arm.pinecone_saas_all(token, &sub.subscription_id).await {
                Ok(list) => {
                    read_any = true;
                    found.extend(list);
                }
                Err(e @ (ApiError::Forbidden { .. } | ApiError::NotFound { .. } | ApiError::Status { status: 409, .. })) => {
                    first_error.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        if let (false, Some(e)) = (read_any, first_error) {
            return Err(e);
        }
        Ok(found)
    }

    /// Notes the purchases already active before this flow buys, once: a user who bought
    /// Pinecone before (for another org) must not see that purchase taken for this one.
    async fn note_earlier_purchases(&self, token: &Secret, memory: &mut CheckMemory) -> Result<(), ApiError> {
        if memory.earlier_purchases.is_none() {
            let active = self.purchases(token).await?.into_iter().filter(SaasResource::is_active);
            memory.earlier_purchases = Some(active.map(|s| s.id).collect());
        }
        Ok(())
    }

    /// The Pinecone purchase this flow is about: the one `memory` noted while it is still live;
    /// otherwise one waiting for activation (the purchase in progress) before an active one (this
    /// one after activation). Purchases active before this flow's purchase step, and cancelled or
    /// suspended ones, don't count.
    pub async fn find_purchase(&self, token: &Secret, memory: &CheckMemory) -> Result<Option<SaasResource>, ApiError> {
        let rank = |s: &SaasResource| match s.properties.status.as_str() {
            _ if memory.is_noted(s) && s.is_live() => Some(0),
            _ if memory.is_earlier(s) => None,
            "PendingFulfillmentStart" => Some(1),
            "Subscribed" => Some(2),
            _ => None,
        };
        let found = self.purchases(token).await?;
        Ok(found.into_iter().filter_map(|s| rank(&s).map(|r| (r, s))).min_by_key(|(r, _)| *r).map(|(_, s)| s))
    }

    /// [`Self::find_purchase`], noting a purchase seen waiting to be configured: that one is this
    /// flow's, and the checks after this one follow it. An active one found without a note could
    /// be older, so it isn't noted.
    async fn follow_purchase(&self, token: &Secret, memory: &mut CheckMemory) -> Result<Option<SaasResource>, ApiError> {
        let saas = self.find_purchase(token, memory).await?;
        if let Some(s) = saas.as_ref().filter(|s| s.is_pending()) {
            memory.purchase = Some(s.id.clone());
        }
        Ok(saas)
    }

    async fn azure_purchase(&self, inputs: &CheckInputs, memory: &mut CheckMemory) -> Result<CheckOutcome, ApiError> {
        let Some(token) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in("microsoft", "Sign in with Microsoft so the assistant can see your purchase."));
        };
        self.note_earlier_purchases(token, memory).await?;
        let Some(saas) = self.follow_purchase(token, memory).await? else {
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
        o.offer_link = saas.is_pending();
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

    fn still_waiting(details: Vec<String>, saas: Option<&SaasResource>) -> CheckOutcome {
        let mut o = CheckOutcome::new(CheckState::Waiting, "Waiting for Pinecone and Azure to finish connecting.")
            .advice("This can take a few minutes. If it stays like this, make sure you clicked Connect to Pinecone and saw the confirmation. If you closed that page, open the Configure account page again.");
        o.details = details;
        o.offer_link = saas.is_some_and(SaasResource::is_pending);
        o
    }

    /// Connecting an existing org: that org (noted by `pinecone-org` while it was on Starter) is now
    /// paid and active, and Azure's subscription is active. Both sides must say so.
    async fn connected(&self, inputs: &CheckInputs, memory: &mut CheckMemory) -> Result<CheckOutcome, ApiError> {
        let Some(pc) = &inputs.pinecone else {
            return Ok(CheckOutcome::sign_in("pinecone", "Sign in with Pinecone so the assistant can confirm the connection."));
        };
        let Some(ms) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in(
                "microsoft",
                "Sign in with Microsoft too, so the assistant can confirm Azure's side.",
            ));
        };
        let Some(target) = memory.target_org.clone() else {
            return Ok(CheckOutcome::new(CheckState::Problem, "The assistant doesn't know which organization you are connecting.")
                .advice("It notes your organization on step 1, while it is still on the Starter plan. Without that, check the confirmation message on Pinecone's page: it is your proof."));
        };
        let orgs = self.pinecone.organizations(pc).await?;
        let org = orgs.iter().find(|o| o.id == target);
        let saas = self.follow_purchase(ms, memory).await?;
        let details = Self::describe(org, saas.as_ref());
        match (org, &saas) {
            (Some(o), Some(s)) if o.is_paid_and_active() && s.is_active() => Ok(Self::confirmed(details, s)),
            _ => Ok(Self::still_waiting(details, saas.as_ref())),
        }
    }

    /// A new org created through Azure: Azure's subscription is active and an org is paid and
    /// active. A card-paid org alone is not enough: Azure has to say its side is done. People who
    /// take this flow often have an older card-paid org too, and the API doesn't say which org
    /// Azure pays for, so the newest paid org is the one described.
    async fn new_org_connected(&self, inputs: &CheckInputs, memory: &mut CheckMemory) -> Result<CheckOutcome, ApiError> {
        let Some(ms) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in("microsoft", "Sign in with Microsoft so the assistant can confirm Azure's side."));
        };
        let Some(pc) = &inputs.pinecone else {
            return Ok(CheckOutcome::sign_in(
                "pinecone",
                "Sign in with Pinecone so the assistant can see your new organization.",
            ));
        };
        let saas = self.follow_purchase(ms, memory).await?;
        let orgs = self.pinecone.organizations(pc).await?;
        // RFC 3339 times in one format sort as text; an org without one sorts first.
        let org = orgs.iter().filter(|o| o.is_paid_and_active()).max_by(|a, b| a.created_at.cmp(&b.created_at));
        let details = Self::describe(org, saas.as_ref());
        match (org, &saas) {
            (Some(_), Some(s)) if s.is_active() => Ok(Self::confirmed(details, s)),
            _ => Ok(Self::still_waiting(details, saas.as_ref())),
        }
    }
}
