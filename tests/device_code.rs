//! The sign-in with a code (RFC 8628) end to end in demo mode: the app shows the code and the
//! page, opens the page in the system browser, the user types the code there on "another device"
//! (Chromium) and approves, and the step's check goes on as after a browser sign-in. The
//! simulated Entra answers `slow_down` once, so the app must poll less often from then on; and a
//! code nobody enters expires with a clear message and a way to get a new one.

use e2e::{next_opened, DemoApp};

/// Create flow, to the subscription step, whose check needs a Microsoft sign-in.
async fn to_subscribe(d: &DemoApp) {
    d.app.click("start-flow-create-new-org").await;
    for step in ["get-it-now", "select-plan", "subscribe"] {
        d.next(step).await;
    }
    d.app.wait_check("subscribe", "needs-sign-in").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_typed_in_on_another_device_signs_in_and_slow_down_is_honoured() {
    let vars = [("BA_DEMO_DEVICE_CODE_INTERVAL_SECS", "1".to_string()), ("BA_DEMO_DEVICE_CODE_SLOW_DOWNS", "1".to_string())];
    let mut d = DemoApp::start_with("happy-path", &vars).await;
    to_subscribe(&d).await;
    d.app.click("signin-device-start-microsoft").await;
    d.app.wait_signin_state("microsoft", "code").await;
    d.app.wait_until("the code to show", "return !!document.querySelector('[data-testid=signin-device-code-microsoft]')").await;
    let code = d.app.value("signin-device-code-microsoft").await;
    assert_eq!(code.len(), 9, "Entra-style codes are nine characters: {code:?}");
    // Copy says it copied (or, where the clipboard can't be used, how to copy by hand).
    d.app.click("signin-device-copy-code-microsoft").await;
    d.app
        .wait_until(
            "Copy code to answer",
            "return /^(Copied|Press Ctrl\\+C)$/.test(document.querySelector('[data-testid=signin-device-copy-code-microsoft]').textContent)",
        )
        .await;
    d.app.assert_accessible("a sign-in with a code, waiting").await;
    d.app.screenshot("all/state-signin-code.png").await;
    // The first poll is told slow_down: from then on the app asks every 1 + 5 seconds.
    d.app
        .wait_until(
            "slow_down to lengthen the interval",
            "const e = document.querySelector('[data-testid=signin-microsoft]'); return !!e && e.dataset.interval === '6'",
        )
        .await;
    d.app.click("signin-device-open-microsoft").await;
    let page = next_opened(&d.env, &mut d.seen).await;
    assert_eq!(page, d.app.value("signin-device-page-microsoft").await, "the page the app showed is the one it opened");
    assert!(page.ends_with("/devicelogin"), "{page}");
    d.web.goto(&page).await;
    d.web.type_into("device-code-input", &code).await;
    d.web.click("device-code-next").await;
    d.web.click("device-approve").await;
    d.web.wait_for_text("You have signed in to the app").await;
    d.app.wait_signin_state("microsoft", "signed-in").await;
    // It ends as a browser sign-in ends: the check the sign-in was for now runs and verifies.
    d.app.wait_check("subscribe", "verified").await;
    d.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_nobody_enters_warns_then_expires_with_a_way_to_get_a_new_one() {
    let vars = [("BA_DEMO_DEVICE_CODE_LIFETIME_SECS", "4".to_string()), ("BA_DEMO_DEVICE_CODE_INTERVAL_SECS", "1".to_string())];
    let d = DemoApp::start_with("happy-path", &vars).await;
    to_subscribe(&d).await;
    d.app.click("signin-device-start-microsoft").await;
    d.app.wait_signin_state("microsoft", "code").await;
    // Under a minute left from the start: the warning is there before the code runs out.
    d.app.find("signin-expiring-microsoft").await;
    d.app.wait_signin_state("microsoft", "failed").await;
    assert_eq!(d.app.attr("signin-error-microsoft", "data-code").await.as_deref(), Some("signin_timed_out"));
    assert!(
        d.app.text("signin-error-microsoft").await.contains("code expired"),
        "{}",
        d.app.text("signin-error-microsoft").await
    );
    d.app.assert_accessible("a sign-in that failed").await;
    d.app.screenshot("all/state-signin-failed.png").await;
    d.app.click("signin-device-start-microsoft").await;
    d.app.wait_signin_state("microsoft", "code").await;
    d.finish().await;
}
