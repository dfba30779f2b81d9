//! One connection to the loopback listener, served by hyper's HTTP/1 server: hyper parses the
//! request (and answers malformed ones itself: 400, or 431 for a head over 8 KiB), and
//! [`answer`] decides what the request is. Only a request on the rules' path, with the rules'
//! `Host`, the exact `state` and, when the provider names itself, the expected issuer, can end
//! the wait; everything else gets a plain answer and the wait goes on.
//!
//! Generic over the byte stream so the fuzz tests can drive it without sockets.

use super::CallbackRules;
use crate::Secret;
use base64::{engine::general_purpose::STANDARD, Engine};
use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use parking_lot::Mutex;
use sha2::{Digest, Sha256};
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};
use tokio::io::{AsyncRead, AsyncWrite};

/// hyper's smallest buffer, and the most a request head may take.
pub const MAX_HEAD: usize = 8 * 1024;
pub const MAX_BODY: usize = 16 * 1024;

/// What a request on the callback path was.
#[derive(Debug)]
pub enum Outcome {
    Code(Secret),
    ProviderError { error: String, description: String },
    Rejected(Rejection),
}

/// Why a request on the callback path was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// No `state`, or another one: an old tab, another sign-in, or a forgery.
    State,
    /// The browser wasn't sent to this listener's address (another `Host`): DNS rebinding, or a
    /// response meant for another redirect.
    Host,
    /// The response names another authorization server than this sign-in's (RFC 9207).
    Issuer,
    /// Neither a code nor an error.
    NoCode,
}

/// Serves one connection: one request, one answer, then closed. `head_seen` is set once hyper
/// has a whole request head, so the listener knows this connection isn't idle. Returns what the
/// request was, if it was on the callback path, after the answer is sent.
pub async fn serve_connection<I>(io: I, rules: &Arc<CallbackRules>, head_seen: &Arc<AtomicBool>) -> Option<Outcome>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let outcome: Arc<Mutex<Option<Outcome>>> = Arc::default();
    let (slot, rules, seen) = (outcome.clone(), rules.clone(), head_seen.clone());
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        seen.store(true, Ordering::Relaxed);
        let (slot, rules) = (slot.clone(), rules.clone());
        async move {
            let (response, what) = answer(req, &rules).await;
            *slot.lock() = what;
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    let served = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(super::REQUEST_TIME)
        .max_buf_size(MAX_HEAD)
        .keep_alive(false)
        // Header names as browsers and the old listener wrote them (HTTP doesn't mind; people reading do).
        .title_case_headers(true)
        .serve_connection(TokioIo::new(io), service)
        .await;
    // A client that hung up early, or sent junk hyper answered itself: nothing to report.
    let _ = served;
    let what = outcome.lock().take();
    what
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    respond(status, "text/plain; charset=utf-8", None, Bytes::from_static(text.as_bytes()))
}

fn respond(status: StatusCode, content_type: &'static str, csp: Option<String>, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    if let Some(value) = csp.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

fn html(status: StatusCode, page: Page) -> Response<Full<Bytes>> {
    respond(status, "text/html; charset=utf-8", Some(page.csp), Bytes::from(page.html))
}

/// Whether `value` is `host` (ASCII case aside), for the `Host` header and an absolute-form target.
fn same_host(value: Option<&str>, host: &str) -> bool {
    value.is_some_and(|v| v.eq_ignore_ascii_case(host))
}

/// Whether `iss` is the issuer `pattern` names; `{tenant}` matches one non-empty path segment.
pub fn issuer_matches(pattern: &str, iss: &str) -> bool {
    match pattern.split_once("{tenant}") {
        None => iss == pattern,
        Some((before, after)) => iss
            .strip_prefix(before)
            .and_then(|rest| rest.strip_suffix(after))
            .is_some_and(|tenant| !tenant.is_empty() && !tenant.contains('/')),
    }
}

/// What the request is, and the answer for the browser.
async fn answer(req: Request<Incoming>, rules: &CallbackRules) -> (Response<Full<Bytes>>, Option<Outcome>) {
    if req.uri().path() != rules.path {
        return (plain(StatusCode::NOT_FOUND, "Not found"), None);
    }
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    let authority = req.uri().authority().map(|a| a.as_str());
    if !same_host(host, &rules.host) || authority.is_some_and(|a| !same_host(Some(a), &rules.host)) {
        let page = page(
            "This page isn't for this sign-in",
            "Billing Assistant only takes a sign-in sent to its own address, so it ignored this one. Go back to the app and sign in from there.",
            None,
        );
        return (html(StatusCode::BAD_REQUEST, page), Some(Outcome::Rejected(Rejection::Host)));
    }
    let params: Vec<(String, String)> = match *req.method() {
        Method::GET => url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes()).into_owned().collect(),
        Method::POST => match form_body(req).await {
            Ok(body) => url::form_urlencoded::parse(&body).into_owned().collect(),
            Err(response) => return (response, None),
        },
        _ => return (plain(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed"), None),
    };
    let get = |key: &str| params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());

    let state_ok = get("state").is_some_and(|s| constant_time_eq(s.as_bytes(), rules.state.expose().as_bytes()));
    if !state_ok {
        let page = page(
            "This sign-in tab is out of date",
            "This page came from an older or different sign-in, so Billing Assistant ignored it. Go back to the app and use the newest sign-in.",
            None,
        );
        return (html(StatusCode::BAD_REQUEST, page), Some(Outcome::Rejected(Rejection::State)));
    }
    if let (Some(iss), Some(expected)) = (get("iss"), &rules.issuer) {
        if !issuer_matches(expected, iss) {
            let page = page(
                "This sign-in came from somewhere else",
                "The answer names another sign-in service than the one Billing Assistant asked, so it ignored it. Go back to the app and sign in again.",
                None,
            );
            return (html(StatusCode::BAD_REQUEST, page), Some(Outcome::Rejected(Rejection::Issuer)));
        }
    }
    if let Some(error) = get("error") {
        let description = get("error_description").unwrap_or(error).to_owned();
        let page = page(
            "Sign-in didn't finish",
            &format!("{description} Go back to Billing Assistant to try again."),
            Some(&rules.pairing),
        );
        return (html(StatusCode::OK, page), Some(Outcome::ProviderError { error: error.to_owned(), description }));
    }
    match get("code") {
        Some(code) if !code.is_empty() => {
            // The code isn't exchanged yet, so this page can't promise success; the app says how it ended.
            let page = page(
                "Sign-in received",
                "Go back to Billing Assistant: it finishes signing you in and shows the result. You can close this tab.",
                Some(&rules.pairing),
            );
            (html(StatusCode::OK, page), Some(Outcome::Code(Secret::new(code))))
        }
        _ => (plain(StatusCode::BAD_REQUEST, "Not a sign-in response"), Some(Outcome::Rejected(Rejection::NoCode))),
    }
}

/// The body of a `form_post` callback: a form, with a length, of at most [`MAX_BODY`] bytes.
async fn form_body(req: Request<Incoming>) -> Result<Bytes, Response<Full<Bytes>>> {
    let headers = req.headers();
    if headers.contains_key(header::TRANSFER_ENCODING) {
        // A browser posting a small form always sends Content-Length.
        return Err(plain(StatusCode::LENGTH_REQUIRED, "Length Required"));
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(plain(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Expected a form"));
    }
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if length.is_some_and(|n| n > MAX_BODY) {
        return Err(plain(StatusCode::PAYLOAD_TOO_LARGE, "Content Too Large"));
    }
    match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(_) => Err(plain(StatusCode::BAD_REQUEST, "Bad Request")),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
        ),
    }
}

fn escape(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::issuer_matches;

    #[test]
    fn an_issuer_pattern_matches_one_tenant_segment_and_nothing_else() {
        let entra = "https://login.microsoftonline.com/{tenant}/v2.0";
        assert!(issuer_matches(entra, "https://login.microsoftonline.com/1111-2222/v2.0"));
        assert!(!issuer_matches(entra, "https://login.microsoftonline.com//v2.0"), "empty tenant");
        assert!(!issuer_matches(entra, "https://login.microsoftonline.com/a/b/v2.0"), "two segments");
        assert!(!issuer_matches(entra, "https://login.pinecone.io/"));
        assert!(issuer_matches("https://login.pinecone.io/", "https://login.pinecone.io/"));
        assert!(!issuer_matches("https://login.pinecone.io/", "https://login.pinecone.io"), "exact without a tenant");
    }
}
