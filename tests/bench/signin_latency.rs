//! Sign-in latency: the time from the callback reaching the app's loopback listener until the UI
//! shows "signed in", over N sign-ins (default 50) through the real app, the scripted browser and
//! the embedded identity provider. Prints p50 and p95. Run with scripts/bench-signin.sh.

use e2e::{percentiles, App, IdpFixture, TestEnv};

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let fixture = IdpFixture::start().await;
    let env = TestEnv::new();
    let app = App::launch_with(&env, &fixture.app_env()).await;
    app.click("start-flow-connect-existing-org").await;
    app.wait_signin_state("pinecone", "signed-out").await;

    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        app.click("signin-start-pinecone").await;
        app.wait_signin_state("pinecone", "signed-in").await;
        let callback: u64 = app.attr("signin-pinecone", "data-callback-at").await.expect("callback time").parse().unwrap();
        let shown: u64 = app.attr("signin-pinecone", "data-signed-in-at").await.expect("signed-in time").parse().unwrap();
        samples.push(shown.saturating_sub(callback));
        app.click("signin-signout-pinecone").await;
        app.wait_signin_state("pinecone", "signed-out").await;
    }
    app.quit().await;

    println!("sign-ins: {runs} (debug build, Secret Service keyring, Xvfb)");
    println!("callback reaches the listener -> UI shows signed in: {}", percentiles(samples));
}
