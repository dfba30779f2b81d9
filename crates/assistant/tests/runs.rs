//! The orchestration rules the assistant owns, tested without Tauri against the simulator:
//! a check's answer from before Start over (or a demo reset) is refused; a finished sign-in is
//! saved only after a running token lookup; and "keep sign-ins in memory" takes effect even for
//! a sign-in already waiting in the browser.

mod common;

use assistant::{CheckResult, Code, Error, Mode};
use common::{demo_with, start, BrokenKeyring, BrowserMode, GatedStore};
use signin::{ProviderId, SignInEvent, Storage};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use wizard::StepState;

/// A demo signed in with Pinecone, on the connect flow's first step (whose check, once it runs,
/// verifies the step and notes the org).
async fn signed_in_on_step_one(store: Arc<GatedStore>) -> common::Harness {
    let h = demo_with(store).await;
    h.assistant.sign_in("pinecone", None, |_| {}).await.expect("demo sign-in");
    h.assistant.choose_flow("connect-existing-org".into()).await.unwrap();
    h
}

/// Starts step one's check and holds it in the middle, at its token lookup.
async fn a_held_check(h: &common::Harness, store: &GatedStore) -> tokio::task::JoinHandle<Result<CheckResult, Error>> {
    store.close();
    let a = h.assistant.clone();
    let check = tokio::spawn(async move { a.run_check("open-billing").await });
    store.until_held().await;
    check
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_still_running_when_the_user_starts_over_is_refused_and_writes_nothing() {
    let store = Arc::new(GatedStore::default());
    let h = signed_in_on_step_one(store.clone()).await;
    let check = a_held_check(&h, &store).await;

    h.assistant.start_over().await.unwrap();
    // The user picks the same flow again before the old check answers.
    h.assistant.choose_flow("connect-existing-org".into()).await.unwrap();
    store.open();

    let err = check.await.unwrap().unwrap_err();
    assert_eq!(err.code, Code::StartedOver, "{err:?}");
    let now = h.assistant.state();
    assert_eq!(now.steps[0].state, StepState::Current, "the old run's answer didn't verify the new run's step");
    let saved = std::fs::read_to_string(h.dir.path().join("data/demo/progress.json")).unwrap();
    assert!(!saved.contains("findings") && !saved.contains("verified"), "nothing of the old run was saved: {saved}");

    // The same check in the new run is recorded.
    let result = h.assistant.run_check("open-billing").await.unwrap();
    assert!(result.snapshot.steps[0].verified_at.is_some(), "{:?}", result.outcome);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_still_running_when_the_demo_resets_is_refused() {
    let store = Arc::new(GatedStore::default());
    let h = signed_in_on_step_one(store.clone()).await;
    let check = a_held_check(&h, &store).await;

    let snap = h.assistant.demo_reset(Some("not-owner".into())).await.unwrap();
    assert_eq!(snap.flow, None);
    h.assistant.choose_flow("connect-existing-org".into()).await.unwrap();
    store.open();

    assert_eq!(check.await.unwrap().unwrap_err().code, Code::StartedOver);
    assert_eq!(h.assistant.state().steps[0].verified_at, None);
    assert!(h.assistant.state().steps.iter().all(|s| s.state != StepState::Verified));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finished_sign_in_is_saved_only_after_a_running_token_lookup() {
    let store = Arc::new(GatedStore::default());
    let h = demo_with(store.clone()).await;
    h.assistant.choose_flow("connect-existing-org".into()).await.unwrap();
    let check = a_held_check(&h, &store).await;

    let exchanged = Arc::new(Mutex::new(false));
    let seen = exchanged.clone();
    let a = h.assistant.clone();
    let sign_in = tokio::spawn(async move {
        a.sign_in("pinecone", None, move |e| {
            if matches!(e, SignInEvent::Exchanging { .. }) {
                *seen.lock().unwrap() = true;
            }
        })
        .await
    });
    for _ in 0..200 {
        if *exchanged.lock().unwrap() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(*exchanged.lock().unwrap(), "the browser came back and the code is being exchanged");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!sign_in.is_finished(), "a lookup (which may refresh) is running: the save waits for it");
    assert!(store.peek(ProviderId::Pinecone).is_none(), "nothing saved yet");

    store.open();
    let who = sign_in.await.unwrap().expect("the sign-in finishes once the lookup is done");
    assert_eq!(who.email.as_deref(), Some("dana@acme.example"));
    check.await.unwrap().unwrap();
    assert!(store.peek(ProviderId::Pinecone).is_some(), "and its tokens are kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_keyring_sign_ins_can_be_kept_in_memory_even_one_already_waiting() {
    let h = start(Mode::Demo, Some(Arc::new(BrokenKeyring { unavailable: true }))).await;
    let status = h.assistant.signin_status().await;
    assert_eq!(status.storage, Storage::Keyring);
    assert!(status.keyring_problem.as_deref().is_some_and(|p| p.contains("keyring isn't available")), "{status:?}");
    assert_eq!(status.providers[1].problem.as_ref().map(|p| p.code), Some(Code::KeyringUnavailable));
    let err = h.assistant.sign_in("pinecone", None, |_| {}).await.unwrap_err();
    assert_eq!(err.code, Code::KeyringUnavailable, "nothing is kept anywhere else");

    // A sign-in waits in the browser while the user chooses "keep sign-ins for this run only".
    h.browser.set(BrowserMode::Record);
    let a = h.assistant.clone();
    let waiting = tokio::spawn(async move { a.sign_in("pinecone", None, |_| {}).await });
    while h.browser.opened.lock().len() < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    h.assistant.use_memory_tokens();
    simulator::browser::visit(&h.browser.last().unwrap()).await.unwrap();
    waiting.await.unwrap().expect("saved into the store chosen meanwhile");

    let status = h.assistant.signin_status().await;
    assert_eq!((status.storage, status.keyring_problem), (Storage::Memory, None));
    let pinecone = &status.providers[1];
    assert_eq!(pinecone.signed_in.as_ref().and_then(|w| w.email.as_deref()), Some("dana@acme.example"));
}
