//! The loopback listener (RFC 8252 §7.3, §8.3): listens on 127.0.0.1, and [::1] where it can, on
//! a port the OS picks, only while one sign-in is pending, and waits for the callback that
//! matches its [`CallbackRules`]. Each connection is served by hyper's HTTP/1 server
//! ([`serve`]), which answers the browser with a small self-contained page.
//!
//! Hardening: a request's head and body are size-limited and each connection has a few seconds
//! in all; connections are served on their own tasks, at most [`MAX_CONNECTIONS`] at once, and
//! when that many are open the oldest one that hasn't sent a whole request head is dropped for
//! the newcomer, so idle sockets from a local process can't crowd out the browser. Nothing here
//! panics on what a client sends.

pub mod serve;

use crate::Secret;
pub use serve::{serve_connection, Outcome};
use std::{
    collections::VecDeque,
    net::{Ipv4Addr, Ipv6Addr},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{mpsc, watch},
    task::AbortHandle,
    time::Instant,
};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// How long one connection may take, from accept to its last byte.
pub const REQUEST_TIME: Duration = Duration::from_secs(10);
/// Connections served at once; more than the old 128, and idle ones make way (see the module docs).
pub const MAX_CONNECTIONS: usize = 256;

/// Why a wait ended without a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("no sign-in arrived in time")]
    TimedOut {
        /// Callbacks that were turned away (a wrong or stale `state`, a wrong host or issuer), to
        /// explain the timeout.
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
    /// The deadline is someone else's to set (a device code's lifetime): extending can't move it.
    fixed: bool,
}

/// The app's handle on a pending wait: shows the deadline, extends it, cancels it.
#[derive(Debug, Clone)]
pub struct WaitControl {
    tx: Arc<watch::Sender<Control>>,
}

impl WaitControl {
    pub fn new(timeout: Duration) -> Self {
        let (tx, _) = watch::channel(Control { deadline: Instant::now() + timeout, cancelled: false, fixed: false });
        Self { tx: Arc::new(tx) }
    }

    /// Time left before the wait times out.
    pub fn remaining(&self) -> Duration {
        self.tx.borrow().deadline.saturating_duration_since(Instant::now())
    }

    /// Pushes the deadline out by `by`, counted from now or from the current deadline, whichever
    /// is later; unless the deadline is fixed ([`Self::fix_deadline`]), which this leaves alone.
    pub fn extend(&self, by: Duration) {
        self.tx.send_modify(|c| {
            if !c.fixed {
                c.deadline = c.deadline.max(Instant::now()) + by;
            }
        });
    }

    /// Ends the wait `after` from now, for good: the provider decides how long it lasts (a device
    /// code expires when the provider says), so [`Self::extend`] no longer moves it.
    pub fn fix_deadline(&self, after: Duration) {
        self.tx.send_modify(|c| (c.deadline, c.fixed) = (Instant::now() + after, true));
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

    /// Resolves when the wait is over: cancelled ([`CallbackError::Cancelled`]) or past its
    /// deadline ([`CallbackError::TimedOut`]), following extensions and cancels as they come.
    /// For waits that don't listen for a callback (a device code's polling).
    pub(crate) async fn ended(&self) -> CallbackError {
        let mut rx = self.subscribe();
        loop {
            let now = *rx.borrow_and_update();
            if now.cancelled {
                return CallbackError::Cancelled;
            }
            tokio::select! {
                () = tokio::time::sleep_until(now.deadline) => return CallbackError::TimedOut { rejected: 0 },
                // We hold the sender, so this can't fail; a change is re-read at the top.
                _ = rx.changed() => {}
            }
        }
    }
}

/// What a callback must match to be taken as this sign-in's answer, and what the browser page
/// shows. Path, host and issuer are the mix-up defence (RFC 9700 §4.4): each provider has its own
/// redirect path, the browser must have been sent to this very listener, and a provider that
/// names itself (RFC 9207 `iss`) must be the one this sign-in went to.
#[derive(Debug, Clone)]
pub struct CallbackRules {
    /// The redirect's path.
    pub path: String,
    /// The `Host` the browser sends for the redirect: its host and this listener's port.
    pub host: String,
    /// The issuer the provider names in `iss`, when it sends one; `{tenant}` stands for any one
    /// path segment (Entra's issuer carries the user's directory).
    pub issuer: Option<String>,
    pub state: Secret,
    /// The words the app shows, repeated on the browser page.
    pub pairing: String,
}

/// What a successful callback carries.
#[derive(Debug)]
pub struct Callback {
    pub code: Secret,
    /// When the callback reached the listener (ms since the epoch), for latency measurements.
    pub received_at: u64,
}

/// A bound, not yet waiting, listener. Bind before opening the browser so the redirect can't race it.
pub struct LoopbackListener {
    v4: TcpListener,
    v6: Option<TcpListener>,
    port: u16,
}

/// A connection being served: whether its request head has arrived, and how to drop it.
struct Live {
    head_seen: Arc<AtomicBool>,
    abort: AbortHandle,
}

/// The connections of one wait, oldest first; aborted when the wait ends, whatever the outcome.
#[derive(Default)]
struct Connections(VecDeque<Live>);

impl Connections {
    /// Room for one more: finished ones are forgotten, and at the cap the oldest connection still
    /// without a request head is dropped. `false` when every open one is a request in progress.
    fn make_room(&mut self) -> bool {
        self.0.retain(|c| !c.abort.is_finished());
        if self.0.len() < MAX_CONNECTIONS {
            return true;
        }
        match self.0.iter().position(|c| !c.head_seen.load(Ordering::Relaxed)) {
            Some(i) => {
                if let Some(idle) = self.0.remove(i) {
                    idle.abort.abort();
                }
                true
            }
            None => false,
        }
    }
}

impl Drop for Connections {
    fn drop(&mut self) {
        for c in &self.0 {
            c.abort.abort();
        }
    }
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
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last = Some(e),
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

    /// The redirect URI for this listener, e.g. `http://localhost:49152/callback/microsoft`.
    pub fn redirect_uri(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port)
    }

    /// The `Host` header a browser sends for [`LoopbackListener::redirect_uri`] with `host`.
    pub fn host_header(&self, host: &str) -> String {
        format!("{host}:{}", self.port)
    }

    /// Waits for the callback that matches `rules`, until timeout or cancel. Consumes the
    /// listener: whatever the outcome, the port is closed and every connection dropped when this
    /// returns.
    ///
    /// # Errors
    /// [`CallbackError`]: timed out, cancelled, or the provider reported an error (`access_denied`, …).
    pub async fn wait(self, rules: CallbackRules, control: &WaitControl) -> Result<Callback, CallbackError> {
        let rules = Arc::new(rules);
        let mut control_rx = control.subscribe();
        let (tx, mut rx) = mpsc::channel::<Outcome>(32);
        let mut connections = Connections::default();
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
                    // Every open connection is a request being answered: this one waits its turn
                    // by being closed (a browser retries), which a flood of whole requests earns.
                    if !connections.make_room() {
                        continue;
                    }
                    let head_seen = Arc::new(AtomicBool::new(false));
                    let (rules, tx, seen) = (rules.clone(), tx.clone(), head_seen.clone());
                    let task = tokio::spawn(async move {
                        let served = tokio::time::timeout(REQUEST_TIME, serve_connection(stream, &rules, &seen)).await;
                        if let Ok(Some(outcome)) = served {
                            let _ = tx.send(outcome).await;
                        }
                    });
                    connections.0.push_back(Live { head_seen, abort: task.abort_handle() });
                }
                Some(outcome) = rx.recv() => match outcome {
                    Outcome::Code(code) => return Ok(Callback { code, received_at: vocab::now_millis() }),
                    Outcome::ProviderError { error, description } => return Err(CallbackError::Provider { error, description }),
                    Outcome::Rejected(_) => rejected += 1,
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
