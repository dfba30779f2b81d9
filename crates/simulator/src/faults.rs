//! Faults tests inject into the simulated APIs, per route (the longest matching path prefix
//! wins): an error status with `Retry-After`, an answer that comes late, a connection closed
//! without an answer, and a 200 whose body isn't JSON. Applied by a layer in front of both APIs,
//! before the gates, as a load balancer's or proxy's failures would be; the layer also counts the
//! requests each route sees.

use crate::World;
use axum::{
    extract::{Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::time::Duration;

/// One injected failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// An error status (429 busy, 500 failing, …), with `Retry-After` seconds if given.
    Status { status: u16, retry_after: Option<u64> },
    /// The real answer, this much later.
    Latency(Duration),
    /// The connection closed without an answer.
    Drop,
    /// A 200 whose body breaks off in the middle of the JSON.
    MalformedJson,
}

/// Marks a response whose connection is to be closed instead of answered; [`crate::Running`]
/// does that (routers driven without a socket just see a 502).
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

impl Fault {
    fn response(self) -> Response {
        match self {
            Fault::Status { status, retry_after } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut resp = (status, "simulated fault").into_response();
                if let Some(secs) = retry_after {
                    resp.headers_mut().insert(header::RETRY_AFTER, secs.into());
                }
                resp
            }
            Fault::Drop => {
                let mut resp = StatusCode::BAD_GATEWAY.into_response();
                resp.extensions_mut().insert(DropConnection);
                resp
            }
            Fault::MalformedJson => {
                (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], "{\"value\": [{\"id\": \"/subscriptions/")
                    .into_response()
            }
            Fault::Latency(_) => unreachable!("a late answer is the real one"),
        }
    }
}

/// The layer: counts the request, then applies the route's next fault, if one is queued.
pub async fn apply(State(world): State<World>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    world.count_request(&path);
    match world.take_fault(&path) {
        None => next.run(req).await,
        Some(Fault::Latency(late)) => {
            tokio::time::sleep(late).await;
            next.run(req).await
        }
        Some(fault) => fault.response(),
    }
}
