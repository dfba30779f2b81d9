//! The OAuth side of a sign-in, over the `oauth2` crate: the authorization URL with PKCE S256 and
//! a random `state`, the code exchange, and refresh. HTTP goes through a reqwest client that never
//! follows redirects (oauth2's advice against SSRF) and has timeouts.

use crate::{config::ResponseMode, tokens::SignInMethod, ProviderConfig, Secret, StoredTokens};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use oauth2::{
    basic::{BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType},
    AuthType, AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointNotSet, EndpointSet, ExtraTokenFields, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse,
    TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use vocab::now_millis;

/// The OpenID `id_token`, which both providers return beside the access token.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

// oauth2 needs `Debug` on the extra fields; like every token here, this one prints redacted.
impl std::fmt::Debug for IdTokenField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdTokenField").field("id_token", &self.id_token.as_ref().map(|_| "[redacted]")).finish()
    }
}

pub(crate) type TokenResponseWithId = StandardTokenResponse<IdTokenField, BasicTokenType>;
type Client = oauth2::Client<
    BasicErrorResponse,
    TokenResponseWithId,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("the sign-in settings are incomplete: {0}")]
    Config(String),
    #[error("the sign-in service refused: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Rejected { error: String, description: Option<String> },
    #[error("couldn't reach the sign-in service: {0}")]
    Network(String),
    #[error("the sign-in service sent an answer this app doesn't understand: {0}")]
    BadResponse(String),
}

/// The HTTP client for token requests: no redirects, bounded time.
pub fn http_client() -> reqwest::Client {
    http_client_with_timeout(Duration::from_secs(30))
}

/// [`http_client`], with requests allowed `timeout` in all (and at most 10 s to connect).
pub fn http_client_with_timeout(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .build()
        .expect("a reqwest client with static settings")
}

fn client(config: &ProviderConfig, redirect_uri: &str) -> Result<Client, OAuthError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| OAuthError::Config(format!("{what}: {e}"));
    Ok(oauth2::Client::new(ClientId::new(config.client_id.clone()))
        .set_auth_uri(AuthUrl::new(config.authorize_url()).map_err(|e| bad("authorize_url", &e))?)
        .set_token_uri(TokenUrl::new(config.token_url()).map_err(|e| bad("token_url", &e))?)
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| bad("redirect URI", &e))?)
        // Public client: the client id goes in the body, and there is no secret.
        .set_auth_type(AuthType::RequestBody))
}

/// One authorization request: the URL to open, and what the callback and exchange need.
pub struct AuthRequest {
    pub url: String,
    pub state: Secret,
    pub verifier: Secret,
    pub redirect_uri: String,
}

impl std::fmt::Debug for AuthRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthRequest").field("redirect_uri", &self.redirect_uri).finish_non_exhaustive()
    }
}

/// Builds the authorization URL with PKCE S256 and a fresh random `state`; `org` picks the
/// organization where the provider lets the user choose one (its `org_param`).
///
/// # Errors
/// If a configured URL is not valid.
pub fn authorization_request(config: &ProviderConfig, redirect_uri: &str, org: Option<&str>) -> Result<AuthRequest, OAuthError> {
    if !config.is_configured() {
        return Err(OAuthError::Config("no client id is configured".into()));
    }
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let client = client(config, redirect_uri)?;
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(config.scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge);
    if let Some(audience) = &config.audience {
        request = request.add_extra_param("audience", audience.clone());
    }
    if config.response_mode != ResponseMode::Query {
        request = request.add_extra_param("response_mode", config.response_mode.as_param());
    }
    for (k, v) in &config.extra_params {
        request = request.add_extra_param(k.clone(), v.clone());
    }
    if let (Some(param), Some(org)) = (&config.org_param, org) {
        request = request.add_extra_param(param.clone(), org.to_owned());
    }
    let (url, state) = request.url();
    Ok(AuthRequest {
        url: url.to_string(),
        state: Secret::new(state.secret().clone()),
        verifier: Secret::new(verifier.secret().clone()),
        redirect_uri: redirect_uri.to_owned(),
    })
}

pub(crate) fn map_error(e: RequestTokenError<oauth2::HttpClientError<reqwest::Error>, BasicErrorResponse>) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(r) => {
            OAuthError::Rejected { error: r.error().as_ref().to_owned(), description: r.error_description().cloned() }
        }
        RequestTokenError::Request(e) => OAuthError::Network(e.to_string()),
        RequestTokenError::Parse(e, _) => OAuthError::BadResponse(e.to_string()),
        RequestTokenError::Other(e) => OAuthError::BadResponse(e),
    }
}

fn to_stored(r: &TokenResponseWithId, previous_refresh: Option<&Secret>) -> StoredTokens {
    let id_token = r.extra_fields().id_token.clone();
    let (name, email) = id_token.as_deref().map(identity_from_id_token).unwrap_or_default();
    StoredTokens {
        access_token: Secret::new(r.access_token().secret().clone()),
        // Some providers don't rotate refresh tokens; keep the old one then.
        refresh_token: r.refresh_token().map(|t| Secret::new(t.secret().clone())).or_else(|| previous_refresh.cloned()),
        // An absurd expires_in must not overflow; it just means "far away".
        expires_at: r.expires_in().map(|d| now_millis().saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))),
        id_token: id_token.map(Secret::new),
        name,
        email,
        method: SignInMethod::Browser,
    }
}

/// Exchanges an authorization code (with its PKCE verifier) for tokens.
///
/// # Errors
/// The provider refused (e.g. `invalid_grant`), the network failed, or the answer was malformed.
pub async fn exchange_code(
    config: &ProviderConfig,
    http: &reqwest::Client,
    request: &AuthRequest,
    code: &Secret,
) -> Result<StoredTokens, OAuthError> {
    let client = client(config, &request.redirect_uri)?;
    let mut exchange = client
        .exchange_code(AuthorizationCode::new(code.expose().to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(request.verifier.expose().to_owned()));
    if let Some(audience) = &config.audience {
        exchange = exchange.add_extra_param("audience", audience.clone());
    }
    let response = exchange.request_async(http).await.map_err(map_error)?;
    Ok(tokens_with_identity(config, http, &response).await)
}

/// A first sign-in's tokens, and who signed in: from the id token, else from userinfo. Every
/// sign-in method that gets its tokens from the token endpoint ends here, so the identity is
/// read the same way whichever way the user signed in.
pub(crate) async fn tokens_with_identity(
    config: &ProviderConfig,
    http: &reqwest::Client,
    response: &TokenResponseWithId,
) -> StoredTokens {
    let mut tokens = to_stored(response, None);
    if tokens.name.is_none() && tokens.email.is_none() {
        if let Some(url) = &config.userinfo_url {
            (tokens.name, tokens.email) = userinfo(http, url, &tokens.access_token).await;
        }
    }
    tokens
}

/// Who the user is, from OpenID Connect userinfo, for providers whose id token doesn't say.
/// Only for showing who is signed in; a failure just leaves the card saying "your account".
async fn userinfo(http: &reqwest::Client, url: &str, access: &Secret) -> (Option<String>, Option<String>) {
    let Ok(response) = http.get(url).bearer_auth(access.expose()).send().await else { return (None, None) };
    let Ok(claims) = response.error_for_status().map(|r| r.json::<serde_json::Value>()) else { return (None, None) };
    let claims = claims.await.unwrap_or_default();
    let text = |k: &str| claims.get(k).and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(str::to_owned);
    (text("name"), text("email").or_else(|| text("preferred_username")))
}

/// Gets a new access token with the refresh token. The redirect URI isn't used for refresh.
///
/// # Errors
/// As [`exchange_code`]; `Rejected { error: "invalid_grant" }` means the user must sign in again.
pub async fn refresh(config: &ProviderConfig, http: &reqwest::Client, tokens: &StoredTokens) -> Result<StoredTokens, OAuthError> {
    let Some(refresh_token) = &tokens.refresh_token else {
        return Err(OAuthError::Rejected {
            error: "invalid_grant".into(),
            description: Some("no refresh token was kept".into()),
        });
    };
    let client = client(config, "http://127.0.0.1/")?;
    let refresh_token_value = RefreshToken::new(refresh_token.expose().to_owned());
    // Entra requires the scopes on a refresh (v2 endpoint); without them it can answer with a
    // token for another resource, or refuse.
    let mut request =
        client.exchange_refresh_token(&refresh_token_value).add_scopes(config.scopes.iter().cloned().map(Scope::new));
    if let Some(audience) = &config.audience {
        request = request.add_extra_param("audience", audience.clone());
    }
    let response = request.request_async(http).await.map_err(map_error)?;
    let mut fresh = to_stored(&response, Some(refresh_token));
    // A refresh may omit the id_token; the user is still the same person.
    if fresh.name.is_none() && fresh.email.is_none() {
        fresh.name.clone_from(&tokens.name);
        fresh.email.clone_from(&tokens.email);
        fresh.id_token.clone_from(&tokens.id_token);
    }
    Ok(fresh)
}

/// Reads the display name and email from an id_token's claims. Only for showing who is signed in:
/// the token came straight from the token endpoint, and nothing is authorised on these claims.
pub fn identity_from_id_token(id_token: &str) -> (Option<String>, Option<String>) {
    let text = |k: &str| unverified_claim(id_token, k);
    (text("name"), text("email").or_else(|| text("preferred_username")).or_else(|| text("upn")))
}

/// A string claim of a JWT, read without verifying it. Only for choosing what to ask an API
/// about (which org a Pinecone token is scoped to, as the Pinecone CLI reads it); the API itself
/// decides what the token may do. `None` for an opaque token or a missing claim.
pub fn unverified_claim(jwt: &str, key: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get(key)?.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SignInConfig;

    #[test]
    fn authorization_url_carries_pkce_s256_state_scopes_and_audience() {
        let mut config = SignInConfig::defaults().pinecone;
        config.client_id = "client-1".into();
        let req = authorization_request(&config, "http://127.0.0.1:5000/callback", None).unwrap();
        let url = url::Url::parse(&req.url).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"].len(), 43);
        assert_eq!(q["state"], req.state.expose());
        assert!(req.state.expose().len() >= 16, "state has enough entropy");
        assert_eq!(q["scope"], "openid profile email offline_access");
        assert_eq!(q["audience"], "https://us-central1-production-console.cloudfunctions.net/api/v1");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:5000/callback");
        assert_eq!(q["client_id"], "client-1");
        assert!(!q.contains_key("response_mode"), "Pinecone answers in the query");
        assert!(!q.contains_key("orgId"), "no org picked");
        let picked = authorization_request(&config, "http://127.0.0.1:5000/callback", Some("-Org2")).unwrap();
        let q: std::collections::HashMap<_, _> = url::Url::parse(&picked.url).unwrap().query_pairs().into_owned().collect();
        assert_eq!(q["orgId"], "-Org2");
        let again = authorization_request(&config, "http://127.0.0.1:5000/callback", None).unwrap();
        assert_ne!(again.state, req.state, "state is fresh per request");
    }

    #[test]
    fn microsoft_asks_for_the_account_picker_and_the_arm_scope() {
        let mut config = SignInConfig::defaults().microsoft;
        config.client_id = "c".into();
        config.response_mode = ResponseMode::FormPost;
        let req = authorization_request(&config, "http://localhost:5000/callback", None).unwrap();
        let url = url::Url::parse(&req.url).unwrap();
        assert!(url.as_str().starts_with("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?"));
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(q["prompt"], "select_account");
        assert_eq!(q["response_mode"], "form_post");
        assert!(q["scope"].contains("https://management.azure.com/user_impersonation"));
    }

    #[test]
    fn an_unconfigured_provider_is_refused() {
        let err = authorization_request(&SignInConfig::defaults().microsoft, "http://localhost:1/callback", None).unwrap_err();
        assert!(matches!(err, OAuthError::Config(_)));
    }

    #[test]
    fn claims_are_read_from_jwts_and_opaque_tokens_have_none() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"https://pinecone.io/orgId":"-Org1","n":3}"#);
        let jwt = format!("h.{payload}.s");
        assert_eq!(unverified_claim(&jwt, "https://pinecone.io/orgId").as_deref(), Some("-Org1"));
        assert_eq!(unverified_claim(&jwt, "n"), None, "only strings");
        assert_eq!(unverified_claim("opaque-token", "https://pinecone.io/orgId"), None);
        assert_eq!(unverified_claim("a.!!!.c", "x"), None);
    }

    #[test]
    fn the_id_token_prints_redacted() {
        let field = IdTokenField { id_token: Some("eyJ.secret-id-token.sig".into()) };
        let printed = format!("{field:?}");
        assert!(!printed.contains("secret-id-token") && printed.contains("[redacted]"), "{printed}");
    }

    #[test]
    fn identity_comes_from_entra_or_auth0_claims() {
        let claims = URL_SAFE_NO_PAD.encode(br#"{"name":"Ada","preferred_username":"ada@contoso.example"}"#);
        assert_eq!(identity_from_id_token(&format!("h.{claims}.s")), (Some("Ada".into()), Some("ada@contoso.example".into())));
        assert_eq!(identity_from_id_token("not a jwt"), (None, None));
        assert_eq!(identity_from_id_token("a.!!!.c"), (None, None));
    }
}
