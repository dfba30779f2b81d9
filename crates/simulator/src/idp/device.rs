//! Entra's device authorization grant (RFC 8628), as strict as the real one documents it
//! (`specs/idp/EXCERPTS.md` §4, from `v2-oauth2-device-code.md`): the device authorization endpoint
//! (`POST /{tenant}/oauth2/v2.0/devicecode`, form-encoded, a registered `client_id`, scopes of one
//! resource), and the token endpoint's `urn:ietf:params:oauth:grant-type:device_code` grant, which
//! answers `authorization_pending` until the user has answered on the verification page
//! ([`super::device_pages`]), `slow_down` to a poll sooner than the code's interval (which then
//! grows by 5 s, RFC 8628 §3.5), `expired_token` once `expires_in` has passed,
//! `authorization_declined` when the user said no, `bad_verification_code` for a code it never
//! issued and `invalid_grant` for one already redeemed. Entra sends no `verification_uri_complete`;
//! the simulator can, so both ways of showing the code can be tested.

use super::{
    routes::{entra_audience, entra_scope_problem, issuer_host, no_store, oauth_error, TokenParams},
    Grant, Idp, Inner, Provider,
};
use axum::{
    extract::{rejection::FormRejection, Path, State},
    http::HeaderMap,
    response::{IntoResponse, Response},
    Form, Json,
};
use rand::Rng;
use serde::Deserialize;
use serde_json::json;
use std::{
    collections::{HashMap, HashSet},
    time::{Duration, Instant},
};

/// What the user has said on the verification page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    Pending,
    Approved,
    Declined,
}

pub(super) struct PendingDevice {
    pub(super) grant: Grant,
    pub(super) user_code: String,
    issued: Instant,
    lifetime: Duration,
    /// The least time between two polls; grows by 5 s with each `slow_down`.
    interval: Duration,
    /// When it was last polled (at first, when it was issued: RFC 8628 wants an interval before
    /// the first poll too).
    last_poll: Instant,
    pub(super) answer: Answer,
}

impl PendingDevice {
    pub(super) fn expired(&self) -> bool {
        self.issued.elapsed() > self.lifetime
    }
}

/// The device codes handed out, and the knobs tests and the demo turn.
pub(super) struct Devices {
    /// Entra's documented default is 15 minutes.
    lifetime: Duration,
    /// Entra's usual interval; whole seconds, as the answer carries them.
    interval: Duration,
    /// Whether answers carry `verification_uri_complete` (Entra's don't).
    complete_uri: bool,
    /// Polls still to be told `slow_down` whatever their timing, as a busy server does.
    slow_downs: usize,
    /// By device code.
    pub(super) pending: HashMap<String, PendingDevice>,
    redeemed: HashSet<String>,
    /// When each device-grant token request arrived, oldest first.
    polls: Vec<Instant>,
}

impl Default for Devices {
    fn default() -> Self {
        Self {
            lifetime: Duration::from_secs(900),
            interval: Duration::from_secs(5),
            complete_uri: false,
            slow_downs: 0,
            pending: HashMap::new(),
            redeemed: HashSet::new(),
            polls: Vec::new(),
        }
    }
}

impl Devices {
    /// The pending code a user typed, spelled loosely as people type (case, spaces, dashes).
    pub(super) fn by_user_code(&mut self, typed: &str) -> Option<&mut PendingDevice> {
        let typed: String = typed.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
        self.pending.values_mut().find(|d| !typed.is_empty() && d.user_code == typed)
    }
}

impl Idp {
    /// How long new device codes live (`expires_in`, whole seconds); short, to test expiry.
    pub fn set_device_code_lifetime(&self, lifetime: Duration) {
        self.lock().devices.lifetime = lifetime;
    }

    /// The polling interval new device codes announce and enforce (whole seconds, as the answer
    /// carries them; zero lets a test poll as fast as it likes until a `slow_down`).
    pub fn set_device_code_interval(&self, interval: Duration) {
        self.lock().devices.interval = interval;
    }

    /// Whether device authorization answers carry `verification_uri_complete` (Entra's don't).
    pub fn set_verification_uri_complete(&self, on: bool) {
        self.lock().devices.complete_uri = on;
    }

    /// Tells the next `polls` device-code polls `slow_down` however they are timed, as a busy
    /// server may (each one adds 5 s to that code's interval).
    pub fn slow_down_next_polls(&self, polls: usize) {
        self.lock().devices.slow_downs = polls;
    }

    /// When each device-code poll arrived, oldest first, to see how a client paces itself.
    pub fn device_polls(&self) -> Vec<Instant> {
        self.lock().devices.polls.clone()
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct DeviceParams {
    client_id: Option<String>,
    scope: Option<String>,
}

/// `GET` (or any method but `POST`) on the device authorization endpoint, as Entra answers it.
pub(super) async fn devicecode_not_post() -> Response {
    oauth_error("invalid_request", "AADSTS900561: The endpoint only accepts POST requests. Received a GET request.")
}

pub(super) async fn devicecode(
    State(idp): State<Idp>,
    Path(_tenant): Path<String>,
    headers: HeaderMap,
    form: Result<Form<DeviceParams>, FormRejection>,
) -> Response {
    // A body that isn't form-encoded has no parameters Entra can read.
    let Ok(Form(p)) = form else {
        return oauth_error(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
        );
    };
    let mut inner = idp.lock();
    let Some(client_id) = p.client_id.filter(|c| !c.is_empty()) else {
        return oauth_error(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
        );
    };
    if !inner.clients.contains(&client_id) {
        return oauth_error(
            "unauthorized_client",
            &format!("AADSTS700016: Application with identifier '{client_id}' was not found in the directory."),
        );
    }
    let Some(scope) = p.scope.filter(|s| !s.trim().is_empty()) else {
        return oauth_error("invalid_request", "AADSTS900144: The request body must contain the following parameter: 'scope'.");
    };
    if let Some(problem) = entra_scope_problem(&scope) {
        return oauth_error("invalid_scope", problem);
    }
    let family = inner.next_family;
    inner.next_family += 1;
    let audience = entra_audience(&scope);
    let grant = Grant { client_id, provider: Provider::Entra, scope, audience, org: None, family };
    let device_code = super::random_token(64);
    // Short, unambiguous for a person to type: as Entra's, nine letters and digits.
    let user_code: String = {
        const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut rng = rand::thread_rng();
        (0..9).map(|_| char::from(CHARS[rng.gen_range(0..CHARS.len())])).collect()
    };
    let now = Instant::now();
    let d = &mut inner.devices;
    let (lifetime, interval) = (d.lifetime, d.interval);
    d.pending.insert(
        device_code.clone(),
        PendingDevice {
            grant,
            user_code: user_code.clone(),
            issued: now,
            lifetime,
            interval,
            last_poll: now,
            answer: Answer::Pending,
        },
    );
    let complete_uri = d.complete_uri;
    inner.issued.device_codes.push(device_code.clone());
    inner.issued.user_codes.push(user_code.clone());
    drop(inner);
    let verification_uri = format!("http://{}/devicelogin", issuer_host(&headers));
    let mut body = json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "expires_in": lifetime.as_secs(),
        "interval": interval.as_secs(),
        "message": format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."),
    });
    if complete_uri {
        body["verification_uri_complete"] = json!(format!("{verification_uri}?user_code={user_code}"));
    }
    no_store(Json(body).into_response())
}

/// The grant a device code redeems, once the user has approved it and the client has kept to
/// the interval; every other poll gets the error RFC 8628 §3.5 and Entra's table give it.
pub(super) fn redeem(inner: &mut Inner, client_id: &str, p: &TokenParams) -> Result<Grant, Response> {
    let Some(code) = &p.device_code else {
        return Err(oauth_error(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'device_code'.",
        ));
    };
    let now = Instant::now();
    let devices = &mut inner.devices;
    devices.polls.push(now);
    if devices.redeemed.contains(code) {
        return Err(oauth_error("invalid_grant", "AADSTS54005: The device code was already redeemed."));
    }
    let Some(device) = devices.pending.get_mut(code) else {
        return Err(oauth_error("bad_verification_code", "AADSTS70018: The device code wasn't recognized."));
    };
    if device.grant.client_id != client_id {
        return Err(oauth_error("invalid_grant", "The device code was issued to another client."));
    }
    if device.expired() {
        return Err(oauth_error("expired_token", "AADSTS70019: Verification code expired."));
    }
    let too_soon = now.duration_since(device.last_poll) < device.interval;
    device.last_poll = now;
    if too_soon || devices.slow_downs > 0 {
        devices.slow_downs = devices.slow_downs.saturating_sub(1);
        // RFC 8628 §3.5: the client adds 5 s for this and every later poll; so does the check.
        device.interval += Duration::from_secs(5);
        return Err(oauth_error("slow_down", "Polling too often; wait 5 more seconds between polls."));
    }
    match device.answer {
        Answer::Pending => Err(oauth_error(
            "authorization_pending",
            "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )),
        Answer::Declined => Err(oauth_error("authorization_declined", "The user declined the sign-in.")),
        Answer::Approved => {
            let device = devices.pending.remove(code).expect("found above");
            devices.redeemed.insert(code.clone());
            Ok(device.grant)
        }
    }
}

#[cfg(test)]
mod tests;
