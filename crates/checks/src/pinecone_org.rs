//! `pinecone-org` (connect step 1): an org is on Starter and the signed-in user owns it. Pinecone
//! user tokens are scoped to one org, and users and role bindings answer for that org only, so
//! when the token names its org, that org is the one judged (research §1.2, §1.3).

use crate::{words::words, CheckInputs, CheckOutcome, CheckState, Checker, OrgChoice};
use clients::ApiError;
use vocab::{ProviderId, Trouble};
use wizard::Findings;

impl Checker {
    pub(crate) async fn pinecone_org(&self, inputs: &CheckInputs, findings: &mut Findings) -> Result<CheckOutcome, ApiError> {
        let w = &words().pinecone_org;
        let (Some(token), Some(email)) = (&inputs.pinecone, &inputs.pinecone_email) else {
            return Ok(CheckOutcome::sign_in(ProviderId::Pinecone, w.needs_sign_in.text()));
        };
        let signed_in_as = vec![words().common.signed_in_as.fill(&[("email", email)])];
        let orgs = self.pinecone.organizations(token).await?;
        if orgs.is_empty() {
            return Ok(CheckOutcome::new(CheckState::Problem, w.no_orgs.text())
                .advice(w.no_orgs_advice.text())
                .trouble(Trouble::WrongSignInMethod));
        }
        let starter: Vec<_> = orgs.iter().filter(|o| o.is_starter()).collect();
        let signed_into = inputs.pinecone_org.as_ref().and_then(|id| orgs.iter().find(|o| &o.id == id));
        if let Some(org) = signed_into.filter(|o| !o.is_starter() && !starter.is_empty()) {
            let names: Vec<&str> = starter.iter().map(|o| o.name.as_str()).collect();
            let summary = w.signed_into_paid.fill(&[("org", &org.name), ("plan", org.plan.as_str())]);
            let mut o = CheckOutcome::new(CheckState::Problem, summary)
                .advice(w.signed_into_paid_advice.fill(&[("starter", &names.join(" or "))]))
                .trouble(Trouble::NotStarter)
                .details(signed_in_as);
            o.switch_orgs = starter.iter().map(|org| OrgChoice { id: org.id.clone(), name: org.name.clone() }).collect();
            return Ok(o);
        }
        let starter: Vec<_> = match signed_into {
            Some(org) if org.is_starter() => vec![org],
            _ => starter,
        };
        if starter.is_empty() {
            let plans = orgs.iter().map(|o| w.org_on_plan.fill(&[("org", &o.name), ("plan", o.plan.as_str())])).collect();
            return Ok(CheckOutcome::new(CheckState::Problem, w.not_starter.text())
                .advice(w.not_starter_advice.text())
                .trouble(Trouble::NotStarter)
                .details(plans));
        }
        for org in &starter {
            if self.pinecone.is_owner(token, email, &org.id).await? {
                findings.target_org = Some(org.id.clone());
                return Ok(CheckOutcome::new(CheckState::Verified, w.verified.fill(&[("org", &org.name)])).details(signed_in_as));
            }
        }
        let names = starter.iter().map(|org| w.starter_org.fill(&[("org", &org.name)])).collect();
        Ok(CheckOutcome::new(CheckState::Problem, w.not_owner.text())
            .advice(w.not_owner_advice.text())
            .trouble(Trouble::NotOwner)
            .details(names))
    }
}
