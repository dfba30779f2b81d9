//! The simulated Pinecone and Azure: one shared world (orgs, users, role bindings, tenants,
//! subscriptions, resource groups, Microsoft.SaaS resources) served on the real services' paths,
//! with a demo scenario chosen at the start. Requests need a bearer token the simulated IdP
//! issued; Pinecone requests need `X-Pinecone-Api-Version` and ARM requests `api-version`, as the
//! real services do.

use crate::Idp;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

pub const PUBLISHER: &str = "pineconesystemsinc1688761585469";
pub const OFFER: &str = "pineconesaas";

/// The demo scenarios a sales engineer can start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    #[default]
    HappyPath,
    NotOwner,
    NotStarter,
    StuckPending,
    RecurringOff,
    SpendingLimit,
}

impl Scenario {
    pub const ALL: [Scenario; 6] = [
        Scenario::HappyPath,
        Scenario::NotOwner,
        Scenario::NotStarter,
        Scenario::StuckPending,
        Scenario::RecurringOff,
        Scenario::SpendingLimit,
    ];
}

#[derive(Debug, Clone)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub plan: String,
    pub payment_status: String,
    /// RFC 3339, as the Admin API sends it.
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct SaasSub {
    pub subscription_id: String,
    pub resource_group: String,
    pub name: String,
    pub status: String,
    pub auto_renew: bool,
    /// The `?token=` values that open this purchase's "Configure account" page: the one Azure's
    /// "Configure account now" carries, and each one `listAccessToken` has issued since.
    pub landing_tokens: Vec<String>,
}

#[derive(Debug)]
struct Inner {
    scenario: Scenario,
    orgs: Vec<Org>,
    user_email: String,
    user_role: &'static str,
    spending_limit: bool,
    saas: Vec<SaasSub>,
    /// Where `listAccessToken` sends the user: the simulated landing page once the server is up.
    landing_base: String,
    /// Faults to inject: each request to a matching path prefix pops one (status, Retry-After).
    faults: HashMap<String, Vec<(u16, Option<u64>)>>,
}

/// The shared simulated state. Cheap to clone; clones share it.
#[derive(Clone)]
pub struct World {
    inner: Arc<Mutex<Inner>>,
    idp: Idp,
}

pub const ORG_ID: &str = "-DemoOrg000000000001";
pub const SUBSCRIPTION_ID: &str = "00000000-0000-4000-8000-00000000c0de";
pub const TENANT_ID: &str = "11111111-1111-4111-8111-111111111111";

fn inner_for(scenario: Scenario, email: &str) -> Inner {
    let plan = if scenario == Scenario::NotStarter { "Standard" } else { "Free" };
    Inner {
        scenario,
        orgs: vec![Org {
            id: ORG_ID.into(),
            name: "Acme Search".into(),
            plan: plan.into(),
            payment_status: "Active".into(),
            created_at: "2025-01-02T03:04:05Z".into(),
        }],
        user_email: email.into(),
        user_role: if scenario == Scenario::NotOwner { "OrgMember" } else { "OrgOwner" },
        spending_limit: scenario == Scenario::SpendingLimit,
        saas: Vec::new(),
        landing_base: "https://app.pinecone.io/marketplace/azure/landing".into(),
        faults: HashMap::new(),
    }
}

impl World {
    /// A world in `scenario` whose signed-in user is `email`; tokens are checked against `idp`.
    /// Pinecone user tokens are scoped to one org (research §1.3); the simulated ones say so with
    /// the same claim, naming the scenario's org.
    pub fn new(scenario: Scenario, email: &str, idp: Idp) -> Self {
        idp.set_access_claims(json!({ "https://pinecone.io/orgId": ORG_ID, "https://pinecone.io/email": email }));
        Self { inner: Arc::new(Mutex::new(inner_for(scenario, email))), idp }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Back to the scenario's starting state (the demo's "Reset"), optionally in another scenario.
    pub fn reset(&self, scenario: Option<Scenario>) {
        let mut inner = self.lock();
        let scenario = scenario.unwrap_or(inner.scenario);
        let email = inner.user_email.clone();
        let landing = inner.landing_base.clone();
        *inner = inner_for(scenario, &email);
        inner.landing_base = landing;
    }

    pub fn set_landing_base(&self, url: &str) {
        self.lock().landing_base = url.into();
    }

    pub fn scenario(&self) -> Scenario {
        self.lock().scenario
    }

    /// Azure's "Subscribe": a SaaS resource appears, waiting for the publisher. Returns the
    /// token of its "Configure account" link.
    pub fn subscribe(&self, resource_group: &str, name: &str, auto_renew: bool) -> String {
        let token = format!("lt-{}", crate::idp::random_token(32));
        self.lock().saas.push(SaasSub {
            subscription_id: SUBSCRIPTION_ID.into(),
            resource_group: resource_group.into(),
            name: name.into(),
            status: "PendingFulfillmentStart".into(),
            auto_renew,
            landing_tokens: vec![token.clone()],
        });
        token
    }

    /// Whether Azure's subscribe form starts with recurring billing ticked: the recurring-off
    /// scenario is a buyer who unticks it, so there it starts unticked.
    pub fn recurring_by_default(&self) -> bool {
        self.lock().scenario != Scenario::RecurringOff
    }

    /// `listAccessToken`: a fresh "Configure account" token for the resource, if it exists.
    pub fn issue_landing_token(&self, resource_group: &str, name: &str) -> Option<String> {
        let mut inner = self.lock();
        let sub = inner.saas.iter_mut().find(|s| s.resource_group == resource_group && s.name == name)?;
        let token = format!("lt-{}", crate::idp::random_token(32));
        sub.landing_tokens.push(token.clone());
        Some(token)
    }

    /// The purchase a "Configure account" token belongs to.
    pub fn purchase_for(&self, token: &str) -> Option<SaasSub> {
        self.lock().saas.iter().find(|s| s.landing_tokens.iter().any(|t| t == token)).cloned()
    }

    /// The newest purchase still waiting to be configured, as a test's shortcut for its token.
    fn pending_token(&self) -> Result<String, &'static str> {
        let inner = self.lock();
        let sub = inner.saas.iter().rev().find(|s| s.status == "PendingFulfillmentStart");
        sub.and_then(|s| s.landing_tokens.first().cloned()).ok_or("there is no Azure subscription to connect")
    }

    /// "Cancel subscription" in the Azure portal.
    pub fn cancel(&self, name: &str) {
        for s in self.lock().saas.iter_mut().filter(|s| s.name == name) {
            s.status = "Unsubscribed".into();
        }
    }

    /// Which purchase a "Configure account" token opens, if it can still be configured.
    fn configurable(inner: &Inner, token: &str) -> Result<usize, &'static str> {
        let i = inner
            .saas
            .iter()
            .position(|s| s.landing_tokens.iter().any(|t| t == token))
            .ok_or("this Configure account link isn't valid; open it again from your subscription in the Azure portal")?;
        match inner.saas[i].status.as_str() {
            "PendingFulfillmentStart" => Ok(i),
            "Subscribed" => Err("this Azure subscription is already connected to an organization"),
            _ => Err("this Azure subscription was cancelled"),
        }
    }

    /// Pinecone's "Connect to Pinecone" for the newest purchase waiting to be configured.
    pub fn connect(&self, org_id: &str) -> Result<(), &'static str> {
        self.connect_purchase(&self.pending_token()?, org_id)
    }

    /// Pinecone's "Connect to Pinecone" on the page `token` opened: that purchase is activated and
    /// the org upgraded, unless the scenario keeps activation stuck.
    pub fn connect_purchase(&self, token: &str, org_id: &str) -> Result<(), &'static str> {
        let mut inner = self.lock();
        if inner.user_role != "OrgOwner" {
            return Err("only an organization owner can connect it");
        }
        let org = inner.orgs.iter().find(|o| o.id == org_id).ok_or("no such organization")?;
        if org.plan != "Free" {
            return Err("only organizations on the Starter plan can be connected");
        }
        let purchase = Self::configurable(&inner, token)?;
        if inner.scenario == Scenario::StuckPending {
            return Ok(());
        }
        inner.saas[purchase].status = "Subscribed".into();
        if let Some(org) = inner.orgs.iter_mut().find(|o| o.id == org_id) {
            org.plan = "Standard".into();
        }
        Ok(())
    }

    /// "Create a new organization" for the newest purchase waiting to be configured.
    pub fn create_connected_org(&self, name: &str) -> Result<String, &'static str> {
        self.create_connected_org_for(&self.pending_token()?, name)
    }

    /// "Create a new organization" on the page `token` opened: a new org, billed through that
    /// purchase from the start.
    pub fn create_connected_org_for(&self, token: &str, name: &str) -> Result<String, &'static str> {
        let mut inner = self.lock();
        let purchase = Self::configurable(&inner, token)?;
        let id = format!("-DemoOrg{:012}", inner.orgs.len() + 1);
        let stuck = inner.scenario == Scenario::StuckPending;
        inner.orgs.push(Org {
            id: id.clone(),
            name: name.into(),
            plan: if stuck { "Free" } else { "Standard" }.into(),
            payment_status: "Active".into(),
            created_at: rfc3339_now(),
        });
        if !stuck {
            inner.saas[purchase].status = "Subscribed".into();
        }
        Ok(id)
    }

    /// Another organization the signed-in user belongs to (owners and roles stay those of the
    /// scenario's org). Returns its id.
    pub fn add_org(&self, name: &str, plan: &str) -> String {
        let mut inner = self.lock();
        let id = format!("-DemoOrg{:012}", inner.orgs.len() + 1);
        inner.orgs.push(Org {
            id: id.clone(),
            name: name.into(),
            plan: plan.into(),
            payment_status: "Active".into(),
            created_at: rfc3339_now(),
        });
        id
    }

    /// The organizations, as the sign-up page lists them.
    pub fn orgs(&self) -> Vec<Org> {
        self.lock().orgs.clone()
    }

    pub fn is_owner(&self) -> bool {
        self.lock().user_role == "OrgOwner"
    }

    pub fn has_spending_limit(&self) -> bool {
        self.lock().spending_limit
    }

    pub fn saas(&self) -> Vec<SaasSub> {
        self.lock().saas.clone()
    }

    /// Makes the next `count` requests under `path_prefix` fail with `status` (and `Retry-After`).
    pub fn inject_faults(&self, path_prefix: &str, status: u16, retry_after: Option<u64>, count: usize) {
        self.lock().faults.entry(path_prefix.into()).or_default().extend(std::iter::repeat_n((status, retry_after), count));
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/admin/organizations", get(organizations))
            .route("/admin/users", get(users))
            .route("/admin/role-bindings", get(role_bindings))
            .route("/tenants", get(tenants))
            .route("/subscriptions", get(subscriptions))
            .route("/subscriptions/{sub}/resourcegroups", get(resource_groups))
            .route("/subscriptions/{sub}/providers/Microsoft.SaaS/resources", get(saas_resources))
            .route(
                "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.SaaS/resources/{name}/listAccessToken",
                post(list_access_token),
            )
            .with_state(self.clone())
    }

    /// Checks auth and version, and pops an injected fault; `Some` is the response to send instead.
    fn gate(&self, headers: &HeaderMap, path: &str, pinecone: bool, api_version: Option<&str>) -> Option<Response> {
        let fault = {
            let mut inner = self.lock();
            inner.faults.iter_mut().find(|(p, f)| path.starts_with(p.as_str()) && !f.is_empty()).map(|(_, f)| f.remove(0))
        };
        if let Some((status, retry_after)) = fault {
            let mut resp =
                (StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), "simulated fault").into_response();
            if let Some(secs) = retry_after {
                resp.headers_mut().insert("retry-after", secs.to_string().parse().expect("digits"));
            }
            return Some(resp);
        }
        let token = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        if !token.is_some_and(|t| self.idp.access_token_is_valid(t)) {
            return Some(error(
                StatusCode::UNAUTHORIZED,
                if pinecone { "UNAUTHENTICATED" } else { "InvalidAuthenticationToken" },
                "missing or expired token",
            ));
        }
        if pinecone {
            let Some(version) = headers.get("x-pinecone-api-version").and_then(|v| v.to_str().ok()) else {
                return Some(error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "X-Pinecone-Api-Version is required"));
            };
            if !PINECONE_VERSIONS.contains(&version) {
                return Some(error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "unsupported X-Pinecone-Api-Version"));
            }
            // Users and role bindings arrived in 2026-04 (research §1.2); YYYY-MM compares as text.
            if (path.starts_with("/admin/users") || path.starts_with("/admin/role-bindings")) && version < "2026-04" {
                return Some(error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such endpoint in this API version"));
            }
        }
        if !pinecone && api_version.is_none() {
            return Some(error(
                StatusCode::BAD_REQUEST,
                "MissingApiVersionParameter",
                "The api-version query parameter is required",
            ));
        }
        None
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"status": status.as_u16(), "error": {"code": code, "message": message}}))).into_response()
}

#[derive(Deserialize, Default)]
struct Params {
    #[serde(rename = "api-version")]
    api_version: Option<String>,
    principal_id: Option<String>,
}

const USER_ID: &str = "5b0a2c1e-0000-4000-8000-000000000001";

async fn organizations(State(w): State<World>, headers: HeaderMap) -> Response {
    if let Some(r) = w.gate(&headers, "/admin/organizations", true, None) {
        return r;
    }
    let orgs: Vec<Value> = w
        .lock()
        .orgs
        .iter()
        .map(|o| json!({"id": o.id, "name": o.name, "plan": o.plan, "payment_status": o.payment_status, "created_at": o.created_at, "support_tier": "Free"}))
        .collect();
    Json(json!({"data": orgs})).into_response()
}

async fn users(State(w): State<World>, headers: HeaderMap) -> Response {
    if let Some(r) = w.gate(&headers, "/admin/users", true, None) {
        return r;
    }
    let inner = w.lock();
    if inner.user_role == "OrgMember" {
        return error(StatusCode::FORBIDDEN, "PERMISSION_DENIED", "Only organization owners and managers can list users");
    }
    Json(json!({"data": [{"id": USER_ID, "email": inner.user_email, "name": "Demo Owner"}], "pagination": {"next": null}}))
        .into_response()
}

async fn role_bindings(State(w): State<World>, headers: HeaderMap, Query(q): Query<Params>) -> Response {
    if let Some(r) = w.gate(&headers, "/admin/role-bindings", true, None) {
        return r;
    }
    let inner = w.lock();
    let data = if q.principal_id.as_deref() == Some(USER_ID) {
        vec![
            json!({"id": "rb-1", "principal_type": "user", "principal_id": USER_ID, "resource_type": "organization", "resource_id": ORG_ID, "role": inner.user_role, "created_at": "2026-04-10T15:23:00Z"}),
        ]
    } else {
        Vec::new()
    };
    Json(json!({"data": data, "pagination": {"next": null}})).into_response()
}

async fn tenants(State(w): State<World>, headers: HeaderMap, Query(q): Query<Params>) -> Response {
    if let Some(r) = w.gate(&headers, "/tenants", false, q.api_version.as_deref()) {
        return r;
    }
    Json(json!({"value": [{"id": format!("/tenants/{TENANT_ID}"), "tenantId": TENANT_ID, "displayName": "Acme (demo)"}]}))
        .into_response()
}

async fn subscriptions(State(w): State<World>, headers: HeaderMap, Query(q): Query<Params>) -> Response {
    if let Some(r) = w.gate(&headers, "/subscriptions", false, q.api_version.as_deref()) {
        return r;
    }
    let limit = if w.lock().spending_limit { "On" } else { "Off" };
    Json(json!({"value": [{
        "id": format!("/subscriptions/{SUBSCRIPTION_ID}"), "subscriptionId": SUBSCRIPTION_ID, "tenantId": TENANT_ID,
        "displayName": if limit == "On" { "Free Trial" } else { "Pay-As-You-Go" }, "state": "Enabled",
        "subscriptionPolicies": {"spendingLimit": limit, "quotaId": if limit == "On" { "FreeTrial_2014-09-01" } else { "PayAsYouGo_2014-09-01" }}
    }]}))
    .into_response()
}

/// The Admin API versions the real service documents (research §1.2).
const PINECONE_VERSIONS: [&str; 4] = ["2025-04", "2025-10", "2026-04", "2026-07"];

/// The time now in RFC 3339 (UTC, seconds), for an org created in the simulation.
fn rfc3339_now() -> String {
    rfc3339(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0))
}

fn rfc3339(secs: u64) -> String {
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-compatible low-level date algorithms").
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

impl World {
    /// The gate for routes under `/subscriptions/{sub}/…`, which also need a subscription that exists.
    fn gate_subscription(&self, headers: &HeaderMap, api_version: Option<&str>, sub: &str) -> Option<Response> {
        self.gate(headers, "/subscriptions/", false, api_version).or_else(|| {
            (sub != SUBSCRIPTION_ID)
                .then(|| error(StatusCode::NOT_FOUND, "SubscriptionNotFound", "The subscription could not be found."))
        })
    }
}

async fn resource_groups(
    State(w): State<World>,
    headers: HeaderMap,
    Path(sub): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    if let Some(r) = w.gate_subscription(&headers, q.api_version.as_deref(), &sub) {
        return r;
    }
    Json(json!({"value": [{"name": "pinecone-billing", "location": "eastus"}, {"name": "shared-services", "location": "westeurope"}]})).into_response()
}

fn saas_json(s: &SaasSub) -> Value {
    json!({
        "id": format!("/subscriptions/{}/resourceGroups/{}/providers/Microsoft.SaaS/resources/{}", s.subscription_id, s.resource_group, s.name),
        "name": s.name, "type": "Microsoft.SaaS/resources", "location": "global",
        "properties": {"status": s.status, "saasResourceName": s.name, "publisherId": PUBLISHER, "offerId": OFFER, "skuId": "payg",
            "paymentChannelType": "SubscriptionDelegated", "paymentChannelMetadata": {"azureSubscriptionId": s.subscription_id},
            "term": {"termUnit": "P1M"}, "autoRenew": s.auto_renew, "isFreeTrial": false}
    })
}

async fn saas_resources(
    State(w): State<World>,
    headers: HeaderMap,
    Path(sub): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    if let Some(r) = w.gate_subscription(&headers, q.api_version.as_deref(), &sub) {
        return r;
    }
    let value: Vec<Value> = w.lock().saas.iter().filter(|s| s.subscription_id == sub).map(saas_json).collect();
    Json(json!({"value": value})).into_response()
}

async fn list_access_token(
    State(w): State<World>,
    headers: HeaderMap,
    Path((sub, rg, name)): Path<(String, String, String)>,
    Query(q): Query<Params>,
) -> Response {
    if let Some(r) = w.gate_subscription(&headers, q.api_version.as_deref(), &sub) {
        return r;
    }
    let Some(token) = w.issue_landing_token(&rg, &name) else {
        return error(StatusCode::NOT_FOUND, "ResourceNotFound", "The SaaS resource was not found.");
    };
    let base = w.lock().landing_base.clone();
    Json(json!({"publisherOfferBaseUri": base, "token": token})).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_dates_match_the_calendar() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339(1_795_046_399), "2026-11-18T23:59:59Z");
        assert_eq!(super::rfc3339(4_102_444_800), "2100-01-01T00:00:00Z");
    }

    use super::*;
    use crate::IdpUser;
    use axum::{body::Body, http::Request};
    use tower::ServiceExt;

    fn world(scenario: Scenario) -> (World, String) {
        let idp = Idp::new(IdpUser { subject: "u".into(), name: "Demo Owner".into(), email: "owner@example.com".into() }, &["c"]);
        let token = idp.issue_access_token();
        (World::new(scenario, "owner@example.com", idp), token)
    }

    async fn call(w: &World, req: Request<Body>) -> (StatusCode, Value) {
        let resp = w.router().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn pinecone_routes_need_a_valid_token_and_the_version_header() {
        let (w, token) = world(Scenario::HappyPath);
        let (status, body) = call(&w, Request::get("/admin/organizations").body(Body::empty()).unwrap()).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("UNAUTHENTICATED")));
        let req =
            Request::get("/admin/organizations").header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
        assert_eq!(call(&w, req).await.0, StatusCode::BAD_REQUEST);
        let req = Request::get("/admin/organizations")
            .header("authorization", format!("Bearer {token}"))
            .header("x-pinecone-api-version", "2026-04")
            .body(Body::empty())
            .unwrap();
        let (status, body) = call(&w, req).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"][0]["plan"], "Free");
        let with_version = |path: &str, version: &str| {
            Request::get(path)
                .header("authorization", format!("Bearer {token}"))
                .header("x-pinecone-api-version", version)
                .body(Body::empty())
                .unwrap()
        };
        assert_eq!(call(&w, with_version("/admin/organizations", "2099-01")).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(
            call(&w, with_version("/admin/role-bindings", "2025-10")).await.0,
            StatusCode::NOT_FOUND,
            "too old for role bindings"
        );
        assert_eq!(call(&w, with_version("/admin/users", "2026-07")).await.0, StatusCode::OK);
    }

    #[tokio::test]
    async fn arm_routes_need_api_version_and_a_known_subscription() {
        let (w, token) = world(Scenario::HappyPath);
        let auth = format!("Bearer {token}");
        let (status, body) =
            call(&w, Request::get("/subscriptions").header("authorization", &auth).body(Body::empty()).unwrap()).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("MissingApiVersionParameter")));
        let req = Request::get("/subscriptions/nope/resourcegroups?api-version=2021-04-01")
            .header("authorization", &auth)
            .body(Body::empty())
            .unwrap();
        assert_eq!(call(&w, req).await.0, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn connecting_follows_the_rules_of_the_real_services() {
        let (w, _) = world(Scenario::NotStarter);
        w.subscribe("rg", "pinecone", true);
        assert_eq!(w.connect(ORG_ID), Err("only organizations on the Starter plan can be connected"));
        let (w, _) = world(Scenario::NotOwner);
        w.subscribe("rg", "pinecone", true);
        assert_eq!(w.connect(ORG_ID), Err("only an organization owner can connect it"));
        let (w, _) = world(Scenario::HappyPath);
        assert_eq!(w.connect(ORG_ID), Err("there is no Azure subscription to connect"));
        w.subscribe("rg", "pinecone", true);
        w.connect(ORG_ID).unwrap();
        assert_eq!(w.lock().orgs[0].plan, "Standard");
        w.reset(None);
        assert_eq!(w.lock().orgs[0].plan, "Free", "reset returns to the scenario's start");
        assert!(w.lock().saas.is_empty());
    }
}
