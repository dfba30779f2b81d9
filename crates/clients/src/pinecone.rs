//! The Pinecone Admin API (`/admin/...`, header `X-Pinecone-Api-Version`): organizations with plan
//! and payment status, users, and role bindings, enough to answer "is this org on Starter?" and
//! "is the signed-in user an owner?" (research §1.2). Held to Pinecone's OpenAPI file for the
//! version it sends (`crates/contract/specs/pinecone/2026-07/`); one item it can't read is
//! skipped, not fatal.

use crate::{
    http::{parse_items, send_json, ApiError, Endpoint, Retry, Service},
    open_enum::open_enum,
};
use serde::{Deserialize, Serialize};
use signin::Secret;

/// The newest version Pinecone publishes a spec file for with the users and role-bindings
/// endpoints the owner check needs (the 2026-04 file documents neither).
pub const API_VERSION: &str = "2026-07";
const SERVICE: Service = Service::Pinecone;

open_enum! {
    /// An organization's plan. The console's Starter plan is `Free` here.
    pub enum Plan { Free = "Free", Standard = "Standard", Enterprise = "Enterprise", Dedicated = "Dedicated" }
}

open_enum! {
    /// Whether an organization's bills are paid.
    pub enum PaymentStatus {
        Active = "Active",
        PaymentPending = "PaymentPending",
        PastDue = "PastDue",
        Restricted = "Restricted",
        Suspended = "Suspended",
        Deactivated = "Deactivated",
    }
}

open_enum! {
    /// A role a role binding grants.
    pub enum Role {
        OrgOwner = "OrgOwner",
        OrgManager = "OrgManager",
        OrgBillingAdmin = "OrgBillingAdmin",
        OrgMember = "OrgMember",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub plan: Plan,
    pub payment_status: PaymentStatus,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub support_tier: Option<String>,
}

impl Organization {
    /// Only Starter orgs can be connected to a marketplace; the API calls Starter `Free`.
    pub fn is_starter(&self) -> bool {
        self.plan == Plan::Free
    }

    /// On a paid plan (Standard, Enterprise or Dedicated), whatever the state of its payments.
    pub fn is_paid(&self) -> bool {
        matches!(self.plan, Plan::Standard | Plan::Enterprise | Plan::Dedicated)
    }

    /// What a connected org looks like once Azure pays for it.
    pub fn is_paid_and_active(&self) -> bool {
        self.is_paid() && self.payment_status == PaymentStatus::Active
    }

    /// Paid, and Pinecone is still setting up the payment (right after connecting, say).
    pub fn is_payment_pending(&self) -> bool {
        self.is_paid() && self.payment_status == PaymentStatus::PaymentPending
    }

    /// The plan as the console names it: `Free` is Starter.
    pub fn plan_name(&self) -> &str {
        if self.is_starter() {
            "Starter"
        } else {
            self.plan.as_str()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleBinding {
    pub id: String,
    pub principal_type: String,
    pub principal_id: String,
    pub resource_type: String,
    pub resource_id: String,
    pub role: Role,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    data: Vec<serde_json::Value>,
    /// `null` or absent on the last page.
    #[serde(default)]
    pagination: Option<Pagination>,
}

#[derive(Deserialize)]
struct Pagination {
    #[serde(default)]
    next: Option<String>,
}

pub struct PineconeAdmin {
    endpoint: Endpoint,
}

impl PineconeAdmin {
    /// `base` is `https://api.pinecone.io` live, or the simulator's address in demo mode.
    pub fn new(base: impl Into<String>) -> Self {
        Self { endpoint: Endpoint::new(base) }
    }

    pub fn with_retry(mut self, retry: Retry) -> Self {
        self.endpoint.retry = retry;
        self
    }

    /// How long one request may take (30 s unless told).
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.endpoint.http = signin::oauth::http_client_with_timeout(timeout);
        self
    }

    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        token: &Secret,
        path: &str,
        query: &[(&str, &str)],
        what: &str,
    ) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        // A bound on pages, so a server that always says "next" can't keep us here forever.
        for _ in 0..100 {
            let url = format!("{}{path}", self.endpoint.base);
            let page: Page = send_json(SERVICE, self.endpoint.retry, || {
                let mut q: Vec<(&str, &str)> = query.to_vec();
                if let Some(c) = &cursor {
                    q.push(("paginationToken", c));
                }
                self.endpoint.http.get(&url).bearer_auth(token.expose()).header("X-Pinecone-Api-Version", API_VERSION).query(&q)
            })
            .await?;
            out.extend(parse_items(SERVICE, what, page.data));
            match page.pagination.and_then(|p| p.next).filter(|n| !n.is_empty()) {
                Some(next) => cursor = Some(next),
                None => return Ok(out),
            }
        }
        Err(ApiError::BadResponse { service: SERVICE, detail: "more than 100 pages".into() })
    }

    /// The organizations the signed-in user's token can see.
    ///
    /// # Errors
    /// [`ApiError`] in plain words.
    pub async fn organizations(&self, token: &Secret) -> Result<Vec<Organization>, ApiError> {
        self.list(token, "/admin/organizations", &[], "organization").await
    }

    /// The members of the token's org with `email` (the endpoint's `email` filter; one, if any).
    pub async fn users_with_email(&self, token: &Secret, email: &str) -> Result<Vec<User>, ApiError> {
        self.list(token, "/admin/users", &[("email", email), ("limit", "100")], "user").await
    }

    pub async fn role_bindings_for_user(&self, token: &Secret, user_id: &str) -> Result<Vec<RoleBinding>, ApiError> {
        self.list(
            token,
            "/admin/role-bindings",
            &[("principal_type", "user"), ("principal_id", user_id), ("resource_type", "organization")],
            "role binding",
        )
        .await
    }

    /// Whether the user with `email` is an owner of `org_id`. A 403 on these calls means the
    /// caller can't read members or roles, which owners can: that counts as "not an owner".
    ///
    /// # Errors
    /// Anything but a 403.
    pub async fn is_owner(&self, token: &Secret, email: &str, org_id: &str) -> Result<bool, ApiError> {
        let users = match self.users_with_email(token, email).await {
            Ok(u) => u,
            Err(ApiError::Forbidden { .. }) => return Ok(false),
            Err(e) => return Err(e),
        };
        let Some(me) = users.iter().find(|u| u.email.eq_ignore_ascii_case(email)) else { return Ok(false) };
        match self.role_bindings_for_user(token, &me.id).await {
            Ok(bindings) => Ok(bindings.iter().any(|b| b.role == Role::OrgOwner && b.resource_id == org_id)),
            Err(ApiError::Forbidden { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
