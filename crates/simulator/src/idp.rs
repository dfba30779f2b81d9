//! A simulated identity provider for both sign-ins: Microsoft Entra ID's v2 endpoints
//! (`/{tenant}/oauth2/v2.0/authorize|token`) and Pinecone's Auth0 tenant
//! (`/oauth/authorize|token`, `/userinfo`).
//!
//! It is deliberately strict where a permissive mock is not, and follows each real provider where
//! they differ (`shared/specs/idp/EXCERPTS.md`): PKCE S256 is required and verified; codes are
//! single-use, bound to their client and redirect URI, and expire; redirect URIs must be loopback
//! (Entra: `localhost` or `127.0.0.1`, never `[::1]`); errors use the OAuth JSON format. Access
//! tokens carry an audience: Entra's comes from the scope's resource, Auth0's from the `audience`
//! parameter, and the simulated APIs accept only their own. It approves at once as its
//! configured user, so a browser that only follows redirects completes a sign-in.
//!
//! Entra's device authorization grant (RFC 8628) is there too ([`device`]): the `devicecode`
//! endpoint, the device code grant on the token endpoint, and the `/devicelogin` page where the
//! user enters the code and approves or declines ([`device_pages`]).

mod device;
mod device_pages;
mod routes;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use parking_lot::Mutex;
use rand::{distributions::Alphanumeric, Rng};
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

/// The audience of tokens for Azure Resource Manager (what a `https://management.azure.com/…`
/// scope, or `az account get-access-token --resource https://management.azure.com/`, yields).
pub const ARM_AUDIENCE: &str = "https://management.azure.com/";
/// The older ARM audience Azure CLI's default tokens carry; ARM accepts both.
pub const ARM_AUDIENCE_LEGACY: &str = "https://management.core.windows.net/";
/// The audience Pinecone's own user-login clients send (`shared/specs/idp/EXCERPTS.md` §2), which
/// the simulated Admin API accepts. Whether the real one accepts it is unverified.
pub const PINECONE_AUDIENCE: &str = "https://us-central1-production-console.cloudfunctions.net/api/v1";
/// What an Auth0 token is for when no `audience` was asked for: only `/userinfo`.
pub const USERINFO_AUDIENCE: &str = "billing-assistant-simulator/userinfo";

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
    pub device_codes: Vec<String>,
    /// Shown to the user, but the app must not log them either.
    pub user_codes: Vec<String>,
}

impl IssuedSecrets {
    pub fn all(&self) -> impl Iterator<Item = &String> {
        self.codes
            .iter()
            .chain(&self.access_tokens)
            .chain(&self.refresh_tokens)
            .chain(&self.id_tokens)
            .chain(&self.device_codes)
            .chain(&self.user_codes)
    }
}

/// Which real provider an endpoint stands in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Provider {
    Entra,
    Auth0,
}

/// What a grant (a code, and the refresh tokens that follow it) was for.
#[derive(Debug, Clone)]
struct Grant {
    client_id: String,
    provider: Provider,
    scope: String,
    audience: String,
    /// The Pinecone org the user chose at sign-in (`orgId`), for the token's org claim.
    org: Option<String>,
    /// Which sign-in this grant's refresh tokens descend from: a reused one revokes them all.
    family: u64,
}

struct PendingCode {
    grant: Grant,
    redirect_uri: String,
    challenge: String,
    issued: Instant,
}

struct Access {
    expiry: Instant,
    audience: String,
    scope: String,
}

/// Gives the claims a Pinecone access token carries for the org asked for (`None`: the user's
/// default org), or why that org can't be chosen. The simulated world provides it.
pub type PineconeClaims = Arc<dyn Fn(Option<&str>) -> Result<Value, String> + Send + Sync>;

struct Inner {
    user: IdpUser,
    clients: Vec<String>,
    behaviour: IdpBehaviour,
    code_lifetime: Duration,
    access_lifetime: Duration,
    codes: HashMap<String, PendingCode>,
    refresh: HashMap<String, Grant>,
    /// Refresh tokens already exchanged, and the family each belonged to (RFC 9700 §4.14.2).
    used_refresh: HashMap<String, u64>,
    next_family: u64,
    reuses_detected: usize,
    access: HashMap<String, Access>,
    pinecone_claims: Option<PineconeClaims>,
    /// Whether id tokens carry the user's name and email; some providers send them only from
    /// `/userinfo`.
    identity_in_id_token: bool,
    issued: IssuedSecrets,
    token_requests: usize,
    devices: device::Devices,
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
                used_refresh: HashMap::new(),
                next_family: 1,
                reuses_detected: 0,
                access: HashMap::new(),
                pinecone_claims: None,
                identity_in_id_token: true,
                issued: IssuedSecrets::default(),
                token_requests: 0,
                devices: device::Devices::default(),
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

    /// Whether id tokens name the user; without, only `/userinfo` does.
    pub fn set_identity_in_id_token(&self, on: bool) {
        self.lock().identity_in_id_token = on;
    }

    /// How Pinecone access tokens get their org claims (see [`PineconeClaims`]).
    pub fn set_pinecone_claims(&self, claims: PineconeClaims) {
        self.lock().pinecone_claims = Some(claims);
    }

    pub fn issued(&self) -> IssuedSecrets {
        self.lock().issued.clone()
    }

    pub fn token_requests(&self) -> usize {
        self.lock().token_requests
    }

    /// How many times a refresh token was presented again after it had been exchanged (each
    /// time, every refresh token of that sign-in was revoked).
    pub fn reuses_detected(&self) -> usize {
        self.lock().reuses_detected
    }

    /// Issues an access token for `audience` without the browser round trip, for tests and tools
    /// that start already signed in (a stand-in for `az account get-access-token`, say). It is
    /// recorded with the others.
    pub fn issue_access_token(&self, audience: &str) -> String {
        self.issue(audience, None)
    }

    /// A Pinecone access token scoped to `org`, as a sign-in that picked it gives.
    pub fn issue_pinecone_token_for_org(&self, org: &str) -> String {
        self.issue(PINECONE_AUDIENCE, Some(org))
    }

    fn issue(&self, audience: &str, org: Option<&str>) -> String {
        let mut inner = self.lock();
        let grant = Grant {
            client_id: String::new(),
            provider: if audience == PINECONE_AUDIENCE { Provider::Auth0 } else { Provider::Entra },
            scope: "openid".into(),
            audience: audience.into(),
            org: org.map(str::to_owned),
            family: 0,
        };
        let token = access_token(&inner, &grant).expect("an org the user belongs to");
        let expiry = Instant::now() + inner.access_lifetime;
        inner.access.insert(token.clone(), Access { expiry, audience: audience.into(), scope: grant.scope });
        inner.issued.access_tokens.push(token.clone());
        token
    }

    /// The audience of `token`, if it is an access token this IdP issued that has not expired.
    pub fn audience_of(&self, token: &str) -> Option<String> {
        self.lock().access.get(token).filter(|a| Instant::now() < a.expiry).map(|a| a.audience.clone())
    }

    /// Whether `token` is an access token this IdP issued that has not expired.
    pub fn access_token_is_valid(&self, token: &str) -> bool {
        self.audience_of(token).is_some()
    }

    /// Routes for both providers' endpoints.
    pub fn router(&self) -> axum::Router {
        routes::router(self)
    }
}

/// One provider's endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize: String,
    pub token: String,
    /// The device authorization endpoint (RFC 8628), where the provider has one (Entra).
    pub device_authorization: Option<String>,
    /// OpenID Connect userinfo, where the provider has one the app can use.
    pub userinfo: Option<String>,
    /// The issuer its authorization responses name (`iss`); Entra's with `{tenant}` for the
    /// directory, as the sign-in settings write it.
    pub issuer: String,
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
            device_authorization: Some(format!("{base}/{{tenant}}/oauth2/v2.0/devicecode")),
            userinfo: None,
            issuer: format!("{base}/{{tenant}}/v2.0"),
        },
        pinecone: Endpoints {
            authorize: format!("{base}/oauth/authorize"),
            token: format!("{base}/oauth/token"),
            device_authorization: None,
            userinfo: Some(format!("{base}/userinfo")),
            issuer: format!("{base}/"),
        },
    }
}

/// A random alphanumeric string, for codes and tokens.
pub fn random_token(len: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn jwt(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    format!("{header}.{}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()), random_token(43))
}

/// A JWT-shaped access token, as Entra's and Auth0's are: its audience, and for Pinecone the
/// org it is scoped to; Entra's name the user as ARM tokens do.
fn access_token(inner: &Inner, grant: &Grant) -> Result<String, String> {
    let mut claims = json!({ "aud": grant.audience, "sub": inner.user.subject, "iat": now_secs(), "scp": grant.scope });
    match grant.provider {
        Provider::Entra => {
            claims["name"] = json!(inner.user.name);
            claims["upn"] = json!(inner.user.email);
        }
        Provider::Auth0 if grant.audience == PINECONE_AUDIENCE => {
            if let Some(make) = &inner.pinecone_claims {
                let extra = make(grant.org.as_deref())?;
                for (k, v) in extra.as_object().into_iter().flatten() {
                    claims[k] = v.clone();
                }
            }
        }
        Provider::Auth0 => {}
    }
    Ok(jwt(&claims))
}

fn id_token(inner: &Inner, audience: &str) -> String {
    let now = now_secs();
    let mut claims = json!({
        "iss": "billing-assistant-simulator",
        "sub": inner.user.subject,
        "aud": audience,
        "iat": now,
        "exp": now + inner.access_lifetime.as_secs(),
    });
    if inner.identity_in_id_token {
        claims["name"] = json!(inner.user.name);
        claims["email"] = json!(inner.user.email);
        claims["preferred_username"] = json!(inner.user.email);
    }
    jwt(&claims)
}

#[cfg(test)]
mod tests;
