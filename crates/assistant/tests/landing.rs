//! "Open the Configure account page again" opens what Azure's `listAccessToken` answers, in the
//! system browser. In live mode only an https page on Pinecone's own site is opened; anything else
//! Azure (or something pretending to be Azure) could answer is refused with a clear message, and
//! the browser is never asked.

mod common;

use assistant::{ApiBases, Code, Mode};
use common::{start_with, BrowserMode};
use signin::{MemoryTokenStore, ProviderId, Secret, StoredTokens, TokenStore};
use simulator::{Demo, Scenario, ARM_AUDIENCE};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread")]
async fn only_pinecones_own_https_pages_are_opened() {
    let demo = Demo::start(Scenario::HappyPath).await.unwrap();
    let store = Arc::new(MemoryTokenStore::default());
    let tokens = StoredTokens {
        access_token: Secret::new(demo.idp.issue_access_token(ARM_AUDIENCE)),
        refresh_token: None,
        expires_at: None,
        id_token: None,
        name: None,
        email: None,
        method: Default::default(),
    };
    store.save(ProviderId::Microsoft, &tokens).unwrap();
    let bases = ApiBases { pinecone: demo.base_url(), arm: demo.base_url() };
    let h = start_with(tempfile::tempdir().unwrap(), Mode::Live, Some(store), Some(bases)).await;
    h.browser.set(BrowserMode::Record);
    demo.world.subscribe("rg", "pinecone-payg", true);

    let cases = [
        ("https://app.pinecone.io/pinecone/azure/landing", true),
        ("https://pinecone.io/azure/landing", true),
        ("http://app.pinecone.io/pinecone/azure/landing", false),
        ("https://evil.example/pinecone/azure/landing", false),
        ("https://app.pinecone.io.evil.example/landing", false),
        ("https://evilpinecone.io/landing", false),
        ("file:///etc/passwd", false),
        ("javascript:alert(1)", false),
        ("/home/user/.ssh/id_rsa", false),
    ];
    for (landing, allowed) in cases {
        demo.world.set_landing_base(landing);
        let before = h.browser.opened.lock().len();
        let result = h.assistant.regenerate_link().await;
        let opened = h.browser.opened.lock().len() - before;
        if allowed {
            let url = result.unwrap_or_else(|e| panic!("{landing}: {e:?}"));
            assert!(url.starts_with(landing) && url.contains("token="), "{url}");
            assert_eq!(opened, 1, "{landing} was opened");
        } else {
            let err = result.expect_err(landing);
            assert_eq!(err.code, Code::ApiError, "{landing}");
            assert!(err.message.contains("won't open") && err.message.contains("Azure portal"), "{landing}: {}", err.message);
            assert_eq!(opened, 0, "{landing} was not opened");
        }
    }
}
