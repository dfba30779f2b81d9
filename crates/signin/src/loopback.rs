//! The loopback listener (RFC 8252 §7.3, §8.3): listens on 127.0.0.1, and [::1] where it can, on
//! a port the OS picks, only while one sign-in is pending. It accepts the redirect as a GET query
//! or a POST form (`response_mode=form_post`), checks `state`, answers the browser with a small
//! self-contained page, and closes.
//!
//! Hardening: other paths get a 404; a request's head and body are size-limited and must arrive
//! within a few seconds; each connection is handled on its own task (so idle connections can't
//! block the real callback), and the number of connections at once is capped. Nothing here panics
//! on what a client sends.

use crate::Secret;
use base64::{engine::general_purpose::STANDARD, Engine};
use sha2::{Digest, Sha256};
use std::{
    net::{Ipv4Addr, Ipv6Addr},
    sync::Arc,
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::{mpsc, watch, Semaphore},
    time::{timeout, Instant},
};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
const MAX_HEAD: usize = 8 * 1024;
const MAX_BODY: usize = 16 * 1024;
const REQUEST_TIME: Duration = Duration::from_secs(10);
const MAX_CONNECTIONS: usize = 128;

/// Why a wait ended without a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("no sign-in arrived in time")]
    TimedOut {
        /// Callbacks that came with a wrong or stale `state` (an old tab, say), to explain the timeout.
        rejected: u32,
    },
    #[error("the sign-in was cancelled")]
    Cancelled,
    #[error("the sign-in was refused: {description}")]
    Provider { error: String, description: String },
    #[error("couldn't listen for the sign-in: {0}")]
    Io(String),
}

#[derive(Debug, Clone, Copy)]
struct Control {
    deadline: Instant,
    cancelled: bool,
}

/// The app's handle on a pending wait: shows the deadline, extends it, cancels it.
#[derive(Debug, Clone)]
pub struct WaitControl {
    tx: Arc<watch::Sender<Control>>,
}

impl WaitControl {
    pub fn new(timeout: Duration) -> Self {
        let (tx, _) = watch::channel(Control { deadline: Instant::now() + timeout, cancelled: false });
        Self { tx: Arc::new(tx) }
    }

    /// Time left before the wait times out.
    pub fn remaining(&self) -> Duration {
        self.tx.borrow().deadline.saturating_duration_since(Instant::now())
    }

    /// Pushes the deadline out by `by`, counted from now or from the current deadline, whichever is later.
    pub fn extend(&self, by: Duration) {
        self.tx.send_modify(|c| c.deadline = c.deadline.max(Instant::now()) + by);
    }

    /// Ends the wait at once; the listener closes its port before `wait` returns.
    pub fn cancel(&self) {
        self.tx.send_modify(|c| c.cancelled = true);
    }

    pub fn is_cancelled(&self) -> bool {
        self.tx.borrow().cancelled
    }

    /// Whether both handles control the same wait.
    pub fn same_as(&self, other: &WaitControl) -> bool {
        Arc::ptr_eq(&self.tx, &other.tx)
    }

    fn subscribe(&self) -> watch::Receiver<Control> {
        self.tx.subscribe()
    }
}

/// What a successful callback carries.
#[derive(Debug)]
pub struct Callback {
    pub code: Secret,
    /// When the callback reached the listener (ms since the epoch), for latency measurements.
    pub received_at: u64,
}

/// What the connection tasks report back to the waiting loop.
enum Outcome {
    Code(Secret),
    ProviderError { error: String, description: String },
    Rejected,
}

/// What a callback must match, and what the browser page shows.
struct Expect {
    path: String,
    state: Secret,
    pairing: String,
}

/// A bound, not yet waiting, listener. Bind before opening the browser so the redirect can't race it.
pub struct LoopbackListener {
    v4: TcpListener,
    v6: Option<TcpListener>,
    port: u16,
}

impl LoopbackListener {
    /// Binds 127.0.0.1 on an OS-chosen port and, where IPv6 loopback exists, [::1] on the same port
    /// (a `localhost` redirect may resolve to either).
    ///
    /// # Errors
    /// If 127.0.0.1 can't be bound at all, or if every port tried was already taken on [::1]:
    /// a browser that resolves `localhost` to ::1 would then hand the code to that other program.
    pub async fn bind() -> std::io::Result<Self> {
        let mut last = None;
        for _ in 0..8 {
            let v4 = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
            let port = v4.local_addr()?.port();
            match TcpListener::bind((Ipv6Addr::LOCALHOST, port)).await {
                Ok(v6) => return Ok(Self { v4, v6: Some(v6), port }),
                Err(e) if ipv6_port_taken(&e) => last = Some(e),
                // No IPv6 loopback here (no address, or IPv6 turned off): IPv4 alone is correct.
                Err(_) => return Ok(Self { v4, v6: None, port }),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::from(std::io::ErrorKind::AddrInUse)))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn has_ipv6(&self) -> bool {
        self.v6.is_some()
    }

    /// The redirect URI for this listener, e.g. `http://localhost:49152/callback`.
    pub fn redirect_uri(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port)
    }

    /// Waits for the callback on `path` whose `state` matches, until timeout or cancel.
    /// Consumes the listener: whatever the outcome, the port is closed when this returns.
    ///
    /// # Errors
    /// [`CallbackError`]: timed out, cancelled, or the provider reported an error (`access_denied`, …).
    pub async fn wait(self, path: &str, state: &Secret, pairing: &str, control: &WaitControl) -> Result<Callback, CallbackError> {
        let expect = Arc::new(Expect { path: path.to_owned(), state: state.clone(), pairing: pairing.to_owned() });
        let mut control_rx = control.subscribe();
        let (tx, mut rx) = mpsc::channel::<Outcome>(32);
        let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let mut rejected = 0u32;
        loop {
            let now = *control_rx.borrow_and_update();
            if now.cancelled {
                return Err(CallbackError::Cancelled);
            }
            tokio::select! {
                () = tokio::time::sleep_until(now.deadline) => return Err(CallbackError::TimedOut { rejected }),
                changed = control_rx.changed() => {
                    if changed.is_err() {
                        return Err(CallbackError::Cancelled);
                    }
                }
                accepted = accept_either(&self.v4, self.v6.as_ref()) => {
                    let Ok(stream) = accepted else {
                        // Out of file handles, say: the connection stays queued, so retrying at once would spin.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    };
                    // Over the cap, new connections are closed at once; the real browser retries are rare.
                    if let Ok(permit) = permits.clone().try_acquire_owned() {
                        let (expect, tx) = (expect.clone(), tx.clone());
                        tokio::spawn(async move {
                            if let Ok(Some(outcome)) = timeout(REQUEST_TIME, serve(stream, &expect)).await {
                                let _ = tx.send(outcome).await;
                            }
                            drop(permit);
                        });
                    }
                }
                Some(outcome) = rx.recv() => match outcome {
                    Outcome::Code(code) => return Ok(Callback { code, received_at: vocab::now_millis() }),
                    Outcome::ProviderError { error, description } => return Err(CallbackError::Provider { error, description }),
                    Outcome::Rejected => rejected += 1,
                },
            }
        }
    }
}

async fn accept_either(v4: &TcpListener, v6: Option<&TcpListener>) -> std::io::Result<TcpStream> {
    match v6 {
        Some(v6) => tokio::select! {
            r = v4.accept() => r.map(|(s, _)| s),
            r = v6.accept() => r.map(|(s, _)| s),
        },
        None => v4.accept().await.map(|(s, _)| s),
    }
}

/// Reads one request and answers it. `None` means it wasn't a callback at all (wrong path, junk).
async fn serve(mut stream: TcpStream, expect: &Expect) -> Option<Outcome> {
    let request = match read_request(&mut stream).await {
        Ok(r) => r,
        Err(status) => {
            respond(&mut stream, status, "text/plain; charset=utf-8", None, status_text(status).as_bytes()).await;
            return None;
        }
    };
    if request.path != expect.path {
        respond(&mut stream, 404, "text/plain; charset=utf-8", None, b"Not found").await;
        return None;
    }
    let params: Vec<(String, String)> = match request.method.as_str() {
        "GET" => url::form_urlencoded::parse(request.query.as_bytes()).into_owned().collect(),
        "POST" if request.form => url::form_urlencoded::parse(&request.body).into_owned().collect(),
        "POST" => {
            respond(&mut stream, 415, "text/plain; charset=utf-8", None, b"Expected a form").await;
            return None;
        }
        _ => {
            respond(&mut stream, 405, "text/plain; charset=utf-8", None, b"Method not allowed").await;
            return None;
        }
    };
    let get = |key: &str| params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());

    let state_ok = get("state").is_some_and(|s| constant_time_eq(s.as_bytes(), expect.state.expose().as_bytes()));
    if !state_ok {
        let page = page(
            "This sign-in tab is out of date",
            "This page came from an older or different sign-in, so Billing Assistant ignored it. Go back to the app and use the newest sign-in.",
            None,
        );
        respond(&mut stream, 400, "text/html; charset=utf-8", Some(&page.csp), page.html.as_bytes()).await;
        return Some(Outcome::Rejected);
    }
    if let Some(error) = get("error") {
        let description = get("error_description").unwrap_or(error).to_owned();
        let page = page(
            "Sign-in didn't finish",
            &format!("{description} Go back to Billing Assistant to try again."),
            Some(&expect.pairing),
        );
        respond(&mut stream, 200, "text/html; charset=utf-8", Some(&page.csp), page.html.as_bytes()).await;
        return Some(Outcome::ProviderError { error: error.to_owned(), description });
    }
    match get("code") {
        Some(code) if !code.is_empty() => {
            // The code isn't exchanged yet, so this page can't promise success; the app says how it ended.
            let page = page(
                "Sign-in received",
                "Go back to Billing Assistant: it finishes signing you in and shows the result. You can close this tab.",
                Some(&expect.pairing),
            );
            respond(&mut stream, 200, "text/html; charset=utf-8", Some(&page.csp), page.html.as_bytes()).await;
            Some(Outcome::Code(Secret::new(code)))
        }
        _ => {
            respond(&mut stream, 400, "text/plain; charset=utf-8", None, b"Not a sign-in response").await;
            Some(Outcome::Rejected)
        }
    }
}

/// Only "in use" means another program holds the port on ::1, so another port is worth trying;
/// any other failure means this machine has no usable IPv6 loopback.
fn ipv6_port_taken(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::AddrInUse
}

struct Request {
    method: String,
    path: String,
    query: String,
    form: bool,
    body: Vec<u8>,
}

/// Reads a request head (and a form body), with sizes capped. Errors are HTTP status codes.
async fn read_request(stream: &mut TcpStream) -> Result<Request, u16> {
    let mut buf = Vec::with_capacity(1024);
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() >= MAX_HEAD {
            return Err(431);
        }
        let mut chunk = [0u8; 1024];
        let n = stream.read(&mut chunk).await.map_err(|_| 400u16)?;
        if n == 0 {
            return Err(400);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| 400u16)?;
    let mut lines = head.split("\r\n");
    let mut parts = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next()) else { return Err(400) };
    if !version.starts_with("HTTP/1.") || parts.next().is_some() {
        return Err(400);
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut content_length = 0usize;
    let mut form = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { return Err(400) };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse().map_err(|_| 400u16)?;
        } else if name.eq_ignore_ascii_case("content-type") {
            form = value.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded");
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(411); // A browser posting a small form always sends Content-Length.
        }
    }
    if content_length > MAX_BODY {
        return Err(413);
    }
    let mut body = buf[head_end + 4..].to_vec();
    if body.len() > content_length {
        return Err(400);
    }
    if method == "POST" {
        while body.len() < content_length {
            let mut chunk = vec![0u8; content_length - body.len()];
            let n = stream.read(&mut chunk).await.map_err(|_| 400u16)?;
            if n == 0 {
                return Err(400);
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    Ok(Request { method: method.to_owned(), path: path.to_owned(), query: query.to_owned(), form, body })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn status_text(status: u16) -> &'static str {
    match status {
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        200 => "OK",
        _ => "Bad Request",
    }
}

async fn respond(stream: &mut TcpStream, status: u16, content_type: &str, csp: Option<&str>, body: &[u8]) {
    let csp = csp.map(|c| format!("Content-Security-Policy: {c}\r\n")).unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n{csp}Connection: close\r\n\r\n",
        status_text(status),
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let _ = stream.shutdown().await;
}

struct Page {
    html: String,
    csp: String,
}

/// A self-contained page: inline style and one inline script allowed by hash, nothing loaded from
/// anywhere. The script swaps the address for a clean one so the code doesn't stay in the bar or history.
fn page(title: &str, message: &str, pairing: Option<&str>) -> Page {
    const SCRIPT: &str = "history.replaceState(null, '', '/signed-in');";
    let hash = STANDARD.encode(Sha256::digest(SCRIPT.as_bytes()));
    let pairing = pairing
        .map(|w| format!("<p>Pairing words: <strong class=\"pairing\">{}</strong></p><p class=\"small\">Billing Assistant shows the same words. If it doesn't, close this tab.</p>", escape(w)))
        .unwrap_or_default();
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\"><title>{title} - Billing Assistant</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#14213d}}.pairing{{font-size:1.3rem}}.small{{color:#5a6478}}</style></head>\
<body><h1>{title}</h1><p>{message}</p>{pairing}<script>{SCRIPT}</script></body></html>",
        title = escape(title),
        message = escape(message),
    );
    Page {
        html,
        csp: format!(
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; form-action 'none'; base-uri 'none'"
        ),
    }
}

fn escape(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}
