//! The other direction: the app's clients read what the vendors' specs say the services send —
//! their own examples, served verbatim — including `null`s, a `nextLink: null`, extra fields and
//! values the app doesn't know.

use axum::{routing::get, routing::post, Json, Router};
use clients::{arm::Arm, pinecone::PineconeAdmin, Retry};
use contract::Spec;
use serde_json::{json, Value};
use signin::Secret;
use simulator::Running;
use std::time::Duration;

const FAST: Retry = Retry { attempts: 1, first_delay: Duration::from_millis(1), max_delay: Duration::from_millis(1) };

fn example(file: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs").join(file);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["responses"]["200"]["body"].clone()
}

/// Serves `body` at `path` (and any query), for GET and POST.
async fn serve(path: &'static str, body: Value) -> Running {
    let (a, b) = (body.clone(), body);
    Running::start(Router::new().route(path, get(move || async move { Json(a) }).post(move || async move { Json(b) })))
        .await
        .unwrap()
}

/// The example with its publisher and offer made Pinecone's, so the client's filter keeps it.
fn as_pinecone(mut body: Value, ga: bool) -> Value {
    for item in body["value"].as_array_mut().unwrap() {
        let p = &mut item["properties"];
        if ga {
            p["publisherName"] = json!(clients::arm::PINECONE_PUBLISHER);
        } else {
            p["publisherId"] = json!(clients::arm::PINECONE_PUBLISHER);
            p["offerId"] = json!(clients::arm::PINECONE_OFFER);
        }
    }
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn the_saas_list_examples_of_both_versions_are_read() {
    let token = Secret::new("t");
    for (file, ga) in [
        ("azure/saas/2018-03-01-beta/examples/SaasGetAllInAzureSubscription.json", false),
        ("azure/saas/2026-04-01/examples/SaasListBySubscription.json", true),
    ] {
        let vendor = example(file);
        let server = serve("/subscriptions/{sub}/providers/Microsoft.SaaS/resources", vendor.clone()).await;
        let arm = Arm::new(server.base_url()).with_retry(FAST);
        let found = arm.pinecone_saas_all(&token, "c825645b").await.unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(found.is_empty(), "{file}: the vendor's example is someone else's offer");
        let server = serve("/subscriptions/{sub}/providers/Microsoft.SaaS/resources", as_pinecone(vendor, ga)).await;
        let found = Arm::new(server.base_url()).with_retry(FAST).pinecone_saas_all(&token, "c825645b").await.unwrap();
        assert_eq!(found.len(), 1, "{file}");
        assert!(found[0].is_active() && !found[0].recurring_off(), "{file}: {:?}", found[0]);
        assert!(found[0].id.ends_with("/mySaasResource") || found[0].id.ends_with("/MyContosoSubscription"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_access_token_examples_of_both_versions_give_a_landing_page() {
    for file in [
        "azure/saas/2018-03-01-beta/examples/ListAccessTokenPost.json",
        "azure/saas/2026-04-01/examples/SaasListAccessToken.json",
    ] {
        let server = serve(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.SaaS/resources/{name}/listAccessToken",
            example(file),
        )
        .await;
        let arm = Arm::new(server.base_url()).with_retry(FAST);
        let link = arm
            .list_access_token(&Secret::new("t"), "/subscriptions/s/resourceGroups/r/providers/Microsoft.SaaS/resources/n")
            .await
            .unwrap();
        let url = link.landing_url().unwrap_or_else(|| panic!("{file}: no landing page in {link:?}"));
        assert!(url.contains("?token=") && url.starts_with("https://"), "{file}: {url}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pinecone_users_and_role_bindings_examples_are_read() {
    let spec = Spec::load("pinecone/2026-07/admin_2026-07.excerpt.oas.yaml");
    let users = spec.example("UserList");
    let bindings = spec.example("RoleBindingList");
    let user = users["data"][0].clone();
    let mut owner = bindings["data"][0].clone();
    // The example binds a service account in a project; the same shape for the user's org.
    owner["principal_type"] = json!("user");
    owner["principal_id"] = user["id"].clone();
    owner["resource_type"] = json!("organization");
    owner["role"] = json!("OrgOwner");
    let with_page = json!({"data": [owner], "pagination": bindings["pagination"]});
    let last_page = json!({"data": [], "pagination": null});
    let no_more = last_page.clone();
    let router = Router::new()
        .route(
            "/admin/users",
            get(move |q: axum::extract::Query<std::collections::HashMap<String, String>>| async move {
                Json(if q.contains_key("paginationToken") { no_more } else { users })
            }),
        )
        .route(
            "/admin/role-bindings",
            get(move |q: axum::extract::Query<std::collections::HashMap<String, String>>| async move {
                Json(if q.contains_key("paginationToken") { last_page } else { with_page })
            }),
        )
        .route("/admin/organizations", post(|| async { Json(json!({})) }));
    let server = Running::start(router).await.unwrap();
    let admin = PineconeAdmin::new(server.base_url()).with_retry(FAST);
    let org = owner_org_of(&spec);
    assert!(
        admin.is_owner(&Secret::new("t"), user["email"].as_str().unwrap(), &org).await.unwrap(),
        "the example user owns the org"
    );
}

/// The org id in the role-binding example (its `resource_id`).
fn owner_org_of(spec: &Spec) -> String {
    spec.example("RoleBindingList")["data"][0]["resource_id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn organizations_with_values_the_app_does_not_know_are_read() {
    // A plan and a payment status newer than the app; the spec marks them `x-enum`, not closed.
    let body = json!({"data": [{"id": "-O1", "name": "A", "plan": "Builder", "payment_status": "OnHold", "created_at": "2026-01-01T00:00:00Z", "support_tier": "Free"}]});
    let server = serve("/admin/organizations", body).await;
    let orgs = PineconeAdmin::new(server.base_url()).with_retry(FAST).organizations(&Secret::new("t")).await.unwrap();
    assert_eq!((orgs[0].plan.as_str(), orgs[0].is_starter(), orgs[0].is_paid()), ("Builder", false, false));
}
