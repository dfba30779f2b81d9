//! Whole device-code sign-ins (RFC 8628) against the embedded Entra on a real socket, through the
//! registry the app uses ([`SignIns`]), with the user entering the code on the simulated
//! verification page: it ends as a loopback sign-in does (tokens saved, the identity read, not
//! pending any more); `slow_down` makes every later poll wait 5 s more; an expired, declined,
//! unrecognised or cancelled code ends with its own error and keeps nothing; and the user code
//! never shows in anything printable.

use signin::{
    CallbackError, DeviceCodeError, MemoryTokenStore, ProviderId, SignInConfig, SignInError, SignInEvent, SignIns, TokenStore,
};
use simulator::{
    browser::{device_login, DeviceAnswer},
    Idp, IdpUser, Running,
};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const MS: ProviderId = ProviderId::Microsoft;

async fn idp() -> (Idp, Running) {
    let user = IdpUser { subject: "u-1".into(), name: "Ada Owner".into(), email: "ada@example.com".into() };
    let idp = Idp::new(user, &["test-client"]);
    // Short, so the tests take seconds; the pacing rules are the same at any interval.
    idp.set_device_code_interval(Duration::from_secs(1));
    let running = Running::start(idp.router()).await.unwrap();
    (idp, running)
}

/// The registry with Microsoft pointed at the IdP at `base` (its device endpoint too), or, with
/// `token_base`, with the token endpoint of another one.
fn sign_ins(base: &str, token_base: Option<&str>, store: Arc<dyn TokenStore>) -> SignIns {
    let mut settings = SignInConfig::defaults();
    let e = simulator::idp_endpoints(base).entra;
    let p = &mut settings.microsoft;
    p.client_id = "test-client".into();
    (p.authorize_url, p.issuer, p.device_authorization_url) = (e.authorize, Some(e.issuer), e.device_authorization);
    p.token_url = simulator::idp_endpoints(token_base.unwrap_or(base)).entra.token;
    SignIns::new(Ok(settings), store)
}

/// What the UI is sent, as it is sent, and the first code shown.
#[derive(Clone, Default)]
struct Shown(Arc<Mutex<Vec<SignInEvent>>>);

impl Shown {
    fn emit(&self) -> impl Fn(SignInEvent) + Send + Sync + 'static {
        let log = self.0.clone();
        move |e| log.lock().unwrap().push(e)
    }

    fn codes(&self) -> Vec<(String, String, Option<String>, u64, u64)> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                SignInEvent::DeviceCode {
                    user_code,
                    verification_uri,
                    verification_uri_complete,
                    remaining_ms,
                    interval_secs,
                } => Some((
                    user_code.expose().to_owned(),
                    verification_uri.clone(),
                    verification_uri_complete.as_ref().map(|u| u.expose().to_owned()),
                    *remaining_ms,
                    *interval_secs,
                )),
                _ => None,
            })
            .collect()
    }

    /// Waits for the code to be shown; returns the user code and the page to enter it on.
    async fn first(&self) -> (String, String, Option<String>) {
        for _ in 0..500 {
            if let Some((code, uri, complete, ..)) = self.codes().into_iter().next() {
                return (code, uri, complete);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no device code was shown");
    }
}

/// The user, at the verification page: types the code shown and answers.
async fn user_answers(shown: Shown, answer: DeviceAnswer) -> String {
    let (user_code, uri, _) = shown.first().await;
    device_login(&uri, Some(&user_code), answer).await.expect("the page answers")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_approved_code_ends_as_a_loopback_sign_in_does() {
    let (idp, running) = idp().await;
    let store = Arc::new(MemoryTokenStore::default());
    let sign_ins = sign_ins(&running.base_url(), None, store.clone());
    assert!(sign_ins.device_code_available(MS) && !sign_ins.device_code_available(ProviderId::Pinecone));
    let shown = Shown::default();
    let user = tokio::spawn(user_answers(shown.clone(), DeviceAnswer::Approve));
    let who = sign_ins.sign_in_with_device_code(MS, shown.emit()).await.expect("signed in");
    assert!(user.await.unwrap().contains("device-approved"));

    assert_eq!((who.name.as_deref(), who.email.as_deref()), (Some("Ada Owner"), Some("ada@example.com")));
    let saved = store.load(MS).unwrap().expect("the tokens are saved");
    assert!(idp.access_token_is_valid(saved.access_token.expose()));
    assert!(saved.refresh_token.is_some(), "renewed like any other sign-in");
    assert_eq!(sign_ins.saved_identity(MS).await.unwrap(), Some(who.clone()), "the status reads the same identity");
    assert_eq!(who.method, signin::SignInMethod::Browser);
    assert!(!sign_ins.is_pending(MS));

    let codes = shown.codes();
    assert_eq!(codes.len(), 1, "no slow_down, so shown once: {:?}", shown.0.lock().unwrap());
    let (user_code, uri, complete, remaining_ms, interval) = codes[0].clone();
    assert!(uri.ends_with("/devicelogin") && complete.is_none(), "Entra sends no complete URI");
    assert_eq!(interval, 1);
    assert!(remaining_ms > 890_000 && remaining_ms <= 900_000, "the code's 15 minutes: {remaining_ms}");
    // Paced as asked: the first poll waited an interval, and none came too soon.
    assert!(idp.device_polls().len() <= 2, "{:?}", idp.device_polls());

    // Nothing printable carries the user code or any other secret the IdP issued.
    let printed = format!("{:?} {:?} {:?}", shown.0.lock().unwrap(), saved, who);
    assert!(!printed.contains(&user_code), "the user code is in Debug output: {printed}");
    for secret in idp.issued().all() {
        assert!(!printed.contains(secret.as_str()), "a secret is in Debug output");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_complete_verification_uri_opens_the_page_with_the_code_filled_in() {
    let (idp, running) = idp().await;
    idp.set_verification_uri_complete(true);
    let store = Arc::new(MemoryTokenStore::default());
    let shown = Shown::default();
    let seen = shown.clone();
    let user = tokio::spawn(async move {
        let (user_code, _, complete) = seen.first().await;
        let complete = complete.expect("sent on request");
        assert!(complete.contains(&user_code));
        device_login(&complete, None, DeviceAnswer::Approve).await.unwrap()
    });
    sign_ins(&running.base_url(), None, store.clone()).sign_in_with_device_code(MS, shown.emit()).await.expect("signed in");
    assert!(user.await.unwrap().contains("device-approved"));
    assert!(store.load(MS).unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_down_adds_five_seconds_to_every_later_poll_and_the_ui_is_told() {
    let (idp, running) = idp().await;
    let sign_ins = sign_ins(&running.base_url(), None, Arc::new(MemoryTokenStore::default()));
    let shown = Shown::default();
    let (busy, watched) = (idp.clone(), shown.clone());
    let user = tokio::spawn(async move {
        // After the first poll the server gets busy; the user approves meanwhile.
        while busy.device_polls().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        busy.slow_down_next_polls(1);
        user_answers(watched, DeviceAnswer::Approve).await
    });
    let started = Instant::now();
    sign_ins.sign_in_with_device_code(MS, shown.emit()).await.expect("signed in after the slow_down");
    user.await.unwrap();

    let polls = idp.device_polls();
    assert_eq!(polls.len(), 3, "pending, slow_down, tokens: none too soon, or the server would have said slow_down again");
    let (before, after) = (polls[1] - polls[0], polls[2] - polls[1]);
    assert!(before >= Duration::from_secs(1) && before < Duration::from_secs(3), "polled at the interval: {before:?}");
    assert!(after >= Duration::from_secs(6), "1 s + 5 s after slow_down: {after:?}");
    assert!(polls[0] - started >= Duration::from_secs(1), "the first poll waited an interval too");
    let intervals: Vec<u64> = shown.codes().iter().map(|c| c.4).collect();
    assert_eq!(intervals, [1, 6], "a fresh event with the new interval");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_code_nobody_enters_expires_with_a_clear_error() {
    let (idp, running) = idp().await;
    idp.set_device_code_lifetime(Duration::from_secs(2));
    let store = Arc::new(MemoryTokenStore::default());
    let sign_ins = sign_ins(&running.base_url(), None, store.clone());
    let started = Instant::now();
    let err = sign_ins.sign_in_with_device_code(MS, |_| {}).await.unwrap_err();
    assert!(matches!(err, SignInError::DeviceCode(DeviceCodeError::Expired)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "ended when the code did: {:?}", started.elapsed());
    assert_eq!(store.load(MS).unwrap(), None);
    assert!(!sign_ins.is_pending(MS));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declined_code_ends_declined_and_keeps_nothing() {
    let (_idp, running) = idp().await;
    let store = Arc::new(MemoryTokenStore::default());
    let shown = Shown::default();
    let user = tokio::spawn(user_answers(shown.clone(), DeviceAnswer::Decline));
    let err = sign_ins(&running.base_url(), None, store.clone()).sign_in_with_device_code(MS, shown.emit()).await.unwrap_err();
    assert!(user.await.unwrap().contains("device-declined"));
    assert!(
        matches!(&err, SignInError::DeviceCode(DeviceCodeError::Declined { error, .. }) if error == "authorization_declined"),
        "{err:?}"
    );
    assert_eq!(store.load(MS).unwrap(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_code_the_token_endpoint_does_not_know_is_an_error() {
    // The code comes from one IdP and is redeemed at another, which never issued it.
    let (_idp, running) = idp().await;
    let (_other, other) = idp().await;
    let store = Arc::new(MemoryTokenStore::default());
    let err = sign_ins(&running.base_url(), Some(&other.base_url()), store.clone())
        .sign_in_with_device_code(MS, |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SignInError::DeviceCode(DeviceCodeError::NotAccepted { error, .. }) if error == "bad_verification_code"),
        "{err:?}"
    );
    assert_eq!(store.load(MS).unwrap(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_ends_it_at_once_and_a_new_sign_in_replaces_it() {
    let (_idp, running) = idp().await;
    let store = Arc::new(MemoryTokenStore::default());
    let sign_ins = Arc::new(sign_ins(&running.base_url(), None, store.clone()));
    let shown = Shown::default();
    let s = sign_ins.clone();
    let emit = shown.emit();
    let waiting = tokio::spawn(async move { s.sign_in_with_device_code(MS, emit).await });
    let (user_code, uri, _) = shown.first().await;
    assert!(sign_ins.is_pending(MS));
    let left = sign_ins.extend(MS, Duration::from_secs(300)).unwrap();
    assert!(left <= Duration::from_secs(900), "the code's lifetime is the provider's; Extend can't move it: {left:?}");
    sign_ins.cancel(MS);
    let err = tokio::time::timeout(Duration::from_secs(2), waiting).await.expect("ends at once").unwrap().unwrap_err();
    assert!(matches!(err, SignInError::Callback(CallbackError::Cancelled)), "{err:?}");
    assert_eq!(store.load(MS).unwrap(), None);
    // The code it showed is no use any more: nobody polls for it.
    assert!(device_login(&uri, Some(&user_code), DeviceAnswer::Approve).await.unwrap().contains("device-approved"));
    assert_eq!(store.load(MS).unwrap(), None);
    assert!(!sign_ins.is_pending(MS));

    // One sign-in per provider: a new one (of either kind) replaces a waiting device code.
    let (s, second) = (sign_ins.clone(), Shown::default());
    let emit = second.emit();
    let first = tokio::spawn(async move { s.sign_in_with_device_code(MS, emit).await });
    second.first().await;
    let replacing = Shown::default();
    let user = tokio::spawn(user_answers(replacing.clone(), DeviceAnswer::Approve));
    sign_ins.sign_in_with_device_code(MS, replacing.emit()).await.expect("the newer one signs in");
    user.await.unwrap();
    let err = first.await.unwrap().unwrap_err();
    assert!(matches!(err, SignInError::Callback(CallbackError::Cancelled)), "{err:?}");
    assert!(store.load(MS).unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_client_id_or_a_device_endpoint_it_is_refused() {
    let (_idp, running) = idp().await;
    let sign_ins = sign_ins(&running.base_url(), None, Arc::new(MemoryTokenStore::default()));
    let err = sign_ins.sign_in_with_device_code(ProviderId::Pinecone, |_| {}).await.unwrap_err();
    assert!(matches!(err, SignInError::NotConfigured(_)), "Pinecone has no client id here: {err:?}");
    let mut settings = SignInConfig::defaults();
    settings.pinecone.client_id = "test-client".into();
    let err = SignIns::new(Ok(settings), Arc::new(MemoryTokenStore::default()))
        .sign_in_with_device_code(ProviderId::Pinecone, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, SignInError::DeviceCode(DeviceCodeError::Unavailable(ref n)) if n == "Pinecone"), "{err:?}");
}
