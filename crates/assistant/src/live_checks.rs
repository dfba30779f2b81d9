//! Running a step's live check and recording its result, and reopening Azure's "Configure
//! account" page. A check reads the findings saved in progress, talks to the services with no
//! lock held, and then records everything it found in one action (one save); an answer that
//! belongs to a run replaced by Start over or a demo reset is refused there.

use crate::{personal::Personal, Assistant, Error};
use checks::{CheckInputs, CheckOutcome, CheckState, PINECONE_ORG_CLAIM};
use serde::Serialize;
use ts_rs::TS;
use vocab::ProviderId;
use wizard::{Action, CheckRecord, Snapshot};

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub outcome: CheckOutcome,
    pub snapshot: Snapshot,
}

impl Assistant {
    /// Whether `url` is a page the "Configure account" button may open: Pinecone's own site over
    /// https (live), or the simulated landing page (demo).
    fn landing_allowed(&self, url: &str) -> bool {
        let Ok(u) = url::Url::parse(url) else { return false };
        match &self.demo {
            Some(demo) => url.starts_with(&format!("{}/", demo.base_url())),
            None => u.scheme() == "https" && u.host_str().is_some_and(|h| h == "pinecone.io" || h.ends_with(".pinecone.io")),
        }
    }

    /// The tokens the checks may use, refreshed if they had expired.
    async fn check_inputs(&self) -> Result<CheckInputs, Error> {
        let pinecone = self.sign_ins.current(ProviderId::Pinecone).await?;
        let microsoft = self.sign_ins.current(ProviderId::Microsoft).await?;
        Ok(CheckInputs {
            pinecone_email: pinecone.as_ref().and_then(|t| t.email.clone()),
            pinecone_org: pinecone
                .as_ref()
                .and_then(|t| signin::oauth::unverified_claim(t.access_token.expose(), PINECONE_ORG_CLAIM)),
            pinecone: pinecone.map(|t| t.access_token),
            microsoft: microsoft.map(|t| t.access_token),
        })
    }

    /// Runs the check of `step_id` in the current flow once and records what it found; a verified
    /// step is marked in progress.
    pub async fn run_check(&self, step_id: &str) -> Result<CheckResult, Error> {
        let (check, findings, run) = {
            let session = self.session.lock();
            let step = session.current_step_def(step_id)?;
            let check = step.check.ok_or_else(Error::no_check)?;
            (check, session.progress().findings.clone(), session.progress().run())
        };
        let inputs = match self.check_inputs().await {
            Ok(inputs) => inputs,
            // The token store failed: the check can't run, but that is an answer for the panel.
            Err(e) => return Ok(CheckResult { outcome: CheckOutcome::failure(e.message), snapshot: self.state() }),
        };
        let mut learned = findings.clone();
        let outcome = self.checker.run(check, &inputs, &mut learned).await;
        tracing::info!("check {check:?} on {step_id}: {:?}", outcome.state);
        let record = CheckRecord {
            run,
            step: step_id.to_owned(),
            verified: outcome.state == CheckState::Verified,
            facts: outcome.facts.clone(),
            // Only what this check learned: another check may have noted something meanwhile.
            learned: learned.changes_since(&findings),
        };
        let snapshot = self.apply(Action::RecordCheck(record)).await?;
        Ok(CheckResult { outcome, snapshot })
    }

    /// Opens the "Configure account" page again with a fresh link from Azure (`listAccessToken`),
    /// for the purchase this flow is following; returns the address it opened.
    pub async fn regenerate_link(&self) -> Result<String, Error> {
        let findings = self.session.lock().progress().findings.clone();
        let token = self.sign_ins.current(ProviderId::Microsoft).await?.ok_or_else(Error::needs_microsoft_sign_in)?.access_token;
        let saas = self.checker.find_purchase(&token, &findings).await?.ok_or_else(Error::no_purchase)?;
        if saas.is_active() {
            return Err(Error::already_configured(saas.name()));
        }
        if !saas.is_pending() {
            return Err(Error::no_purchase());
        }
        let link = self.checker.arm.list_access_token(&token, &saas.id).await?;
        let url = link.landing_url().ok_or_else(|| Error::landing_refused("no address"))?;
        // Azure's answer decides what the system browser opens: only Pinecone's own pages.
        if !self.landing_allowed(&url) {
            let host = url::Url::parse(&url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| "not a web address".into());
            return Err(Error::landing_refused(&host));
        }
        self.browser.open(&url).map_err(|e| Error::browser_failed(&e))?;
        tracing::info!("regenerated the Configure account link for {}", Personal::resource_name(saas.name()));
        Ok(url)
    }
}
