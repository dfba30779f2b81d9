//! The simulated Pinecone Admin API (`/admin/...`): organizations, users and role bindings, in
//! the shapes of Pinecone's OpenAPI files (`crates/contract/specs/pinecone/`, held to them by
//! `crates/contract/tests/simulator_pinecone.rs`). Users and role bindings answer for the org the
//! token is scoped to, in pages (`paginationToken`, `pagination.next` absent on the last page).

use crate::{
    gate::{self, pinecone_error, PineconeCaller},
    model::{Org, ORG_ID},
    World,
};
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize, Default)]
struct ListQuery {
    email: Option<String>,
    principal_type: Option<String>,
    principal_id: Option<String>,
    resource_type: Option<String>,
    resource_id: Option<String>,
    role: Option<String>,
    limit: Option<usize>,
    #[serde(rename = "paginationToken")]
    pagination_token: Option<String>,
}

fn org_json(o: &Org) -> Value {
    json!({"id": o.id, "name": o.name, "plan": o.plan, "payment_status": o.payment_status, "created_at": o.created_at, "support_tier": "Free"})
}

/// One page of `items`: at most `limit` (and the world's page size), from the offset the token
/// names. The token is opaque to clients; a bad one is a 400, as the spec says.
fn page(items: Vec<Value>, q: &ListQuery, page_size: usize) -> Response {
    let start = match &q.pagination_token {
        None => 0,
        Some(t) => match URL_SAFE_NO_PAD.decode(t).ok().and_then(|b| String::from_utf8(b).ok()).and_then(|s| s.parse().ok()) {
            Some(n) if n <= items.len() => n,
            _ => return pinecone_error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "Invalid pagination token."),
        },
    };
    let size = q.limit.unwrap_or(100).clamp(1, 100).min(page_size);
    let end = (start + size).min(items.len());
    let mut body = json!({"data": items[start..end]});
    if end < items.len() {
        body["pagination"] = json!({"next": URL_SAFE_NO_PAD.encode(end.to_string())});
    }
    Json(body).into_response()
}

async fn organizations(State(w): State<World>, headers: HeaderMap) -> Response {
    if let Err(r) = gate::pinecone(&w, &headers, "/admin/organizations") {
        return r;
    }
    let orgs: Vec<Value> = w.change(|s| s.read_orgs()).iter().map(org_json).collect();
    Json(json!({"data": orgs})).into_response()
}

/// The caller's org: the one its token is scoped to.
fn scoped_org(caller: &PineconeCaller) -> String {
    caller.org.clone().unwrap_or_else(|| ORG_ID.into())
}

async fn users(State(w): State<World>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Response {
    let caller = match gate::pinecone(&w, &headers, "/admin/users") {
        Ok(c) => c,
        Err(r) => return r,
    };
    let org = scoped_org(&caller);
    let (role, users, page_size) = w.read(|s| (s.role_in(&org), s.users.clone(), s.page_size));
    if role == crate::model::Role::OrgMember {
        return pinecone_error(
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
            "Only organization owners and managers can list users.",
        );
    }
    let wanted = |email: &str| q.email.as_deref().is_none_or(|e| e.eq_ignore_ascii_case(email));
    let items = users
        .iter()
        .filter(|u| wanted(&u.email))
        .map(|u| {
            let mut v = json!({"id": u.id, "email": u.email});
            if let Some(name) = &u.name {
                v["name"] = json!(name);
            }
            v
        })
        .collect();
    page(items, &q, page_size)
}

async fn role_bindings(State(w): State<World>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Response {
    let caller = match gate::pinecone(&w, &headers, "/admin/role-bindings") {
        Ok(c) => c,
        Err(r) => return r,
    };
    // "in the caller's organization": only the token's org's bindings exist for this caller.
    let org = scoped_org(&caller);
    let (role, users, page_size) = w.read(|s| (s.role_in(&org), s.users.clone(), s.page_size));
    let me = crate::model::USER_ID;
    let bindings: Vec<Value> = users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let role = if u.id == me { role } else { crate::model::Role::OrgMember };
            json!({
                "id": format!("9a8e3528-b9c0-4358-84ce-{:012}", i + 1), "principal_type": "user", "principal_id": u.id,
                "resource_type": "organization", "resource_id": org, "role": role, "created_at": "2026-04-10T15:23:00Z"
            })
        })
        .collect();
    let matches = |b: &Value, key: &str, want: &Option<String>| want.as_deref().is_none_or(|w| b[key] == w);
    let items = bindings
        .into_iter()
        .filter(|b| {
            matches(b, "principal_type", &q.principal_type)
                && matches(b, "principal_id", &q.principal_id)
                && matches(b, "resource_type", &q.resource_type)
                && matches(b, "resource_id", &q.resource_id)
                && matches(b, "role", &q.role)
        })
        .collect();
    page(items, &q, page_size)
}

pub fn router(world: &World) -> Router {
    Router::new()
        .route("/admin/organizations", get(organizations))
        .route("/admin/users", get(users))
        .route("/admin/role-bindings", get(role_bindings))
        .with_state(world.clone())
}
