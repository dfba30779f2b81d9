//! End-to-end sign-in: the real app, a scripted system browser (curl) that follows the authorize
//! URL, and the embedded identity provider. Tokens go to the real Secret Service (scripts/test.sh
//! runs a D-Bus session with an unlocked gnome-keyring).

use e2e::{keyring_has, App, IdpFixture, TestEnv};
use simulator::IdpBehaviour;

async fn to_first_step(app: &App) {
    app.click("start-flow-connect-existing-org").await;
    app.find("screen-step-open-billing").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_shows_the_user_survives_a_restart_and_sign_out_removes_it() {
    let fixture = IdpFixture::start().await;
    let env = TestEnv::new();
    let vars = fixture.app_env();
    let app = App::launch_with(&env, &vars).await;
    to_first_step(&app).await;
    app.wait_signin_state("pinecone", "signed-out").await;
    assert!(!keyring_has("pinecone"));

    app.click("signin-start-pinecone").await;
    app.wait_signin_state("pinecone", "signed-in").await;
    assert_eq!(app.text("signin-user-pinecone").await, "Ada Owner (ada@example.com)");
    assert!(keyring_has("pinecone"), "the tokens are in the OS keyring");
    app.screenshot("signin.png").await;
    let requests = fixture.idp.token_requests();
    app.quit().await;

    let app = App::launch_with(&env, &vars).await;
    app.find("screen-step-open-billing").await;
    app.wait_signin_state("pinecone", "signed-in").await;
    assert_eq!(app.text("signin-user-pinecone").await, "Ada Owner (ada@example.com)");
    assert_eq!(fixture.idp.token_requests(), requests, "read back from the keyring, not signed in again");

    app.click("signin-signout-pinecone").await;
    app.wait_signin_state("pinecone", "signed-out").await;
    assert!(!keyring_has("pinecone"), "sign-out deletes the keyring entries");
    app.quit().await;

    let log = env.app_log();
    assert!(log.contains("sign-in (pinecone): signed in"), "the log was captured: {log}");
    let issued = fixture.idp.issued();
    assert!(issued.all().count() >= 4);
    for secret in issued.all() {
        assert!(!log.contains(secret.as_str()), "a token or code was written to the app's log");
        for file in env.files() {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(!String::from_utf8_lossy(&bytes).contains(secret.as_str()), "a secret is in plain file {}", file.display());
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn microsoft_sign_in_works_on_its_step() {
    let fixture = IdpFixture::start().await;
    let env = TestEnv::new();
    let app = App::launch_with(&env, &fixture.app_env()).await;
    app.click("start-flow-create-new-org").await;
    for _ in 0..3 {
        app.click("wizard-next").await;
    }
    app.find("screen-step-subscribe").await;
    app.click("signin-start-microsoft").await;
    app.wait_signin_state("microsoft", "signed-in").await;
    assert!(app.text("signin-user-microsoft").await.contains("ada@example.com"));
    let urls = env.opened_urls();
    let authorize = urls.last().expect("the browser was opened");
    assert!(authorize.contains("/organizations/oauth2/v2.0/authorize"), "{authorize}");
    assert!(authorize.contains("redirect_uri=http%3A%2F%2Flocalhost%3A"), "Entra gets a localhost redirect: {authorize}");
    app.click("signin-signout-microsoft").await;
    app.wait_signin_state("microsoft", "signed-out").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denied_sign_in_says_why_and_a_waiting_one_can_be_extended_and_cancelled() {
    let fixture = IdpFixture::start().await;
    let env = TestEnv::new();
    let app = App::launch_with(&env, &fixture.app_env()).await;
    to_first_step(&app).await;

    fixture.idp.set_behaviour(IdpBehaviour::Deny);
    app.click("signin-start-pinecone").await;
    app.wait_signin_state("pinecone", "failed").await;
    assert_eq!(app.attr("signin-error-pinecone", "data-code").await.as_deref(), Some("signin_denied"));
    assert!(app.text("signin-error-pinecone").await.contains("The user declined to sign in."));

    // The browser now opens the page but nobody finishes signing in.
    fixture.idp.set_behaviour(IdpBehaviour::Approve);
    env.set_browser_mode("record");
    app.click("signin-start-pinecone").await;
    app.wait_signin_state("pinecone", "waiting").await;
    let url = app.value("signin-url-pinecone").await;
    assert!(url.starts_with(&format!("{}/oauth/authorize?", fixture.running.base_url())), "{url}");
    assert!(url.contains("code_challenge_method=S256"));
    let pairing = app.text("signin-pairing-pinecone").await;
    assert_eq!(pairing.split(' ').count(), 3, "{pairing}");
    app.assert_accessible("a browser sign-in, waiting").await;
    app.screenshot("all/state-signin-waiting.png").await;
    app.wait_until(
        "the countdown to show",
        "return /^[0-9]+:[0-9]{2}$/.test(document.querySelector('[data-testid=signin-countdown-pinecone]').textContent)",
    )
    .await;
    let left = app.text("signin-countdown-pinecone").await;
    // Said once: "Time left: 4:59", not "Time left: 4:59 left".
    assert_eq!(app.text("signin-time-pinecone").await, format!("Time left: {left}"));
    let (m, s) = left.split_once(':').expect("m:ss");
    let seconds = m.parse::<u64>().unwrap() * 60 + s.parse::<u64>().unwrap();
    assert!((270..=300).contains(&seconds), "five minutes by default, counting down: {left}");
    app.click("signin-extend-pinecone").await;
    app.wait_until(
        "the countdown to grow",
        "return document.querySelector('[data-testid=signin-countdown-pinecone]').textContent.startsWith('9:')",
    )
    .await;

    let port: u16 = url::Url::parse(&url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .and_then(|(_, v)| url::Url::parse(&v).ok())
        .and_then(|u| u.port())
        .expect("redirect_uri carries the listener's port");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(), "listening while waiting");
    app.click("signin-cancel-pinecone").await;
    app.wait_signin_state("pinecone", "signed-out").await;
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "Cancel frees the port");
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_keyring_the_app_says_so_and_keeps_the_sign_in_in_memory_on_request() {
    let fixture = IdpFixture::start().await;
    let env = TestEnv::new();
    let mut vars = fixture.app_env();
    vars.push(("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus".into()));
    let app = App::launch_with(&env, &vars).await;
    to_first_step(&app).await;
    let problem = app.text("signin-keyring-problem").await;
    assert!(problem.contains("keyring isn't available"), "{problem}");

    app.click("signin-memory-only").await;
    app.wait_until("the keyring notice to go", "return !document.querySelector('[data-testid=signin-keyring-problem]')").await;
    app.click("signin-start-pinecone").await;
    app.wait_signin_state("pinecone", "signed-in").await;
    assert!(app.text("signin-pinecone").await.contains("this run only"));
    app.quit().await;

    for secret in fixture.idp.issued().all() {
        for file in env.files() {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(!String::from_utf8_lossy(&bytes).contains(secret.as_str()), "no plain-file fallback: {}", file.display());
        }
    }
    let app = App::launch_with(&env, &vars).await;
    app.find("screen-step-open-billing").await;
    app.wait_signin_state("pinecone", "signed-out").await;
    app.quit().await;
}
