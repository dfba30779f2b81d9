//! `connected` (connect step 12) and `new-org-connected` (create step 8): the org is billed
//! through Azure. No Pinecone API says *how* an org is billed (research §0), and a user without a
//! Pinecone sign-in (Pinecone registers no third-party login clients) must still be able to
//! finish, so Azure's side is the proof: the Pinecone purchase this flow made became
//! `Subscribed`, which only Pinecone's activation does. A Pinecone sign-in, when there is one,
//! adds the org's plan and payment status. Every fact says which side it came from.

use crate::{words::words, CheckInputs, CheckOutcome, CheckState, Checker};
use clients::{arm::SaasResource, pinecone::Organization, ApiError};
use vocab::{ProviderId, Trouble};
use wizard::Findings;

/// What Pinecone says about the org, when the assistant could ask.
enum PineconeSide<'a> {
    /// No Pinecone sign-in (or, connecting an existing org, no org noted on step 1).
    NotChecked,
    /// Signed in, but Pinecone lists no such org (any more).
    Missing,
    Org(&'a Organization),
}

fn pinecone_fact(org: &Organization) -> String {
    words().connected.pinecone_side.fill(&[
        ("org", &org.name),
        ("plan", org.plan_name()),
        ("payment", org.payment_status.as_str()),
    ])
}

fn azure_fact(saas: &SaasResource, findings: &Findings) -> String {
    let w = &words().connected;
    let seen_pending = findings.purchase.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(&saas.id));
    let t = if seen_pending && saas.is_active() { &w.azure_side_activated } else { &w.azure_side };
    t.fill(&[("name", saas.name()), ("status", &saas.status_name())])
}

/// Why Azure stopped a purchase, in words, from GA's `statusReason`.
pub(crate) fn stopped(saas: &SaasResource) -> CheckOutcome {
    let w = &words().connected;
    let reason = match saas.status_reason().as_deref() {
        Some("AzureSubscriptionDeletion") => w.reason_subscription_deleted.text(),
        Some("SuspendedInternal") => w.reason_suspended.text(),
        Some(other) => w.reason_other.fill(&[("reason", other)]),
        None => w.reason_none.text(),
    };
    let summary = w.stopped.fill(&[("name", saas.name()), ("status", &saas.status_name()), ("reason", &reason)]);
    CheckOutcome::new(CheckState::Problem, summary).advice(w.stopped_advice.text())
}

/// Decides from Azure's purchase and, where known, Pinecone's org.
fn decide(saas: Option<&SaasResource>, pinecone: PineconeSide<'_>, findings: &Findings) -> CheckOutcome {
    let w = &words().connected;
    let mut details: Vec<String> = Vec::new();
    if let PineconeSide::Org(org) = pinecone {
        details.push(pinecone_fact(org));
    }
    if let Some(s) = saas {
        details.push(azure_fact(s, findings));
    }
    let Some(saas) = saas.filter(|s| s.is_active()) else {
        if let Some(s) = saas.filter(|s| !s.is_live()) {
            return stopped(s).details(details);
        }
        let mut o = CheckOutcome::new(CheckState::Waiting, w.waiting.text()).advice(w.waiting_advice.text()).details(details);
        o.offer_link = saas.is_some_and(SaasResource::is_pending);
        // Pending after the user got here is what "stuck at Pending" looks like; the UI waits
        // for a few answers in a row before it opens that entry.
        if o.offer_link {
            o.trouble = Some(Trouble::StuckPending);
        }
        return o;
    };
    match pinecone {
        PineconeSide::Org(org) if org.is_payment_pending() => {
            CheckOutcome::new(CheckState::Waiting, w.payment_pending.fill(&[("org", &org.name)]))
                .advice(w.payment_pending_advice.text())
                .details(details)
        }
        PineconeSide::Org(org) if !org.is_paid() => {
            CheckOutcome::new(CheckState::Waiting, w.still_starter.fill(&[("org", &org.name)]))
                .advice(w.still_starter_advice.text())
                .details(details)
        }
        side => {
            let mut o = CheckOutcome::new(CheckState::Verified, w.confirmed.text());
            let mut details = details;
            // The panel and the finish screen both say which side could not be seen, not only the finish.
            match side {
                PineconeSide::Org(_) => {}
                PineconeSide::Missing => details.push(w.pinecone_missing.text()),
                PineconeSide::NotChecked => details.push(w.pinecone_not_checked.text()),
            }
            o.facts = details.clone();
            o.facts.push(if saas.recurring_off() { w.recurring_off.text() } else { w.recurring_on.text() });
            if saas.recurring_off() {
                o.advice = Some(words().azure_purchase.recurring_off_advice.text());
                o.trouble = Some(Trouble::RecurringOff);
            }
            o.details = details;
            o
        }
    }
}

impl Checker {
    /// Connecting an existing org: Azure's purchase for this flow is active; the org noted on
    /// step 1, when there is a Pinecone sign-in, is on a paid plan with its payment active.
    pub(crate) async fn connected(&self, inputs: &CheckInputs, findings: &mut Findings) -> Result<CheckOutcome, ApiError> {
        let w = &words().connected;
        let Some(ms) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in(ProviderId::Microsoft, w.microsoft_sign_in.text()));
        };
        let saas = self.follow_purchase(ms, findings).await?;
        let orgs = match (&inputs.pinecone, &findings.target_org) {
            (Some(pc), Some(_)) => Some(self.pinecone.organizations(pc).await?),
            _ => None,
        };
        let side = match (&orgs, &findings.target_org) {
            (Some(orgs), Some(target)) => orgs.iter().find(|o| &o.id == target).map_or(PineconeSide::Missing, PineconeSide::Org),
            _ => PineconeSide::NotChecked,
        };
        Ok(decide(saas.as_ref(), side, findings))
    }

    /// A new org created through Azure: Azure's purchase is active; with a Pinecone sign-in, the
    /// newest paid org is described. People who take this flow often have an older card-paid org
    /// too, and no API says which org Azure pays for, so a card-paid org alone never counts.
    pub(crate) async fn new_org_connected(
        &self,
        inputs: &CheckInputs,
        findings: &mut Findings,
    ) -> Result<CheckOutcome, ApiError> {
        let w = &words().connected;
        let Some(ms) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in(ProviderId::Microsoft, w.new_org_microsoft_sign_in.text()));
        };
        let saas = self.follow_purchase(ms, findings).await?;
        let orgs = match &inputs.pinecone {
            Some(pc) => Some(self.pinecone.organizations(pc).await?),
            None => None,
        };
        // RFC 3339 times in one format sort as text; an org without one sorts first.
        let newest_paid =
            orgs.as_ref().and_then(|orgs| orgs.iter().filter(|o| o.is_paid()).max_by(|a, b| a.created_at.cmp(&b.created_at)));
        let side = match (&orgs, newest_paid) {
            (None, _) => PineconeSide::NotChecked,
            (Some(_), None) => PineconeSide::Missing,
            (Some(_), Some(org)) => PineconeSide::Org(org),
        };
        Ok(decide(saas.as_ref(), side, findings))
    }
}
