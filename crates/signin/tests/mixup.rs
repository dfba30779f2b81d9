//! Mix-up defence (RFC 9700 §4.4) with both sign-ins waiting at once, against the simulated
//! identity providers (which name themselves in `iss`, RFC 9207): six crafted responses that each
//! carry a valid `state`, sent to a wrong path, from a wrong host, or naming the other provider
//! as issuer, are all refused, the token endpoint is never called, and both sign-ins still finish
//! with their real responses afterwards.

use signin::{MemoryTokenStore, ProviderId, SignInConfig, SignIns};
use simulator::{Idp, IdpUser, Running};
use std::{sync::Arc, time::Duration};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::mpsc,
};

/// What a sign-in's authorize URL says about where its answer must go.
struct Pending {
    authorize: String,
    port: u16,
    host: String,
    path: String,
    state: String,
}

fn pending(url: &str) -> Pending {
    let parsed = url::Url::parse(url).unwrap();
    let q = |k: &str| parsed.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned()).unwrap();
    let redirect = url::Url::parse(&q("redirect_uri")).unwrap();
    Pending {
        authorize: url.into(),
        port: redirect.port().unwrap(),
        host: format!("{}:{}", redirect.host_str().unwrap(), redirect.port().unwrap()),
        path: redirect.path().into(),
        state: q("state"),
    }
}

/// Sends one request to the listener and returns its status code.
async fn send(port: u16, host: &str, target: &str) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    s.write_all(format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out)[9..12].parse().unwrap()
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn crafted_responses_with_a_valid_state_are_refused_six_of_six_and_no_code_is_redeemed() {
    let idp = Idp::new(IdpUser { subject: "u".into(), name: "Ada".into(), email: "ada@example.com".into() }, &["app"]);
    let running = Running::start(idp.router()).await.unwrap();
    let base = running.base_url();
    let endpoints = simulator::idp_endpoints(&base);
    let mut config = SignInConfig::defaults();
    for (id, e) in [(ProviderId::Microsoft, &endpoints.entra), (ProviderId::Pinecone, &endpoints.pinecone)] {
        let p = config.provider_mut(id);
        p.client_id = "app".into();
        (p.authorize_url, p.token_url, p.userinfo_url, p.issuer) =
            (e.authorize.clone(), e.token.clone(), e.userinfo.clone(), Some(e.issuer.clone()));
        // Query answers, so this test can craft them as GETs; form_post is checked the same way.
        p.response_mode = signin::ResponseMode::Query;
    }
    let sign_ins = Arc::new(SignIns::new(Ok(config), Arc::new(MemoryTokenStore::default())));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    for provider in [ProviderId::Microsoft, ProviderId::Pinecone] {
        let (sign_ins, tx) = (sign_ins.clone(), tx.clone());
        tasks.push(tokio::spawn(async move {
            sign_ins
                .sign_in(
                    provider,
                    None,
                    move |url: &str| {
                        tx.send((provider, url.to_owned())).unwrap();
                        Ok(())
                    },
                    |_| {},
                )
                .await
        }));
    }
    let (mut microsoft, mut pinecone) = (None, None);
    for _ in 0..2 {
        let (provider, url) = rx.recv().await.unwrap();
        match provider {
            ProviderId::Microsoft => microsoft = Some(pending(&url)),
            ProviderId::Pinecone => pinecone = Some(pending(&url)),
        }
    }
    let (microsoft, pinecone) = (microsoft.unwrap(), pinecone.unwrap());
    assert_ne!(microsoft.path, pinecone.path, "each provider has its own redirect path");
    let issuer = |p: &Pending| if std::ptr::eq(p, &microsoft) { format!("{base}/dir-1/v2.0") } else { format!("{base}/") };

    let mut refused = 0;
    for (this, other) in [(&microsoft, &pinecone), (&pinecone, &microsoft)] {
        let params = |iss: &str| format!("code=crafted&state={}&iss={}", this.state, encode(iss));
        let crafted = [
            // This sign-in's state, on the other provider's path.
            (this.host.clone(), format!("{}?{}", other.path, params(&issuer(this)))),
            // From a page that isn't this listener's address (another host, as after DNS rebinding).
            (format!("evil.example:{}", this.port), format!("{}?{}", this.path, params(&issuer(this)))),
            // Naming the other provider as its issuer: an answer from the wrong authorization server.
            (this.host.clone(), format!("{}?{}", this.path, params(&issuer(other)))),
        ];
        for (host, target) in crafted {
            let status = send(this.port, &host, &target).await;
            if status != 200 {
                refused += 1;
            }
        }
    }
    println!("{refused}/6 crafted responses refused; token endpoint called {} times", idp.token_requests());
    assert_eq!(refused, 6);
    assert_eq!(idp.token_requests(), 0, "no crafted code was redeemed");
    assert!(sign_ins.is_pending(ProviderId::Microsoft) && sign_ins.is_pending(ProviderId::Pinecone), "both still wait");

    // The real answers still get through.
    for p in [&microsoft, &pinecone] {
        simulator::browser::visit(&p.authorize).await.expect("the browser reaches the listener");
    }
    for task in tasks {
        let who = tokio::time::timeout(Duration::from_secs(10), task).await.unwrap().unwrap().expect("signed in");
        assert_eq!(who.email.as_deref(), Some("ada@example.com"));
    }
}
