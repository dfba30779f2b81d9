//! The identity provider's HTTP endpoints: authorize (query or `form_post` answer), token (code
//! and refresh grants, and Entra's device code grant, [`super::device`]), Entra's device
//! authorization endpoint and the page its codes are entered on, and, for Auth0, userinfo.

use super::{
    access_token, device, device_pages, id_token, random_token, Access, Grant, Idp, IdpBehaviour, PendingCode, Provider,
};
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Json, Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Instant;

pub(super) fn router(idp: &Idp) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize_entra))
        .route("/{tenant}/oauth2/v2.0/token", post(token_entra))
        .route("/{tenant}/oauth2/v2.0/devicecode", post(device::devicecode).fallback(device::devicecode_not_post))
        .route("/oauth/authorize", get(authorize_auth0))
        .route("/oauth/token", post(token_auth0))
        .route("/userinfo", get(userinfo))
        .with_state(idp.clone())
        .merge(device_pages::router(idp))
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
    /// Auth0: the API the token is for.
    audience: Option<String>,
    /// Pinecone's login: the org the user picked.
    #[serde(rename = "orgId")]
    org_id: Option<String>,
}

fn error_page(status: StatusCode, message: &str) -> Response {
    (status, Html(format!("<!doctype html><title>Sign-in error</title><p>{}</p>", crate::escape(message)))).into_response()
}

/// RFC 8252 §7.3 loopback redirects over http, any port. Entra takes `localhost` and, when the
/// app registration lists it, `127.0.0.1`; it doesn't support `[::1]` (research §2.4).
fn is_loopback_redirect(provider: Provider, uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        let host_ok = match provider {
            Provider::Entra => matches!(u.host_str(), Some("127.0.0.1" | "localhost")),
            Provider::Auth0 => matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        };
        u.scheme() == "http" && host_ok && u.fragment().is_none()
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

/// Why Entra would refuse these scopes, if it would: they must all be from a single resource,
/// beside the OpenID ones (specs/idp/EXCERPTS.md §1). Checked wherever Entra takes scopes.
pub(super) fn entra_scope_problem(scope: &str) -> Option<&'static str> {
    let mut resources: Vec<String> = scope
        .split_whitespace()
        .filter_map(|s| url::Url::parse(s).ok().filter(|u| u.scheme() == "https"))
        .map(|u| u.host_str().unwrap_or_default().to_owned())
        .collect();
    resources.dedup();
    (resources.len() > 1).then_some(
        "AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource.",
    )
}

/// Entra's token audience is the resource of the scopes asked for (`https://management.azure.com/
/// user_impersonation` → `https://management.azure.com/`); OpenID scopes alone are for Graph.
pub(super) fn entra_audience(scope: &str) -> String {
    scope
        .split_whitespace()
        .filter_map(|s| url::Url::parse(s).ok().filter(|u| u.scheme() == "https"))
        .map(|u| format!("{}://{}/", u.scheme(), u.host_str().unwrap_or_default()))
        .next()
        .unwrap_or_else(|| "00000003-0000-0000-c000-000000000000".into())
}

async fn authorize_entra(
    State(idp): State<Idp>,
    Path(_tenant): Path<String>,
    headers: axum::http::HeaderMap,
    Query(p): Query<AuthorizeParams>,
) -> Response {
    authorize(&idp, Provider::Entra, &issuer(Provider::Entra, &headers), p)
}

async fn authorize_auth0(State(idp): State<Idp>, headers: axum::http::HeaderMap, Query(p): Query<AuthorizeParams>) -> Response {
    authorize(&idp, Provider::Auth0, &issuer(Provider::Auth0, &headers), p)
}

/// The issuer each simulated provider names in its responses (RFC 9207 `iss`), on the address it
/// was reached at: Entra's carries the user's directory, Auth0's is the tenant's address.
fn issuer(provider: Provider, headers: &axum::http::HeaderMap) -> String {
    let host = issuer_host(headers);
    match provider {
        Provider::Entra => format!("http://{host}/{}/v2.0", crate::model::TENANT_ID),
        Provider::Auth0 => format!("http://{host}/"),
    }
}

/// The address the IdP was reached at, for the addresses it names (issuer, verification page).
pub(super) fn issuer_host(headers: &axum::http::HeaderMap) -> &str {
    headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1")
}

fn authorize(idp: &Idp, provider: Provider, issuer: &str, p: AuthorizeParams) -> Response {
    let mut inner = idp.lock();
    // Problems with the client or redirect are shown here, never sent to an unverified redirect.
    let Some(client_id) = p.client_id.filter(|c| inner.clients.contains(c)) else {
        return error_page(StatusCode::BAD_REQUEST, "unauthorized_client: this application is not registered");
    };
    let Some(redirect_uri) = p.redirect_uri.filter(|r| is_loopback_redirect(provider, r)) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request: the redirect_uri is not a loopback address this provider accepts",
        );
    };
    let mode = p.response_mode.as_deref();
    let state = p.state.unwrap_or_default();
    let fail = |error: &str, description: &str| {
        let mut params = vec![("error", error), ("error_description", description), ("iss", issuer)];
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
    let scope = p.scope.unwrap_or_default();
    if let Some(problem) = entra_scope_problem(&scope).filter(|_| provider == Provider::Entra) {
        return fail("invalid_scope", problem);
    }
    let audience = match provider {
        Provider::Entra => entra_audience(&scope),
        // Without an audience Auth0 issues a token for /userinfo only.
        Provider::Auth0 => p.audience.unwrap_or_else(|| super::USERINFO_AUDIENCE.into()),
    };
    let family = inner.next_family;
    inner.next_family += 1;
    let grant = Grant { client_id, provider, scope, audience, org: p.org_id, family };
    // An org the user can't pick ends the sign-in here, as a login page would refuse it.
    if let Err(why) = access_token(&inner, &grant) {
        return fail("access_denied", &why);
    }
    let code = random_token(40);
    inner.issued.codes.push(code.clone());
    inner
        .codes
        .insert(code.clone(), PendingCode { grant, redirect_uri: redirect_uri.clone(), challenge, issued: Instant::now() });
    drop(inner);
    let mut params = vec![("code", code.as_str()), ("iss", issuer)];
    if !state.is_empty() {
        params.push(("state", state.as_str()));
    }
    respond_to_client(&redirect_uri, mode, &params)
}

#[derive(Debug, Deserialize)]
pub(super) struct TokenParams {
    grant_type: Option<String>,
    /// The device code grant's (RFC 8628 §3.4).
    pub(super) device_code: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    client_id: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
}

pub(super) fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, "no-store".parse().expect("static header"));
    response
}

pub(super) fn oauth_error(error: &str, description: &str) -> Response {
    no_store((StatusCode::BAD_REQUEST, Json(json!({"error": error, "error_description": description}))).into_response())
}

async fn token_entra(State(idp): State<Idp>, Path(_tenant): Path<String>, Form(p): Form<TokenParams>) -> Response {
    token(&idp, Provider::Entra, p)
}

async fn token_auth0(State(idp): State<Idp>, Form(p): Form<TokenParams>) -> Response {
    token(&idp, Provider::Auth0, p)
}

/// The grant a code redeems, after every check RFC 6749 and RFC 7636 ask for.
fn redeem_code(inner: &mut super::Inner, client_id: &str, p: &TokenParams) -> Result<Grant, Response> {
    let Some(code) = &p.code else { return Err(oauth_error("invalid_request", "code is required")) };
    // Single use: the code is gone whatever happens next.
    let Some(pending) = inner.codes.remove(code) else {
        return Err(oauth_error("invalid_grant", "the authorization code is unknown or was already used"));
    };
    if pending.issued.elapsed() > inner.code_lifetime {
        return Err(oauth_error("invalid_grant", "the authorization code has expired"));
    }
    if pending.grant.client_id != client_id {
        return Err(oauth_error("invalid_grant", "the code was issued to another client"));
    }
    if p.redirect_uri.as_deref() != Some(pending.redirect_uri.as_str()) {
        return Err(oauth_error("invalid_grant", "redirect_uri does not match the authorization request"));
    }
    let Some(verifier) = &p.code_verifier else {
        return Err(oauth_error("invalid_grant", "code_verifier is required (PKCE)"));
    };
    if !(43..=128).contains(&verifier.len()) {
        return Err(oauth_error("invalid_grant", "code_verifier must be 43 to 128 characters"));
    }
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != pending.challenge {
        return Err(oauth_error("invalid_grant", "PKCE verification failed"));
    }
    Ok(pending.grant)
}

fn token(idp: &Idp, provider: Provider, p: TokenParams) -> Response {
    let mut inner = idp.lock();
    inner.token_requests += 1;
    let Some(client_id) = p.client_id.clone().filter(|c| inner.clients.contains(c)) else {
        return oauth_error("invalid_client", "unknown client_id");
    };
    let grant = match p.grant_type.as_deref() {
        Some("authorization_code") => match redeem_code(&mut inner, &client_id, &p) {
            Ok(grant) => grant,
            Err(response) => return response,
        },
        Some("refresh_token") => {
            let Some(refresh) = &p.refresh_token else { return oauth_error("invalid_request", "refresh_token is required") };
            // A refresh token used twice means two holders, one of them perhaps a thief: as RFC
            // 9700 §4.14.2 has authorization servers do, every token of that sign-in is revoked.
            if let Some(family) = inner.used_refresh.get(refresh).copied() {
                inner.refresh.retain(|_, g| g.family != family);
                inner.reuses_detected += 1;
                return oauth_error("invalid_grant", "the refresh token was already used; the sign-in is revoked");
            }
            let Some(mut grant) = inner.refresh.remove(refresh).filter(|g| g.client_id == client_id && g.provider == provider)
            else {
                return oauth_error("invalid_grant", "the refresh token is unknown or was already used");
            };
            inner.used_refresh.insert(refresh.clone(), grant.family);
            // `scope` is optional on a refresh; when given it must be the original scopes or fewer.
            if let Some(asked) = p.scope.as_deref().filter(|s| !s.is_empty()) {
                if !asked.split_whitespace().all(|s| grant.scope.split_whitespace().any(|g| g == s)) {
                    return oauth_error(
                        "invalid_scope",
                        "AADSTS70011: the scopes asked for are not a subset of the original ones",
                    );
                }
                grant.scope = asked.to_owned();
            }
            grant
        }
        Some("urn:ietf:params:oauth:grant-type:device_code") if provider == Provider::Entra => {
            match device::redeem(&mut inner, &client_id, &p) {
                Ok(grant) => grant,
                Err(response) => return response,
            }
        }
        _ => return oauth_error("unsupported_grant_type", "use authorization_code or refresh_token"),
    };
    let access = match access_token(&inner, &grant) {
        Ok(token) => token,
        Err(why) => return oauth_error("access_denied", &why),
    };
    let refresh = random_token(48);
    let lifetime = inner.access_lifetime;
    inner.access.insert(
        access.clone(),
        Access { expiry: Instant::now() + lifetime, audience: grant.audience.clone(), scope: grant.scope.clone() },
    );
    let id_token = id_token(&inner, &client_id);
    let scope = grant.scope.clone();
    inner.refresh.insert(refresh.clone(), grant);
    inner.issued.access_tokens.push(access.clone());
    inner.issued.refresh_tokens.push(refresh.clone());
    inner.issued.id_tokens.push(id_token.clone());
    no_store(
        Json(json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": lifetime.as_secs(),
            "refresh_token": refresh,
            "id_token": id_token,
            "scope": scope,
        }))
        .into_response(),
    )
}

/// OpenID Connect userinfo: who the token's user is, for a token granted with `openid`.
async fn userinfo(State(idp): State<Idp>, headers: HeaderMap) -> Response {
    let token = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let inner = idp.lock();
    let granted = token.and_then(|t| inner.access.get(t)).filter(|a| Instant::now() < a.expiry);
    match granted {
        Some(a) if a.scope.split_whitespace().any(|s| s == "openid") => {
            let u = &inner.user;
            Json(json!({"sub": u.subject, "name": u.name, "email": u.email, "email_verified": true})).into_response()
        }
        Some(_) => (StatusCode::FORBIDDEN, Json(json!({"error": "insufficient_scope"}))).into_response(),
        None => (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_token"}))).into_response(),
    }
}
