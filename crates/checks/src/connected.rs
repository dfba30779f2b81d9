//! `connected` (connect step 12) and `new-org-connected` (create step 8): Pinecone and Azure both
//! say the org is billed through Azure. No Pinecone API says *how* an org is billed (research §0),
//! so the Azure purchase becoming `Subscribed` is the proof of the connection, and the org's paid
//! plan is the Pinecone side of it.

use crate::{words::words, CheckInputs, CheckOutcome, CheckState, Checker};
use clients::{arm::SaasResource, pinecone::Organization, ApiError};
use vocab::ProviderId;
use wizard::Findings;

/// What Pinecone and Azure say now, for the panel's details and the finish screen.
fn describe(org: Option<&Organization>, saas: Option<&SaasResource>) -> Vec<String> {
    let w = &words().connected;
    let mut details = Vec::new();
    if let Some(o) = org {
        let plan = if o.is_starter() { "Starter" } else { o.plan.as_str() };
        details.push(w.pinecone_side.fill(&[("org", &o.name), ("plan", plan), ("payment", o.payment_status.as_str())]));
    }
    if let Some(s) = saas {
        details.push(w.azure_side.fill(&[("name", &s.name), ("status", s.status().as_str())]));
    }
    details
}

fn confirmed(details: Vec<String>, saas: &SaasResource) -> CheckOutcome {
    let w = &words().connected;
    let mut o = CheckOutcome::new(CheckState::Verified, w.confirmed.text());
    o.facts = details.clone();
    o.facts.push(if saas.recurring_off() { w.recurring_off.text() } else { w.recurring_on.text() });
    o.details = details;
    o
}

fn still_waiting(details: Vec<String>, saas: Option<&SaasResource>) -> CheckOutcome {
    let w = &words().connected;
    let mut o = CheckOutcome::new(CheckState::Waiting, w.waiting.text()).advice(w.waiting_advice.text()).details(details);
    o.offer_link = saas.is_some_and(SaasResource::is_pending);
    o
}

impl Checker {
    /// Connecting an existing org: that org (noted by `pinecone-org` while it was on Starter) is
    /// now paid and active, and Azure's purchase is active. Both sides must say so.
    pub(crate) async fn connected(&self, inputs: &CheckInputs, findings: &mut Findings) -> Result<CheckOutcome, ApiError> {
        let w = &words().connected;
        let Some(pc) = &inputs.pinecone else {
            return Ok(CheckOutcome::sign_in(ProviderId::Pinecone, w.pinecone_sign_in.text()));
        };
        let Some(ms) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in(ProviderId::Microsoft, w.microsoft_sign_in.text()));
        };
        let Some(target) = findings.target_org.clone() else {
            return Ok(CheckOutcome::new(CheckState::Problem, w.no_target.text()).advice(w.no_target_advice.text()));
        };
        let orgs = self.pinecone.organizations(pc).await?;
        let org = orgs.iter().find(|o| o.id == target);
        let saas = self.follow_purchase(ms, findings).await?;
        let details = describe(org, saas.as_ref());
        match (org, &saas) {
            (Some(o), Some(s)) if o.is_paid_and_active() && s.is_active() => Ok(confirmed(details, s)),
            _ => Ok(still_waiting(details, saas.as_ref())),
        }
    }

    /// A new org created through Azure: Azure's purchase is active and an org is paid and active.
    /// A card-paid org alone is not enough: Azure has to say its side is done. People who take this
    /// flow often have an older card-paid org too, and the API doesn't say which org Azure pays
    /// for, so the newest paid org is the one described.
    pub(crate) async fn new_org_connected(
        &self,
        inputs: &CheckInputs,
        findings: &mut Findings,
    ) -> Result<CheckOutcome, ApiError> {
        let w = &words().connected;
        let Some(ms) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in(ProviderId::Microsoft, w.new_org_microsoft_sign_in.text()));
        };
        let Some(pc) = &inputs.pinecone else {
            return Ok(CheckOutcome::sign_in(ProviderId::Pinecone, w.new_org_pinecone_sign_in.text()));
        };
        let saas = self.follow_purchase(ms, findings).await?;
        let orgs = self.pinecone.organizations(pc).await?;
        // RFC 3339 times in one format sort as text; an org without one sorts first.
        let org = orgs.iter().filter(|o| o.is_paid_and_active()).max_by(|a, b| a.created_at.cmp(&b.created_at));
        let details = describe(org, saas.as_ref());
        match (org, &saas) {
            (Some(_), Some(s)) if s.is_active() => Ok(confirmed(details, s)),
            _ => Ok(still_waiting(details, saas.as_ref())),
        }
    }
}
