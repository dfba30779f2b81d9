//! The simulated Pinecone Admin API (`/admin/...`): organizations, users and role bindings, in
//! the shapes of Pinecone's OpenAPI files (`shared/specs/pinecone/`).

use crate::{
    gate::{self, Api},
    model::{Role, USER_ID},
    World,
};
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize, Default)]
struct RoleBindingQuery {
    principal_id: Option<String>,
}

async fn organizations(State(w): State<World>, headers: HeaderMap) -> Response {
    if let Some(r) = gate::check(&w, Api::Pinecone, &headers, "/admin/organizations", None) {
        return r;
    }
    let orgs: Vec<Value> = w
        .read(|s| s.orgs.clone())
        .iter()
        .map(|o| json!({"id": o.id, "name": o.name, "plan": o.plan, "payment_status": o.payment_status, "created_at": o.created_at, "support_tier": "Free"}))
        .collect();
    Json(json!({"data": orgs})).into_response()
}

async fn users(State(w): State<World>, headers: HeaderMap) -> Response {
    if let Some(r) = gate::check(&w, Api::Pinecone, &headers, "/admin/users", None) {
        return r;
    }
    let (role, email) = w.read(|s| (s.user_role, s.user_email.clone()));
    if role == Role::OrgMember {
        return gate::error(StatusCode::FORBIDDEN, "PERMISSION_DENIED", "Only organization owners and managers can list users");
    }
    Json(json!({"data": [{"id": USER_ID, "email": email, "name": "Demo Owner"}], "pagination": {"next": null}})).into_response()
}

async fn role_bindings(State(w): State<World>, headers: HeaderMap, Query(q): Query<RoleBindingQuery>) -> Response {
    if let Some(r) = gate::check(&w, Api::Pinecone, &headers, "/admin/role-bindings", None) {
        return r;
    }
    let role = w.read(|s| s.user_role);
    let data = if q.principal_id.as_deref() == Some(USER_ID) {
        vec![json!({
            "id": "rb-1", "principal_type": "user", "principal_id": USER_ID, "resource_type": "organization",
            "resource_id": crate::model::ORG_ID, "role": role, "created_at": "2026-04-10T15:23:00Z"
        })]
    } else {
        Vec::new()
    };
    Json(json!({"data": data, "pagination": {"next": null}})).into_response()
}

pub fn router(world: &World) -> Router {
    Router::new()
        .route("/admin/organizations", get(organizations))
        .route("/admin/users", get(users))
        .route("/admin/role-bindings", get(role_bindings))
        .with_state(world.clone())
}
