//! What every simulated API request passes before its handler runs, as on the real services:
//! an injected fault (for tests of the app's retries and messages), a bearer token the simulated
//! IdP issued, and the version the service requires (Pinecone's `X-Pinecone-Api-Version`
//! header, ARM's `api-version` query parameter).

use crate::World;
use axum::{
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

/// Which service's rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Pinecone,
    Arm,
}

/// The Admin API versions the real service documents (research §1.2).
const PINECONE_VERSIONS: [&str; 4] = ["2025-04", "2025-10", "2026-04", "2026-07"];

/// An error in the service's envelope: `{"status", "error": {"code", "message"}}` for Pinecone,
/// whose shape ARM's `{"error": {"code", "message"}}` is a subset of.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"status": status.as_u16(), "error": {"code": code, "message": message}}))).into_response()
}

/// One injected failure: the status to answer with and its `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub struct Fault {
    pub status: u16,
    pub retry_after: Option<u64>,
}

impl Fault {
    fn response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, "simulated fault").into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut().insert("retry-after", secs.into());
        }
        resp
    }
}

/// `Some(response)` when the request must be answered with it instead of reaching its handler.
pub fn check(world: &World, api: Api, headers: &HeaderMap, path: &str, api_version: Option<&str>) -> Option<Response> {
    if let Some(fault) = world.take_fault(path) {
        return Some(fault.response());
    }
    let token = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if !token.is_some_and(|t| world.idp().access_token_is_valid(t)) {
        let code = match api {
            Api::Pinecone => "UNAUTHENTICATED",
            Api::Arm => "InvalidAuthenticationToken",
        };
        return Some(error(StatusCode::UNAUTHORIZED, code, "missing or expired token"));
    }
    match api {
        Api::Pinecone => {
            let Some(version) = headers.get("x-pinecone-api-version").and_then(|v| v.to_str().ok()) else {
                return Some(error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "X-Pinecone-Api-Version is required"));
            };
            if !PINECONE_VERSIONS.contains(&version) {
                return Some(error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "unsupported X-Pinecone-Api-Version"));
            }
            // Users and role bindings arrived in 2026-04 (research §1.2); YYYY-MM compares as text.
            if (path.starts_with("/admin/users") || path.starts_with("/admin/role-bindings")) && version < "2026-04" {
                return Some(error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such endpoint in this API version"));
            }
            None
        }
        Api::Arm if api_version.is_none() => {
            Some(error(StatusCode::BAD_REQUEST, "MissingApiVersionParameter", "The api-version query parameter is required"))
        }
        Api::Arm => None,
    }
}
