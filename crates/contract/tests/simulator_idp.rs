//! The simulated Pinecone login (`login.pinecone.io`'s `/oauth/token`), held to Pinecone's OAuth
//! OpenAPI file. That file documents only service accounts' `client_credentials`; the app uses
//! the authorization-code grant Pinecone's own login clients use (specs/idp/EXCERPTS.md §2),
//! whose answer is the documented `TokenResponse` plus the members RFC 6749 §5.1 and OpenID
//! Connect add. Errors are the documented `ErrorResponse`.

mod common;

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use common::sim;
use contract::Spec;
use serde_json::{json, Value};
use simulator::{Scenario, PINECONE_AUDIENCE};
use tower::ServiceExt;

const OAUTH: &str = "pinecone/2026-04/oauth_2026-04.oas.yaml";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; // RFC 7636 appendix B
const REDIRECT: &str = "http://127.0.0.1:4567/callback/pinecone";

async fn send(router: &axum::Router, req: Request<Body>) -> (StatusCode, Option<String>, Value) {
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let location = resp.headers().get(header::LOCATION).map(|l| l.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    (status, location, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn token_request(form: &str) -> Request<Body> {
    Request::post("/oauth/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn an_authorization_code_answer_is_the_documented_token_response_and_errors_the_documented_error() {
    let s = sim(Scenario::HappyPath);
    let router = s.idp.router();
    let authorize = format!(
        "/oauth/authorize?client_id=c&redirect_uri={}&response_type=code&scope=openid%20profile%20email%20offline_access&state=st&code_challenge={CHALLENGE}&code_challenge_method=S256&audience={}&orgId={}",
        urlencode(REDIRECT),
        urlencode(PINECONE_AUDIENCE),
        simulator::world::ORG_ID
    );
    let (status, location, _) = send(&router, Request::get(authorize).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "redirected back with a code");
    let location = location.unwrap();
    let code = location.split(['?', '&']).find_map(|p| p.strip_prefix("code=")).expect("a code");

    let form = format!(
        "grant_type=authorization_code&client_id=c&code={code}&redirect_uri={}&code_verifier={VERIFIER}",
        urlencode(REDIRECT)
    );
    let spec = Spec::load(OAUTH);
    let (status, _, body) = send(&router, token_request(&form)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rfc6749 = json!({
        "refresh_token": {"type": "string"},
        "id_token": {"type": "string"},
        "scope": {"type": "string"},
    });
    spec.definition_with("TokenResponse", rfc6749).check(&body).unwrap();
    assert_eq!(body["token_type"], "Bearer");

    // The same code again, an unknown client and an unknown grant: each the documented error.
    for form in [form.as_str(), "grant_type=authorization_code&client_id=nobody&code=x", "grant_type=password&client_id=c"] {
        let (status, _, body) = send(&router, token_request(form)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form}: {body}");
        spec.response("/oauth/token", "post", "400").check(&body).unwrap_or_else(|e| panic!("{form}: {e}"));
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
