//! The API clients against the simulated Pinecone and Azure on a real socket: every scenario's
//! facts, the purchase lifecycle, retries that honour Retry-After, and errors in plain words.

use clients::{
    arm::{Arm, SaasStatus},
    pinecone::PineconeAdmin,
    ApiError, Retry, Service,
};
use signin::Secret;
use simulator::{world::ORG_ID, world::SUBSCRIPTION_ID, Idp, IdpUser, Running, Scenario, World};
use std::time::Duration;

struct Sim {
    world: World,
    /// For the Pinecone Admin API.
    token: Secret,
    /// For Azure Resource Manager.
    arm_token: Secret,
    running: Running,
}

const FAST: Retry = Retry { attempts: 3, first_delay: Duration::from_millis(10), max_delay: Duration::from_millis(50) };

async fn sim(scenario: Scenario) -> Sim {
    let idp = Idp::new(IdpUser { subject: "u".into(), name: "Demo Owner".into(), email: "owner@example.com".into() }, &["c"]);
    let world = World::new(scenario, "owner@example.com", idp.clone());
    let token = Secret::new(idp.issue_access_token(simulator::PINECONE_AUDIENCE));
    let arm_token = Secret::new(idp.issue_access_token(simulator::ARM_AUDIENCE));
    let running = Running::start(world.router()).await.unwrap();
    Sim { world, token, arm_token, running }
}

impl Sim {
    fn pinecone(&self) -> PineconeAdmin {
        PineconeAdmin::new(self.running.base_url()).with_retry(FAST)
    }
    fn arm(&self) -> Arm {
        Arm::new(self.running.base_url()).with_retry(FAST)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn happy_path_org_is_starter_and_the_user_owns_it() {
    let s = sim(Scenario::HappyPath).await;
    let orgs = s.pinecone().organizations(&s.token).await.unwrap();
    assert_eq!(orgs.len(), 1);
    assert!(orgs[0].is_starter() && !orgs[0].is_paid_and_active());
    assert!(s.pinecone().is_owner(&s.token, "OWNER@example.com", ORG_ID).await.unwrap());
    assert!(!s.pinecone().is_owner(&s.token, "someone-else@example.com", ORG_ID).await.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn not_owner_and_not_starter_scenarios_are_visible() {
    let s = sim(Scenario::NotOwner).await;
    assert!(!s.pinecone().is_owner(&s.token, "owner@example.com", ORG_ID).await.unwrap(), "a 403 on users means not an owner");
    let s = sim(Scenario::NotStarter).await;
    assert!(!s.pinecone().organizations(&s.token).await.unwrap()[0].is_starter());
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_subscriptions_groups_and_spending_limits() {
    let s = sim(Scenario::HappyPath).await;
    assert_eq!(s.arm().tenants(&s.arm_token).await.unwrap().len(), 1);
    let subs = s.arm().subscriptions(&s.arm_token).await.unwrap();
    assert!(subs[0].can_buy());
    let groups = s.arm().resource_groups(&s.arm_token, SUBSCRIPTION_ID).await.unwrap();
    assert!(groups.iter().any(|g| g.name == "pinecone-billing"));
    let s = sim(Scenario::SpendingLimit).await;
    let subs = s.arm().subscriptions(&s.arm_token).await.unwrap();
    assert!(subs[0].has_spending_limit() && !subs[0].can_buy());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_purchase_goes_from_pending_to_subscribed_and_the_org_is_upgraded() {
    let s = sim(Scenario::HappyPath).await;
    assert_eq!(s.arm().pinecone_saas(&s.arm_token, SUBSCRIPTION_ID).await.unwrap(), None);
    s.world.subscribe("pinecone-billing", "pinecone-payg", true);
    let saas = s.arm().pinecone_saas(&s.arm_token, SUBSCRIPTION_ID).await.unwrap().expect("bought");
    assert_eq!(saas.status(), Some(SaasStatus::PendingFulfillmentStart));
    assert!(!saas.recurring_off());
    let link = s.arm().list_access_token(&s.arm_token, &saas.id).await.unwrap();
    assert!(link.landing_url().unwrap().starts_with("https://app.pinecone.io/marketplace/azure/landing?token=lt-"));
    assert!(link.offer_uri_with_token.is_some() && link.expiry_time.is_some(), "the GA answer: {link:?}");
    assert_eq!(format!("{:?}", link.token), "Some([redacted])");
    assert!(!format!("{link:?}").contains("lt-"), "no token in anything printable: {link:?}");

    s.world.connect(ORG_ID).unwrap();
    let saas = s.arm().pinecone_saas(&s.arm_token, SUBSCRIPTION_ID).await.unwrap().unwrap();
    assert_eq!(saas.status(), Some(SaasStatus::Subscribed));
    assert!(s.pinecone().organizations(&s.token).await.unwrap()[0].is_paid_and_active());
}

#[tokio::test(flavor = "multi_thread")]
async fn stuck_and_recurring_off_scenarios() {
    let s = sim(Scenario::StuckPending).await;
    s.world.subscribe("rg", "p", true);
    s.world.connect(ORG_ID).unwrap();
    let saas = s.arm().pinecone_saas(&s.arm_token, SUBSCRIPTION_ID).await.unwrap().unwrap();
    assert_eq!(saas.status(), Some(SaasStatus::PendingFulfillmentStart), "activation stays pending");
    let s = sim(Scenario::RecurringOff).await;
    s.world.subscribe("rg", "p", s.world.recurring_by_default());
    let saas = s.arm().pinecone_saas(&s.arm_token, SUBSCRIPTION_ID).await.unwrap().unwrap();
    assert!(saas.recurring_off());
}

#[tokio::test(flavor = "multi_thread")]
async fn busy_answers_are_retried_and_retry_after_is_honoured() {
    let s = sim(Scenario::HappyPath).await;
    s.world.inject_faults("/admin/organizations", 503, Some(0), 2);
    assert_eq!(s.pinecone().organizations(&s.token).await.unwrap().len(), 1, "two 503s, then success on the third try");
    s.world.inject_faults("/subscriptions", 429, Some(0), 3);
    let err = s.arm().subscriptions(&s.arm_token).await.unwrap_err();
    assert_eq!(err, ApiError::Unavailable { service: Service::Azure, status: 429, attempts: 3 });
    assert!(err.to_string().contains("didn't recover after 3 tries"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_within_bounds_is_waited_out_and_a_longer_one_is_handed_back() {
    let s = sim(Scenario::HappyPath).await;
    let patient = Retry { attempts: 3, first_delay: Duration::from_millis(10), max_delay: Duration::from_secs(5) };
    s.world.inject_faults("/admin/organizations", 429, Some(1), 1);
    let started = std::time::Instant::now();
    assert_eq!(s.pinecone().with_retry(patient).organizations(&s.token).await.unwrap().len(), 1);
    assert!(started.elapsed() >= Duration::from_secs(1), "asked for 1 s, retried after {:?}", started.elapsed());

    // Waiting 60 s inside one check would freeze it; the caller's polling comes back instead.
    s.world.inject_faults("/subscriptions", 503, Some(60), 1);
    let err = s.arm().with_retry(patient).subscriptions(&s.arm_token).await.unwrap_err();
    assert_eq!(err, ApiError::Busy { service: Service::Azure, wait_secs: 60 });
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_tokens_and_offline_services_are_plain_errors() {
    let s = sim(Scenario::HappyPath).await;
    let err = s.pinecone().organizations(&Secret::new("expired")).await.unwrap_err();
    assert_eq!(err, ApiError::Unauthorized { service: Service::Pinecone });
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let err = Arm::new(format!("http://{closed}")).with_retry(FAST).tenants(&s.arm_token).await.unwrap_err();
    assert!(matches!(err, ApiError::Offline { service: Service::Azure, .. }), "{err:?}");
    let err = s.arm().list_access_token(&s.arm_token, "https://evil.example/x").await.unwrap_err();
    assert!(matches!(err, ApiError::BadResponse { .. }), "only ARM resource ids are posted to");
}

/// A cloud that doesn't offer Microsoft.SaaS's GA version yet: the client falls back to the
/// preview, reads its shape, and keeps using it.
#[tokio::test(flavor = "multi_thread")]
async fn microsoft_saas_falls_back_to_the_preview_where_ga_is_refused() {
    use axum::{extract::Request, middleware::Next, response::IntoResponse};
    let s = sim(Scenario::ForeignResource).await;
    s.world.subscribe("rg", "pinecone-payg", true);
    let refused = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = refused.clone();
    let no_ga = axum::middleware::from_fn(move |req: Request, next: Next| {
        let count = count.clone();
        async move {
            if req.uri().query().is_some_and(|q| q.contains("api-version=2026-04-01")) {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let body = serde_json::json!({"error": {"code": "InvalidApiVersionParameter", "message": "not in this cloud"}});
                return (axum::http::StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
            }
            next.run(req).await
        }
    });
    let server = Running::start(s.world.router().layer(no_ga)).await.unwrap();
    let arm = Arm::new(server.base_url()).with_retry(FAST);
    for _ in 0..2 {
        let all = arm.pinecone_saas_all(&s.arm_token, SUBSCRIPTION_ID).await.unwrap();
        assert_eq!(
            all.iter().map(|p| p.name()).collect::<Vec<_>>(),
            ["pinecone-payg"],
            "the foreign purchase (null fields) is skipped"
        );
        assert_eq!(
            all[0].properties.as_ref().unwrap().publisher_id.as_deref(),
            Some(simulator::PUBLISHER),
            "the preview's shape"
        );
    }
    assert_eq!(refused.load(std::sync::atomic::Ordering::SeqCst), 1, "GA is tried once, then the preview is remembered");
    let link = arm
        .list_access_token(&s.arm_token, &arm.pinecone_saas(&s.arm_token, SUBSCRIPTION_ID).await.unwrap().unwrap().id)
        .await
        .unwrap();
    assert!(
        link.offer_uri_with_token.is_none() && link.landing_url().unwrap().contains("?token=lt-"),
        "the preview's answer: {link:?}"
    );
}

/// One item Azure sends that can't be read at all (no id) doesn't fail the list.
#[tokio::test(flavor = "multi_thread")]
async fn one_unreadable_item_is_skipped_and_the_rest_are_read() {
    use axum::{routing::get, Json};
    use serde_json::json;
    let router = axum::Router::new().route(
        "/subscriptions",
        get(|| async {
            Json(json!({"value": [{"displayName": "no id"}, {"subscriptionId": "s2", "displayName": null, "state": null}]}))
        }),
    );
    let server = Running::start(router).await.unwrap();
    let subs = Arm::new(server.base_url()).with_retry(FAST).subscriptions(&Secret::new("t")).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!((subs[0].name(), subs[0].can_buy()), ("s2", false), "a null name shows the id; a null state can't buy");
}
