//! HTTP clients for the services the live checks read: the Pinecone Admin API and Azure Resource
//! Manager. They know the services' shapes, not the app's rules (those are the `checks` crate's). Both take a base URL, so demo mode points them at the simulator and nothing else
//! changes. Requests time out, and 429 and 5xx answers are retried with backoff, honouring
//! `Retry-After`.

pub mod arm;
pub mod http;
mod open_enum;
pub mod pinecone;

pub use http::{ApiError, Retry, Service};
