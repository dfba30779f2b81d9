//! The loopback listener on real sockets: GET and POST callbacks, state, host and issuer checks,
//! provider errors, timeout, extend and cancel, junk and oversized requests, idle sockets past
//! the connection cap, and two sign-ins at once.

use signin::{loopback::Callback, CallbackError, CallbackRules, LoopbackListener, Secret, WaitControl};
use std::time::Duration;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    task::JoinHandle,
};

const PATH: &str = "/callback";
const ISSUER: &str = "https://login.example.test/{tenant}/v2.0";

fn rules(listener: &LoopbackListener, state: &Secret) -> CallbackRules {
    CallbackRules {
        path: PATH.into(),
        host: listener.host_header("127.0.0.1"),
        issuer: Some(ISSUER.into()),
        state: state.clone(),
        pairing: "amber falcon river".into(),
    }
}

fn start(timeout: Duration) -> (u16, WaitControl, JoinHandle<Result<Callback, CallbackError>>, Secret) {
    let state = Secret::new("s-0123456789abcdef");
    let control = WaitControl::new(timeout);
    let listener = futures_bind();
    let port = listener.port();
    let (c, r) = (control.clone(), rules(&listener, &state));
    let task = tokio::spawn(async move { listener.wait(r, &c).await });
    (port, control, task, state)
}

fn futures_bind() -> LoopbackListener {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(LoopbackListener::bind())).expect("bind loopback")
}

/// Sends raw bytes and returns the whole response as text.
async fn raw(port: u16, request: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    s.write_all(request).await.expect("write");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}

async fn get(port: u16, target: &str) -> String {
    raw(port, format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes()).await
}

async fn post_form(port: u16, body: &str) -> String {
    let req = format!(
        "POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(port, req.as_bytes()).await
}

/// Awaits a wait task, failing the test (rather than hanging it) if it never returns.
async fn within(task: JoinHandle<Result<Callback, CallbackError>>) -> Result<Callback, CallbackError> {
    tokio::time::timeout(Duration::from_secs(30), task).await.expect("the wait returned").unwrap()
}

fn closed(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_get_callback_with_the_right_state_delivers_the_code() {
    let (port, _c, task, state) = start(Duration::from_secs(10));
    let response = get(port, &format!("{PATH}?code=the-code&state={}", state.expose())).await;
    let callback = task.await.unwrap().expect("code");
    assert_eq!(callback.code.expose(), "the-code");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    // No framing either (RFC 9700 §4.16: a page that can't be put in a frame can't be clickjacked).
    assert!(response.contains("frame-ancestors 'none'"), "{response}");
    for header in ["Cache-Control: no-store", "Referrer-Policy: no-referrer", "Content-Security-Policy: default-src 'none'"] {
        assert!(response.contains(header), "missing {header}: {response}");
    }
    assert!(response.contains("amber falcon river"), "the page shows the pairing words");
    assert!(response.contains("Go back to Billing Assistant"), "the page sends the user back to the app");
    assert!(!response.contains("signed in"), "the code isn't exchanged yet, so the page can't claim success");
    assert!(response.contains("history.replaceState"), "the page moves to a clean URL");
    assert!(!response.contains("the-code"), "the page doesn't repeat the code");
    assert!(!response.contains("src=\"http") && !response.contains("href=\"http"), "no external resources");
    assert!(closed(port), "the listener closes once the sign-in is done");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_post_callback_delivers_the_code() {
    let (port, _c, task, state) = start(Duration::from_secs(10));
    let response = post_form(port, &format!("code=posted%2Bcode&state={}", state.expose())).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert_eq!(task.await.unwrap().unwrap().code.expose(), "posted+code");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_state_is_answered_and_ignored_then_the_right_one_wins() {
    let (port, _c, task, state) = start(Duration::from_secs(10));
    let stale = get(port, &format!("{PATH}?code=old&state=stale-state")).await;
    assert!(stale.starts_with("HTTP/1.1 400") && stale.contains("out of date"), "{stale}");
    let missing = get(port, &format!("{PATH}?code=old")).await;
    assert!(missing.contains("out of date"));
    assert!(!task.is_finished(), "a stale callback doesn't end the wait");
    get(port, &format!("{PATH}?code=new&state={}", state.expose())).await;
    assert_eq!(task.await.unwrap().unwrap().code.expose(), "new");
}

#[tokio::test(flavor = "multi_thread")]
async fn access_denied_ends_the_sign_in_with_the_providers_words() {
    let (port, _c, task, state) = start(Duration::from_secs(10));
    let page =
        get(port, &format!("{PATH}?error=access_denied&error_description=The+user+said+no.&state={}", state.expose())).await;
    assert!(page.contains("The user said no."), "{page}");
    let err = task.await.unwrap().unwrap_err();
    assert_eq!(err, CallbackError::Provider { error: "access_denied".into(), description: "The user said no.".into() });
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_with_a_wrong_state_cannot_end_the_sign_in() {
    let (port, _c, task, _state) = start(Duration::from_millis(600));
    get(port, &format!("{PATH}?error=access_denied&state=forged")).await;
    assert_eq!(
        task.await.unwrap().unwrap_err(),
        CallbackError::TimedOut { rejected: 1 },
        "the timeout counts the rejected callback"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn it_times_out_and_frees_the_port() {
    let (port, _c, task, _s) = start(Duration::from_millis(200));
    assert_eq!(within(task).await.unwrap_err(), CallbackError::TimedOut { rejected: 0 });
    assert!(closed(port));
}

#[tokio::test(flavor = "multi_thread")]
async fn extend_pushes_the_deadline_out() {
    let (port, control, task, state) = start(Duration::from_millis(300));
    control.extend(Duration::from_secs(5));
    assert!(control.remaining() > Duration::from_secs(4));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(!task.is_finished(), "extended past the first deadline");
    get(port, &format!("{PATH}?code=late&state={}", state.expose())).await;
    assert_eq!(task.await.unwrap().unwrap().code.expose(), "late");
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_ends_the_wait_and_frees_the_port_at_once() {
    let (port, control, task, _s) = start(Duration::from_secs(300));
    tokio::time::sleep(Duration::from_millis(50)).await;
    control.cancel();
    // The wait had five minutes left, so returning at all proves Cancel ended it.
    assert_eq!(within(task).await.unwrap_err(), CallbackError::Cancelled);
    assert!(closed(port), "port closed as soon as the wait returns");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_right_state_sent_to_another_host_or_from_another_issuer_is_refused_and_the_wait_goes_on() {
    let (port, _c, task, state) = start(Duration::from_secs(10));
    let s = state.expose();
    let target = format!("{PATH}?code=stolen&state={s}");
    // DNS rebinding: a web page at evil.example that resolves to 127.0.0.1.
    let rebound = raw(port, format!("GET {target} HTTP/1.1\r\nHost: evil.example:{port}\r\n\r\n").as_bytes()).await;
    assert!(rebound.starts_with("HTTP/1.1 400") && rebound.contains("for this sign-in"), "{rebound}");
    let other_port = raw(port, format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n").as_bytes()).await;
    assert!(other_port.starts_with("HTTP/1.1 400"), "{other_port}");
    let no_host = raw(port, format!("GET {target} HTTP/1.1\r\n\r\n").as_bytes()).await;
    assert!(no_host.starts_with("HTTP/1.1 400"), "{no_host}");
    let absolute =
        raw(port, format!("GET http://evil.example{target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes()).await;
    assert!(absolute.starts_with("HTTP/1.1 400"), "an absolute target naming another host: {absolute}");
    // Another provider's answer (RFC 9207): the right state, but its issuer isn't this sign-in's.
    let mixed = get(port, &format!("{target}&iss=https%3A%2F%2Flogin.pinecone.io%2F")).await;
    assert!(mixed.starts_with("HTTP/1.1 400") && mixed.contains("somewhere else"), "{mixed}");
    assert!(!task.is_finished(), "nothing refused ends the wait");
    // The real one: its issuer names a directory, which `{tenant}` stands for.
    get(port, &format!("{PATH}?code=real&state={s}&iss=https%3A%2F%2Flogin.example.test%2Fdir-1%2Fv2.0")).await;
    assert_eq!(within(task).await.unwrap().code.expose(), "real");
}

#[tokio::test(flavor = "multi_thread")]
async fn more_idle_sockets_than_the_connection_cap_do_not_block_the_real_callback() {
    // A local process holding idle sockets: each would keep its slot for 10 s, and the wait gives
    // up after 8 s. The oldest idle ones make way for new connections, so the callback gets in.
    let (port, _c, task, state) = start(Duration::from_secs(8));
    let mut idle = Vec::new();
    for _ in 0..signin::loopback::MAX_CONNECTIONS + 100 {
        idle.push(TcpStream::connect(("127.0.0.1", port)).await.expect("idle connect"));
    }
    get(port, &format!("{PATH}?code=real&state={}", state.expose())).await;
    assert_eq!(within(task).await.unwrap().code.expose(), "real");
    drop(idle);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_junk_connections_held_open_do_not_block_the_real_callback() {
    // Idle connections are only dropped after 10 s, and the wait gives up after 5 s: a listener
    // that served connections one at a time would time out here instead of seeing the callback.
    let (port, _c, task, state) = start(Duration::from_secs(5));
    let mut junk = Vec::new();
    for i in 0..100 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.expect("junk connect");
        // Half send nothing, half send a partial request head and stall.
        if i % 2 == 0 {
            s.write_all(b"GET /callback?code=x HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        }
        junk.push(s);
    }
    get(port, &format!("{PATH}?code=real&state={}", state.expose())).await;
    assert_eq!(task.await.unwrap().unwrap().code.expose(), "real", "the real callback isn't queued behind idle connections");
    drop(junk);
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_malformed_and_unrelated_requests_get_errors_and_the_wait_goes_on() {
    let (port, _c, task, state) = start(Duration::from_secs(30));
    let huge_head = format!("GET {PATH}?code=x HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(10_000));
    assert!(raw(port, huge_head.as_bytes()).await.starts_with("HTTP/1.1 431"));
    let huge_body = format!(
        "POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
    );
    assert!(raw(port, huge_body.as_bytes()).await.starts_with("HTTP/1.1 413"));
    assert!(raw(port, b"\x00\xff\xfe garbage\r\n\r\n").await.starts_with("HTTP/1.1 400"));
    assert!(raw(port, b"GET\r\n\r\n").await.starts_with("HTTP/1.1 400"));
    assert!(raw(port, b"GET /callback HTTP/1.1\r\nno colon here\r\n\r\n").await.starts_with("HTTP/1.1 400"));
    assert!(raw(port, b"GET /callback HTTP/1.1\r\nContent-Length: nope\r\n\r\n").await.starts_with("HTTP/1.1 400"));
    let host = format!("Host: 127.0.0.1:{port}\r\n");
    let with_host = |request: &str| request.replacen("\r\n", &format!("\r\n{host}"), 1);
    assert!(raw(port, with_host("POST /callback HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").as_bytes())
        .await
        .starts_with("HTTP/1.1 411"));
    assert!(raw(
        port,
        with_host("POST /callback HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}").as_bytes()
    )
    .await
    .starts_with("HTTP/1.1 415"));
    assert!(raw(port, with_host("DELETE /callback HTTP/1.1\r\n\r\n").as_bytes()).await.starts_with("HTTP/1.1 405"));
    // Two lengths that disagree (request smuggling), and versions other than HTTP/1.0 and 1.1.
    assert!(raw(port, with_host("POST /callback HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabc").as_bytes())
        .await
        .starts_with("HTTP/1.1 400"));
    assert!(raw(port, with_host("GET /callback HTTP/1.9\r\n\r\n").as_bytes()).await.starts_with("HTTP/1.1 400"));
    assert!(raw(port, with_host("GET /callback HTTP/2.0\r\n\r\n").as_bytes()).await.starts_with("HTTP/1.1 400"));
    assert!(get(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
    assert!(
        get(port, &format!("/other?code=x&state={}", state.expose())).await.starts_with("HTTP/1.1 404"),
        "only the callback path counts"
    );
    assert!(get(port, &format!("{PATH}?state={}", state.expose())).await.starts_with("HTTP/1.1 400"), "no code, no error");
    assert!(!task.is_finished());
    get(port, &format!("{PATH}?code=ok&state={}", state.expose())).await;
    assert_eq!(task.await.unwrap().unwrap().code.expose(), "ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_sign_ins_at_once_each_get_their_own_callback() {
    let (port_a, _ca, task_a, state_a) = start(Duration::from_secs(10));
    let (port_b, _cb, task_b, _) = start(Duration::from_secs(10));
    assert_ne!(port_a, port_b);
    // A callback meant for another sign-in (wrong state) is turned away without disturbing B.
    let cross = get(port_b, &format!("{PATH}?code=for-a&state=wrong")).await;
    assert!(cross.contains("out of date"));
    get(port_a, &format!("{PATH}?code=for-a&state={}", state_a.expose())).await;
    assert_eq!(task_a.await.unwrap().unwrap().code.expose(), "for-a");
    assert!(!task_b.is_finished(), "B keeps waiting after A finishes");
    get(port_b, &format!("{PATH}?code=for-b&state=s-0123456789abcdef")).await;
    assert_eq!(task_b.await.unwrap().unwrap().code.expose(), "for-b");
}

#[tokio::test(flavor = "multi_thread")]
async fn ipv6_loopback_works_when_the_machine_has_it() {
    let listener = LoopbackListener::bind().await.unwrap();
    if !listener.has_ipv6() {
        // Nothing to test on a machine without ::1; the IPv4 tests cover the rest.
        assert!(std::net::TcpStream::connect(("::1", 1)).is_err());
        return;
    }
    let port = listener.port();
    let control = WaitControl::new(Duration::from_secs(10));
    let state = Secret::new("v6-state");
    let c = control.clone();
    let rules = CallbackRules { host: listener.host_header("localhost"), ..rules(&listener, &state) };
    let task = tokio::spawn(async move { listener.wait(rules, &c).await });
    let mut s = TcpStream::connect(("::1", port)).await.unwrap();
    s.write_all(format!("GET /callback?code=v6&state=v6-state HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    assert_eq!(task.await.unwrap().unwrap().code.expose(), "v6");
}
