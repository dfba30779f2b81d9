//! The simulated APIs' routes without a socket (tower `oneshot`, as in axum's testing example):
//! auth, version headers and parameters, and unknown subscriptions answer as the services do.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use serde_json::Value;
use simulator::{Idp, IdpUser, Scenario, World};
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
