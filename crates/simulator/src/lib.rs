//! The embedded simulation of the outside services, served by axum on 127.0.0.1 with a port the
//! OS picks. Tests and demo mode talk to it exactly as they would to the real services.

pub mod idp;
pub mod world;

pub use idp::{Idp, IdpBehaviour, IdpUser, IssuedSecrets};
pub use world::{Scenario, World};

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
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self { addr, task })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}
