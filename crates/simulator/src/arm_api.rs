//! The simulated Azure Resource Manager: tenants, subscriptions, resource groups, the
//! `Microsoft.SaaS` resources that show a Marketplace purchase, and `listAccessToken`, in the
//! shapes of Azure's swagger (`shared/specs/azure/`).

use crate::{
    gate::{self, Api},
    model::{SaasSub, SUBSCRIPTION_ID, TENANT_ID},
    World, OFFER, PUBLISHER,
};
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize, Default)]
struct ApiVersion {
    #[serde(rename = "api-version")]
    api_version: Option<String>,
}

/// The gate for routes under `/subscriptions/{sub}/…`, which also need a subscription that exists.
fn check_subscription(w: &World, headers: &HeaderMap, q: &ApiVersion, sub: &str) -> Option<Response> {
    gate::check(w, Api::Arm, headers, "/subscriptions/", q.api_version.as_deref()).or_else(|| {
        (sub != SUBSCRIPTION_ID)
            .then(|| gate::error(StatusCode::NOT_FOUND, "SubscriptionNotFound", "The subscription could not be found."))
    })
}

async fn tenants(State(w): State<World>, headers: HeaderMap, Query(q): Query<ApiVersion>) -> Response {
    if let Some(r) = gate::check(&w, Api::Arm, &headers, "/tenants", q.api_version.as_deref()) {
        return r;
    }
    Json(json!({"value": [{"id": format!("/tenants/{TENANT_ID}"), "tenantId": TENANT_ID, "displayName": "Acme (demo)"}]}))
        .into_response()
}

async fn subscriptions(State(w): State<World>, headers: HeaderMap, Query(q): Query<ApiVersion>) -> Response {
    if let Some(r) = gate::check(&w, Api::Arm, &headers, "/subscriptions", q.api_version.as_deref()) {
        return r;
    }
    let limited = w.read(|s| s.spending_limit);
    Json(json!({"value": [{
        "id": format!("/subscriptions/{SUBSCRIPTION_ID}"), "subscriptionId": SUBSCRIPTION_ID, "tenantId": TENANT_ID,
        "displayName": if limited { "Free Trial" } else { "Pay-As-You-Go" }, "state": "Enabled",
        "subscriptionPolicies": {
            "spendingLimit": if limited { "On" } else { "Off" },
            "quotaId": if limited { "FreeTrial_2014-09-01" } else { "PayAsYouGo_2014-09-01" }
        }
    }]}))
    .into_response()
}

async fn resource_groups(
    State(w): State<World>,
    headers: HeaderMap,
    Path(sub): Path<String>,
    Query(q): Query<ApiVersion>,
) -> Response {
    if let Some(r) = check_subscription(&w, &headers, &q, &sub) {
        return r;
    }
    Json(json!({"value": [{"name": "pinecone-billing", "location": "eastus"}, {"name": "shared-services", "location": "westeurope"}]}))
        .into_response()
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
    Query(q): Query<ApiVersion>,
) -> Response {
    if let Some(r) = check_subscription(&w, &headers, &q, &sub) {
        return r;
    }
    let value: Vec<Value> = w.read(|s| s.saas.iter().filter(|s| s.subscription_id == sub).map(saas_json).collect());
    Json(json!({"value": value})).into_response()
}

async fn list_access_token(
    State(w): State<World>,
    headers: HeaderMap,
    Path((sub, rg, name)): Path<(String, String, String)>,
    Query(q): Query<ApiVersion>,
) -> Response {
    if let Some(r) = check_subscription(&w, &headers, &q, &sub) {
        return r;
    }
    let Some((token, base)) = w.change(|s| s.issue_landing_token(&rg, &name).map(|t| (t, s.landing_base.clone()))) else {
        return gate::error(StatusCode::NOT_FOUND, "ResourceNotFound", "The SaaS resource was not found.");
    };
    Json(json!({"publisherOfferBaseUri": base, "token": token})).into_response()
}

pub fn router(world: &World) -> Router {
    Router::new()
        .route("/tenants", get(tenants))
        .route("/subscriptions", get(subscriptions))
        .route("/subscriptions/{sub}/resourcegroups", get(resource_groups))
        .route("/subscriptions/{sub}/providers/Microsoft.SaaS/resources", get(saas_resources))
        .route(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.SaaS/resources/{name}/listAccessToken",
            post(list_access_token),
        )
        .with_state(world.clone())
}
