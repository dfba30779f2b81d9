//! Prints how long the keyring store's save, load and sign-out take against the OS keyring
//! (`scripts/headless.sh cargo run -p signin --example keyring_timing`).

use signin::{KeyringTokenStore, ProviderId, Secret, StoredTokens, TokenStore};
use std::time::Instant;

fn main() {
    let svc = format!("io.pinecone.billing-assistant.timing.{}", std::process::id());
    let store = KeyringTokenStore::new(&svc);
    let t = StoredTokens {
        access_token: Secret::new("A".repeat(3000)),
        refresh_token: Some(Secret::new("r".repeat(800))),
        expires_at: Some(1),
        id_token: Some(Secret::new("i".repeat(1500))),
        name: Some("Ada".into()),
        email: Some("ada@example.com".into()),
        method: Default::default(),
    };
    for _ in 0..3 {
        let a = Instant::now();
        store.save(ProviderId::Pinecone, &t).unwrap();
        let b = Instant::now();
        store.load(ProviderId::Pinecone).unwrap();
        let c = Instant::now();
        store.delete(ProviderId::Pinecone).unwrap();
        let d = Instant::now();
        println!("save {:?} load {:?} sign-out {:?}", b - a, c - b, d - c);
    }
}
