//! Two processes holding the same sign-in in the same keyring (two copies of the app, say)
//! refresh it at the same moment, 50 times over, against the simulated IdP, which rotates refresh
//! tokens and, on seeing one reused, revokes the whole sign-in (RFC 9700 §4.14.2). Both must stay
//! signed in every time, and the IdP must never see a reuse.
//!
//! The test runs itself as the two processes: started with `BA_REFRESH_RACE_CHILD` set, it
//! refreshes each time the parent writes a line to it, and answers on stdout.

use signin::{KeyringTokenStore, ProviderConfig, ProviderId, SignInConfig, SignIns, TokenStore};
use simulator::{Idp, IdpUser, Running};
use std::{
    io::{BufRead, BufReader, Write},
    process::{Child, ChildStdin, ChildStdout, Command, Stdio},
    sync::Arc,
    time::Duration,
};

const CHILD: &str = "BA_REFRESH_RACE_CHILD";
const TEST: &str = "two_processes_refreshing_one_sign_in_at_once_both_stay_signed_in";
const ROUNDS: usize = 50;
const P: ProviderId = ProviderId::Pinecone;

fn config(base: &str) -> SignInConfig {
    let mut settings = SignInConfig::defaults();
    let endpoints = simulator::idp_endpoints(base).pinecone;
    let p: &mut ProviderConfig = settings.provider_mut(P);
    p.client_id = "race-client".into();
    (p.authorize_url, p.token_url, p.userinfo_url) = (endpoints.authorize, endpoints.token, endpoints.userinfo);
    p.issuer = Some(endpoints.issuer);
    settings
}

fn sign_ins(base: &str, service: &str, lock_dir: &str) -> SignIns {
    SignIns::new(Ok(config(base)), Arc::new(KeyringTokenStore::new(service))).with_lock_dir(lock_dir.into())
}

/// One of the two processes: a refresh per line on stdin, an answer per refresh on stdout.
async fn child() {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is set by the parent"));
    let sign_ins = sign_ins(&var("RACE_IDP"), &var("RACE_SERVICE"), &var("RACE_LOCKS"));
    let mut lines = BufReader::new(std::io::stdin()).lines();
    while let Some(Ok(_)) = lines.next() {
        let answer = match sign_ins.current(P).await {
            Ok(Some(_)) => "ok".to_owned(),
            Ok(None) => "signed-out".to_owned(),
            Err(e) => format!("error {e}"),
        };
        println!("RACE: {answer}");
        std::io::stdout().flush().unwrap();
    }
}

struct Racer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Racer {
    fn spawn(base: &str, service: &str, locks: &str) -> Self {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .env("RACE_IDP", base)
            .env("RACE_SERVICE", service)
            .env("RACE_LOCKS", locks)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start a racing process");
        let (stdin, stdout) = (child.stdin.take().unwrap(), BufReader::new(child.stdout.take().unwrap()));
        Self { child, stdin, stdout }
    }

    fn go(&mut self) {
        writeln!(self.stdin, "go").unwrap();
        self.stdin.flush().unwrap();
    }

    fn answer(&mut self) -> String {
        let mut line = String::new();
        loop {
            line.clear();
            assert!(self.stdout.read_line(&mut line).unwrap() > 0, "a racing process ended early");
            // The test harness starts its "test … ..." line before the first answer.
            if let Some((_, answer)) = line.trim().split_once("RACE: ") {
                return answer.to_owned();
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_refreshing_one_sign_in_at_once_both_stay_signed_in() {
    if std::env::var_os(CHILD).is_some() {
        return child().await;
    }
    let idp = Idp::new(IdpUser { subject: "u".into(), name: "Ada".into(), email: "ada@example.com".into() }, &["race-client"]);
    let running = Running::start(idp.router()).await.unwrap();
    // Tokens expire at once, so every lookup in either process refreshes.
    idp.set_access_lifetime(Duration::ZERO);
    let base = running.base_url();
    let service = format!("io.pinecone.billing-assistant.test.race.{}", std::process::id());
    let locks = tempfile::tempdir().unwrap();
    let locks_path = locks.path().display().to_string();

    let first = sign_ins(&base, &service, &locks_path);
    first
        .sign_in(
            P,
            None,
            |url: &str| {
                let url = url.to_owned();
                tokio::spawn(async move { simulator::browser::visit(&url).await });
                Ok(())
            },
            |_| {},
        )
        .await
        .expect("the first sign-in");

    let mut racers = [Racer::spawn(&base, &service, &locks_path), Racer::spawn(&base, &service, &locks_path)];
    let mut both_signed_in = 0;
    let mut answers = Vec::new();
    for _ in 0..ROUNDS {
        // Both are told at once; their refreshes overlap.
        racers.iter_mut().for_each(Racer::go);
        let round: Vec<String> = racers.iter_mut().map(Racer::answer).collect();
        if round.iter().all(|a| a == "ok") {
            both_signed_in += 1;
        }
        answers.push(round);
    }
    for mut r in racers {
        drop(r.stdin);
        let _ = r.child.wait();
    }
    let refreshes = idp.token_requests() - 1;
    println!(
        "{both_signed_in}/{ROUNDS} rounds with both processes still signed in; {refreshes} refreshes, {} reuses",
        idp.reuses_detected()
    );
    KeyringTokenStore::new(&service).delete(P).unwrap();
    assert_eq!(both_signed_in, ROUNDS, "answers: {answers:?}");
    assert_eq!(idp.reuses_detected(), 0, "no refresh token was ever presented twice");
    assert!(refreshes >= ROUNDS * 2, "every lookup refreshed ({refreshes})");
}
