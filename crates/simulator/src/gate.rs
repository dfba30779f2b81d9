//! What every simulated API request passes before its handler runs, as on the real services
//! (after the fault layer, [`crate::faults`]): a bearer token the simulated IdP issued *for this
//! API* (its audience), and the version the service requires: Pinecone's
//! `X-Pinecone-Api-Version` header (absent means the oldest supported version, as Pinecone
//! documents) and ARM's `api-version` parameter (only the versions the specs document).

use crate::{
    idp::{ARM_AUDIENCE, ARM_AUDIENCE_LEGACY, PINECONE_AUDIENCE},
    World,
};
use axum::{
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};

/// The Admin API versions Pinecone documents (`shared/specs/pinecone/`), oldest first.
pub const PINECONE_VERSIONS: [&str; 4] = ["2025-04", "2025-10", "2026-04", "2026-07"];

/// An error in Pinecone's envelope: `{"status", "error": {"code", "message"}}`.
pub fn pinecone_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"status": status.as_u16(), "error": {"code": code, "message": message}}))).into_response()
}

/// An error in ARM's envelope: `{"error": {"code", "message"}}` (common-types `ErrorResponse`).
pub fn arm_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": {"code": code, "message": message}}))).into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
}

/// The claims of a JWT-shaped token (the simulated IdP issued it, so they are trusted here).
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).and_then(|p| URL_SAFE_NO_PAD.decode(p).ok());
    payload.and_then(|p| serde_json::from_slice(&p).ok()).unwrap_or(Value::Null)
}

/// Who a Pinecone request is from: the org its token is scoped to, and the API version asked for.
pub struct PineconeCaller {
    pub org: Option<String>,
    pub version: &'static str,
}

/// The gate for `/admin/...`.
pub fn pinecone(world: &World, headers: &HeaderMap, path: &str) -> Result<PineconeCaller, Response> {
    let token = bearer(headers).filter(|t| world.idp().audience_of(t).as_deref() == Some(PINECONE_AUDIENCE));
    let Some(token) = token else {
        return Err(pinecone_error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Invalid or expired token."));
    };
    let asked = headers.get("x-pinecone-api-version").and_then(|v| v.to_str().ok());
    let version = match asked {
        // "If you don't specify a version, requests default to the oldest supported stable version."
        None => PINECONE_VERSIONS[0],
        Some(v) => *PINECONE_VERSIONS
            .iter()
            .find(|known| **known == v)
            .ok_or_else(|| pinecone_error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "Unsupported X-Pinecone-Api-Version."))?,
    };
    // Users and role bindings arrived in 2026-04 (research §1.2); YYYY-MM compares as text.
    if (path.starts_with("/admin/users") || path.starts_with("/admin/role-bindings")) && version < "2026-04" {
        return Err(pinecone_error(StatusCode::NOT_FOUND, "NOT_FOUND", "No such endpoint in this API version."));
    }
    let org = claims(token).get("https://pinecone.io/orgId").and_then(Value::as_str).map(str::to_owned);
    Ok(PineconeCaller { org, version })
}

/// The gate for ARM: a token for ARM and one of the `supported` api-versions. Returns the version.
pub fn arm(
    world: &World,
    headers: &HeaderMap,
    api_version: Option<&str>,
    supported: &[&'static str],
) -> Result<&'static str, Response> {
    let audience = bearer(headers).and_then(|t| world.idp().audience_of(t));
    if !matches!(audience.as_deref(), Some(ARM_AUDIENCE | ARM_AUDIENCE_LEGACY)) {
        return Err(arm_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "The access token is invalid, expired, or not for https://management.azure.com/.",
        ));
    }
    let Some(asked) = api_version else {
        return Err(arm_error(
            StatusCode::BAD_REQUEST,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    supported.iter().find(|v| **v == asked).copied().ok_or_else(|| {
        arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidApiVersionParameter",
            &format!("The api-version '{asked}' is invalid. The supported versions are '{}'.", supported.join(",")),
        )
    })
}
