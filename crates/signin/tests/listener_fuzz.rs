//! The listener's request handling ([`serve_connection`], hyper underneath) fuzzed with proptest,
//! over in-memory streams on a paused clock, so a stalled connection's time limit passes at once:
//! - raw bytes, and requests built from parts that each may be right, wrong or odd (method, path,
//!   `Host`, version, `state`, `code`, `iss`, lengths, chunking, header noise, writes split
//!   anywhere, a client that never finishes);
//! - nothing panics, every connection is closed within its time limit, a code comes out only
//!   for the exact `state` on the exact path and host with no other issuer, and a request with
//!   every part right does give the code.
//!
//! `BA_FUZZ_CASES` sets the number of generated requests (2,000 by default;
//! `scripts/fuzz-listener.sh` runs 100,000 and prints the figures). Failures proptest finds are
//! kept in `tests/fuzz-corpus/proptest-regressions.txt` and replayed first; the hand-written
//! corpus beside it runs in every `cargo test`.

use proptest::{
    prelude::*,
    test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner},
};
use signin::{
    loopback::{serve_connection, Outcome, REQUEST_TIME},
    CallbackRules, Secret,
};
use std::{
    path::Path,
    sync::{atomic::AtomicBool, Arc},
    time::Duration,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const STATE: &str = "Zq8-state_0123456789abcdefXYZ";
const PATH: &str = "/callback/pinecone";
const HOST: &str = "127.0.0.1:49152";
const ISSUER: &str = "https://login.example.test/";

fn rules() -> Arc<CallbackRules> {
    Arc::new(CallbackRules {
        path: PATH.into(),
        host: HOST.into(),
        issuer: Some(ISSUER.into()),
        state: Secret::new(STATE),
        pairing: "amber falcon river".into(),
    })
}

/// What one connection did.
struct Served {
    outcome: Option<Outcome>,
    /// From the first byte written to the connection closing, on the paused clock.
    took: Duration,
    panicked: bool,
}

/// Writes `pieces` to a fresh connection (then hangs up, unless `stall`), and serves it as the
/// listener does: under its time limit.
async fn serve(pieces: Vec<Vec<u8>>, stall: bool) -> Served {
    let (mut client, server) = tokio::io::duplex(64 * 1024);
    let (rules, seen) = (rules(), Arc::new(AtomicBool::new(false)));
    let start = tokio::time::Instant::now();
    let task = tokio::spawn(async move { tokio::time::timeout(REQUEST_TIME, serve_connection(server, &rules, &seen)).await });
    for piece in pieces {
        if client.write_all(&piece).await.is_err() {
            break;
        }
        tokio::task::yield_now().await;
    }
    if !stall {
        let _ = client.shutdown().await;
    }
    let mut answer = Vec::new();
    let _ = client.read_to_end(&mut answer).await;
    let joined = task.await;
    let took = start.elapsed();
    match joined {
        Ok(Ok(outcome)) => Served { outcome, took, panicked: false },
        Ok(Err(_elapsed)) => Served { outcome: None, took, panicked: false },
        Err(e) => Served { outcome: None, took, panicked: e.is_panic() },
    }
}

/// One part of a request, right or not.
#[derive(Debug, Clone)]
struct Request {
    method: &'static str,
    path: &'static str,
    host: Option<&'static str>,
    version: &'static str,
    state: StateIs,
    code: Option<&'static str>,
    iss: Option<&'static str>,
    error: bool,
    post: bool,
    length: Length,
    chunked: bool,
    noise: Vec<(String, String)>,
    splits: Vec<usize>,
    stall: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum StateIs {
    Exact,
    Missing,
    Empty,
    Prefix,
    Longer,
    OtherCase,
    PercentEncoded,
    WrongThenRight,
    RightThenWrong,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Length {
    Right,
    Missing,
    Short,
    Long,
    Twice,
}

impl Request {
    fn params(&self) -> String {
        let mut p = Vec::new();
        match self.state {
            StateIs::Exact => p.push(format!("state={STATE}")),
            StateIs::Missing => {}
            StateIs::Empty => p.push("state=".into()),
            StateIs::Prefix => p.push(format!("state={}", &STATE[..STATE.len() - 1])),
            StateIs::Longer => p.push(format!("state={STATE}x")),
            StateIs::OtherCase => p.push(format!("state={}", STATE.to_ascii_lowercase())),
            StateIs::PercentEncoded => {
                p.push(format!("state={}", STATE.bytes().map(|b| format!("%{b:02X}")).collect::<String>()))
            }
            StateIs::WrongThenRight => p.push(format!("state=nope&state={STATE}")),
            StateIs::RightThenWrong => p.push(format!("state={STATE}&state=nope")),
        }
        if let Some(code) = self.code {
            p.push(format!("code={code}"));
        }
        if let Some(iss) = self.iss {
            p.push(format!("iss={iss}"));
        }
        if self.error {
            p.push("error=access_denied".into());
        }
        p.join("&")
    }

    fn bytes(&self) -> Vec<u8> {
        let params = self.params();
        let (target, body) =
            if self.post { (self.path.to_owned(), params) } else { (format!("{}?{params}", self.path), String::new()) };
        let mut head = format!("{} {target} {}\r\n", self.method, self.version);
        if let Some(host) = self.host {
            head.push_str(&format!("Host: {host}\r\n"));
        }
        for (k, v) in &self.noise {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if self.post {
            head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        }
        let n = body.len();
        match self.length {
            Length::Right => head.push_str(&format!("Content-Length: {n}\r\n")),
            Length::Missing => {}
            Length::Short => head.push_str(&format!("Content-Length: {}\r\n", n.saturating_sub(1))),
            Length::Long => head.push_str(&format!("Content-Length: {}\r\n", n + 5)),
            Length::Twice => head.push_str(&format!("Content-Length: {n}\r\nContent-Length: {}\r\n", n + 1)),
        }
        if self.chunked {
            head.push_str("Transfer-Encoding: chunked\r\n");
        }
        head.push_str("\r\n");
        head.push_str(&body);
        head.into_bytes()
    }

    /// Whether a code may come out of it: the exact state first, the exact path and host, no
    /// other issuer. (Whether one must is [`Request::all_right`].)
    fn may_give_code(&self) -> bool {
        matches!(self.state, StateIs::Exact | StateIs::PercentEncoded | StateIs::RightThenWrong)
            // The absolute form naming this very listener is the same request.
            && (self.path == PATH || self.path == "http://127.0.0.1:49152/callback/pinecone")
            && self.host.is_some_and(|h| h.eq_ignore_ascii_case(HOST))
            && self.iss.is_none_or(|i| i == "https%3A%2F%2Flogin.example.test%2F")
    }

    /// Every part right: this one must give the code.
    fn all_right(&self) -> bool {
        self.may_give_code()
            && self.method == if self.post { "POST" } else { "GET" }
            && matches!(self.version, "HTTP/1.1" | "HTTP/1.0")
            && self.code.is_some_and(|c| !c.is_empty())
            && !self.error
            && (if self.post { self.length == Length::Right } else { matches!(self.length, Length::Right | Length::Missing) })
            && !self.chunked
            && !self.stall
    }
}

/// The right part three times in four, else one of the others: so a good share of requests
/// have every part right and must succeed, and the rest are wrong in one or two ways.
fn mostly<T: Clone + std::fmt::Debug + 'static>(right: T, others: Vec<T>) -> BoxedStrategy<T> {
    prop_oneof![3 => Just(right), 1 => prop::sample::select(others)].boxed()
}

fn request() -> impl Strategy<Value = Request> {
    let method = mostly("GET", vec!["POST", "PUT", "DELETE", "HEAD", "OPTIONS", "get", "G ET", "CONNECT"]);
    let path = mostly(
        PATH,
        vec![
            "/callback/microsoft",
            "/callback",
            "/callback/pinecone/",
            "/CALLBACK/pinecone",
            "/callback/pinecone/../pinecone",
            "/callback%2Fpinecone",
            "http://evil.example/callback/pinecone",
            "http://127.0.0.1:49152/callback/pinecone",
            "*",
        ],
    );
    let host = mostly(
        Some(HOST),
        vec![
            Some("localhost:49152"),
            Some("127.0.0.1"),
            Some("127.0.0.1:49153"),
            Some("evil.example:49152"),
            Some("127.0.0.1:49152."),
            Some(""),
            None,
        ],
    );
    let version = mostly("HTTP/1.1", vec!["HTTP/1.0", "HTTP/1.9", "HTTP/2.0", "HTTP/0.9", "HTTP/1.1x", "http/1.1"]);
    let state = mostly(
        StateIs::Exact,
        vec![
            StateIs::Missing,
            StateIs::Empty,
            StateIs::Prefix,
            StateIs::Longer,
            StateIs::OtherCase,
            StateIs::PercentEncoded,
            StateIs::WrongThenRight,
            StateIs::RightThenWrong,
        ],
    );
    let code = mostly(Some("the-code"), vec![Some(""), Some("a%20b%00c"), None]);
    let iss = mostly(
        None,
        vec![Some("https%3A%2F%2Flogin.example.test%2F"), Some("https%3A%2F%2Flogin.microsoftonline.com%2Ft%2Fv2.0"), Some("")],
    );
    let length = mostly(Length::Right, vec![Length::Missing, Length::Short, Length::Long, Length::Twice]);
    // Headers that change nothing: any name the listener reads could make a right request wrong.
    let noise = prop::collection::vec(("X-[A-Za-z0-9-]{0,12}", "[ -~]{0,40}"), 0..4);
    let splits = prop::collection::vec(0usize..400, 0..4);
    let parts = (method, path, host, version, state, code, iss);
    let more = (
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.3),
        length,
        prop::bool::weighted(0.15),
        noise,
        splits,
        prop::bool::weighted(0.1),
    );
    (parts, more).prop_map(
        |((method, path, host, version, state, code, iss), (error, post, length, chunked, noise, splits, stall))| Request {
            method,
            path,
            host,
            version,
            state,
            code,
            iss,
            error,
            post,
            length,
            chunked,
            noise,
            splits,
            stall,
        },
    )
}

#[derive(Debug, Clone)]
enum Case {
    Built(Request),
    Raw { bytes: Vec<u8>, stall: bool },
}

fn case() -> impl Strategy<Value = Case> {
    prop_oneof![
        4 => request().prop_map(Case::Built),
        1 => (prop::collection::vec(any::<u8>(), 0..2048), prop::bool::weighted(0.1)).prop_map(|(bytes, stall)| Case::Raw { bytes, stall }),
    ]
}

/// `bytes` cut at `splits`, as a client writing in pieces.
fn pieces(bytes: Vec<u8>, splits: &[usize]) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = splits.iter().map(|s| s % (bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut last = 0;
    for cut in cuts {
        out.push(bytes[last..cut].to_vec());
        last = cut;
    }
    out.push(bytes[last..].to_vec());
    out
}

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    codes: usize,
    all_right: usize,
    longest: Duration,
}

fn check(served: &Served, may_give_code: bool, must_give_code: bool, tally: &mut Tally) -> Result<(), TestCaseError> {
    tally.cases += 1;
    tally.longest = tally.longest.max(served.took);
    prop_assert!(!served.panicked, "the connection's task panicked");
    // The limit, plus the moment the paused clock takes to notice.
    prop_assert!(served.took <= REQUEST_TIME + Duration::from_millis(50), "open for {:?}", served.took);
    let code = matches!(served.outcome, Some(Outcome::Code(_)));
    if code {
        tally.codes += 1;
        prop_assert!(may_give_code, "a code came out of a request that must not give one");
    }
    if must_give_code {
        tally.all_right += 1;
        prop_assert!(code, "a request with every part right gave no code: {:?}", served.outcome);
    }
    Ok(())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap()
}

#[test]
fn generated_requests_never_panic_always_close_in_time_and_give_a_code_only_for_the_exact_state() {
    let cases = std::env::var("BA_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000);
    let rt = runtime();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus/proptest-regressions.txt");
    let config = Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(Box::leak(
            corpus.display().to_string().into_boxed_str(),
        )))),
        ..Config::default()
    };
    let tally = std::cell::RefCell::new(Tally::default());
    let mut runner = TestRunner::new(config);
    let result = runner.run(&case(), |case| {
        let (served, may, must) = match &case {
            Case::Built(r) => {
                let mut bytes = r.bytes();
                if r.stall {
                    // A client that stops part-way and keeps the connection open.
                    bytes.truncate(r.splits.first().map_or(bytes.len(), |s| s % (bytes.len() + 1)));
                }
                let served = rt.block_on(serve(pieces(bytes, &r.splits), r.stall));
                (served, r.may_give_code(), r.all_right())
            }
            Case::Raw { bytes, stall } => (rt.block_on(serve(vec![bytes.clone()], *stall)), false, false),
        };
        check(&served, may, must, &mut tally.borrow_mut())
    });
    result.unwrap();
    let t = tally.into_inner();
    assert!(t.all_right > 0 && t.codes >= t.all_right, "the generator made requests that must succeed");

    // The real listener, on a socket, still takes the real callback afterwards.
    let real = tokio::runtime::Runtime::new().unwrap().block_on(real_callback());
    println!(
        "{} generated requests: 0 panics, every connection closed within {REQUEST_TIME:?} (longest {:?} on the paused clock), \
         {} codes given, all for the exact state, path and host; {} requests with every part right, all given their code; \
         the real callback afterwards: {real}",
        t.cases, t.longest, t.codes, t.all_right
    );
}

async fn real_callback() -> String {
    let listener = signin::LoopbackListener::bind().await.unwrap();
    let port = listener.port();
    let rules = CallbackRules { host: listener.host_header("127.0.0.1"), ..(*rules()).clone() };
    let control = signin::WaitControl::new(Duration::from_secs(10));
    let wait = tokio::spawn(async move { listener.wait(rules, &control).await });
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let request = format!("GET {PATH}?code=real-code&state={STATE} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    s.write_all(request.as_bytes()).await.unwrap();
    let got = wait.await.unwrap().expect("the real callback is taken");
    assert_eq!(got.code.expose(), "real-code");
    "accepted".into()
}

/// The hand-written corpus: `accept-*.http` must give the code, `refuse-*.http` must not. In
/// each, `{PATH}`, `{HOST}` and `{STATE}` are this test's; lines end in CRLF unless the file
/// says `LF-ONLY` on its first line.
#[test]
fn the_hand_written_corpus_gives_its_expected_answers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
    let rt = runtime();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let accept = name.starts_with("accept-");
        if !name.ends_with(".http") || !(accept || name.starts_with("refuse-")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let (lf_only, text) = match text.strip_prefix("LF-ONLY\n") {
            Some(rest) => (true, rest.to_owned()),
            None => (false, text),
        };
        let text = text.replace("{PATH}", PATH).replace("{HOST}", HOST).replace("{STATE}", STATE);
        let bytes = if lf_only { text.into_bytes() } else { text.replace('\n', "\r\n").into_bytes() };
        let served = rt.block_on(serve(vec![bytes], false));
        assert!(!served.panicked, "{name}: panicked");
        assert!(served.took <= REQUEST_TIME, "{name}: open too long");
        let code = matches!(served.outcome, Some(Outcome::Code(_)));
        assert_eq!(code, accept, "{name}: {:?}", served.outcome);
        seen += 1;
    }
    assert!(seen >= 20, "the corpus has {seen} entries");
}
