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
use parking_lot::Mutex;
use rand::{distributions::Alphanumeric, Rng};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    sync::Arc,
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

    fn lock(&self) -> parking_lot::MutexGuard<'_, Inner> {
        self.inner.lock()
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

/// One provider's endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize: String,
    pub token: String,
}

/// Where the simulated identity provider answers for each real one, under `base`. Entra's carry
/// `{tenant}`, which the sign-in settings fill in, as they do for the real endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpEndpoints {
    pub entra: Endpoints,
    pub pinecone: Endpoints,
}

/// The one place the simulated IdP's URLs are spelled, for the app's demo mode, the tests and
/// the benchmarks.
pub fn idp_endpoints(base: &str) -> IdpEndpoints {
    IdpEndpoints {
        entra: Endpoints {
            authorize: format!("{base}/{{tenant}}/oauth2/v2.0/authorize"),
            token: format!("{base}/{{tenant}}/oauth2/v2.0/token"),
        },
        pinecone: Endpoints { authorize: format!("{base}/oauth/authorize"), token: format!("{base}/oauth/token") },
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
    (status, Html(format!("<!doctype html><title>Sign-in error</title><p>{}</p>", crate::escape(message)))).into_response()
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
            .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", crate::escape(k), crate::escape(v)))
            .collect();
        let page = format!(
            "<!doctype html><title>Signing in</title><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{}\">{inputs}<noscript><button>Continue</button></noscript></form>",
            crate::escape(redirect_uri)
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
mod tests;
