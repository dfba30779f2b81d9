//! The simulated APIs' routes without a socket (tower `oneshot`, as in axum's testing example):
//! tokens for the right audience, version headers and parameters, pages, the answers for
//! unknown or unregistered subscriptions, as the services give them. The shapes themselves are
//! held to the vendors' specs in `crates/contract`.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use serde_json::Value;
use simulator::{Idp, IdpUser, Scenario, World, ARM_AUDIENCE, PINECONE_AUDIENCE};
use tower::ServiceExt;

struct Sim {
    world: World,
    pinecone: String,
    arm: String,
}

fn sim(scenario: Scenario) -> Sim {
    let idp = Idp::new(IdpUser { subject: "u".into(), name: "Demo Owner".into(), email: "owner@example.com".into() }, &["c"]);
    let world = World::new(scenario, "owner@example.com", idp.clone());
    Sim { pinecone: idp.issue_access_token(PINECONE_AUDIENCE), arm: idp.issue_access_token(ARM_AUDIENCE), world }
}

async fn call(w: &World, req: Request<Body>) -> (StatusCode, Value) {
    let resp = w.router().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn get(path: &str, token: &str, version: Option<&str>) -> Request<Body> {
    let mut req = Request::get(path).header("authorization", format!("Bearer {token}")).header("host", "sim.test");
    if let Some(v) = version {
        req = req.header("x-pinecone-api-version", v);
    }
    req.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn pinecone_routes_need_a_token_for_pinecone_and_default_to_the_oldest_version() {
    let s = sim(Scenario::HappyPath);
    let (status, body) = call(&s.world, Request::get("/admin/organizations").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("UNAUTHENTICATED")));
    let (status, _) = call(&s.world, get("/admin/organizations", &s.arm, Some("2026-07"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "an ARM token is not a Pinecone token");
    let (status, body) = call(&s.world, get("/admin/organizations", &s.pinecone, Some("2026-07"))).await;
    assert_eq!((status, body["data"][0]["plan"].as_str()), (StatusCode::OK, Some("Free")));
    assert_eq!(
        call(&s.world, get("/admin/organizations", &s.pinecone, None)).await.0,
        StatusCode::OK,
        "the oldest version has organizations"
    );
    assert_eq!(call(&s.world, get("/admin/users", &s.pinecone, None)).await.0, StatusCode::NOT_FOUND, "…but not users");
    assert_eq!(call(&s.world, get("/admin/organizations", &s.pinecone, Some("2099-01"))).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(call(&s.world, get("/admin/role-bindings", &s.pinecone, Some("2025-10"))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&s.world, get("/admin/users", &s.pinecone, Some("2026-07"))).await.0, StatusCode::OK);
}

#[tokio::test]
async fn pinecone_lists_come_in_pages_and_filter_by_email() {
    let s = sim(Scenario::PagedLists);
    let (_, first) = call(&s.world, get("/admin/users", &s.pinecone, Some("2026-07"))).await;
    assert_eq!(first["data"].as_array().unwrap().len(), 1);
    let next = first["pagination"]["next"].as_str().expect("a next page").to_owned();
    let (_, second) = call(&s.world, get(&format!("/admin/users?paginationToken={next}"), &s.pinecone, Some("2026-07"))).await;
    assert_ne!(second["data"][0]["id"], first["data"][0]["id"]);
    let (_, last) = call(&s.world, get("/admin/users?email=LEE@acme.example", &s.pinecone, Some("2026-07"))).await;
    assert_eq!(last["data"][0]["email"], "lee@acme.example");
    assert!(last.get("pagination").is_none(), "no pagination at all on the last page, never {{\"next\": null}}: {last}");
    let (status, _) = call(&s.world, get("/admin/users?paginationToken=garbage", &s.pinecone, Some("2026-07"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn arm_routes_need_an_arm_token_a_documented_api_version_and_a_known_subscription() {
    let s = sim(Scenario::HappyPath);
    let (status, body) = call(&s.world, get("/subscriptions", &s.arm, None)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("MissingApiVersionParameter")));
    let (status, body) = call(&s.world, get("/subscriptions?api-version=2016-06-01", &s.arm, None)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("InvalidApiVersionParameter")));
    assert_eq!(call(&s.world, get("/subscriptions?api-version=2022-12-01", &s.pinecone, None)).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&s.world, get("/subscriptions?api-version=2022-12-01", &s.arm, None)).await.0, StatusCode::OK);
    let req = get("/subscriptions/nope/resourcegroups?api-version=2021-04-01", &s.arm, None);
    assert_eq!(call(&s.world, req).await.0, StatusCode::NOT_FOUND);
    let saas = |v: &str| {
        get(
            &format!("/subscriptions/{}/providers/Microsoft.SaaS/resources?api-version={v}", simulator::world::SUBSCRIPTION_ID),
            &s.arm,
            None,
        )
    };
    assert_eq!(call(&s.world, saas("2018-03-01-beta")).await.0, StatusCode::OK);
    assert_eq!(call(&s.world, saas("2026-04-01")).await.0, StatusCode::OK);
    assert_eq!(call(&s.world, saas("2021-01-01")).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn saas_answers_in_the_shape_of_the_version_asked_for() {
    let s = sim(Scenario::HappyPath);
    s.world.subscribe("rg", "p", true);
    let path = |v: &str| {
        format!("/subscriptions/{}/providers/Microsoft.SaaS/resources?api-version={v}", simulator::world::SUBSCRIPTION_ID)
    };
    let (_, beta) = call(&s.world, get(&path("2018-03-01-beta"), &s.arm, None)).await;
    assert_eq!(beta["value"][0]["properties"]["publisherId"], simulator::PUBLISHER);
    assert!(beta["value"][0]["properties"].get("publisherName").is_none());
    let (_, ga) = call(&s.world, get(&path("2026-04-01"), &s.arm, None)).await;
    assert_eq!(ga["value"][0]["properties"]["publisherName"], simulator::PUBLISHER);
    assert_eq!(ga["value"][0]["properties"]["statusReason"], "None");
    assert!(ga["value"][0]["properties"].get("publisherId").is_none());
}

#[tokio::test]
async fn a_subscription_that_never_bought_a_saas_offer_answers_409_until_the_first_purchase() {
    let s = sim(Scenario::UnregisteredProvider);
    let path =
        format!("/subscriptions/{}/providers/Microsoft.SaaS/resources?api-version=2026-04-01", simulator::world::SUBSCRIPTION_ID);
    let (status, body) = call(&s.world, get(&path, &s.arm, None)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("MissingSubscriptionRegistration")));
    s.world.subscribe("rg", "p", true);
    assert_eq!(call(&s.world, get(&path, &s.arm, None)).await.0, StatusCode::OK, "buying registers the provider");
}

#[tokio::test]
async fn arm_lists_come_in_pages_with_an_absolute_next_link() {
    let s = sim(Scenario::PagedLists);
    let (_, first) = call(&s.world, get("/subscriptions?api-version=2022-12-01", &s.arm, None)).await;
    assert_eq!(first["value"].as_array().unwrap().len(), 1);
    let next = first["nextLink"].as_str().expect("a next page");
    assert!(next.starts_with("http://sim.test/subscriptions?api-version=2022-12-01&$skiptoken="), "{next}");
    let rest = next.trim_start_matches("http://sim.test");
    let (_, second) = call(&s.world, get(rest, &s.arm, None)).await;
    assert_ne!(second["value"][0]["subscriptionId"], first["value"][0]["subscriptionId"]);
}
