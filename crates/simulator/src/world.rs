//! The simulated Pinecone and Azure as one shared [`World`]: the state ([`crate::model`]), the
//! routes of both APIs on the real services' paths ([`crate::pinecone_api`], [`crate::arm_api`]),
//! and the faults tests inject. Requests need a bearer token the simulated IdP issued, and the
//! version each service requires ([`crate::gate`]).

pub use crate::faults::Fault;
pub use crate::model::{Org, SaasSub, ORG_ID, SUBSCRIPTION_ID, TENANT_ID};
pub use crate::scenario::PAID_ORG_ID;
use crate::{
    model::{Plan, Role, Scenario, State},
    Idp,
};
use axum::Router;
use parking_lot::Mutex;
use serde_json::json;
use std::{collections::HashMap, sync::Arc};

/// The shared simulated state. Cheap to clone; clones share it.
#[derive(Clone)]
pub struct World {
    state: Arc<Mutex<State>>,
    /// Faults to inject: each request to a matching path prefix takes the next one.
    faults: Arc<Mutex<HashMap<String, Vec<Fault>>>>,
    /// The path of every API request seen, oldest first.
    requests: Arc<Mutex<Vec<String>>>,
    idp: Idp,
}

impl World {
    /// A world in `scenario` whose signed-in user is `email`; tokens are checked against `idp`.
    /// Pinecone user tokens are scoped to one org (research §1.3); the simulated ones say so with
    /// the same claim, naming the scenario's org.
    pub fn new(scenario: Scenario, email: &str, idp: Idp) -> Self {
        let state = Arc::new(Mutex::new(State::seeded(scenario, email)));
        let seen = state.clone();
        // A Pinecone sign-in is scoped to the org the user picks (`orgId`), else to their default.
        idp.set_pinecone_claims(Arc::new(move |asked: Option<&str>| {
            let s = seen.lock();
            let org = asked.unwrap_or(&s.token_org);
            if !s.orgs.iter().any(|o| o.id == org) {
                return Err(format!("You aren't a member of the organization {org}."));
            }
            Ok(json!({ "https://pinecone.io/orgId": org, "https://pinecone.io/email": s.user_email }))
        }));
        Self { state, faults: Arc::default(), requests: Arc::default(), idp }
    }

    pub(crate) fn idp(&self) -> &Idp {
        &self.idp
    }

    /// Reads the state (for handlers and tests).
    pub fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.state.lock())
    }

    /// Changes the state.
    pub fn change<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock())
    }

    /// Back to the scenario's starting state (the demo's "Reset"), optionally in another scenario.
    pub fn reset(&self, scenario: Option<Scenario>) {
        self.change(|s| {
            let landing = std::mem::take(&mut s.landing_base);
            *s = State::seeded(scenario.unwrap_or(s.scenario), &s.user_email);
            s.landing_base = landing;
        });
        self.faults.lock().clear();
    }

    pub fn set_landing_base(&self, url: &str) {
        self.change(|s| s.landing_base = url.into());
    }

    pub fn scenario(&self) -> Scenario {
        self.read(|s| s.scenario)
    }

    /// Azure's "Subscribe"; returns the token of the purchase's "Configure account" link.
    pub fn subscribe(&self, resource_group: &str, name: &str, auto_renew: bool) -> String {
        self.change(|s| s.subscribe(resource_group, name, auto_renew))
    }

    /// Whether Azure's subscribe form starts with recurring billing ticked: the recurring-off
    /// scenario is a buyer who unticks it, so there it starts unticked.
    pub fn recurring_by_default(&self) -> bool {
        self.scenario() != Scenario::RecurringOff
    }

    /// `listAccessToken`: a fresh "Configure account" token for the resource, if it exists.
    pub fn issue_landing_token(&self, resource_group: &str, name: &str) -> Option<String> {
        self.change(|s| s.issue_landing_token(resource_group, name))
    }

    /// The purchase a "Configure account" token belongs to.
    pub fn purchase_for(&self, token: &str) -> Option<SaasSub> {
        self.read(|s| s.saas.iter().find(|p| p.landing_tokens.iter().any(|t| t == token)).cloned())
    }

    /// "Cancel subscription" in the Azure portal.
    pub fn cancel(&self, name: &str) {
        self.change(|s| s.cancel(name));
    }

    /// "Connect to Pinecone" for the newest purchase waiting to be configured (a test's shortcut).
    pub fn connect(&self, org_id: &str) -> Result<(), &'static str> {
        self.change(|s| s.pending_token().and_then(|t| s.connect_purchase(&t, org_id)))
    }

    /// "Connect to Pinecone" on the page `token` opened.
    pub fn connect_purchase(&self, token: &str, org_id: &str) -> Result<(), &'static str> {
        self.change(|s| s.connect_purchase(token, org_id))
    }

    /// "Create a new organization" for the newest purchase waiting to be configured.
    pub fn create_connected_org(&self, name: &str) -> Result<String, &'static str> {
        self.change(|s| s.pending_token().and_then(|t| s.create_connected_org_for(&t, name)))
    }

    /// "Create a new organization" on the page `token` opened.
    pub fn create_connected_org_for(&self, token: &str, name: &str) -> Result<String, &'static str> {
        self.change(|s| s.create_connected_org_for(token, name))
    }

    /// Another organization the signed-in user belongs to (owners and roles stay those of the
    /// scenario's org). Returns its id.
    pub fn add_org(&self, name: &str, plan: Plan) -> String {
        self.change(|s| s.add_org(name, plan))
    }

    /// The organizations, as the sign-up page lists them.
    pub fn orgs(&self) -> Vec<Org> {
        self.read(|s| s.orgs.clone())
    }

    pub fn is_owner(&self) -> bool {
        self.read(|s| s.user_role == Role::OrgOwner)
    }

    /// Whether the subscription purchases go to has a spending limit (so it can't buy).
    pub fn has_spending_limit(&self) -> bool {
        self.read(|s| s.subscription(SUBSCRIPTION_ID).is_some_and(|sub| sub.spending_limit))
    }

    pub fn saas(&self) -> Vec<SaasSub> {
        self.read(|s| s.saas.clone())
    }

    /// Makes the next `count` requests under `path_prefix` fail with `status` (and `Retry-After`).
    pub fn inject_faults(&self, path_prefix: &str, status: u16, retry_after: Option<u64>, count: usize) {
        self.inject(path_prefix, Fault::Status { status, retry_after }, count);
    }

    /// Makes the next `count` requests under `path_prefix` meet `fault`.
    pub fn inject(&self, path_prefix: &str, fault: Fault, count: usize) {
        self.faults.lock().entry(path_prefix.into()).or_default().extend(std::iter::repeat_n(fault, count));
    }

    /// Lifts every fault still queued.
    pub fn clear_faults(&self) {
        self.faults.lock().clear();
    }

    /// The next fault for a request to `path`: from the longest prefix with one queued.
    pub(crate) fn take_fault(&self, path: &str) -> Option<Fault> {
        let mut faults = self.faults.lock();
        let queue = faults
            .iter_mut()
            .filter(|(prefix, queue)| path.starts_with(prefix.as_str()) && !queue.is_empty())
            .max_by_key(|(prefix, _)| prefix.len())?
            .1;
        Some(queue.remove(0))
    }

    pub(crate) fn count_request(&self, path: &str) {
        self.requests.lock().push(path.to_owned());
    }

    /// How many API requests under `path_prefix` the simulator has seen.
    pub fn requests_to(&self, path_prefix: &str) -> usize {
        self.requests.lock().iter().filter(|p| p.starts_with(path_prefix)).count()
    }

    /// Both APIs' routes, behind the fault layer.
    pub fn router(&self) -> Router {
        crate::pinecone_api::router(self)
            .merge(crate::arm_api::router(self))
            .layer(axum::middleware::from_fn_with_state(self.clone(), crate::faults::apply))
    }
}
