//! KeyringTokenStore against the real OS keyring (Secret Service here; scripts/test.sh starts a
//! D-Bus session with an unlocked gnome-keyring). Each test uses its own service name.

use signin::{KeyringTokenStore, ProviderId, Secret, StoredTokens, TokenStore, TokenStoreError};

fn service(test: &str) -> String {
    format!("io.pinecone.billing-assistant.test.{test}.{}", std::process::id())
}

fn tokens(access_len: usize) -> StoredTokens {
    StoredTokens {
        access_token: Secret::new("A".repeat(access_len)),
        refresh_token: Some(Secret::new("refresh-ü-token")),
        expires_at: Some(42),
        id_token: Some(Secret::new("h.e.s")),
        name: Some("Ada Owner".into()),
        email: Some("ada@example.com".into()),
        method: Default::default(),
    }
}

fn entry_exists(service: &str, account: &str) -> bool {
    keyring::Entry::new(service, account).unwrap().get_password().is_ok()
}

#[test]
fn large_tokens_are_chunked_and_read_back_whole() {
    let svc = service("chunks");
    let store = KeyringTokenStore::new(&svc);
    // An Entra-sized token: far over Windows' 2560-byte limit for one credential.
    let big = tokens(6000);
    store.save(ProviderId::Microsoft, &big).unwrap();
    assert!(entry_exists(&svc, "microsoft/tokens/a/5"), "split into at least six parts");
    assert_eq!(store.load(ProviderId::Microsoft).unwrap(), Some(big));

    // The next save goes to the other slot, and the old slot's parts are removed after the switch.
    store.save(ProviderId::Microsoft, &tokens(10)).unwrap();
    assert!(entry_exists(&svc, "microsoft/tokens/b/0"));
    assert!(!entry_exists(&svc, "microsoft/tokens/a/0") && !entry_exists(&svc, "microsoft/tokens/a/5"));
    assert_eq!(store.load(ProviderId::Microsoft).unwrap(), Some(tokens(10)));

    store.delete(ProviderId::Microsoft).unwrap();
    assert_eq!(store.load(ProviderId::Microsoft).unwrap(), None);
    assert!(!entry_exists(&svc, "microsoft/tokens") && !entry_exists(&svc, "microsoft/tokens/b/0"));
    store.delete(ProviderId::Microsoft).expect("deleting twice is fine");
}

#[test]
fn providers_and_apps_are_namespaced() {
    let (a, b) = (KeyringTokenStore::new(service("ns-a")), KeyringTokenStore::new(service("ns-b")));
    a.save(ProviderId::Pinecone, &tokens(5)).unwrap();
    assert_eq!(a.load(ProviderId::Microsoft).unwrap(), None, "another provider");
    assert_eq!(b.load(ProviderId::Pinecone).unwrap(), None, "another app identifier");
    a.delete(ProviderId::Pinecone).unwrap();
}

#[test]
fn a_damaged_entry_is_a_clear_error_and_signing_in_again_replaces_it() {
    let svc = service("corrupt");
    let store = KeyringTokenStore::new(&svc);
    keyring::Entry::new(&svc, "pinecone/tokens").unwrap().set_password("{not json").unwrap();
    assert!(matches!(store.load(ProviderId::Pinecone), Err(TokenStoreError::Corrupt(_))));
    keyring::Entry::new(&svc, "pinecone/tokens").unwrap().set_password(r#"{"v":1,"chunks":2}"#).unwrap();
    let err = store.load(ProviderId::Pinecone).unwrap_err();
    assert!(err.to_string().contains("sign in again"), "{err}");
    store.save(ProviderId::Pinecone, &tokens(3)).unwrap();
    assert_eq!(store.load(ProviderId::Pinecone).unwrap(), Some(tokens(3)));
    store.delete(ProviderId::Pinecone).unwrap();
}

#[test]
fn sign_out_removes_parts_even_when_the_manifest_is_damaged() {
    let svc = service("orphans");
    let store = KeyringTokenStore::new(&svc);
    store.save(ProviderId::Pinecone, &tokens(3000)).unwrap();
    keyring::Entry::new(&svc, "pinecone/tokens").unwrap().set_password("garbage").unwrap();
    store.delete(ProviderId::Pinecone).unwrap();
    assert!(
        !entry_exists(&svc, "pinecone/tokens/a/0") && !entry_exists(&svc, "pinecone/tokens/a/2"),
        "no token part is left behind"
    );
    assert!(!entry_exists(&svc, "pinecone/tokens"));
}
