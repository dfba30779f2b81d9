//! The simulated Pinecone Admin API, held to Pinecone's OpenAPI files: one test per endpoint and
//! version the app can meet, each checking every answer the simulator gives there (every
//! scenario, every page, the filters) and its errors against that version's schemas.

mod common;

use common::sim;
use contract::Spec;
use simulator::Scenario;

/// The spec file of each version. 2026-04's copy doesn't document users and role bindings;
/// Pinecone's 2026-04 reference pages do, with the schemas of the 2026-07 file, so those two
/// endpoints are held to the 2026-07 file in both versions.
const V2025_04: &str = "pinecone/2025-04/admin_2025-04.oas.yaml";
const V2025_10: &str = "pinecone/2025-10/admin_2025-10.oas.yaml";
const V2026_04: &str = "pinecone/2026-04/admin_2026-04.oas.yaml";
const V2026_07: &str = "pinecone/2026-07/admin_2026-07.excerpt.oas.yaml";

/// `GET /admin/organizations` in `version`: every scenario's orgs (after a connection, so paid
/// plans and payment states show), a missing token (401) and an unknown version (4XX).
async fn organizations(version: &str, file: &str) {
    let spec = Spec::load(file);
    let schema = spec.response("/admin/organizations", "get", "200");
    for scenario in Scenario::ALL {
        let s = sim(scenario);
        s.world.subscribe("rg", "p", true);
        let _ = s.world.connect(simulator::world::ORG_ID);
        let (status, body) = s.pinecone("/admin/organizations", version, Some(&s.pinecone)).await;
        assert_eq!(status, 200, "{version} {scenario:?}: {body}");
        schema.check(&body).unwrap_or_else(|e| panic!("{version} {scenario:?}: {e}"));
    }
    let s = sim(Scenario::HappyPath);
    let (status, body) = s.pinecone("/admin/organizations", version, None).await;
    assert_eq!(status, 401);
    spec.response("/admin/organizations", "get", "401").check(&body).unwrap();
    let (status, body) = s.pinecone("/admin/organizations", "2099-01", Some(&s.pinecone)).await;
    assert_eq!(status, 400);
    spec.response("/admin/organizations", "get", "4XX").check(&body).unwrap();
}

/// `GET /admin/users` in `version`: every page, the email filter, a bad page token (400), a
/// member's token (403) and none (401).
async fn users(version: &str) {
    let spec = Spec::load(V2026_07);
    let s = sim(Scenario::PagedLists);
    let ok = spec.response("/admin/users", "get", "200");
    let (status, first) = s.pinecone("/admin/users", version, Some(&s.pinecone)).await;
    assert_eq!(status, 200);
    ok.check(&first).unwrap();
    assert!(first["pagination"]["next"].is_string(), "a page with more after it");
    let (_, filtered) = s.pinecone("/admin/users?email=lee@acme.example", version, Some(&s.pinecone)).await;
    ok.check(&filtered).unwrap();
    let next = first["pagination"]["next"].as_str().unwrap();
    let (_, mut page) = s.pinecone(&format!("/admin/users?paginationToken={next}"), version, Some(&s.pinecone)).await;
    while let Some(next) = page["pagination"]["next"].as_str().map(str::to_owned) {
        ok.check(&page).unwrap();
        page = s.pinecone(&format!("/admin/users?paginationToken={next}"), version, Some(&s.pinecone)).await.1;
    }
    ok.check(&page).unwrap();
    let (status, body) = s.pinecone("/admin/users?paginationToken=nonsense", version, Some(&s.pinecone)).await;
    assert_eq!(status, 400);
    spec.response("/admin/users", "get", "400").check(&body).unwrap();
    let member = sim(Scenario::NotOwner);
    let (status, body) = member.pinecone("/admin/users", version, Some(&member.pinecone)).await;
    assert_eq!(status, 403);
    spec.response("/admin/users", "get", "403").check(&body).unwrap();
    let (status, body) = s.pinecone("/admin/users", version, None).await;
    assert_eq!(status, 401);
    spec.response("/admin/users", "get", "401").check(&body).unwrap();
}

/// `GET /admin/role-bindings` in `version`: unfiltered, filtered to the user as the app asks,
/// and by role, in the scenarios whose bindings differ.
async fn role_bindings(version: &str) {
    let ok = Spec::load(V2026_07).response("/admin/role-bindings", "get", "200");
    for scenario in [Scenario::HappyPath, Scenario::PagedLists, Scenario::WrongOrgToken, Scenario::NotOwner] {
        let s = sim(scenario);
        for query in [
            "",
            "?principal_type=user&principal_id=5b0a2c1e-0000-4000-8000-000000000001&resource_type=organization",
            "?role=OrgOwner",
        ] {
            let (status, body) = s.pinecone(&format!("/admin/role-bindings{query}"), version, Some(&s.pinecone)).await;
            assert_eq!(status, 200, "{version} {scenario:?} {query}: {body}");
            ok.check(&body).unwrap_or_else(|e| panic!("{version} {scenario:?} {query}: {e}"));
        }
    }
}

#[tokio::test]
async fn organizations_2025_04() {
    organizations("2025-04", V2025_04).await;
}

#[tokio::test]
async fn organizations_2025_10() {
    organizations("2025-10", V2025_10).await;
}

#[tokio::test]
async fn organizations_2026_04() {
    organizations("2026-04", V2026_04).await;
}

#[tokio::test]
async fn organizations_2026_07() {
    organizations("2026-07", V2026_07).await;
}

#[tokio::test]
async fn users_2026_04() {
    users("2026-04").await;
}

#[tokio::test]
async fn users_2026_07() {
    users("2026-07").await;
}

#[tokio::test]
async fn role_bindings_2026_04() {
    role_bindings("2026-04").await;
}

#[tokio::test]
async fn role_bindings_2026_07() {
    role_bindings("2026-07").await;
}

#[tokio::test]
async fn role_bindings_before_2026_04_are_not_there() {
    // Too old a version for role bindings: 404 in the error envelope.
    let spec = Spec::load(V2026_07);
    let s = sim(Scenario::HappyPath);
    let (status, body) = s.pinecone("/admin/role-bindings", "2025-10", Some(&s.pinecone)).await;
    assert_eq!(status, 404);
    spec.response("/admin/role-bindings", "get", "4XX").check(&body).unwrap();
}
