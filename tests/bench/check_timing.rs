//! A live check's cost, through the real app in live mode against the simulator: from "check
//! requested" (the UI calling `run_check`) to its answer drawn in the panel (the next animation
//! frame), on the UI's own clock, N times (default 50). The check is step 1's `pinecone-org` (the
//! org list, the user and their role bindings from the Pinecone Admin API), in the `not-owner`
//! scenario, whose answer ("only an owner can connect") keeps "Check again" on screen.
//! Run with scripts/bench-check.sh.

use e2e::{percentiles, LiveApp, LiveSetup};
use simulator::Scenario;

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let live = LiveApp::start(Scenario::NotOwner, LiveSetup { microsoft: false, pinecone: true, extra: vec![] }).await;
    let app = &live.app;
    app.click("start-flow-connect-existing-org").await;
    app.find("screen-step-open-billing").await;
    live.sign_in("pinecone").await;
    app.find("check-retry-open-billing").await;

    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        app.driver.execute("delete document.body.dataset.lastCheckMs", vec![]).await.unwrap();
        app.click("check-retry-open-billing").await;
        app.wait_until("the check's answer drawn", "return !!document.body.dataset.lastCheckMs").await;
        let ms = app.driver.execute("return document.body.dataset.lastCheckMs", vec![]).await.unwrap();
        samples.push(ms.json().as_str().unwrap().parse::<u64>().unwrap());
        app.find("check-retry-open-billing").await;
    }
    let state = app.attr("check-open-billing", "data-state").await;
    assert_eq!(state.as_deref(), Some("problem"), "every run ended on the not-owner answer");
    live.finish().await;

    println!("checks: {runs} runs of pinecone-org (debug build, live mode against the simulator, Xvfb)");
    println!("check requested -> answer drawn: {}", percentiles(samples));
}
