//! The faults tests inject into the simulated APIs, on a real socket: each kind does to a client
//! what the real failure would, the longest matching route prefix picks the fault, and lifting
//! them brings the real answers back.

use simulator::{faults::Fault, Demo, Scenario, ARM_AUDIENCE};
use std::time::{Duration, Instant};

async fn get(demo: &Demo, token: &str, path: &str) -> reqwest::Result<reqwest::Response> {
    reqwest::Client::new().get(format!("{}{path}", demo.base_url())).bearer_auth(token).send().await
}

const SUBS: &str = "/subscriptions?api-version=2022-12-01";

#[tokio::test(flavor = "multi_thread")]
async fn each_fault_does_what_the_real_failure_would_and_lifting_them_restores_the_answers() {
    let demo = Demo::start(Scenario::HappyPath).await.unwrap();
    let token = demo.idp.issue_access_token(ARM_AUDIENCE);
    let w = &demo.world;

    w.inject("/subscriptions", Fault::Status { status: 429, retry_after: Some(120) }, 1);
    let busy = get(&demo, &token, SUBS).await.unwrap();
    assert_eq!(busy.status(), 429);
    assert_eq!(busy.headers()["retry-after"], "120");

    w.inject("/subscriptions", Fault::Status { status: 500, retry_after: None }, 1);
    assert_eq!(get(&demo, &token, SUBS).await.unwrap().status(), 500);

    w.inject("/subscriptions", Fault::Latency(Duration::from_millis(400)), 1);
    let asked = Instant::now();
    let late = get(&demo, &token, SUBS).await.unwrap();
    assert!(asked.elapsed() >= Duration::from_millis(400), "the answer came late");
    assert_eq!(late.status(), 200, "and it was the real one");

    w.inject("/subscriptions", Fault::Drop, 1);
    let dropped = get(&demo, &token, SUBS).await;
    assert!(dropped.is_err(), "no answer at all: {dropped:?}");

    w.inject("/subscriptions", Fault::MalformedJson, 1);
    let odd = get(&demo, &token, SUBS).await.unwrap();
    assert_eq!(odd.status(), 200);
    assert!(serde_json::from_str::<serde_json::Value>(&odd.text().await.unwrap()).is_err(), "not JSON that parses");

    // The longest matching prefix wins, and only its route is hurt.
    w.inject("/subscriptions", Fault::Status { status: 503, retry_after: None }, 5);
    w.inject("/tenants", Fault::Status { status: 500, retry_after: None }, 5);
    assert_eq!(get(&demo, &token, "/tenants?api-version=2022-12-01").await.unwrap().status(), 500);
    assert_eq!(get(&demo, &token, SUBS).await.unwrap().status(), 503);
    w.clear_faults();
    assert_eq!(get(&demo, &token, SUBS).await.unwrap().status(), 200, "lifted");
    assert_eq!(w.requests_to("/subscriptions"), 7);
    assert_eq!(w.requests_to("/tenants"), 1);
}
