//! What a check answers: its state, the sentences for the panel, the facts for the finish screen,
//! and the hints the UI acts on (which sign-in it needs, whether the Configure account page can
//! be opened again, how long a busy service asked to be left alone).

use crate::words::words;
use clients::ApiError;
use serde::Serialize;
use ts_rs::TS;
use vocab::{ProviderId, Trouble};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
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
    /// The sign-in the check needs, when `state` is `needs-sign-in`.
    pub provider: Option<ProviderId>,
    /// Azure's purchase is waiting to be configured, so the "Configure account" page can be opened
    /// again with a fresh link (for a user who closed that tab).
    pub offer_link: bool,
    /// A service asked to be left alone this long (`Retry-After`); the next poll waits at least this.
    pub retry_after_secs: Option<u64>,
    /// Pinecone orgs the user can sign in to instead (the sign-in landed in another org).
    pub switch_orgs: Vec<OrgChoice>,
    /// The known cause this answer found, so the step's "Something's wrong?" entry for it opens.
    pub trouble: Option<Trouble>,
}

/// A Pinecone org to sign in to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OrgChoice {
    pub id: String,
    pub name: String,
}

impl CheckOutcome {
    pub(crate) fn new(state: CheckState, summary: impl Into<String>) -> Self {
        Self {
            state,
            summary: summary.into(),
            details: Vec::new(),
            advice: None,
            facts: Vec::new(),
            provider: None,
            offer_link: false,
            retry_after_secs: None,
            switch_orgs: Vec::new(),
            trouble: None,
        }
    }

    pub(crate) fn sign_in(provider: ProviderId, why: String) -> Self {
        Self { provider: Some(provider), ..Self::new(CheckState::NeedsSignIn, why) }
    }

    /// The check couldn't run for a reason outside the services (the token store, say).
    pub fn failure(summary: impl Into<String>) -> Self {
        Self::new(CheckState::Error, summary)
    }

    /// A service that asked to be left alone for a while: not a failure, the panel polls again then.
    pub(crate) fn busy(service: &str, wait_secs: u64) -> Self {
        let w = &words().common;
        let wait = match wait_secs {
            0..120 => w.seconds.fill(&[("n", &wait_secs.to_string())]),
            3600.. => w.an_hour.text(),
            _ => w.minutes.fill(&[("n", &wait_secs.div_ceil(60).to_string())]),
        };
        let summary = w.busy.fill(&[("service", service), ("wait", &wait)]);
        Self { retry_after_secs: Some(wait_secs), ..Self::new(CheckState::Waiting, summary) }
    }

    pub(crate) fn api_error(e: &ApiError) -> Self {
        let w = &words().common;
        let mut o = Self::new(CheckState::Error, w.failed.fill(&[("error", &e.to_string())]));
        o.advice = Some(
            match e {
                ApiError::Offline { .. } => &w.offline_advice,
                ApiError::Unauthorized { .. } => &w.expired_advice,
                ApiError::Forbidden { service: clients::Service::Azure, .. } => &w.azure_forbidden_advice,
                ApiError::Forbidden { .. } => &w.pinecone_forbidden_advice,
                _ => &w.retry_advice,
            }
            .text(),
        );
        o
    }

    pub(crate) fn advice(mut self, advice: String) -> Self {
        self.advice = Some(advice);
        self
    }

    pub(crate) fn trouble(mut self, trouble: Trouble) -> Self {
        self.trouble = Some(trouble);
        self
    }

    pub(crate) fn details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }
}
