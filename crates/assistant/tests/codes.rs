//! Every error code of the IPC contract reaches the caller, each from a real failure of its
//! kind (a refusing identity provider, an unreachable token endpoint, a keyring that isn't there,
//! a progress folder that can't be written…), not from a constructed value. The two codes that
//! can't be provoked from outside (a loopback port that can't be bound, a five-minute timeout) are
//! checked where they are assigned, in `src/error.rs`'s tests.

mod common;

use assistant::{ApiBases, Code, Error, Mode, SignInEvent};
use axum::{
    extract::Query,
    response::Redirect,
    routing::{get, post},
    Router,
};
use common::{start, start_with, write, BrokenKeyring, BrowserMode};
use simulator::{
    browser::{device_login, DeviceAnswer},
    Idp, IdpBehaviour, IdpUser, Running,
};
use std::{collections::HashMap, sync::Arc, time::Duration};

const CLIENT: &str = "codes-test";

fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> Code {
    let err = result.expect_err("this must fail");
    assert!(!err.message.is_empty() && err.message.chars().next().unwrap().is_uppercase(), "a sentence: {err:?}");
    // The shape the UI reads.
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json.as_object().unwrap().keys().collect::<Vec<_>>(), ["code", "message"]);
    err.code
}

async fn idp() -> (Idp, Running) {
    let user = IdpUser { subject: "u".into(), name: "Ada".into(), email: "ada@example.com".into() };
    let idp = Idp::new(user, &[CLIENT]);
    let running = Running::start(idp.router()).await.unwrap();
    (idp, running)
}

/// A live assistant whose Pinecone sign-in goes to `authorize` and `token`, and Microsoft's to the IdP at `idp_base`.
async fn live(authorize: &str, token: &str, idp_base: &str, arm: &str) -> common::Harness {
    let dir = tempfile::tempdir().unwrap();
    let e = simulator::idp_endpoints(idp_base).entra;
    write(
        &dir.path().join("config/signin.toml"),
        &format!(
            "[pinecone]\nclient_id = \"{CLIENT}\"\nauthorize_url = \"{authorize}\"\ntoken_url = \"{token}\"\nissuer = \"{idp_base}/\"\n\
             [microsoft]\nclient_id = \"{CLIENT}\"\nauthorize_url = \"{}\"\ntoken_url = \"{}\"\nissuer = \"{}\"\nresponse_mode = \"query\"\n\
             device_authorization_url = \"{}\"\n",
            e.authorize,
            e.token,
            e.issuer,
            e.device_authorization.unwrap()
        ),
    );
    let bases = ApiBases { pinecone: arm.into(), arm: arm.into() };
    start_with(dir, Mode::Live, Some(Arc::new(signin::MemoryTokenStore::default())), Some(bases)).await
}

fn closed_port() -> String {
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread")]
async fn wizard_and_page_codes() {
    let h = start(Mode::Live, Some(Arc::new(signin::MemoryTokenStore::default()))).await;
    let a = &h.assistant;
    assert_eq!(code(a.choose_flow("aws".into()).await), Code::UnknownFlow);
    assert_eq!(code(a.next_step().await), Code::NotAllowed, "no flow yet");
    a.choose_flow("connect-existing-org".into()).await.unwrap();
    assert_eq!(code(a.open_step("../../etc".into()).await), Code::UnknownStep);
    assert_eq!(code(a.open_step("connect".into()).await), Code::NotAllowed, "skipping ahead");
    assert_eq!(code(a.run_check("nope").await), Code::UnknownStep);
    assert_eq!(code(a.run_check("connect-marketplace").await), Code::NoCheck);
    assert_eq!(code(a.open_url("https://evil.example/")), Code::UnknownLink);
    h.browser.set(BrowserMode::Fail);
    let billing = a.catalog().flows[0].links[0].url.clone();
    assert_eq!(code(a.open_url(&billing)), Code::BrowserFailed);
    assert_eq!(code(a.demo_reset(None).await), Code::NotDemo);
    assert_eq!(code(a.sign_out("google").await), Code::UnknownProvider);
    assert_eq!(code(a.sign_in_extend("pinecone")), Code::NoPendingSignIn);
    assert_eq!(code(a.sign_in("pinecone", None, |_| {}).await), Code::SigninNotConfigured, "no client id ships");

    // A progress folder that can't be written: nothing changes.
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("data"), "a file where the folder should be");
    let h = start_with(dir, Mode::Live, None, None).await;
    assert_eq!(code(h.assistant.choose_flow("create-new-org".into()).await), Code::SaveFailed);
    assert_eq!(h.assistant.state().flow, None);

    // A bundle folder that can't be made: the bundle isn't saved, and nothing is left behind.
    write(&h.dir.path().join("bundles"), "a file where the folder should be");
    assert_eq!(code(h.assistant.save_support_bundle().await), Code::SupportBundleFailed);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_progress_file_is_a_notice_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("data/progress.json"), "{ not json");
    let h = start_with(dir, Mode::Live, None, None).await;
    assert_eq!(h.assistant.state().notice.map(|n| n.code), Some(Code::ProgressUnreadable));
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_codes() {
    let h = start(Mode::Demo, None).await;
    let a = &h.assistant;
    assert_eq!(code(a.demo_reset(Some("nope".into())).await), Code::UnknownScenario);
    assert_eq!(code(a.regenerate_link().await), Code::NeedsSignIn);
    a.sign_in("microsoft", None, |_| {}).await.unwrap();
    assert_eq!(code(a.regenerate_link().await), Code::NoPurchase);

    // Buy and connect through the simulated pages, as the user does in the browser.
    let base = a.catalog().flows[0].links[0].url.split("/console").next().unwrap().to_owned();
    let http = reqwest::Client::new();
    let form =
        [("subscription", simulator::world::SUBSCRIPTION_ID), ("resource_group", "rg"), ("name", "p"), ("recurring", "on")];
    let done =
        http.post(format!("{base}/marketplace/pinecone/subscribe")).form(&form).send().await.unwrap().text().await.unwrap();
    let opened = a.regenerate_link().await.expect("a pending purchase can be configured again");
    assert!(opened.contains("/pinecone/azure/landing?token=lt-") && h.browser.last() == Some(opened), "it was opened");
    let token = done.split("landing?token=").nth(1).unwrap().split('"').next().unwrap();
    let connect = [("token", token), ("org", simulator::world::ORG_ID)];
    http.post(format!("{base}/pinecone/azure/connect")).form(&connect).send().await.unwrap();
    assert_eq!(code(a.regenerate_link().await), Code::AlreadyConfigured);
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_codes_from_real_failures() {
    let (idp, running) = idp().await;
    let base = running.base_url();
    let p = simulator::idp_endpoints(&base).pinecone;

    idp.set_behaviour(IdpBehaviour::Deny);
    let h = live(&p.authorize, &p.token, &base, &closed_port()).await;
    assert_eq!(code(h.assistant.sign_in("pinecone", None, |_| {}).await), Code::SigninDenied);
    idp.set_behaviour(IdpBehaviour::Approve);

    idp.set_code_lifetime(Duration::ZERO);
    assert_eq!(code(h.assistant.sign_in("pinecone", None, |_| {}).await), Code::SigninRejected, "an expired code is refused");
    idp.set_code_lifetime(Duration::from_secs(600));

    // An authorization server that answers the redirect with another error.
    let odd = Router::new().route(
        "/authorize",
        get(|Query(q): Query<HashMap<String, String>>| async move {
            Redirect::to(&format!("{}?error=server_error&error_description=Down&state={}", q["redirect_uri"], q["state"]))
        }),
    );
    let odd = Running::start(odd).await.unwrap();
    let h2 = live(&format!("{}/authorize", odd.base_url()), &p.token, &base, &closed_port()).await;
    assert_eq!(code(h2.assistant.sign_in("pinecone", None, |_| {}).await), Code::SigninProviderError);

    // A token endpoint that answers nonsense, and one that can't be reached.
    let junk = Running::start(Router::new().route("/token", post(|| async { "<html>not a token</html>" }))).await.unwrap();
    let h3 = live(&p.authorize, &format!("{}/token", junk.base_url()), &base, &closed_port()).await;
    assert_eq!(code(h3.assistant.sign_in("pinecone", None, |_| {}).await), Code::SigninFailed);
    let h4 = live(&p.authorize, &format!("{}/token", closed_port()), &base, &closed_port()).await;
    assert_eq!(code(h4.assistant.sign_in("pinecone", None, |_| {}).await), Code::Network);

    // Cancel while the browser is open.
    h4.browser.set(BrowserMode::Record);
    let opened = h4.browser.opened.lock().len();
    let a = h4.assistant.clone();
    let waiting = tokio::spawn(async move { a.sign_in("pinecone", None, |_| {}).await });
    while h4.browser.opened.lock().len() == opened {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    h4.assistant.sign_in_cancel("pinecone").unwrap();
    assert_eq!(code(waiting.await.unwrap()), Code::SigninCancelled);

    // Azure failing while the Configure account link is regenerated.
    h.assistant.sign_in("microsoft", None, |_| {}).await.expect("Microsoft sign-in against the IdP");
    assert_eq!(code(h.assistant.regenerate_link().await), Code::ApiError);
}

#[tokio::test(flavor = "multi_thread")]
async fn keyring_codes() {
    let h = start(Mode::Demo, Some(Arc::new(BrokenKeyring { unavailable: true }))).await;
    assert_eq!(code(h.assistant.sign_in("pinecone", None, |_| {}).await), Code::KeyringUnavailable);
    let h = start(Mode::Demo, Some(Arc::new(BrokenKeyring { unavailable: false }))).await;
    assert_eq!(code(h.assistant.sign_out("pinecone").await), Code::KeyringFailed);
}

/// What a user at the verification page does with the code the app shows: `answer` it there.
fn user_at_the_page(answer: DeviceAnswer) -> impl Fn(SignInEvent) + Send {
    move |event| {
        if let SignInEvent::DeviceCode { user_code, verification_uri, .. } = event {
            let code = user_code.expose().to_owned();
            tokio::spawn(async move { device_login(&verification_uri, Some(&code), answer).await });
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn device_code_codes_from_real_failures() {
    let (idp, running) = idp().await;
    idp.set_device_code_interval(Duration::from_secs(1));
    let base = running.base_url();
    let p = simulator::idp_endpoints(&base).pinecone;
    let h = live(&p.authorize, &p.token, &base, &closed_port()).await;
    let a = &h.assistant;
    assert_eq!(code(a.sign_in_with_device_code("google", |_| {}).await), Code::UnknownProvider);
    assert_eq!(code(a.sign_in_with_device_code("pinecone", |_| {}).await), Code::SigninNotConfigured, "Pinecone has none");
    assert_eq!(code(a.sign_in_with_device_code("microsoft", user_at_the_page(DeviceAnswer::Decline)).await), Code::SigninDenied);

    idp.set_device_code_lifetime(Duration::from_secs(1));
    let expired = a.sign_in_with_device_code("microsoft", |_| {}).await;
    assert_eq!(expired.as_ref().unwrap_err().message, "The code expired before you finished. Get a new code and try again.");
    assert_eq!(code(expired), Code::SigninTimedOut);
    idp.set_device_code_lifetime(Duration::from_secs(900));

    // Cancel while the code is shown.
    let (tx, rx) = tokio::sync::oneshot::channel();
    let tx = std::sync::Mutex::new(Some(tx));
    let a2 = h.assistant.clone();
    let waiting = tokio::spawn(async move {
        a2.sign_in_with_device_code("microsoft", move |_| {
            if let Some(tx) = tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
        })
        .await
    });
    rx.await.unwrap();
    a.sign_in_cancel("microsoft").unwrap();
    assert_eq!(code(waiting.await.unwrap()), Code::SigninCancelled);

    // Approved, but redeemed at a token endpoint that never issued the code.
    let (_other, other) = self::idp().await;
    let dir = tempfile::tempdir().unwrap();
    let (e, elsewhere) = (simulator::idp_endpoints(&base).entra, simulator::idp_endpoints(&other.base_url()).entra);
    write(
        &dir.path().join("config/signin.toml"),
        &format!(
            "[microsoft]\nclient_id = \"{CLIENT}\"\ntoken_url = \"{}\"\ndevice_authorization_url = \"{}\"\n",
            elsewhere.token,
            e.device_authorization.unwrap()
        ),
    );
    let h2 = start_with(dir, Mode::Live, Some(Arc::new(signin::MemoryTokenStore::default())), None).await;
    assert_eq!(
        code(h2.assistant.sign_in_with_device_code("microsoft", user_at_the_page(DeviceAnswer::Approve)).await),
        Code::SigninRejected
    );

    // A device authorization endpoint that can't be reached.
    let dir = tempfile::tempdir().unwrap();
    let closed = format!("{}/organizations/oauth2/v2.0/devicecode", closed_port());
    write(
        &dir.path().join("config/signin.toml"),
        &format!("[microsoft]\nclient_id = \"{CLIENT}\"\ndevice_authorization_url = \"{closed}\"\n"),
    );
    let h3 = start_with(dir, Mode::Live, Some(Arc::new(signin::MemoryTokenStore::default())), None).await;
    assert_eq!(code(h3.assistant.sign_in_with_device_code("microsoft", |_| {}).await), Code::Network);

    // And approved at the page: signed in, as the status then says.
    let who = a.sign_in_with_device_code("microsoft", user_at_the_page(DeviceAnswer::Approve)).await.expect("signed in");
    let status = a.signin_status().await;
    let microsoft = &status.providers[0];
    assert_eq!((microsoft.signed_in.as_ref(), microsoft.pending, microsoft.device_code), (Some(&who), false, true));
    assert!(!status.providers[1].device_code, "Pinecone: not offered");
}
