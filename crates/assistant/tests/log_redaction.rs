//! The log file never holds a secret, at the most verbose level there is: the app's file logger,
//! installed in a temp folder at `trace` for every crate (dependencies included), records two
//! real sign-ins against the simulated identity provider (Pinecone with a query callback,
//! Microsoft with `form_post`) and a refresh of each, and then none of the authorization codes,
//! access, refresh and id tokens the provider issued, the PKCE verifiers the app sent, the
//! `state` values, or a client secret planted in the settings appears in any log file.
//!
//! One test in this binary: the logger is the process's one global subscriber.

mod common;

use assistant::{log, ApiBases, Mode};
use axum::{body::Body, extract::Request, middleware::Next};
use common::{start_with, write};
use parking_lot::Mutex;
use simulator::{Idp, IdpUser, Running};
use std::{sync::Arc, time::Duration};

const CLIENT: &str = "log-redaction-test";
/// Sent as an extra authorize parameter, the one place settings let a value ride along with a
/// sign-in (the settings themselves refuse a `client_secret`: the app is a public client).
const CLIENT_SECRET: &str = "planted-client-secret-9d3f1a7b2c";

/// The identity provider's router, noting every `code_verifier` the app sends to a token endpoint.
fn noting_verifiers(idp: &Idp, verifiers: Arc<Mutex<Vec<String>>>) -> axum::Router {
    idp.router().layer(axum::middleware::from_fn(move |req: Request, next: Next| {
        let verifiers = verifiers.clone();
        async move {
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
            for (k, v) in url::form_urlencoded::parse(&bytes) {
                if k == "code_verifier" {
                    verifiers.lock().push(v.into_owned());
                }
            }
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
    }))
}

fn log_text(dir: &std::path::Path) -> String {
    let files = log::files(dir);
    assert!(!files.is_empty(), "the logger wrote a file in {}", dir.display());
    files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_of_a_real_sign_in_reaches_the_log_file_at_trace_level() {
    let logs = tempfile::tempdir().unwrap();
    log::install_in(Some(logs.path()), &log::Verbosity::Everything).expect("the file logger installs");

    let user = IdpUser { subject: "u-log".into(), name: "Log Tester".into(), email: "log.tester@example.com".into() };
    let idp = Idp::new(user, &[CLIENT]);
    // Every token expires at once, so each lookup refreshes.
    idp.set_access_lifetime(Duration::ZERO);
    let verifiers = Arc::new(Mutex::new(Vec::new()));
    let running = Running::start(noting_verifiers(&idp, verifiers.clone())).await.unwrap();
    let base = running.base_url();
    let e = simulator::idp_endpoints(&base);

    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("config/signin.toml"),
        &format!(
            "[pinecone]\nclient_id = \"{CLIENT}\"\nauthorize_url = \"{}\"\ntoken_url = \"{}\"\nuserinfo_url = \"{}\"\nissuer = \"{}\"\n\
             extra_params = {{ client_secret = \"{CLIENT_SECRET}\" }}\n\
             [microsoft]\nclient_id = \"{CLIENT}\"\nauthorize_url = \"{}\"\ntoken_url = \"{}\"\nissuer = \"{}\"\n",
            e.pinecone.authorize,
            e.pinecone.token,
            e.pinecone.userinfo.clone().unwrap(),
            e.pinecone.issuer,
            e.entra.authorize,
            e.entra.token,
            e.entra.issuer
        ),
    );
    // The APIs are a closed port: the checks fail after their token lookups, which is all this needs.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let bases = ApiBases { pinecone: format!("http://{closed}"), arm: format!("http://{closed}") };
    let h = start_with(dir, Mode::Live, Some(Arc::new(signin::MemoryTokenStore::default())), Some(bases)).await;
    let a = &h.assistant;
    assert_eq!(a.signin_status().await.config_problem, None, "the planted settings load");

    a.sign_in("pinecone", None, |_| {}).await.expect("the Pinecone sign-in succeeds");
    a.sign_in("microsoft", None, |_| {}).await.expect("the Microsoft sign-in succeeds");
    a.choose_flow("connect-existing-org".into()).await.unwrap();
    let _ = a.run_check("open-billing").await.unwrap();
    assert!(a.regenerate_link().await.is_err(), "ARM is a closed port");

    let issued = idp.issued();
    assert_eq!(issued.codes.len(), 2, "two sign-ins");
    assert!(issued.refresh_tokens.len() >= 4, "each sign-in was refreshed: {}", issued.refresh_tokens.len());
    assert!(!issued.id_tokens.is_empty());
    let verifiers = verifiers.lock().clone();
    assert_eq!(verifiers.len(), 2, "one verifier per code exchange");
    let opened = h.browser.opened.lock().clone();
    assert!(opened[0].contains("client_secret=planted-client-secret"), "the planted secret rode along: {}", opened[0]);
    let states: Vec<String> = opened
        .iter()
        .filter_map(|u| url::Url::parse(u).ok())
        .filter_map(|u| u.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned()))
        .collect();
    assert_eq!(states.len(), 2);

    let log = log_text(logs.path());
    // The logger saw what it should, at every level and from dependencies too, so the absences
    // below mean something.
    for expected in
        ["sign-in (pinecone): signed in", "sign-in (microsoft): signed in", "access token refreshed", "TRACE", "DEBUG"]
    {
        assert!(log.contains(expected), "the log has `{expected}`:\n{log}");
    }
    let secrets = issued.all().map(|s| ("issued token or code", s.clone()));
    let secrets = secrets
        .chain(verifiers.into_iter().map(|v| ("PKCE verifier", v)))
        .chain(states.into_iter().map(|s| ("state", s)))
        .chain([("client secret", CLIENT_SECRET.to_owned())]);
    for (what, secret) in secrets {
        assert!(!log.contains(&secret), "a {what} is in the log file");
    }
    for shape in ["code=", "token=", "code_verifier", "client_secret", "Bearer "] {
        assert!(!log.contains(shape), "the log has `{shape}`: a URL or form with a secret was logged");
    }
}
