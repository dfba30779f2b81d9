//! Whole sign-ins against the embedded identity provider on a real socket: both providers' URL
//! shapes, query and form_post callbacks, a denied consent, refresh after expiry, and no secret in
//! anything printable.

use signin::{
    current_tokens, oauth::http_client, sign_in, MemoryTokenStore, ProviderConfig, ProviderId, SignInConfig, SignInEvent,
    TokenStore, WaitControl,
};
use simulator::{Idp, IdpBehaviour, IdpUser, Running};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

async fn idp() -> (Idp, Running) {
    let idp =
        Idp::new(IdpUser { subject: "u-1".into(), name: "Ada Owner".into(), email: "ada@example.com".into() }, &["test-client"]);
    let running = Running::start(idp.router()).await.unwrap();
    (idp, running)
}

fn config(provider: ProviderId, base: &str, response_mode: &str) -> ProviderConfig {
    let mut c = SignInConfig::defaults().provider(provider).clone();
    c.client_id = "test-client".into();
    c.response_mode = response_mode.into();
    match provider {
        ProviderId::Microsoft => {
            c.authorize_url = format!("{base}/{{tenant}}/oauth2/v2.0/authorize");
            c.token_url = format!("{base}/{{tenant}}/oauth2/v2.0/token");
        }
        ProviderId::Pinecone => {
            c.authorize_url = format!("{base}/oauth/authorize");
            c.token_url = format!("{base}/oauth/token");
        }
    }
    c
}

/// A scripted browser: follows redirects, and submits a form_post page the way a browser's
/// onload script would.
async fn browse(url: String) {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut next = url;
    for _ in 0..5 {
        let resp = http.get(&next).send().await.expect("browser GET");
        if let Some(location) = resp.headers().get("location") {
            next = location.to_str().unwrap().to_owned();
            continue;
        }
        let body = resp.text().await.unwrap();
        if let Some(action) = attr(&body, "action") {
            let fields: Vec<(String, String)> = body
                .split("<input ")
                .skip(1)
                .map(|i| (attr(i, "name").unwrap(), attr(i, "value").unwrap().replace("&amp;", "&")))
                .collect();
            http.post(action).form(&fields).send().await.expect("browser POST");
        }
        return;
    }
}

fn attr(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("{name}=\""))? + name.len() + 2;
    Some(html[start..][..html[start..].find('"')?].to_owned())
}

fn opener() -> impl FnOnce(&str) -> Result<(), String> {
    |url: &str| {
        tokio::spawn(browse(url.to_owned()));
        Ok(())
    }
}

async fn run(provider: ProviderId, mode: &str) -> (Idp, Arc<MemoryTokenStore>, Vec<SignInEvent>) {
    let (idp, running) = idp().await;
    let store = Arc::new(MemoryTokenStore::default());
    let events = Arc::new(Mutex::new(Vec::new()));
    let log = events.clone();
    let tokens = sign_in(
        provider,
        &config(provider, &running.base_url(), mode),
        &http_client(),
        store.clone(),
        &WaitControl::new(Duration::from_secs(10)),
        opener(),
        move |e| log.lock().unwrap().push(e),
    )
    .await
    .expect("sign-in succeeds");
    assert_eq!((tokens.name.as_deref(), tokens.email.as_deref()), (Some("Ada Owner"), Some("ada@example.com")));
    assert!(idp.access_token_is_valid(tokens.access_token.expose()));
    assert_eq!(store.load(provider).unwrap(), Some(tokens));
    let events = events.lock().unwrap().clone();
    (idp, store, events)
}

#[tokio::test(flavor = "multi_thread")]
async fn pinecone_sign_in_with_a_query_callback() {
    let (_idp, _store, events) = run(ProviderId::Pinecone, "query").await;
    assert!(matches!(&events[0], SignInEvent::Waiting { authorize_url, pairing, .. }
        if authorize_url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A") && pairing.split(' ').count() == 3));
    assert!(matches!(events[1], SignInEvent::Exchanging { callback_at } if callback_at > 0));
    assert_eq!(events.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn microsoft_sign_in_with_a_form_post_callback_to_localhost() {
    let (_idp, _store, events) = run(ProviderId::Microsoft, "form_post").await;
    assert!(matches!(&events[0], SignInEvent::Waiting { authorize_url, .. }
        if authorize_url.contains("/organizations/oauth2/v2.0/authorize") && authorize_url.contains("redirect_uri=http%3A%2F%2Flocalhost%3A")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denied_consent_ends_with_the_providers_description() {
    let (idp, running) = idp().await;
    idp.set_behaviour(IdpBehaviour::Deny);
    let err = sign_in(
        ProviderId::Pinecone,
        &config(ProviderId::Pinecone, &running.base_url(), "query"),
        &http_client(),
        Arc::new(MemoryTokenStore::default()),
        &WaitControl::new(Duration::from_secs(10)),
        opener(),
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "signin_denied");
    assert!(err.user_message().contains("The user declined to sign in."), "{}", err.user_message());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_that_fails_to_open_is_reported_and_the_wait_goes_on() {
    let (_idp, running) = idp().await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let log = events.clone();
    let control = WaitControl::new(Duration::from_secs(10));
    let c = control.clone();
    let result = sign_in(
        ProviderId::Pinecone,
        &config(ProviderId::Pinecone, &running.base_url(), "query"),
        &http_client(),
        Arc::new(MemoryTokenStore::default()),
        &control,
        |url: &str| {
            // The user copies the link by hand a moment later.
            tokio::spawn(browse(url.to_owned()));
            Err("No valid browsers detected".into())
        },
        move |e| log.lock().unwrap().push(e),
    )
    .await;
    assert!(result.is_ok());
    assert!(
        matches!(&events.lock().unwrap()[1], SignInEvent::BrowserFailed { message } if message.contains("No valid browsers"))
    );
    drop(c);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unconfigured_provider_is_a_clear_error() {
    let err = sign_in(
        ProviderId::Microsoft,
        &SignInConfig::defaults().microsoft,
        &http_client(),
        Arc::new(MemoryTokenStore::default()),
        &WaitControl::new(Duration::from_secs(1)),
        |_: &str| panic!("no browser without a client id"),
        |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "signin_not_configured");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_refreshed_once_and_saved() {
    // Both, because their token endpoints differ: Entra also wants the scopes on a refresh.
    for provider in [ProviderId::Pinecone, ProviderId::Microsoft] {
        refresh_once(provider).await;
    }
}

async fn refresh_once(provider: ProviderId) {
    let (idp, running) = idp().await;
    idp.set_access_lifetime(Duration::ZERO);
    let cfg = config(provider, &running.base_url(), "query");
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::default());
    let first =
        sign_in(provider, &cfg, &http_client(), store.clone(), &WaitControl::new(Duration::from_secs(10)), opener(), |_| {})
            .await
            .unwrap();
    assert!(first.is_expired());
    idp.set_access_lifetime(Duration::from_secs(3600));
    let requests = idp.token_requests();
    let fresh = current_tokens(provider, &cfg, &http_client(), store.clone()).await.unwrap().unwrap();
    assert_eq!(idp.token_requests(), requests + 1, "one refresh request");
    assert_ne!(fresh.access_token, first.access_token);
    assert!(idp.access_token_is_valid(fresh.access_token.expose()));
    assert_eq!(fresh.email.as_deref(), Some("ada@example.com"));
    assert_eq!(store.load(provider).unwrap(), Some(fresh.clone()), "the refreshed tokens are saved");
    let again = current_tokens(provider, &cfg, &http_client(), store.clone()).await.unwrap().unwrap();
    assert_eq!(again, fresh);
    assert_eq!(idp.token_requests(), requests + 1, "a valid token isn't refreshed again");
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_printable_contains_a_secret() {
    let (idp, store, events) = run(ProviderId::Pinecone, "query").await;
    let printed = format!("{events:?} {:?} {:?}", store.load(ProviderId::Pinecone), serde_json::to_string(&events).unwrap());
    let issued = idp.issued();
    assert!(issued.all().count() >= 4);
    for secret in issued.all() {
        assert!(!printed.contains(secret.as_str()), "a secret appears in printable output");
    }
}
