//! The identity provider's routes without a socket: PKCE, single-use codes, loopback-only
//! redirects, denial, refresh rotation and form_post.
use super::*;
use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    response::Response,
};
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
    // The reuse revoked the whole sign-in: the token the first refresh gave is dead too.
    let newer = second["refresh_token"].as_str().unwrap();
    let (_, revoked) =
        post_form(&idp, "/oauth/token", &format!("grant_type=refresh_token&refresh_token={newer}&client_id=app")).await;
    assert_eq!(revoked["error"], "invalid_grant", "{revoked}");
    assert_eq!(idp.reuses_detected(), 1);
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

fn authorize_url(path: &str, redirect: &str, extra: &str) -> String {
    format!("{path}?client_id=app&response_type=code&redirect_uri={}&state=s&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}", url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>())
}

async fn tokens_for(idp: &Idp, path: &str, extra: &str) -> serde_json::Value {
    let redirect = "http://localhost:5000/callback";
    let resp = get(idp, &authorize_url(path, redirect, extra)).await;
    let code = param(&location(&resp), "code").expect("a code");
    let token_path = path.replace("authorize", "token");
    let form = format!("grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2Flocalhost%3A5000%2Fcallback&client_id=app&code_verifier={VERIFIER}");
    let (status, body) = post_form(idp, &token_path, &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn entra_refuses_ipv6_loopback_redirects_which_it_does_not_support() {
    let idp = idp();
    let resp = get(&idp, &authorize_url("/organizations/oauth2/v2.0/authorize", "http://[::1]:5000/callback", "")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "[::1] is not a redirect Entra accepts");
    let resp = get(&idp, &authorize_url("/organizations/oauth2/v2.0/authorize", "http://127.0.0.1:5000/callback", "")).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "127.0.0.1 can be registered through the manifest");
}

#[tokio::test]
async fn tokens_carry_the_audience_each_provider_gives_them() {
    let idp = idp();
    let arm = tokens_for(
        &idp,
        "/organizations/oauth2/v2.0/authorize",
        "&scope=https%3A%2F%2Fmanagement.azure.com%2Fuser_impersonation+openid",
    )
    .await;
    assert_eq!(idp.audience_of(arm["access_token"].as_str().unwrap()).as_deref(), Some(ARM_AUDIENCE));
    let pinecone = tokens_for(
        &idp,
        "/oauth/authorize",
        &format!(
            "&scope=openid&audience={}",
            url::form_urlencoded::byte_serialize(PINECONE_AUDIENCE.as_bytes()).collect::<String>()
        ),
    )
    .await;
    assert_eq!(idp.audience_of(pinecone["access_token"].as_str().unwrap()).as_deref(), Some(PINECONE_AUDIENCE));
    let plain = tokens_for(&idp, "/oauth/authorize", "&scope=openid").await;
    assert_eq!(
        idp.audience_of(plain["access_token"].as_str().unwrap()).as_deref(),
        Some(USERINFO_AUDIENCE),
        "no audience, no API"
    );
}

#[tokio::test]
async fn a_pinecone_sign_in_is_scoped_to_the_org_picked_and_refused_for_another() {
    let idp = idp();
    idp.set_pinecone_claims(Arc::new(|org: Option<&str>| match org.unwrap_or("-Default") {
        org @ ("-Default" | "-Picked") => Ok(json!({"https://pinecone.io/orgId": org})),
        other => Err(format!("not a member of {other}")),
    }));
    let aud = url::form_urlencoded::byte_serialize(PINECONE_AUDIENCE.as_bytes()).collect::<String>();
    let body = tokens_for(&idp, "/oauth/authorize", &format!("&scope=openid&audience={aud}&orgId=-Picked")).await;
    let payload = body["access_token"].as_str().unwrap().split('.').nth(1).unwrap().to_owned();
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["https://pinecone.io/orgId"], "-Picked");
    let resp =
        get(&idp, &authorize_url("/oauth/authorize", "http://127.0.0.1:5000/callback", &format!("&audience={aud}&orgId=-Other")))
            .await;
    assert_eq!(param(&location(&resp), "error").as_deref(), Some("access_denied"));
}

#[tokio::test]
async fn entra_refreshes_without_scope_but_never_widens_it() {
    let idp = idp();
    let first = tokens_for(
        &idp,
        "/organizations/oauth2/v2.0/authorize",
        "&scope=https%3A%2F%2Fmanagement.azure.com%2Fuser_impersonation+offline_access",
    )
    .await;
    let refresh = first["refresh_token"].as_str().unwrap();
    let (status, second) = post_form(
        &idp,
        "/organizations/oauth2/v2.0/token",
        &format!("grant_type=refresh_token&refresh_token={refresh}&client_id=app"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "scope is optional on a refresh: {second}");
    let refresh = second["refresh_token"].as_str().unwrap();
    let wider = format!(
        "grant_type=refresh_token&refresh_token={refresh}&client_id=app&scope=https%3A%2F%2Fgraph.microsoft.com%2FMail.Read"
    );
    assert_eq!(post_form(&idp, "/organizations/oauth2/v2.0/token", &wider).await.1["error"], "invalid_scope");
}

#[tokio::test]
async fn userinfo_names_the_user_even_when_the_id_token_does_not() {
    let idp = idp();
    idp.set_identity_in_id_token(false);
    let body = tokens_for(&idp, "/oauth/authorize", "&scope=openid+email+profile").await;
    let id_claims = body["id_token"].as_str().unwrap().split('.').nth(1).unwrap().to_owned();
    let id_claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(id_claims).unwrap()).unwrap();
    assert!(id_claims.get("email").is_none() && id_claims.get("name").is_none(), "{id_claims}");
    let req = Request::get("/userinfo")
        .header("authorization", format!("Bearer {}", body["access_token"].as_str().unwrap()))
        .body(Body::empty())
        .unwrap();
    let resp = idp.router().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let info: serde_json::Value =
        serde_json::from_slice(&axum::body::to_bytes(resp.into_body(), 1 << 16).await.unwrap()).unwrap();
    assert_eq!((info["name"].as_str(), info["email"].as_str()), (Some("Ada Owner"), Some("ada@example.com")));
    let req = Request::get("/userinfo").header("authorization", "Bearer nope").body(Body::empty()).unwrap();
    assert_eq!(idp.router().oneshot(req).await.unwrap().status(), StatusCode::UNAUTHORIZED);
}
