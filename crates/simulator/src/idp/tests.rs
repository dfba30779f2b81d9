//! The identity provider's routes without a socket: PKCE, single-use codes, loopback-only
//! redirects, denial, refresh rotation and form_post.
use super::*;
use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; // RFC 7636 appendix B

fn idp() -> Idp {
    Idp::new(IdpUser { subject: "u1".into(), name: "Ada Owner".into(), email: "ada@example.com".into() }, &["app"])
}

async fn get(idp: &Idp, uri: &str) -> Response {
    idp.router().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap()
}

async fn post_form(idp: &Idp, uri: &str, form: &str) -> (StatusCode, serde_json::Value) {
    let req =
        Request::post(uri).header("content-type", "application/x-www-form-urlencoded").body(Body::from(form.to_owned())).unwrap();
    let resp = idp.router().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn location(resp: &Response) -> url::Url {
    url::Url::parse(resp.headers()[header::LOCATION].to_str().unwrap()).unwrap()
}

fn param(url: &url::Url, key: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

async fn code(idp: &Idp) -> String {
    let resp = get(idp, &format!("/oauth/authorize?client_id=app&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback&state=s1&code_challenge={CHALLENGE}&code_challenge_method=S256&scope=openid")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let loc = location(&resp);
    assert_eq!(param(&loc, "state").as_deref(), Some("s1"));
    param(&loc, "code").unwrap()
}

fn exchange_form(code: &str, verifier: &str) -> String {
    format!("grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback&client_id=app&code_verifier={verifier}")
}

#[tokio::test]
async fn a_code_with_the_right_verifier_gets_tokens_once() {
    let idp = idp();
    let code = code(&idp).await;
    let (status, body) = post_form(&idp, "/oauth/token", &exchange_form(&code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(idp.access_token_is_valid(body["access_token"].as_str().unwrap()));
    let (status, body) = post_form(&idp, "/oauth/token", &exchange_form(&code, VERIFIER)).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "codes are single-use");
}

#[tokio::test]
async fn a_wrong_verifier_is_rejected_and_burns_the_code() {
    let idp = idp();
    let code = code(&idp).await;
    let wrong = "x".repeat(43);
    let (_, body) = post_form(&idp, "/oauth/token", &exchange_form(&code, &wrong)).await;
    assert_eq!(body["error_description"], "PKCE verification failed");
    let (_, body) = post_form(&idp, "/oauth/token", &exchange_form(&code, VERIFIER)).await;
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn expired_codes_are_rejected() {
    let idp = idp();
    idp.set_code_lifetime(Duration::ZERO);
    let code = code(&idp).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let (_, body) = post_form(&idp, "/oauth/token", &exchange_form(&code, VERIFIER)).await;
    assert_eq!(body["error_description"], "the authorization code has expired");
}

#[tokio::test]
async fn pkce_is_required_and_plain_is_refused() {
    let idp = idp();
    for extra in ["", "&code_challenge=abc&code_challenge_method=plain"] {
        let resp = get(&idp, &format!("/oauth/authorize?client_id=app&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback&state=s{extra}")).await;
        let loc = location(&resp);
        assert_eq!(param(&loc, "error").as_deref(), Some("invalid_request"));
        assert_eq!(param(&loc, "state").as_deref(), Some("s"));
    }
}

#[tokio::test]
async fn unknown_clients_and_non_loopback_redirects_are_never_redirected_to() {
    let idp = idp();
    let resp = get(&idp, &format!("/oauth/authorize?client_id=evil&response_type=code&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb&code_challenge={CHALLENGE}&code_challenge_method=S256")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = get(&idp, &format!("/oauth/authorize?client_id=app&response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&code_challenge={CHALLENGE}&code_challenge_method=S256")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn deny_sends_access_denied_back_with_the_state() {
    let idp = idp();
    idp.set_behaviour(IdpBehaviour::Deny);
    let resp = get(&idp, &format!("/common/oauth2/v2.0/authorize?client_id=app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A9%2Fcallback&state=s2&code_challenge={CHALLENGE}&code_challenge_method=S256")).await;
    let loc = location(&resp);
    assert_eq!(param(&loc, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&loc, "state").as_deref(), Some("s2"));
}

#[tokio::test]
async fn refresh_tokens_rotate() {
    let idp = idp();
    let code = code(&idp).await;
    let (_, first) = post_form(&idp, "/oauth/token", &exchange_form(&code, VERIFIER)).await;
    let refresh = first["refresh_token"].as_str().unwrap();
    let (status, second) =
        post_form(&idp, "/oauth/token", &format!("grant_type=refresh_token&refresh_token={refresh}&client_id=app")).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(second["access_token"], first["access_token"]);
    let (_, again) =
        post_form(&idp, "/oauth/token", &format!("grant_type=refresh_token&refresh_token={refresh}&client_id=app")).await;
    assert_eq!(again["error"], "invalid_grant", "a used refresh token is spent");
}

#[tokio::test]
async fn form_post_mode_returns_an_auto_submitting_form() {
    let idp = idp();
    let resp = get(&idp, &format!("/oauth/authorize?client_id=app&response_type=code&response_mode=form_post&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcallback&state=s3&code_challenge={CHALLENGE}&code_challenge_method=S256")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body = String::from_utf8(axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
    assert!(body.contains("method=\"post\" action=\"http://127.0.0.1:5000/callback\""), "{body}");
    assert!(body.contains("name=\"state\" value=\"s3\""));
}
