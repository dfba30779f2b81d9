//! The simulated web pages a user visits in the browser during a demo: the Pinecone console's
//! billing page, the Azure Marketplace listing and subscribe form, and the Azure-specific Pinecone
//! sign-up page. They are plain HTML forms; submitting them changes the [`World`] the way the real
//! services would, so the app's live checks see it. Every control carries a `data-testid`.

use crate::{
    escape,
    model::{Plan, ORG_ID, SUBSCRIPTION_ID},
    World,
};
use axum::{
    extract::{Query, State},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
    Form, Router,
};
use serde::Deserialize;

/// Real page → simulated path, for the pages the flows open.
pub const DEMO_PAGES: &[(&str, &str)] = &[
    ("https://app.pinecone.io/organizations/-/settings/billing", "/console/organizations/-/settings/billing"),
    (
        "https://azuremarketplace.microsoft.com/en-us/marketplace/apps/pineconesystemsinc1688761585469.pineconesaas?tab=Overview",
        "/marketplace/pinecone",
    ),
    ("https://www.pinecone.io/pricing/", "/www/pricing"),
    ("https://www.pinecone.io/contact", "/www/contact"),
];

/// The simulated path for a real page, if the demo has one.
pub fn demo_path(real_url: &str) -> Option<&'static str> {
    DEMO_PAGES.iter().find(|(real, _)| *real == real_url).map(|(_, path)| *path)
}

/// A simulated site's page, in the demo's look; the IdP's own pages use it too.
pub(crate) fn page(site: &str, title: &str, body: &str) -> Response {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · {site} (demo)</title>\
<style>body{{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#14213d}}\
.site{{font-size:.85rem;color:#5a6478;border-bottom:1px solid #d9deea;padding-bottom:.5rem}}\
button,a.button{{font:inherit;padding:.5rem 1rem;margin:.25rem 0;border-radius:6px;border:1px solid #1f4fd1;background:#1f4fd1;color:#fff;text-decoration:none;display:inline-block}}\
.note{{background:#fff8e1;border:1px solid #e9b949;padding:.5rem 1rem;border-radius:6px}}label{{display:block;margin:.5rem 0}}</style></head>\
<body><p class=\"site\">{site} — simulated for the Billing Assistant demo</p><h1>{title}</h1>{body}</body></html>",
        site = escape(site),
        title = escape(title),
    ))
    .into_response()
}

#[derive(Deserialize, Default)]
struct BillingQuery {
    step: Option<String>,
}

async fn billing(State(w): State<World>, Query(q): Query<BillingQuery>) -> Response {
    let org = w.orgs().into_iter().find(|o| o.id == ORG_ID).expect("the demo org exists");
    let plan = match org.plan {
        Plan::Free => "Starter",
        Plan::Standard => "Standard",
    };
    let mut body = format!(
        "<h2>Billing Contact</h2><p data-testid=\"plan\">Organization <strong>{}</strong> · plan: {}</p>",
        escape(&org.name),
        escape(plan)
    );
    if !w.is_owner() {
        body.push_str(
            "<p class=\"note\" data-testid=\"not-owner\">Only organization owners can connect to a cloud marketplace.</p>",
        );
    } else if org.plan != Plan::Free {
        body.push_str("<p class=\"note\" data-testid=\"not-starter\">This organization is not on the Starter plan, so it can't be connected to a cloud marketplace.</p>");
    } else {
        match q.step.as_deref() {
            None => body.push_str("<a class=\"button\" data-testid=\"connect-marketplace\" href=\"?step=choose\">Connect to cloud marketplace</a>"),
            Some(_) => body.push_str(
                "<form method=\"get\" action=\"/marketplace/pinecone/plans\"><fieldset><legend>Choose a cloud</legend>\
<label><input type=\"radio\" name=\"cloud\" value=\"aws\" disabled> Amazon Web Services</label>\
<label><input type=\"radio\" name=\"cloud\" value=\"gcp\" disabled> Google Cloud Platform</label>\
<label><input type=\"radio\" name=\"cloud\" value=\"azure\" data-testid=\"cloud-azure\" required> Azure Cloud Platform</label></fieldset>\
<button data-testid=\"continue-to-marketplace\">Continue to marketplace</button></form>",
            ),
        }
    }
    page("Pinecone console", "Billing", &body)
}

async fn listing() -> Response {
    page(
        "Azure Marketplace",
        "Pinecone",
        "<p>The vector database for building knowledgeable AI. Pay as you go, billed through Azure.</p>\
<a class=\"button\" data-testid=\"get-it-now\" href=\"/marketplace/pinecone/plans\">Get it now</a>",
    )
}

async fn plans() -> Response {
    page(
        "Azure Marketplace",
        "Pinecone: plans",
        "<form method=\"get\" action=\"/marketplace/pinecone/subscribe\">\
<label><input type=\"radio\" name=\"plan\" value=\"payg\" data-testid=\"plan-payg\" checked> Pinecone - Pay As You Go</label>\
<button data-testid=\"subscribe\">Subscribe</button></form>",
    )
}

async fn subscribe_form(State(w): State<World>) -> Response {
    let sub = escape(&w.read(|s| s.subscription(SUBSCRIPTION_ID).map(|sub| sub.name.clone())).unwrap_or_default());
    let body = format!(
        "<form method=\"post\" action=\"/marketplace/pinecone/review\">\
<label>Subscription <select name=\"subscription\" data-testid=\"subscription\"><option value=\"{SUBSCRIPTION_ID}\">{sub}</option></select></label>\
<label>Resource group <select name=\"resource_group\" data-testid=\"resource-group\"><option>pinecone-billing</option><option>shared-services</option></select></label>\
<label>Name <input name=\"name\" value=\"pinecone-payg\" data-testid=\"name\" required pattern=\"[A-Za-z0-9-]{{1,50}}\"></label>\
<label><input type=\"checkbox\" name=\"recurring\" value=\"on\" data-testid=\"recurring-billing\" {checked}> Recurring billing</label>\
<button data-testid=\"review-and-subscribe\">Review + subscribe</button></form>",
        checked = if w.recurring_by_default() { "checked" } else { "" },
    );
    page("Azure portal", "Subscribe to Pinecone", &body)
}

#[derive(Deserialize)]
struct SubscribeForm {
    subscription: String,
    resource_group: String,
    name: String,
    recurring: Option<String>,
}

fn valid_name(name: &str) -> bool {
    (1..=50).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

async fn review(State(w): State<World>, Form(f): Form<SubscribeForm>) -> Response {
    if !valid_name(&f.name) || f.subscription != SUBSCRIPTION_ID {
        return page("Azure portal", "Check your details", "<p class=\"note\">The name may use letters, digits and dashes.</p>");
    }
    let recurring = f.recurring.is_some();
    let warn = if w.has_spending_limit() {
        "<p class=\"note\" data-testid=\"spending-limit\">This subscription has a spending limit, so it can't buy Marketplace offers.</p>"
    } else {
        ""
    };
    let body = format!(
        "<dl><dt>Plan</dt><dd>Pinecone - Pay As You Go</dd><dt>Resource group</dt><dd>{rg}</dd><dt>Name</dt><dd>{name}</dd>\
<dt>Recurring billing</dt><dd data-testid=\"review-recurring\">{rec}</dd></dl>{warn}\
<form method=\"post\" action=\"/marketplace/pinecone/subscribe\">\
<input type=\"hidden\" name=\"subscription\" value=\"{sub}\"><input type=\"hidden\" name=\"resource_group\" value=\"{rg}\">\
<input type=\"hidden\" name=\"name\" value=\"{name}\">{rec_input}\
<button data-testid=\"confirm-subscribe\" {disabled}>Subscribe</button></form>",
        rg = escape(&f.resource_group),
        name = escape(&f.name),
        sub = escape(&f.subscription),
        rec = if recurring { "On" } else { "Off" },
        rec_input = if recurring { "<input type=\"hidden\" name=\"recurring\" value=\"on\">" } else { "" },
        disabled = if w.has_spending_limit() { "disabled" } else { "" },
    );
    page("Azure portal", "Review + subscribe", &body)
}

async fn subscribe(State(w): State<World>, Form(f): Form<SubscribeForm>) -> Response {
    if !valid_name(&f.name) || f.subscription != SUBSCRIPTION_ID || w.has_spending_limit() {
        return page(
            "Azure portal",
            "Purchase failed",
            "<p class=\"note\" data-testid=\"purchase-failed\">This subscription can't buy Marketplace offers.</p>",
        );
    }
    let token = w.subscribe(&f.resource_group, &f.name, f.recurring.is_some());
    page(
        "Azure portal",
        "Your subscription is ready",
        &format!(
            "<p>The purchase is done. Configure your account with Pinecone to start using it.</p>\
<a class=\"button\" data-testid=\"configure-account\" href=\"/pinecone/azure/landing?token={}\">Configure account now</a>",
            escape(&token)
        ),
    )
}

#[derive(Deserialize, Default)]
struct LandingQuery {
    method: Option<String>,
    #[serde(default)]
    token: String,
}

async fn landing(State(w): State<World>, Query(q): Query<LandingQuery>) -> Response {
    if w.purchase_for(&q.token).is_none() {
        return page(
            "Pinecone",
            "We couldn't identify this purchase",
            "<p class=\"note\" data-testid=\"unknown-purchase\">Reopen the subscription in the Azure portal and choose Configure account again.</p>",
        );
    }
    let token = escape(&q.token);
    let Some(method) = q.method else {
        return page(
            "Pinecone",
            "Connect Azure to Pinecone",
            &format!(
                "<p>Choose how you sign in to Pinecone.</p>\
<a class=\"button\" data-testid=\"auth-google\" href=\"?method=google&amp;token={token}\">Continue with Google</a> \
<a class=\"button\" data-testid=\"auth-github\" href=\"?method=github&amp;token={token}\">Continue with GitHub</a> \
<a class=\"button\" data-testid=\"auth-microsoft\" href=\"?method=microsoft&amp;token={token}\">Continue with Microsoft</a> \
<a class=\"button\" data-testid=\"auth-email\" href=\"?method=email&amp;token={token}\">Continue with email</a>"
            ),
        );
    };
    let orgs: String = w
        .orgs()
        .iter()
        .map(|o| {
            let starter = o.plan == Plan::Free;
            format!(
                "<label><input type=\"radio\" name=\"org\" value=\"{id}\" data-testid=\"org-{id}\" {dis}> {name}{note}</label>",
                id = escape(&o.id),
                name = escape(&o.name),
                dis = if starter { "" } else { "disabled" },
                note = if starter { "" } else { " (not on the Starter plan)" },
            )
        })
        .collect();
    let body = format!(
        "<p>Signed in with {method}.</p><form method=\"post\" action=\"/pinecone/azure/connect\"><input type=\"hidden\" name=\"token\" value=\"{token}\"><fieldset><legend>Select an organization</legend>{orgs}\
<label><input type=\"radio\" name=\"org\" value=\"new\" data-testid=\"org-new\"> Create a new organization: <input name=\"new_name\" value=\"My Azure org\" data-testid=\"new-org-name\"></label></fieldset>\
<button data-testid=\"connect-to-pinecone\">Connect to Pinecone</button></form>",
        method = escape(&method),
    );
    page("Pinecone", "Connect Azure to Pinecone", &body)
}

#[derive(Deserialize)]
struct ConnectForm {
    #[serde(default)]
    token: String,
    org: String,
    new_name: Option<String>,
}

async fn connect(State(w): State<World>, Form(f): Form<ConnectForm>) -> Response {
    let result = if f.org == "new" {
        let name = f.new_name.unwrap_or_default();
        let name = name.trim();
        if name.is_empty() || name.len() > 100 {
            Err("give the new organization a name")
        } else {
            w.create_connected_org_for(&f.token, name).map(|_| ())
        }
    } else {
        w.connect_purchase(&f.token, &f.org)
    };
    match result {
        Ok(()) => page(
            "Pinecone",
            "Confirm Azure marketplace connection",
            "<p data-testid=\"connected\">Your organization is connected to Azure Marketplace. You can close this tab.</p>",
        ),
        Err(why) => {
            page("Pinecone", "Couldn't connect", &format!("<p class=\"note\" data-testid=\"connect-error\">{}</p>", escape(why)))
        }
    }
}

async fn pricing() -> Response {
    page(
        "Pinecone",
        "Pricing",
        "<p>Starter (free), Standard and Enterprise plans. Standard and Enterprise can be billed through Azure.</p>",
    )
}

async fn contact() -> Response {
    page("Pinecone", "Contact sales", "<p>Tell us about your annual commitment and we'll be in touch.</p>")
}

/// The pages' routes; merge them with the world's API routes.
pub fn router(world: &World) -> Router {
    Router::new()
        .route("/console/organizations/-/settings/billing", get(billing))
        .route("/marketplace/pinecone", get(listing))
        .route("/marketplace/pinecone/plans", get(plans))
        .route("/marketplace/pinecone/subscribe", get(subscribe_form).post(subscribe))
        .route("/marketplace/pinecone/review", post(review))
        .route("/pinecone/azure/landing", get(landing))
        .route("/pinecone/azure/connect", post(connect))
        .route("/www/pricing", get(pricing))
        .route("/www/contact", get(contact))
        .route("/", get(|| async { Redirect::to("/console/organizations/-/settings/billing") }))
        .with_state(world.clone())
}
