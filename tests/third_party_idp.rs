//! The app's sign-in code, through the same registry the app uses, against a third-party OAuth
//! server: `oauth2-mock-server` from npm (installed by scripts/test.sh into tests/node), started
//! here on 127.0.0.1.

use signin::{MemoryTokenStore, ProviderId, SignInConfig, SignIns, TokenStore};
use std::{
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

struct MockServer(Child);

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start_mock_server() -> (MockServer, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let package = e2e::workspace_root().join("tests/node/node_modules/oauth2-mock-server");
    assert!(package.exists(), "{} is missing: run `npm ci --prefix tests/node` (scripts/test.sh does)", package.display());
    let child = Command::new("node")
        .arg(e2e::workspace_root().join("tests/node/oauth2-server.mjs"))
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start oauth2-mock-server with node");
    let server = MockServer(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "oauth2-mock-server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (server, port)
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_against_oauth2_mock_server() {
    let (_server, port) = start_mock_server().await;
    let mut config = SignInConfig::defaults();
    config.pinecone.client_id = "billing-assistant-test".into();
    config.pinecone.authorize_url = format!("http://127.0.0.1:{port}/authorize");
    config.pinecone.token_url = format!("http://127.0.0.1:{port}/token");
    config.pinecone.userinfo_url = Some(format!("http://127.0.0.1:{port}/userinfo"));
    // Its issuer, should it ever name itself in the authorization response (RFC 9207).
    config.pinecone.issuer = Some(format!("http://127.0.0.1:{port}"));

    let store = Arc::new(MemoryTokenStore::default());
    let opened = Arc::new(std::sync::Mutex::new(String::new()));
    let seen = opened.clone();
    let sign_ins = SignIns::new(Ok(config), store.clone());
    let who = sign_ins
        .sign_in(
            ProviderId::Pinecone,
            None,
            move |url: &str| {
                *seen.lock().unwrap() = url.to_owned();
                let url = url.to_owned();
                // The server answers /authorize with a 302 to our listener; a redirect-following client is the browser.
                tokio::spawn(async move { reqwest::get(url).await.map(|_| ()) });
                Ok(())
            },
            |_| {},
        )
        .await
        .expect("sign-in against oauth2-mock-server");
    let tokens = store.load(ProviderId::Pinecone).unwrap().expect("the tokens are saved");
    assert!(!tokens.access_token.expose().is_empty());
    assert!(tokens.expires_at.is_some());
    assert_eq!(who, signin::Identity::from(&tokens));
    assert_eq!(
        (who.name.as_deref(), who.email.as_deref()),
        (Some("John Doe"), Some("john.doe@example.com")),
        "its id token doesn't name the user; userinfo does"
    );
    assert!(opened.lock().unwrap().contains("code_challenge_method=S256"));
}
