//! `azure-subscription` (a subscription that can buy Marketplace offers) and `azure-purchase`
//! (Azure has the Pinecone purchase this flow made), over Azure Resource Manager.

use crate::{words::words, CheckInputs, CheckOutcome, CheckState, Checker};
use clients::{arm::Subscription, ApiError};
use vocab::{ProviderId, Trouble};
use wizard::Findings;

/// Subscriptions listed with their resource groups: enough to help with the subscription step
/// without a long wait for someone with dozens of them.
const GROUPS_FOR: usize = 5;

impl Checker {
    pub(crate) async fn azure_subscription(
        &self,
        inputs: &CheckInputs,
        findings: &mut Findings,
    ) -> Result<CheckOutcome, ApiError> {
        let w = &words().azure_subscription;
        let Some(token) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in(ProviderId::Microsoft, w.needs_sign_in.text()));
        };
        let subs = self.arm.subscriptions(token).await?;
        if subs.is_empty() {
            return Ok(CheckOutcome::new(CheckState::Problem, w.none.text())
                .advice(w.none_advice.text())
                .trouble(Trouble::WrongDirectory));
        }
        let name = |s: &Subscription| s.name().to_owned();
        let buyable: Vec<_> = subs.iter().filter(|s| s.can_buy()).collect();
        let Some(first) = buyable.first() else {
            let why = subs
                .iter()
                .map(|s| match s.has_spending_limit() {
                    true => w.has_spending_limit.fill(&[("subscription", &name(s))]),
                    false => w.is_in_state.fill(&[("subscription", &name(s)), ("state", s.state_name())]),
                })
                .collect();
            return Ok(CheckOutcome::new(CheckState::Problem, w.none_can_buy.text())
                .advice(w.none_can_buy_advice.text())
                .trouble(Trouble::CannotBuy)
                .details(why));
        };
        self.note_earlier_purchases(token, findings).await?;
        let mut o = CheckOutcome::new(CheckState::Verified, w.verified.fill(&[("subscription", &name(first))]));
        // The directory matters to users with several: Azure's form lists only this one's subscriptions.
        let tenants = self.arm.tenants(token).await?;
        if !tenants.is_empty() {
            let names: Vec<&str> = tenants.iter().map(|t| t.display_name.as_deref().unwrap_or(t.tenant_id.as_str())).collect();
            o.details.push(w.directory.fill(&[("names", &names.join(", "))]));
        }
        for sub in buyable.iter().take(GROUPS_FOR) {
            let groups = self.arm.resource_groups(token, &sub.subscription_id).await?;
            o.details.push(if groups.is_empty() {
                w.no_groups.fill(&[("subscription", &name(sub))])
            } else {
                let list: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
                w.groups.fill(&[("subscription", &name(sub)), ("groups", &list.join(", "))])
            });
        }
        for sub in subs.iter().filter(|s| !s.can_buy()) {
            o.details.push(match sub.has_spending_limit() {
                true => w.avoid_spending_limit.fill(&[("subscription", &name(sub))]),
                false => w.avoid_state.fill(&[("subscription", &name(sub)), ("state", sub.state_name())]),
            });
        }
        Ok(o)
    }

    pub(crate) async fn azure_purchase(&self, inputs: &CheckInputs, findings: &mut Findings) -> Result<CheckOutcome, ApiError> {
        let w = &words().azure_purchase;
        let Some(token) = &inputs.microsoft else {
            return Ok(CheckOutcome::sign_in(ProviderId::Microsoft, w.needs_sign_in.text()));
        };
        self.note_earlier_purchases(token, findings).await?;
        let Some(saas) = self.follow_purchase(token, findings).await? else {
            return Ok(CheckOutcome::new(CheckState::Waiting, w.none_yet.text()).advice(w.none_yet_advice.text()));
        };
        if !saas.is_live() {
            return Ok(crate::connected::stopped(&saas));
        }
        let status = match () {
            _ if saas.is_pending() => w.status_pending.text(),
            _ if saas.is_active() => w.status_active.text(),
            _ => saas.status_name(),
        };
        let mut o = CheckOutcome::new(CheckState::Verified, w.found.fill(&[("name", saas.name()), ("status", &status)]));
        o.offer_link = saas.is_pending();
        if saas.recurring_off() {
            o.advice = Some(w.recurring_off_advice.text());
            o.trouble = Some(Trouble::RecurringOff);
        }
        Ok(o)
    }
}
