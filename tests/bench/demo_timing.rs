//! Demo timings, through the real app and headless Chromium:
//! - "Reset demo": from the click to the start screen drawn again (the UI's own clock), N times;
//! - "Connect to Pinecone" clicked on the simulated sign-up page → the app shows the connection
//!   confirmed (its check turns verified), over M full runs of the create-new-org flow.
//!
//! Run with scripts/bench-demo.sh.

use e2e::{next_opened, percentiles, App, Chromium, TestEnv};

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

#[tokio::main]
async fn main() {
    let resets: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let connects: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let env = TestEnv::new();
    let app = App::launch_with(&env, &[("BA_MODE", "demo".into())]).await;
    let web = Chromium::start().await;
    let mut seen = 0;

    let mut reset_ms = Vec::new();
    for _ in 0..resets {
        app.click("start-flow-create-new-org").await;
        app.find("screen-step-open-listing").await;
        app.driver.execute("delete document.body.dataset.lastResetMs", vec![]).await.unwrap();
        app.click("demo-reset").await;
        app.wait_until("the reset", "return !!document.body.dataset.lastResetMs").await;
        app.find("screen-start").await;
        let ms: u64 = app
            .driver
            .execute("return document.body.dataset.lastResetMs", vec![])
            .await
            .unwrap()
            .json()
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        reset_ms.push(ms);
    }

    let mut connect_ms = Vec::new();
    for _ in 0..connects {
        app.click("start-flow-create-new-org").await;
        app.click("step-open-listing").await;
        web.goto(&next_opened(&env, &mut seen).await).await;
        for step in ["get-it-now", "select-plan", "subscribe"] {
            app.click("wizard-next").await;
            app.find(&format!("screen-step-{step}")).await;
        }
        app.click("signin-start-microsoft").await;
        web.visit_in_new_tab(&next_opened(&env, &mut seen).await).await;
        app.wait_signin_state("microsoft", "signed-in").await;
        for testid in [
            "get-it-now",
            "subscribe",
            "review-and-subscribe",
            "confirm-subscribe",
            "configure-account",
            "auth-google",
            "org-new",
        ] {
            web.click(testid).await;
        }
        for step in ["configure-account", "sign-in-method", "create-org", "connect"] {
            app.click("wizard-next").await;
            app.find(&format!("screen-step-{step}")).await;
        }
        app.click("signin-start-pinecone").await;
        web.visit_in_new_tab(&next_opened(&env, &mut seen).await).await;
        app.wait_signin_state("pinecone", "signed-in").await;
        app.wait_check("connect", "waiting").await;
        let clicked = now_ms();
        web.click("connect-to-pinecone").await;
        app.wait_check("connect", "verified").await;
        let verified: u64 = app.attr("check-connect", "data-verified-at").await.expect("verified time").parse().unwrap();
        connect_ms.push(verified.saturating_sub(clicked));
        app.click("demo-reset").await;
        app.find("screen-start").await;
    }
    web.quit().await;
    app.quit().await;

    println!("demo reset, click to start screen drawn ({resets} resets): {}", percentiles(reset_ms));
    println!(
        "\"Connect to Pinecone\" clicked in the browser -> app shows it confirmed ({connects} runs): {}",
        percentiles(connect_ms)
    );
}
