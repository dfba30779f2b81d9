//! A simulated world to ask, and the way its answers are fetched: through the router without a
//! socket, as a client would send the request.

#![allow(dead_code)] // Each test file uses its own part.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use serde_json::Value;
use simulator::{Idp, IdpUser, Scenario, World, ARM_AUDIENCE, PINECONE_AUDIENCE};
use tower::ServiceExt;

pub struct Sim {
    pub idp: Idp,
    pub world: World,
    pub pinecone: String,
    pub arm: String,
}

pub fn sim(scenario: Scenario) -> Sim {
    let idp = Idp::new(IdpUser { subject: "u".into(), name: "Dana Demo".into(), email: "dana@acme.example".into() }, &["c"]);
    let world = World::new(scenario, "dana@acme.example", idp.clone());
    Sim { pinecone: idp.issue_access_token(PINECONE_AUDIENCE), arm: idp.issue_access_token(ARM_AUDIENCE), world, idp }
}

impl Sim {
    async fn call(&self, req: Request<Body>) -> (StatusCode, Value) {
        let resp = self.world.router().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes))))
    }

    /// GET on the Pinecone Admin API, as the app sends it (or without a token).
    pub async fn pinecone(&self, path: &str, version: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = Request::get(path).header("x-pinecone-api-version", version);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.call(req.body(Body::empty()).unwrap()).await
    }

    /// A request to ARM with the ARM token (`path` carries its `api-version`).
    pub async fn arm(&self, method: &str, path: &str) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {}", self.arm))
            .header("host", "management.azure.test")
            .body(Body::empty())
            .unwrap();
        self.call(req).await
    }

    /// Every page of an ARM list, following `nextLink` as the client does.
    pub async fn arm_pages(&self, path: &str) -> Vec<Value> {
        let mut pages = Vec::new();
        let mut next = Some(path.to_owned());
        while let Some(path) = next {
            let (status, page) = self.arm("GET", &path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {page}");
            next = page["nextLink"].as_str().map(|l| l.trim_start_matches("http://management.azure.test").to_owned());
            pages.push(page);
        }
        pages
    }
}
