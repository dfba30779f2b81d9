//! The device authorization grant without a socket: only form-encoded POSTs from registered
//! clients with one resource's scopes get a code, in Entra's shape; the token endpoint answers
//! pending, slow_down, declined, expired, unknown and reused codes as Entra documents; the
//! verification page takes the code typed loosely and refuses one it can't use.

use crate::idp::{Idp, IdpUser};
use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use serde_json::Value;
use std::time::Duration;
use tower::ServiceExt;

const DEVICECODE: &str = "/organizations/oauth2/v2.0/devicecode";
const TOKEN: &str = "/organizations/oauth2/v2.0/token";
const ARM: &str = "https%3A%2F%2Fmanagement.azure.com%2Fuser_impersonation+offline_access+openid+profile";

fn idp() -> Idp {
    let idp =
        Idp::new(IdpUser { subject: "u1".into(), name: "Ada Owner".into(), email: "ada@example.com".into() }, &["app", "other"]);
    // Poll as fast as a test likes, until a slow_down says otherwise.
    idp.set_device_code_interval(Duration::ZERO);
    idp
}

async fn send(idp: &Idp, req: Request<Body>) -> (StatusCode, Option<String>, String) {
    let resp = idp.router().oneshot(req).await.unwrap();
    let status = resp.status();
    let cache = resp.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    (status, cache, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn post(idp: &Idp, uri: &str, form: &str) -> (StatusCode, Option<String>, String) {
    let req =
        Request::post(uri).header("content-type", "application/x-www-form-urlencoded").body(Body::from(form.to_owned())).unwrap();
    send(idp, req).await
}

async fn post_json(idp: &Idp, uri: &str, form: &str) -> (StatusCode, Value) {
    let (status, _, body) = post(idp, uri, form).await;
    (status, serde_json::from_str(&body).unwrap_or_else(|_| panic!("JSON from {uri}: {body}")))
}

/// A fresh device authorization for client `app` and ARM's scopes.
async fn device(idp: &Idp) -> Value {
    let (status, body) = post_json(idp, DEVICECODE, &format!("client_id=app&scope={ARM}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn poll(idp: &Idp, client: &str, device_code: &str) -> (StatusCode, Value) {
    let form =
        format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id={client}&device_code={device_code}");
    post_json(idp, TOKEN, &form).await
}

fn code(d: &Value) -> &str {
    d["device_code"].as_str().unwrap()
}

async fn answer_on_the_page(idp: &Idp, user_code: &str, answer: &str) -> String {
    post(idp, &format!("/devicelogin/{answer}"), &format!("user_code={user_code}")).await.2
}

#[tokio::test]
async fn only_form_encoded_posts_are_taken() {
    let idp = idp();
    let (status, _, body) =
        send(&idp, Request::get(format!("{DEVICECODE}?client_id=app&scope={ARM}")).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("\"error\":\"invalid_request\"") && body.contains("AADSTS900561"), "{body}");
    let json = Request::post(DEVICECODE)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"client_id":"app","scope":"openid"}"#))
        .unwrap();
    let (status, _, body) = send(&idp, json).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("invalid_request"), "{body}");
    assert!(idp.issued().device_codes.is_empty(), "no code for either");
}

#[tokio::test]
async fn the_client_must_be_registered_and_the_scopes_of_one_resource() {
    let idp = idp();
    for (form, error) in [
        (format!("client_id=evil&scope={ARM}"), "unauthorized_client"),
        (format!("scope={ARM}"), "invalid_request"),
        ("client_id=app".to_owned(), "invalid_request"),
        (
            "client_id=app&scope=https%3A%2F%2Fmanagement.azure.com%2F.default+https%3A%2F%2Fgraph.microsoft.com%2FUser.Read"
                .to_owned(),
            "invalid_scope",
        ),
    ] {
        let (status, body) = post_json(&idp, DEVICECODE, &form).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some(error)), "{form}: {body}");
    }
    // The authorize endpoint checks the scopes the same way.
    let resp = idp
        .router()
        .oneshot(Request::get("/organizations/oauth2/v2.0/authorize?client_id=app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A1%2Fcb&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&scope=https%3A%2F%2Fmanagement.azure.com%2F.default+https%3A%2F%2Fgraph.microsoft.com%2FUser.Read").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(resp.headers()[header::LOCATION].to_str().unwrap().contains("error=invalid_scope"));
}

#[tokio::test]
async fn the_answer_has_entras_shape_and_the_complete_uri_only_when_asked_for() {
    let idp = idp();
    idp.set_device_code_interval(Duration::from_secs(5));
    let (status, cache, body) = post(&idp, DEVICECODE, &format!("client_id=app&scope={ARM}")).await;
    assert_eq!((status, cache.as_deref()), (StatusCode::OK, Some("no-store")));
    let d: Value = serde_json::from_str(&body).unwrap();
    let mut keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["device_code", "expires_in", "interval", "message", "user_code", "verification_uri"]);
    assert_eq!((d["expires_in"].as_u64(), d["interval"].as_u64()), (Some(900), Some(5)), "Entra's defaults");
    let user_code = d["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 9);
    assert!(d["verification_uri"].as_str().unwrap().ends_with("/devicelogin"));
    assert!(d["message"].as_str().unwrap().contains(user_code));
    assert_eq!(idp.issued().user_codes, [user_code]);
    assert_eq!(idp.issued().device_codes, [code(&d)]);

    idp.set_verification_uri_complete(true);
    idp.set_device_code_lifetime(Duration::from_secs(3));
    let d = device(&idp).await;
    let complete = d["verification_uri_complete"].as_str().expect("sent when asked for");
    assert!(complete.contains(d["user_code"].as_str().unwrap()) && complete.contains("/devicelogin?"), "{complete}");
    assert_eq!(d["expires_in"], 3);
    // The page it opens has the code filled in.
    let path = &complete[complete.find("/devicelogin").unwrap()..];
    let (_, _, page) = send(&idp, Request::get(path).body(Body::empty()).unwrap()).await;
    assert!(page.contains(&format!("value=\"{}\"", d["user_code"].as_str().unwrap())), "{page}");
}

#[tokio::test]
async fn pending_until_approved_then_tokens_once() {
    let idp = idp();
    let d = device(&idp).await;
    let (status, body) = poll(&idp, "app", code(&d)).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("authorization_pending")));
    // Typed as people type it: lower case, with a dash.
    let typed = d["user_code"].as_str().unwrap().to_lowercase();
    let (_, _, question) = post(&idp, "/devicelogin", &format!("user_code={}-{}", &typed[..4], &typed[4..])).await;
    assert!(question.contains("data-testid=\"device-approve\"") && question.contains("Ada Owner"), "{question}");
    assert!(answer_on_the_page(&idp, &typed, "approve").await.contains("device-approved"));
    let (status, tokens) = poll(&idp, "other", code(&d)).await;
    assert_eq!((status, tokens["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "bound to its client");
    let (status, tokens) = poll(&idp, "app", code(&d)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(idp.audience_of(tokens["access_token"].as_str().unwrap()).as_deref(), Some(crate::ARM_AUDIENCE));
    assert!(tokens["refresh_token"].is_string() && tokens["id_token"].is_string());
    let (_, again) = poll(&idp, "app", code(&d)).await;
    assert_eq!(again["error"], "invalid_grant", "a device code works once: {again}");
    let (_, unknown) = poll(&idp, "app", "never-issued").await;
    assert_eq!(unknown["error"], "bad_verification_code");
}

#[tokio::test]
async fn polling_sooner_than_the_interval_is_told_to_slow_down_and_the_interval_grows() {
    let idp = idp();
    idp.set_device_code_interval(Duration::from_secs(2));
    let d = device(&idp).await;
    assert_eq!(poll(&idp, "app", code(&d)).await.1["error"], "slow_down", "the first poll waits an interval too");

    let idp = self::idp();
    let d = device(&idp).await;
    assert_eq!(poll(&idp, "app", code(&d)).await.1["error"], "authorization_pending", "interval zero: any time");
    idp.slow_down_next_polls(1);
    assert_eq!(poll(&idp, "app", code(&d)).await.1["error"], "slow_down", "a busy server");
    // That slow_down made this code's interval 5 s: polling at once again is too soon.
    assert_eq!(poll(&idp, "app", code(&d)).await.1["error"], "slow_down");
    assert_eq!(idp.device_polls().len(), 3);
}

#[tokio::test]
async fn a_declined_code_says_so_and_can_no_longer_be_answered() {
    let idp = idp();
    let d = device(&idp).await;
    let user_code = d["user_code"].as_str().unwrap();
    assert!(answer_on_the_page(&idp, user_code, "decline").await.contains("device-declined"));
    assert_eq!(poll(&idp, "app", code(&d)).await.1["error"], "authorization_declined");
    assert!(answer_on_the_page(&idp, user_code, "approve").await.contains("device-code-error"), "answered already");
    assert_eq!(poll(&idp, "app", code(&d)).await.1["error"], "authorization_declined");
}

#[tokio::test]
async fn an_expired_code_is_refused_by_the_token_endpoint_and_the_page() {
    let idp = idp();
    idp.set_device_code_lifetime(Duration::ZERO);
    let d = device(&idp).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(poll(&idp, "app", code(&d)).await.1["error"], "expired_token");
    let (_, _, page) = post(&idp, "/devicelogin", &format!("user_code={}", d["user_code"].as_str().unwrap())).await;
    assert!(page.contains("device-code-error"), "{page}");
    let (_, _, page) = post(&idp, "/devicelogin", "user_code=NOPE").await;
    assert!(page.contains("device-code-error") && page.contains("value=\"NOPE\""), "an unknown code: {page}");
}
