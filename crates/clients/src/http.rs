//! The request loop both clients share: bearer auth, timeouts, retries with exponential backoff
//! on 429 and 5xx (honouring `Retry-After`, in seconds or as a date), and errors in plain words.

use serde::de::DeserializeOwned;
use std::time::Duration;

/// Which service answered, for messages and for advice that differs by service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Pinecone,
    Azure,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Pinecone => "Pinecone",
            Service::Azure => "Azure",
        }
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ApiError {
    #[error("couldn't reach {service}: {detail}")]
    Offline { service: Service, detail: String },
    #[error("{service} says the sign-in is not valid any more (401)")]
    Unauthorized { service: Service },
    #[error("{service} refused: you don't have permission for this (403{})", code.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
    Forbidden { service: Service, code: Option<String> },
    #[error("{service} couldn't find it (404)")]
    NotFound { service: Service },
    #[error("{service} is busy or failing (status {status}) and didn't recover after {attempts} tries")]
    Unavailable { service: Service, status: u16, attempts: u32 },
    #[error("{service} is busy and asked to be left alone for {wait_secs} s")]
    Busy { service: Service, wait_secs: u64 },
    #[error("{service} answered with status {status}: {detail}")]
    Status { service: Service, status: u16, detail: String },
    #[error("{service} sent an answer this app doesn't understand: {detail}")]
    BadResponse { service: Service, detail: String },
}

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub first_delay: Duration,
    /// No single wait is longer than this. A `Retry-After` that asks for more ends the request
    /// with [`ApiError::Busy`], so the caller's own polling comes back later instead of retrying early.
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self { attempts: 4, first_delay: Duration::from_millis(500), max_delay: Duration::from_secs(30) }
    }
}

/// What both clients hold: the service's base URL, an HTTP client and how hard to try.
pub struct Endpoint {
    pub base: String,
    pub http: reqwest::Client,
    pub retry: Retry,
}

impl Endpoint {
    /// `base` is the real service live, or the simulator's address in demo mode.
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_owned(),
            // The same client as sign-in: no redirects (a bearer token must not follow one), timeouts.
            http: signin::oauth::http_client(),
            retry: Retry::default(),
        }
    }
}

impl ApiError {
    /// Whether this is an error answer carrying the service's error `code` (ARM's and Pinecone's
    /// envelopes both have `{"error": {"code"}}`).
    pub fn has_code(&self, code: &str) -> bool {
        matches!(self, ApiError::Status { detail, .. } if detail == code)
    }
}

/// The longest a service may ask to be left alone before the app checks again; longer asks are
/// capped, so a bad `Retry-After` can't silence the checks for days.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Parses each item of a list on its own, so one odd item (another vendor's purchase with null
/// fields, say) is skipped and logged instead of failing the whole answer.
pub fn parse_items<T: DeserializeOwned>(service: Service, what: &str, items: Vec<serde_json::Value>) -> Vec<T> {
    items
        .into_iter()
        .filter_map(|item| match serde_json::from_value(item) {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::warn!("{service}: skipped one {what} this app can't read ({e})");
                None
            }
        })
        .collect()
}

/// Sends the request `make` builds, retrying 429/5xx and connection failures, and decodes JSON.
pub async fn send_json<T: DeserializeOwned>(
    service: Service,
    retry: Retry,
    make: impl Fn() -> reqwest::RequestBuilder,
) -> Result<T, ApiError> {
    let mut delay = retry.first_delay;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let last = attempt >= retry.attempts;
        let response = match make().send().await {
            Ok(r) => r,
            Err(e) if last => return Err(ApiError::Offline { service, detail: e.without_url().to_string() }),
            Err(_) => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(retry.max_delay);
                continue;
            }
        };
        let status = response.status().as_u16();
        if status == 429 || (500..600).contains(&status) {
            if last {
                return Err(ApiError::Unavailable { service, status, attempts: attempt });
            }
            let asked = response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(retry_after);
            if let Some(wait) = asked.filter(|w| *w > retry.max_delay) {
                let wait = wait.min(MAX_RETRY_AFTER);
                return Err(ApiError::Busy { service, wait_secs: wait.as_secs_f64().ceil() as u64 });
            }
            tokio::time::sleep(asked.unwrap_or(delay)).await;
            delay = (delay * 2).min(retry.max_delay);
            continue;
        }
        let body = response.text().await.map_err(|e| ApiError::Offline { service, detail: e.without_url().to_string() })?;
        return match status {
            200..=299 => serde_json::from_str(&body).map_err(|e| ApiError::BadResponse { service, detail: e.to_string() }),
            401 => Err(ApiError::Unauthorized { service }),
            403 => Err(ApiError::Forbidden { service, code: error_code(&body) }),
            404 => Err(ApiError::NotFound { service }),
            _ => Err(ApiError::Status { service, status, detail: error_code(&body).unwrap_or_else(|| "no details".into()) }),
        };
    }
}

/// `Retry-After` as a wait: delay-seconds, or an HTTP date (a date in the past means now).
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// The `code` of either service's error envelope: Pinecone `{"error":{"code"}}`, ARM `{"error":{"code"}}`.
fn error_code(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v.get("error")?.get("code")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::retry_after;
    use std::time::{Duration, SystemTime};

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO), "a date in the past");
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let wait = retry_after(&later).expect("a date");
        assert!(wait > Duration::from_secs(110) && wait <= Duration::from_secs(120), "{wait:?}");
        assert_eq!(retry_after("soon"), None);
        assert_eq!(retry_after("-3"), None);
    }
}
