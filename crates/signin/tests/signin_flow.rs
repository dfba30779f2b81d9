//! Whole sign-ins against the embedded identity provider on a real socket, through the same
//! registry the app uses ([`SignIns`]): both providers' URL shapes, query and form_post
//! callbacks, a denied consent, refresh after expiry, and no secret in anything printable.

use signin::{
    CallbackError, MemoryTokenStore, ProviderConfig, ProviderId, SignInConfig, SignInError, SignInEvent, SignIns, TokenStore,
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
    c.response_mode = response_mode.parse().unwrap();
    let endpoints = simulator::idp_endpoints(base);
    let e = match provider {
        ProviderId::Microsoft => endpoints.entra,
        ProviderId::Pinecone => endpoints.pinecone,
    };
    (c.authorize_url, c.token_url, c.userinfo_url, c.issuer) = (e.authorize, e.token, e.userinfo, Some(e.issuer));
    c
}

/// The user's browser: follows the IdP's redirect (or form_post page) back to the listener.
async fn browse(url: String) {
    simulator::browser::visit(&url).await.expect("the scripted browser reaches the listener");
}

fn opener() -> impl FnOnce(&str) -> Result<(), String> {
    |url: &str| {
        tokio::spawn(browse(url.to_owned()));
        Ok(())
    }
}

/// The registry with `provider` pointed at the IdP at `base`, keeping tokens in `store`.
fn sign_ins(provider: ProviderId, base: &str, mode: &str, store: Arc<dyn TokenStore>) -> SignIns {
    let mut settings = SignInConfig::defaults();
    *settings.provider_mut(provider) = config(provider, base, mode);
    SignIns::new(Ok(settings), store)
}

async fn run(provider: ProviderId, mode: &str) -> (Idp, Arc<MemoryTokenStore>, Vec<SignInEvent>) {
    let (idp, running) = idp().await;
    let store = Arc::new(MemoryTokenStore::default());
    let events = Arc::new(Mutex::new(Vec::new()));
    let log = events.clone();
    let who = sign_ins(provider, &running.base_url(), mode, store.clone())
        .sign_in(provider, None, opener(), move |e| log.lock().unwrap().push(e))
        .await
        .expect("sign-in succeeds");
    assert_eq!((who.name.as_deref(), who.email.as_deref()), (Some("Ada Owner"), Some("ada@example.com")));
    let tokens = store.load(provider).unwrap().expect("the tokens are saved");
    assert!(idp.access_token_is_valid(tokens.access_token.expose()));
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
async fn the_name_and_email_come_from_userinfo_when_the_id_token_has_none() {
    let (idp, running) = idp().await;
    idp.set_identity_in_id_token(false);
    let store = Arc::new(MemoryTokenStore::default());
    let who = sign_ins(ProviderId::Pinecone, &running.base_url(), "query", store.clone())
        .sign_in(ProviderId::Pinecone, None, opener(), |_| {})
        .await
        .expect("sign-in succeeds");
    assert_eq!((who.name.as_deref(), who.email.as_deref()), (Some("Ada Owner"), Some("ada@example.com")), "from /userinfo");
    let saved = store.load(ProviderId::Pinecone).unwrap().unwrap();
    assert_eq!(signin::Identity::from(&saved), who, "and kept with the tokens, so a restart shows them too");
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
    let store = Arc::new(MemoryTokenStore::default());
    let err = sign_ins(ProviderId::Pinecone, &running.base_url(), "query", store.clone())
        .sign_in(ProviderId::Pinecone, None, opener(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SignInError::Callback(CallbackError::Provider { error, description })
            if error == "access_denied" && description.contains("The user declined to sign in.")),
        "{err:?}"
    );
    assert_eq!(store.load(ProviderId::Pinecone).unwrap(), None, "nothing is kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_that_fails_to_open_is_reported_and_the_wait_goes_on() {
    let (_idp, running) = idp().await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let log = events.clone();
    let result = sign_ins(ProviderId::Pinecone, &running.base_url(), "query", Arc::new(MemoryTokenStore::default()))
        .sign_in(
            ProviderId::Pinecone,
            None,
            |url: &str| {
                // The user copies the link by hand a moment later.
                tokio::spawn(browse(url.to_owned()));
                Err("No valid browsers detected".into())
            },
            move |e| log.lock().unwrap().push(e),
        )
        .await;
    assert!(result.is_ok(), "{result:?}");
    assert!(
        matches!(&events.lock().unwrap()[1], SignInEvent::BrowserFailed { message } if message.contains("No valid browsers"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unconfigured_provider_is_a_clear_error() {
    let err = SignIns::new(Ok(SignInConfig::defaults()), Arc::new(MemoryTokenStore::default()))
        .sign_in(ProviderId::Microsoft, None, |_: &str| panic!("no browser without a client id"), |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, SignInError::NotConfigured(ref name) if name == "Microsoft"), "{err:?}");
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
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::default());
    let registry = sign_ins(provider, &running.base_url(), "query", store.clone());
    registry.sign_in(provider, None, opener(), |_| {}).await.unwrap();
    let first = store.load(provider).unwrap().unwrap();
    assert!(first.is_expired());
    idp.set_access_lifetime(Duration::from_secs(3600));
    let requests = idp.token_requests();
    let fresh = registry.current(provider).await.unwrap().unwrap();
    assert_eq!(idp.token_requests(), requests + 1, "one refresh request");
    assert_ne!(fresh.access_token, first.access_token);
    assert!(idp.access_token_is_valid(fresh.access_token.expose()));
    assert_eq!(fresh.email.as_deref(), Some("ada@example.com"));
    assert_eq!(store.load(provider).unwrap(), Some(fresh.clone()), "the refreshed tokens are saved");
    let again = registry.current(provider).await.unwrap().unwrap();
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
