//! The page a user enters a device code on, as Entra's `/devicelogin`: a form for the code
//! (already filled in when opened from `verification_uri_complete`), then the question Entra asks
//! before it signs the device in, with Continue and Cancel. The user is the IdP's configured one,
//! as on the authorize endpoint, which signs in without a password page. Plain HTML forms with
//! `data-testid`s, so a real browser, WebDriver, or the scripted browser
//! ([`crate::browser::device_login`]) can finish it.
//!
//! `GET /devicelogin[?user_code=…]` → the code form (`device-code-input`, `device-code-next`);
//! `POST /devicelogin` (`user_code`) → the question (`device-approve`, `device-decline`), or the
//! form again with `device-code-error`; `POST /devicelogin/approve` and `/devicelogin/decline`
//! (`user_code`) → `device-approved` or `device-declined`.

use super::{device::Answer, Idp};
use crate::{escape, pages::page};
use axum::{
    extract::{Query, State},
    response::Response,
    routing::{get, post},
    Form, Router,
};
use serde::Deserialize;

const SITE: &str = "Microsoft";

pub(super) fn router(idp: &Idp) -> Router {
    Router::new()
        .route("/devicelogin", get(enter).post(entered))
        .route("/devicelogin/approve", post(approve))
        .route("/devicelogin/decline", post(decline))
        .with_state(idp.clone())
}

#[derive(Deserialize, Default)]
struct CodeForm {
    #[serde(default)]
    user_code: String,
}

fn code_form(prefilled: &str, problem: Option<&str>) -> Response {
    let note =
        problem.map(|p| format!("<p class=\"note\" data-testid=\"device-code-error\">{}</p>", escape(p))).unwrap_or_default();
    let body = format!(
        "<p>Enter the code displayed on your app or device.</p>{note}\
<form method=\"post\" action=\"/devicelogin\"><label>Code <input name=\"user_code\" value=\"{}\" data-testid=\"device-code-input\" autocomplete=\"off\" required></label>\
<button data-testid=\"device-code-next\">Next</button></form>",
        escape(prefilled)
    );
    page(SITE, "Enter code", &body)
}

fn not_usable() -> &'static str {
    "That code didn't work. Check the code and try again, or get a new code from the app."
}

async fn enter(Query(q): Query<CodeForm>) -> Response {
    code_form(&q.user_code, None)
}

async fn entered(State(idp): State<Idp>, Form(f): Form<CodeForm>) -> Response {
    let mut inner = idp.lock();
    let user = inner.user.clone();
    let Some(device) = inner.devices.by_user_code(&f.user_code).filter(|d| !d.expired() && d.answer == Answer::Pending) else {
        return code_form(&f.user_code, Some(not_usable()));
    };
    let code = escape(&device.user_code);
    let body = format!(
        "<p data-testid=\"device-question\">Are you trying to sign in to the app {client}?</p>\
<p>Signed in as {name} ({email}). Only continue if you started this sign-in yourself, in an app you trust.</p>\
<form method=\"post\" action=\"/devicelogin/approve\"><input type=\"hidden\" name=\"user_code\" value=\"{code}\"><button data-testid=\"device-approve\">Continue</button></form>\
<form method=\"post\" action=\"/devicelogin/decline\"><input type=\"hidden\" name=\"user_code\" value=\"{code}\"><button data-testid=\"device-decline\">Cancel</button></form>",
        client = escape(&device.grant.client_id),
        name = escape(&user.name),
        email = escape(&user.email),
    );
    page(SITE, "Are you trying to sign in?", &body)
}

fn answer(idp: &Idp, typed: &str, answer: Answer) -> Response {
    let mut inner = idp.lock();
    let Some(device) = inner.devices.by_user_code(typed).filter(|d| !d.expired() && d.answer == Answer::Pending) else {
        return code_form(typed, Some(not_usable()));
    };
    device.answer = answer;
    match answer {
        Answer::Declined => page(
            SITE,
            "Sign-in declined",
            "<p data-testid=\"device-declined\">You declined to sign in on the other device. You may now close this window.</p>",
        ),
        _ => page(
            SITE,
            "You're signed in",
            "<p data-testid=\"device-approved\">You have signed in to the app on your device. You may now close this window.</p>",
        ),
    }
}

async fn approve(State(idp): State<Idp>, Form(f): Form<CodeForm>) -> Response {
    answer(&idp, &f.user_code, Answer::Approved)
}

async fn decline(State(idp): State<Idp>, Form(f): Form<CodeForm>) -> Response {
    answer(&idp, &f.user_code, Answer::Declined)
}
