//! The simulated Azure Resource Manager: tenants, subscriptions, resource groups, the
//! `Microsoft.SaaS` resources that show a Marketplace purchase, and `listAccessToken`, in the
//! shapes of Azure's swagger (`crates/contract/specs/azure/`, held to them by
//! `crates/contract/tests/simulator_arm.rs`). Microsoft.SaaS answers in the shape of the version
//! asked for: the `2018-03-01-beta` preview or the `2026-04-01` GA. Lists come in pages with a
//! `nextLink`, and a subscription that never bought a SaaS offer answers 409
//! `MissingSubscriptionRegistration`.

use crate::{
    gate::{self, arm_error},
    model::{SaasSub, SubscriptionState, SUBSCRIPTION_ID},
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

pub const RESOURCES_API: &str = "2022-12-01";
pub const GROUPS_API: &str = "2021-04-01";
pub const SAAS_BETA: &str = "2018-03-01-beta";
pub const SAAS_GA: &str = "2026-04-01";

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(rename = "api-version")]
    api_version: Option<String>,
    #[serde(rename = "$skiptoken")]
    skip_token: Option<String>,
}

/// One page of `items`, with an absolute `nextLink` to the rest (as ARM sends it).
fn page(items: Vec<Value>, headers: &HeaderMap, path: &str, version: &str, q: &ListQuery, page_size: usize) -> Response {
    let start: usize = q.skip_token.as_deref().and_then(|t| t.parse().ok()).unwrap_or(0).min(items.len());
    let end = (start + page_size).min(items.len());
    let mut body = json!({"value": items[start..end]});
    if end < items.len() {
        let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
        body["nextLink"] = json!(format!("http://{host}{path}?api-version={version}&$skiptoken={end}"));
    }
    Json(body).into_response()
}

async fn tenants(State(w): State<World>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Response {
    let version = match gate::arm(&w, &headers, q.api_version.as_deref(), &[RESOURCES_API]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (tenants, size) = w.read(|s| (s.tenants.clone(), s.page_size));
    let items = tenants
        .iter()
        .map(|t| json!({"id": format!("/tenants/{}", t.id), "tenantId": t.id, "tenantCategory": "Home", "displayName": t.name}))
        .collect();
    page(items, &headers, "/tenants", version, &q, size)
}

async fn subscriptions(State(w): State<World>, headers: HeaderMap, Query(q): Query<ListQuery>) -> Response {
    let version = match gate::arm(&w, &headers, q.api_version.as_deref(), &[RESOURCES_API]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (subs, size) = w.read(|s| (s.subscriptions.clone(), s.page_size));
    let items = subs
        .iter()
        .map(|s| {
            json!({
                "id": format!("/subscriptions/{}", s.id), "subscriptionId": s.id, "tenantId": s.tenant,
                "displayName": s.name, "state": s.state, "authorizationSource": "RoleBased",
                "subscriptionPolicies": {
                    "locationPlacementId": "Public_2014-09-01",
                    "spendingLimit": if s.spending_limit { "On" } else { "Off" },
                    "quotaId": if s.spending_limit { "FreeTrial_2014-09-01" } else { "PayAsYouGo_2014-09-01" }
                }
            })
        })
        .collect();
    page(items, &headers, "/subscriptions", version, &q, size)
}

/// The gate for routes under `/subscriptions/{sub}/…`, which also need a subscription the user
/// can see, that is enabled.
fn check_subscription(
    w: &World,
    headers: &HeaderMap,
    q: &ListQuery,
    sub: &str,
    supported: &[&'static str],
) -> Result<&'static str, Response> {
    let version = gate::arm(w, headers, q.api_version.as_deref(), supported)?;
    match w.read(|s| s.subscription(sub).map(|s| s.state)) {
        None => Err(arm_error(
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            &format!("The subscription '{sub}' could not be found."),
        )),
        Some(SubscriptionState::Disabled) => Err(arm_error(
            StatusCode::CONFLICT,
            "ReadOnlyDisabledSubscription",
            "The subscription is disabled and therefore marked as read only.",
        )),
        Some(SubscriptionState::Enabled) => Ok(version),
    }
}

async fn resource_groups(
    State(w): State<World>,
    headers: HeaderMap,
    Path(sub): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    let version = match check_subscription(&w, &headers, &q, &sub, &[GROUPS_API]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let group = |name: &str, location: &str| {
        json!({"id": format!("/subscriptions/{sub}/resourceGroups/{name}"), "name": name, "type": "Microsoft.Resources/resourceGroups",
               "location": location, "properties": {"provisioningState": "Succeeded"}})
    };
    let items = vec![group("pinecone-billing", "eastus"), group("shared-services", "westeurope")];
    page(items, &headers, &format!("/subscriptions/{sub}/resourcegroups"), version, &q, w.read(|s| s.page_size))
}

fn saas_id(s: &SaasSub) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.SaaS/resources/{}",
        s.subscription_id, s.resource_group, s.name
    )
}

/// A purchase in the preview's shape: publisher and offer ids, and a `term` object.
fn saas_beta(s: &SaasSub) -> Value {
    json!({
        "id": saas_id(s), "name": s.name, "type": "Microsoft.SaaS/resources", "tags": {},
        "properties": {"status": s.status, "saasResourceName": s.name, "publisherId": PUBLISHER, "offerId": OFFER, "skuId": "payg",
            "quantity": null, "termId": null, "paymentChannelType": "SubscriptionDelegated",
            "paymentChannelMetadata": {"azureSubscriptionId": s.subscription_id},
            "term": {"termUnit": "P1M", "startDate": "2026-11-01T00:00:00Z", "endDate": "2026-12-01T00:00:00Z"},
            "autoRenew": s.auto_renew, "isFreeTrial": false, "created": "2026-11-01T00:00:00Z"}
    })
}

/// A purchase in the GA shape: names resolved from the product code, `statusReason`.
fn saas_ga(s: &SaasSub) -> Value {
    json!({
        "id": saas_id(s), "name": s.name, "type": "Microsoft.SaaS/resources", "location": "global", "tags": {},
        "properties": {"assetId": "e24b5b6b-2dfc-41ea-c457-46d0c42494af", "status": s.status, "statusReason": "None", "quantity": 1,
            "publisherName": PUBLISHER, "offerName": "Pinecone Vector Database", "planName": "Pinecone - Pay As You Go",
            "termUnit": "P1M", "billingPeriod": "P1M", "termStartDate": "2026-11-01T00:00:00Z", "termEndDate": "2026-12-01T00:00:00Z",
            "autoRenew": s.auto_renew, "isFreeTrial": false, "storeFront": "AzurePortal", "productCode": "0007150b-0000-0160-2654-64a36bcef7ba"}
    })
}

/// Another vendor's purchase, with the fields Azure may send as null (swagger: not required).
fn foreign_purchase(sub: &str, version: &str) -> Value {
    let id = format!("/subscriptions/{sub}/resourceGroups/it-tools/providers/Microsoft.SaaS/resources/contoso-widgets");
    let properties = if version == SAAS_GA {
        json!({"status": null, "statusReason": null, "publisherName": "contoso", "offerName": null, "planName": null, "autoRenew": null, "quantity": null})
    } else {
        json!({"status": null, "publisherId": "contoso", "offerId": null, "skuId": null, "quantity": null, "termId": null, "autoRenew": null, "term": null})
    };
    let mut item = json!({"id": id, "name": null, "type": "Microsoft.SaaS/resources", "tags": null, "properties": properties});
    if version == SAAS_GA {
        // GA's resources are ARM tracked resources, whose location is required.
        item["location"] = json!("global");
    }
    item
}

async fn saas_resources(
    State(w): State<World>,
    headers: HeaderMap,
    Path(sub): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    let version = match check_subscription(&w, &headers, &q, &sub, &[SAAS_BETA, SAAS_GA]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (registered, foreign, saas, size) = w.read(|s| (s.saas_registered, s.foreign_purchase, s.saas.clone(), s.page_size));
    if !registered {
        return arm_error(
            StatusCode::CONFLICT,
            "MissingSubscriptionRegistration",
            "The subscription is not registered to use namespace 'Microsoft.SaaS'. See https://aka.ms/rps-not-found for how to register subscriptions.",
        );
    }
    let shape = if version == SAAS_GA { saas_ga } else { saas_beta };
    let mut items: Vec<Value> = Vec::new();
    if foreign && sub == SUBSCRIPTION_ID {
        items.push(foreign_purchase(&sub, version));
    }
    items.extend(saas.iter().filter(|s| s.subscription_id == sub).map(shape));
    page(items, &headers, &format!("/subscriptions/{sub}/providers/Microsoft.SaaS/resources"), version, &q, size)
}

async fn list_access_token(
    State(w): State<World>,
    headers: HeaderMap,
    Path((sub, rg, name)): Path<(String, String, String)>,
    Query(q): Query<ListQuery>,
) -> Response {
    let version = match check_subscription(&w, &headers, &q, &sub, &[SAAS_BETA, SAAS_GA]) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some((token, base)) = w.change(|s| s.issue_landing_token(&rg, &name).map(|t| (t, s.landing_base.clone()))) else {
        return arm_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!("The Resource 'Microsoft.SaaS/resources/{name}' under resource group '{rg}' was not found."),
        );
    };
    let mut body = json!({"publisherOfferBaseUri": base, "token": token});
    if version == SAAS_GA {
        // The landing-page token lasts 24 hours (SaaS fulfillment API v2).
        let expiry = std::time::SystemTime::now() + std::time::Duration::from_secs(24 * 3600);
        body["offerUriWithToken"] = json!(format!("{base}?token={token}"));
        body["expiryTime"] = json!(humantime::format_rfc3339_seconds(expiry).to_string());
    }
    Json(body).into_response()
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
