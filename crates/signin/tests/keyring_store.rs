//! KeyringTokenStore against the real OS keyring (Secret Service here; scripts/test.sh starts a
//! D-Bus session with an unlocked gnome-keyring), in both layouts. Each test uses its own
//! service name. What failures do at each step is in keyring_faults.rs.

use signin::{KeyringTokenStore, Layout, OsKeyring, ProviderId, Secret, StoredTokens, TokenStore, TokenStoreError};
use std::sync::Arc;

fn service(test: &str) -> String {
    format!("io.pinecone.billing-assistant.test.{test}.{}", std::process::id())
}

fn store(svc: &str, layout: Layout) -> KeyringTokenStore {
    KeyringTokenStore::with_entries(Arc::new(OsKeyring::new(svc)), layout)
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
fn this_platform_keeps_one_entry_per_provider() {
    assert_eq!(Layout::for_this_platform(), Layout::Single, "Linux and macOS have no small entry limit");
    let svc = service("single");
    let store = KeyringTokenStore::new(&svc);
    // An Entra-sized sign-in, far over Windows' limit, in one entry.
    let big = tokens(6000);
    store.save(ProviderId::Microsoft, &big).unwrap();
    assert!(!entry_exists(&svc, "microsoft/tokens/a/0"), "no parts");
    assert_eq!(store.load(ProviderId::Microsoft).unwrap(), Some(big));
    store.save(ProviderId::Microsoft, &tokens(10)).unwrap();
    assert_eq!(store.load(ProviderId::Microsoft).unwrap(), Some(tokens(10)));
    store.delete(ProviderId::Microsoft).unwrap();
    assert_eq!(store.load(ProviderId::Microsoft).unwrap(), None);
    assert!(!entry_exists(&svc, "microsoft/tokens"));
    store.delete(ProviderId::Microsoft).expect("deleting twice is fine");
}

#[test]
fn large_tokens_are_chunked_and_read_back_whole_in_the_chunked_layout() {
    let svc = service("chunks");
    let store = store(&svc, Layout::Chunked);
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
}

#[test]
fn a_sign_in_saved_by_the_previous_version_is_read_and_its_parts_go_with_the_next_save() {
    let svc = service("upgrade");
    // What the previous version wrote: a manifest and parts, on every platform.
    store(&svc, Layout::Chunked).save(ProviderId::Pinecone, &tokens(3000)).unwrap();
    let now = KeyringTokenStore::new(&svc);
    assert_eq!(now.load(ProviderId::Pinecone).unwrap(), Some(tokens(3000)));
    now.save(ProviderId::Pinecone, &tokens(5)).unwrap();
    assert!(!entry_exists(&svc, "pinecone/tokens/a/0") && !entry_exists(&svc, "pinecone/tokens/a/2"), "parts swept");
    assert_eq!(now.load(ProviderId::Pinecone).unwrap(), Some(tokens(5)));
    now.delete(ProviderId::Pinecone).unwrap();
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
    for layout in [Layout::Single, Layout::Chunked] {
        let store = store(&svc, layout);
        keyring::Entry::new(&svc, "pinecone/tokens").unwrap().set_password("{not json").unwrap();
        assert!(matches!(store.load(ProviderId::Pinecone), Err(TokenStoreError::Corrupt(_))));
        keyring::Entry::new(&svc, "pinecone/tokens").unwrap().set_password(r#"{"v":1,"chunks":2}"#).unwrap();
        let err = store.load(ProviderId::Pinecone).unwrap_err();
        assert!(err.to_string().contains("sign in again"), "{err}");
        store.save(ProviderId::Pinecone, &tokens(3)).unwrap();
        assert_eq!(store.load(ProviderId::Pinecone).unwrap(), Some(tokens(3)), "{layout:?}");
        store.delete(ProviderId::Pinecone).unwrap();
    }
}

#[test]
fn sign_out_removes_every_part_even_past_a_gap_and_with_the_manifest_damaged() {
    let svc = service("orphans");
    store(&svc, Layout::Chunked).save(ProviderId::Pinecone, &tokens(3000)).unwrap();
    // An earlier clear that stopped after part 0, then a damaged manifest.
    keyring::Entry::new(&svc, "pinecone/tokens/a/0").unwrap().delete_credential().unwrap();
    keyring::Entry::new(&svc, "pinecone/tokens").unwrap().set_password("garbage").unwrap();
    KeyringTokenStore::new(&svc).delete(ProviderId::Pinecone).unwrap();
    for account in ["pinecone/tokens", "pinecone/tokens/a/1", "pinecone/tokens/a/2"] {
        assert!(!entry_exists(&svc, account), "{account} is left behind");
    }
}
