//! The loopback listener under load: while 500 junk sockets keep opening and closing (half send a
//! partial request head, half nothing), one valid callback arrives. Prints, over 100 trials, how
//! long the listener took to hand over the code, and how many trials did so within 2 s.
//! `scripts/bench-listener.sh` runs it.

use signin::{CallbackRules, LoopbackListener, Secret, WaitControl};
use std::{
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};
use tokio::{io::AsyncWriteExt, net::TcpStream};

const JUNK: usize = 500;
const TRIALS: usize = 100;

/// Keeps `JUNK` sockets cycling against `port` until `stop`: each connects, maybe writes half a
/// request head, lingers a moment and closes, and a new one takes its place.
async fn junk(port: u16, stop: Arc<AtomicBool>, opened: Arc<AtomicUsize>) {
    let mut tasks = Vec::new();
    for i in 0..JUNK {
        let (stop, opened) = (stop.clone(), opened.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await {
                    opened.fetch_add(1, Ordering::Relaxed);
                    if i % 2 == 0 {
                        let _ = s.write_all(b"GET /callback/pinecone?code=junk HTTP/1.1\r\nHost: x").await;
                    }
                    tokio::time::sleep(Duration::from_millis(20 + (i as u64 % 50))).await;
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
}

async fn trial() -> Option<Duration> {
    let listener = LoopbackListener::bind().await.expect("bind");
    let port = listener.port();
    let state = Secret::new("load-test-state-0123456789");
    let rules = CallbackRules {
        path: "/callback/pinecone".into(),
        host: listener.host_header("127.0.0.1"),
        issuer: None,
        state: state.clone(),
        pairing: "w".into(),
    };
    let control = WaitControl::new(Duration::from_secs(10));
    let c = control.clone();
    let wait = tokio::spawn(async move { listener.wait(rules, &c).await });
    let (stop, opened) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
    let load = tokio::spawn(junk(port, stop.clone(), opened.clone()));
    // Let the junk reach full strength first.
    while opened.load(Ordering::Relaxed) < JUNK {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let sent = Instant::now();
    let callback = async {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
        let req = format!("GET /callback/pinecone?code=real&state={} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n", state.expose());
        s.write_all(req.as_bytes()).await.ok()?;
        Some(s)
    };
    let _kept = callback.await;
    let got = tokio::time::timeout(Duration::from_secs(10), wait).await;
    let took = sent.elapsed();
    stop.store(true, Ordering::Relaxed);
    control.cancel();
    let _ = load.await;
    match got {
        Ok(Ok(Ok(cb))) if cb.code.expose() == "real" => Some(took),
        _ => None,
    }
}

#[tokio::main]
async fn main() {
    let mut times = Vec::new();
    let mut failed = 0;
    for _ in 0..TRIALS {
        match trial().await {
            Some(t) => times.push(t),
            None => failed += 1,
        }
    }
    times.sort();
    let within = times.iter().filter(|t| **t <= Duration::from_secs(2)).count();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pick = |q: f64| times.get(((times.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or_default();
    println!("{TRIALS} trials, each with {JUNK} junk sockets opening and closing while the callback arrives:");
    println!("  code received within 2 s: {within}/{TRIALS} ({failed} never received)");
    println!(
        "  time to the code: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(pick(0.5)),
        ms(pick(0.95)),
        ms(times.last().copied().unwrap_or_default())
    );
}
