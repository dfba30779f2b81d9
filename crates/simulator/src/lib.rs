//! The embedded simulation of the outside services, served by axum on 127.0.0.1 with a port the
//! OS picks: both identity providers ([`idp`]), the Pinecone Admin API ([`pinecone_api`]), Azure
//! Resource Manager ([`arm_api`]) over one shared state ([`model`], [`world`]), and the web pages
//! a user clicks through ([`pages`]). Tests and demo mode talk to it exactly as they would to the
//! real services.

// Handlers stop early with the HTTP answer the real service would give; that answer is an axum
// `Response`, and boxing it on every refusal would only add noise to code that is not hot.
#![allow(clippy::result_large_err)]

pub mod arm_api;
pub mod browser;
pub mod faults;
pub mod gate;
pub mod idp;
pub mod model;
pub mod pages;
pub mod pinecone_api;
pub mod scenario;
pub mod world;

pub use idp::{
    idp_endpoints, Endpoints, Idp, IdpBehaviour, IdpEndpoints, IdpUser, IssuedSecrets, ARM_AUDIENCE, PINECONE_AUDIENCE,
};
pub use model::{PaymentStatus, Plan, SaasStatus};
pub use scenario::Scenario;
pub use world::World;

/// Text for an HTML page, safe in element content and in quoted attributes.
pub(crate) fn escape(s: &str) -> String {
    html_escape::encode_quoted_attribute(s).into_owned()
}

/// Pinecone's public offer on Azure Marketplace, as Microsoft.SaaS names it.
pub const PUBLISHER: &str = "pineconesystemsinc1688761585469";
pub const OFFER: &str = "pineconesaas";

use std::net::SocketAddr;

/// A simulator bound to a loopback port, serving `router` until dropped.
pub struct Running {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Serves `router` on 127.0.0.1 with an OS-chosen port.
    ///
    /// # Errors
    /// If no loopback port can be bound.
    pub async fn start(router: axum::Router) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                };
                tokio::spawn(serve_connection(stream, router.clone()));
            }
        });
        Ok(Self { addr, task })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// The connection was to be dropped ([`faults::Fault::Drop`]); hyper closes it unanswered.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

/// Serves one connection with hyper (rather than `axum::serve`), so a response marked
/// [`faults::DropConnection`] can end the connection with no answer at all.
async fn serve_connection(stream: tokio::net::TcpStream, router: axum::Router) {
    use tower::ServiceExt;
    let service = hyper::service::service_fn(move |req: axum::http::Request<hyper::body::Incoming>| {
        let router = router.clone();
        async move {
            let resp = router.oneshot(req.map(axum::body::Body::new)).await.unwrap_or_else(|never| match never {});
            if resp.extensions().get::<faults::DropConnection>().is_some() {
                return Err(Dropped);
            }
            Ok(resp)
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
        .with_upgrades()
        .await;
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Everything a demo needs, on one loopback port: both identity providers, the Pinecone and Azure
/// APIs, and the web pages. The demo user is the IdP's user and the world's owner.
pub struct Demo {
    pub idp: Idp,
    pub world: World,
    pub running: Running,
}

/// The client id the demo IdP accepts; demo mode configures both providers with it.
pub const DEMO_CLIENT_ID: &str = "billing-assistant-demo";

impl Demo {
    /// Starts the demo in `scenario`.
    ///
    /// # Errors
    /// If no loopback port can be bound.
    pub async fn start(scenario: Scenario) -> std::io::Result<Self> {
        let user = IdpUser { subject: "demo-owner".into(), name: "Dana Demo".into(), email: "dana@acme.example".into() };
        let idp = Idp::new(user.clone(), &[DEMO_CLIENT_ID]);
        let world = World::new(scenario, &user.email, idp.clone());
        let router = idp.router().merge(world.router()).merge(pages::router(&world));
        let running = Running::start(router).await?;
        world.set_landing_base(&format!("{}/pinecone/azure/landing", running.base_url()));
        Ok(Self { idp, world, running })
    }

    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    /// The demo address for a real page the flows open, if the demo simulates it.
    pub fn page_url(&self, real_url: &str) -> Option<String> {
        pages::demo_path(real_url).map(|path| format!("{}{path}", self.base_url()))
    }
}
