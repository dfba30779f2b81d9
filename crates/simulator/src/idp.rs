//! A simulated identity provider for both sign-ins: Microsoft Entra ID's v2 endpoints
//! (`/{tenant}/oauth2/v2.0/authorize|token`) and Pinecone's Auth0 tenant (`/oauth/authorize|token`).
//!
//! It is deliberately strict where a permissive mock is not: PKCE S256 is required and verified,
//! codes are single-use, bound to their client and redirect URI, and expire; redirect URIs must be
//! loopback; errors use the OAuth JSON format. It approves at once as its configured user, so a
//! browser that only follows redirects (curl) completes a sign-in.

use axum::{
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Json, Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::{distributions::Alphanumeric, Rng};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// Who the simulated user is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpUser {
    pub subject: String,
    pub name: String,
    pub email: String,
}

/// What the next authorization does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdpBehaviour {
    #[default]
    Approve,
    /// The user clicks "Cancel" / "Deny" on the consent page.
    Deny,
}

/// Every secret the IdP has handed out, so tests can check none of them leaked into logs.
#[derive(Debug, Clone, Default)]
pub struct IssuedSecrets {
    pub codes: Vec<String>,
    pub access_tokens: Vec<String>,
    pub refresh_tokens: Vec<String>,
    pub id_tokens: Vec<String>,
}

impl IssuedSecrets {
    pub fn all(&self) -> impl Iterator<Item = &String> {
        self.codes.iter().chain(&self.access_tokens).chain(&self.refresh_tokens).chain(&self.id_tokens)
    }
}

struct PendingCode {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    scope: String,
    issued: Instant,
}

struct Inner {
    user: IdpUser,
    clients: Vec<String>,
    behaviour: IdpBehaviour,
    code_lifetime: Duration,
    access_lifetime: Duration,
    codes: HashMap<String, PendingCode>,
    refresh: HashMap<String, (String, String)>, // refresh token -> (client id, scope)
    access: HashMap<String, Instant>,           // access token -> expiry
    /// Claims to put in access tokens, which are then JWT-shaped (as Auth0's and Entra's are);
    /// without them they are opaque strings.
    access_claims: Option<serde_json::Value>,
    issued: IssuedSecrets,
    token_requests: usize,
}

/// The simulated identity provider. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct Idp {
    inner: Arc<Mutex<Inner>>,
}

impl Idp {
    /// An IdP that knows the given client ids and signs everyone in as `user`.
    pub fn new(user: IdpUser, clients: &[&str]) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                user,
                clients: clients.iter().map(|c| (*c).to_owned()).collect(),
                behaviour: IdpBehaviour::Approve,
                code_lifetime: Duration::from_secs(600),
                access_lifetime: Duration::from_secs(3600),
                codes: HashMap::new(),
                refresh: HashMap::new(),
                access: HashMap::new(),
                access_claims: None,
                issued: IssuedSecrets::default(),
                token_requests: 0,
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_behaviour(&self, behaviour: IdpBehaviour) {
        self.lock().behaviour = behaviour;
    }

    pub fn set_user(&self, user: IdpUser) {
        self.lock().user = user;
    }

    pub fn set_code_lifetime(&self, lifetime: Duration) {
        self.lock().code_lifetime = lifetime;
    }

    /// How long new access tokens live; zero makes them expire at once (to test refresh).
    pub fn set_access_lifetime(&self, lifetime: Duration) {
        self.lock().access_lifetime = lifetime;
    }

    pub fn issued(&self) -> IssuedSecrets {
        self.lock().issued.clone()
    }

    pub fn token_requests(&self) -> usize {
        self.lock().token_requests
    }

    /// Issues an access token without the browser round trip, for tests and tools that start
    /// already signed in. It is recorded with the others.
    /// From now on, access tokens are JWT-shaped and carry `claims` (e.g. the org a Pinecone
    /// token is scoped to).
    pub fn set_access_claims(&self, claims: serde_json::Value) {
        self.lock().access_claims = Some(claims);
    }

    pub fn issue_access_token(&self) -> String {
        let mut inner = self.lock();
        let token = access_token(&inner);
        let expiry = Instant::now() + inner.access_lifetime;
        inner.access.insert(token.clone(), expiry);
        inner.issued.access_tokens.push(token.clone());
        token
    }

    /// Whether `token` is an access token this IdP issued that has not expired.
    pub fn access_token_is_valid(&self, token: &str) -> bool {
        self.lock().access.get(token).is_some_and(|expiry| Instant::now() < *expiry)
    }

    /// Routes for both providers' endpoints.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/{tenant}/oauth2/v2.0/authorize", get(authorize_entra))
            .route("/{tenant}/oauth2/v2.0/token", post(token_entra))
            .route("/oauth/authorize", get(authorize))
            .route("/oauth/token", post(token))
            .with_state(self.clone())
    }
}

/// A random alphanumeric string, for codes and tokens.
pub fn random_token(len: usize) -> String {
    random(len)
}

fn random(len: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

#[derive(Debug, Deserialize)]
struct AuthorizeParams {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    response_mode: Option<String>,
}

fn error_page(status: StatusCode, message: &str) -> Response {
    (status, Html(format!("<!doctype html><title>Sign-in error</title><p>{}</p>", html_escape(message)))).into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// RFC 8252 §7.3: loopback redirects over http, any port. Entra also accepts `localhost`.
fn is_loopback_redirect(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")) && u.fragment().is_none()
    })
}

/// Sends the user back to the app, by query (default) or by an auto-submitting form (`form_post`).
fn respond_to_client(redirect_uri: &str, mode: Option<&str>, params: &[(&str, &str)]) -> Response {
    if mode == Some("form_post") {
        let inputs: String = params
            .iter()
            .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", html_escape(k), html_escape(v)))
            .collect();
        let page = format!(
            "<!doctype html><title>Signing in</title><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{}\">{inputs}<noscript><button>Continue</button></noscript></form>",
            html_escape(redirect_uri)
        );
        return Html(page).into_response();
    }
    let mut url = url::Url::parse(redirect_uri).expect("checked before");
    url.query_pairs_mut().extend_pairs(params);
    Redirect::to(url.as_str()).into_response()
}

async fn authorize_entra(State(idp): State<Idp>, Path(_tenant): Path<String>, Query(p): Query<AuthorizeParams>) -> Response {
    authorize(State(idp), Query(p)).await
}

async fn authorize(State(idp): State<Idp>, Query(p): Query<AuthorizeParams>) -> Response {
    let mut inner = idp.lock();
    // Problems with the client or redirect are shown here, never sent to an unverified redirect.
    let Some(client_id) = p.client_id.filter(|c| inner.clients.contains(c)) else {
        return error_page(StatusCode::BAD_REQUEST, "unauthorized_client: this application is not registered");
    };
    let Some(redirect_uri) = p.redirect_uri.filter(|r| is_loopback_redirect(r)) else {
        return error_page(StatusCode::BAD_REQUEST, "invalid_request: redirect_uri must be a loopback http address");
    };
    let mode = p.response_mode.as_deref();
    let state = p.state.unwrap_or_default();
    let fail = |error: &str, description: &str| {
        let mut params = vec![("error", error), ("error_description", description)];
        if !state.is_empty() {
            params.push(("state", state.as_str()));
        }
        respond_to_client(&redirect_uri, mode, &params)
    };
    if p.response_type.as_deref() != Some("code") {
        return fail("unsupported_response_type", "only response_type=code is supported");
    }
    let challenge = match (p.code_challenge, p.code_challenge_method.as_deref()) {
        (Some(c), Some("S256")) if c.len() == 43 => c,
        (Some(_), Some("S256")) => return fail("invalid_request", "code_challenge must be 43 characters of base64url"),
        _ => return fail("invalid_request", "PKCE with code_challenge_method=S256 is required"),
    };
    if inner.behaviour == IdpBehaviour::Deny {
        return fail("access_denied", "The user declined to sign in.");
    }
    let code = random(40);
    inner.issued.codes.push(code.clone());
    let pending = PendingCode {
        client_id,
        redirect_uri: redirect_uri.clone(),
        challenge,
        scope: p.scope.unwrap_or_default(),
        issued: Instant::now(),
    };
    inner.codes.insert(code.clone(), pending);
    drop(inner);
    let mut params = vec![("code", code.as_str())];
    if !state.is_empty() {
        params.push(("state", state.as_str()));
    }
    respond_to_client(&redirect_uri, mode, &params)
}

#[derive(Debug, Deserialize)]
struct TokenParams {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    client_id: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
}

fn oauth_error(error: &str, description: &str) -> Response {
    let mut response = (StatusCode::BAD_REQUEST, Json(json!({"error": error, "error_description": description}))).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, "no-store".parse().expect("static header"));
    response
}

async fn token_entra(State(idp): State<Idp>, Path(_tenant): Path<String>, Form(p): Form<TokenParams>) -> Response {
    // Entra's v2 endpoint wants the scopes again on a refresh; Auth0 doesn't.
    if p.grant_type.as_deref() == Some("refresh_token") && p.scope.as_deref().is_none_or(str::is_empty) {
        return oauth_error("invalid_request", "AADSTS90014: The required field 'scope' is missing from the credential.");
    }
    token(State(idp), Form(p)).await
}

async fn token(State(idp): State<Idp>, Form(p): Form<TokenParams>) -> Response {
    let mut inner = idp.lock();
    inner.token_requests += 1;
    let Some(client_id) = p.client_id.filter(|c| inner.clients.contains(c)) else {
        return oauth_error("invalid_client", "unknown client_id");
    };
    let scope = match p.grant_type.as_deref() {
        Some("authorization_code") => {
            let Some(code) = p.code else { return oauth_error("invalid_request", "code is required") };
            // Single use: the code is gone whatever happens next.
            let Some(pending) = inner.codes.remove(&code) else {
                return oauth_error("invalid_grant", "the authorization code is unknown or was already used");
            };
            if pending.issued.elapsed() > inner.code_lifetime {
                return oauth_error("invalid_grant", "the authorization code has expired");
            }
            if pending.client_id != client_id {
                return oauth_error("invalid_grant", "the code was issued to another client");
            }
            if p.redirect_uri.as_deref() != Some(pending.redirect_uri.as_str()) {
                return oauth_error("invalid_grant", "redirect_uri does not match the authorization request");
            }
            let Some(verifier) = p.code_verifier else {
                return oauth_error("invalid_grant", "code_verifier is required (PKCE)");
            };
            if !(43..=128).contains(&verifier.len()) {
                return oauth_error("invalid_grant", "code_verifier must be 43 to 128 characters");
            }
            if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != pending.challenge {
                return oauth_error("invalid_grant", "PKCE verification failed");
            }
            pending.scope
        }
        Some("refresh_token") => {
            let Some(refresh) = p.refresh_token else { return oauth_error("invalid_request", "refresh_token is required") };
            match inner.refresh.remove(&refresh) {
                Some((owner, scope)) if owner == client_id => p.scope.unwrap_or(scope),
                _ => return oauth_error("invalid_grant", "the refresh token is unknown or was already used"),
            }
        }
        _ => return oauth_error("unsupported_grant_type", "use authorization_code or refresh_token"),
    };

    let access = access_token(&inner);
    let refresh = random(48);
    let lifetime = inner.access_lifetime;
    inner.access.insert(access.clone(), Instant::now() + lifetime);
    inner.refresh.insert(refresh.clone(), (client_id.clone(), scope.clone()));
    let id_token = id_token(&inner.user, &client_id, lifetime);
    inner.issued.access_tokens.push(access.clone());
    inner.issued.refresh_tokens.push(refresh.clone());
    inner.issued.id_tokens.push(id_token.clone());
    let mut response = Json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
        "refresh_token": refresh,
        "id_token": id_token,
        "scope": scope,
    }))
    .into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, "no-store".parse().expect("static header"));
    response
}

/// An unsigned-looking JWT carrying the claims both real providers send (Entra: `name`,
/// `preferred_username`; Auth0: `name`, `email`).
fn access_token(inner: &Inner) -> String {
    match &inner.access_claims {
        Some(claims) => {
            let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
            format!("{header}.{}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()), random(43))
        }
        None => random(48),
    }
}

fn id_token(user: &IdpUser, audience: &str, lifetime: Duration) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = json!({
        "iss": "billing-assistant-simulator",
        "sub": user.subject,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime.as_secs(),
        "name": user.name,
        "email": user.email,
        "preferred_username": user.email,
    });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.{}", random(43))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; // RFC 7636 appendix B

    fn idp() -> Idp {
        Idp::new(IdpUser { subject: "u1".into(), name: "Ada Owner".into(), email: "ada@example.com".into() }, &["app"])
    }

    async fn get(idp: &Idp, uri: &str) -> Response {
        idp.router().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap()
    }

    async fn post_form(idp: &Idp, uri: &str, form: &str) -> (StatusCode, serde_json::Value) {
        let req = Request::post(uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form.to_owned()))
            .unwrap();
        let resp = idp.router().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    fn location(resp: &Response) -> url::Url {
        url::Url::parse(resp.headers()[header::LOCATION].to_str().unwrap()).unwrap()
    }

    fn param(url: &url::Url, key: &str) -> Option<String> {
        url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
    }

    async fn code(idp: &Idp) -> String {
        let resp = get(idp, &format!("/oauth/authorize?client_id=app&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback&state=s1&code_challenge={CHALLENGE}&code_challenge_method=S256&scope=openid")).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let loc = location(&resp);
        assert_eq!(param(&loc, "state").as_deref(), Some("s1"));
        param(&loc, "code").unwrap()
    }

    fn exchange_form(code: &str, verifier: &str) -> String {
        format!("grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback&client_id=app&code_verifier={verifier}")
    }

    #[tokio::test]
    async fn a_code_with_the_right_verifier_gets_tokens_once() {
        let idp = idp();
        let code = code(&idp).await;
        let (status, body) = post_form(&idp, "/oauth/token", &exchange_form(&code, VERIFIER)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(idp.access_token_is_valid(body["access_token"].as_str().unwrap()));
        let (status, body) = post_form(&idp, "/oauth/token", &exchange_form(&code, VERIFIER)).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "codes are single-use");
    }

    #[tokio::test]
    async fn a_wrong_verifier_is_rejected_and_burns_the_code() {
        let idp = idp();
        let code = code(&idp).await;
        let wrong = "x".repeat(43);
        let (_, body) = post_form(&idp, "/oauth/token", &exchange_form(&code, &wrong)).await;
        assert_eq!(body["error_description"], "PKCE verification failed");
        let (_, body) = post_form(&idp, "/oauth/token", &exchange_form(&code, VERIFIER)).await;
        assert_eq!(body["error"], "invalid_grant");
    }

    #[tokio::test]
    async fn expired_codes_are_rejected() {
        let idp = idp();
        idp.set_code_lifetime(Duration::ZERO);
        let code = code(&idp).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let (_, body) = post_form(&idp, "/oauth/token", &exchange_form(&code, VERIFIER)).await;
        assert_eq!(body["error_description"], "the authorization code has expired");
    }

    #[tokio::test]
    async fn pkce_is_required_and_plain_is_refused() {
        let idp = idp();
        for extra in ["", "&code_challenge=abc&code_challenge_method=plain"] {
            let resp = get(&idp, &format!("/oauth/authorize?client_id=app&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback&state=s{extra}")).await;
            let loc = location(&resp);
            assert_eq!(param(&loc, "error").as_deref(), Some("invalid_request"));
            assert_eq!(param(&loc, "state").as_deref(), Some("s"));
        }
    }

    #[tokio::test]
    async fn unknown_clients_and_non_loopback_redirects_are_never_redirected_to() {
        let idp = idp();
        let resp = get(&idp, &format!("/oauth/authorize?client_id=evil&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb&code_challenge={CHALLENGE}&code_challenge_method=S256")).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let resp = get(&idp, &format!("/oauth/authorize?client_id=app&response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&code_challenge={CHALLENGE}&code_challenge_method=S256")).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn deny_sends_access_denied_back_with_the_state() {
        let idp = idp();
        idp.set_behaviour(IdpBehaviour::Deny);
        let resp = get(&idp, &format!("/common/oauth2/v2.0/authorize?client_id=app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcallback&state=s2&code_challenge={CHALLENGE}&code_challenge_method=S256")).await;
        let loc = location(&resp);
        assert_eq!(param(&loc, "error").as_deref(), Some("access_denied"));
        assert_eq!(param(&loc, "state").as_deref(), Some("s2"));
    }

    #[tokio::test]
    async fn refresh_tokens_rotate() {
        let idp = idp();
        let code = code(&idp).await;
        let (_, first) = post_form(&idp, "/oauth/token", &exchange_form(&code, VERIFIER)).await;
        let refresh = first["refresh_token"].as_str().unwrap();
        let (status, second) =
            post_form(&idp, "/oauth/token", &format!("grant_type=refresh_token&refresh_token={refresh}&client_id=app")).await;
        assert_eq!(status, StatusCode::OK);
        assert_ne!(second["access_token"], first["access_token"]);
        let (_, again) =
            post_form(&idp, "/oauth/token", &format!("grant_type=refresh_token&refresh_token={refresh}&client_id=app")).await;
        assert_eq!(again["error"], "invalid_grant", "a used refresh token is spent");
    }

    #[tokio::test]
    async fn form_post_mode_returns_an_auto_submitting_form() {
        let idp = idp();
        let resp = get(&idp, &format!("/oauth/authorize?client_id=app&response_type=code&response_mode=form_post&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback&state=s3&code_challenge={CHALLENGE}&code_challenge_method=S256")).await;
        assert_eq!(resp.status(), StatusCode::OK);
        let body = String::from_utf8(axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
        assert!(body.contains("method=\"post\" action=\"http://127.0.0.1:5000/callback\""), "{body}");
        assert!(body.contains("name=\"state\" value=\"s3\""));
    }
}
