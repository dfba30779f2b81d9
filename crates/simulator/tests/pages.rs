//! The simulated web pages on a real socket, clicked through as a browser would (a cookie-less
//! HTTP client submitting the same forms), and the state changes the app's checks will see.

use simulator::{world::ORG_ID, Demo, Plan, SaasStatus, Scenario};

async fn get(http: &reqwest::Client, url: &str) -> String {
    http.get(url).send().await.unwrap().text().await.unwrap()
}

/// The token of the "Configure account now" link on the page Azure shows after Subscribe.
fn landing_token(done: &str) -> String {
    let start = done.find("landing?token=").expect("a Configure account link") + "landing?token=".len();
    done[start..].split('"').next().unwrap().to_owned()
}

async fn post(http: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> String {
    http.post(url).form(form).send().await.unwrap().text().await.unwrap()
}

async fn buy(demo: &Demo, http: &reqwest::Client, recurring: bool) -> String {
    let base = demo.base_url();
    assert!(get(http, &format!("{base}/marketplace/pinecone/plans")).await.contains("Pinecone - Pay As You Go"));
    let form = get(http, &format!("{base}/marketplace/pinecone/subscribe")).await;
    let ticked = form.contains("data-testid=\"recurring-billing\" checked");
    assert_eq!(ticked, demo.world.recurring_by_default(), "{form}");
    let sub = simulator::world::SUBSCRIPTION_ID;
    let mut fields = vec![("subscription", sub), ("resource_group", "pinecone-billing"), ("name", "pinecone-payg")];
    if recurring {
        fields.push(("recurring", "on"));
    }
    let review = post(http, &format!("{base}/marketplace/pinecone/review"), &fields).await;
    assert!(review.contains(if recurring { ">On<" } else { ">Off<" }));
    post(http, &format!("{base}/marketplace/pinecone/subscribe"), &fields).await
}

#[tokio::test(flavor = "multi_thread")]
async fn connecting_an_existing_org_through_the_pages() {
    let demo = Demo::start(Scenario::HappyPath).await.unwrap();
    let http = reqwest::Client::new();
    let billing = demo.page_url("https://app.pinecone.io/organizations/-/settings/billing").unwrap();
    assert!(get(&http, &billing).await.contains("Connect to cloud marketplace"));
    assert!(get(&http, &format!("{billing}?step=choose")).await.contains("Azure Cloud Platform"));
    let done = buy(&demo, &http, true).await;
    assert!(done.contains("Configure account now"));
    assert_eq!(demo.world.saas()[0].status, SaasStatus::PendingFulfillmentStart);
    let token = landing_token(&done);
    let base = demo.base_url();
    let forged = get(&http, &format!("{base}/pinecone/azure/landing?token=lt-guessed&method=google")).await;
    assert!(forged.contains("unknown-purchase"), "a token Azure didn't issue opens nothing");
    let landing = get(&http, &format!("{base}/pinecone/azure/landing?token={token}")).await;
    assert!(landing.contains(&format!("?method=google&amp;token={token}")), "the sign-in choice keeps the purchase");
    let landing = get(&http, &format!("{base}/pinecone/azure/landing?token={token}&method=google")).await;
    assert!(landing.contains(&format!("data-testid=\"org-{ORG_ID}\" >")), "the Starter org can be picked: {landing}");
    assert!(landing.contains(&format!("name=\"token\" value=\"{token}\"")));
    let connect = format!("{base}/pinecone/azure/connect");
    let confirmed = post(&http, &connect, &[("token", &token), ("org", ORG_ID)]).await;
    assert!(confirmed.contains("data-testid=\"connected\""));
    assert_eq!(demo.world.saas()[0].status, SaasStatus::Subscribed);
    assert_eq!(demo.world.orgs()[0].plan, Plan::Standard);
    let again = post(&http, &connect, &[("token", &token), ("org", "new"), ("new_name", "Second")]).await;
    assert!(again.contains("already connected"), "one purchase pays for one org: {again}");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_purchase_a_link_belongs_to_is_activated() {
    let demo = Demo::start(Scenario::HappyPath).await.unwrap();
    let old = demo.world.subscribe("rg", "cancelled-one", true);
    demo.world.cancel("cancelled-one");
    let fresh = demo.world.subscribe("rg", "fresh-one", true);
    let relinked = demo.world.issue_landing_token("rg", "fresh-one").expect("listAccessToken");
    assert_ne!(relinked, fresh);
    assert_eq!(demo.world.create_connected_org_for(&old, "Nope"), Err("this Azure subscription was cancelled"));
    demo.world.connect_purchase(&relinked, ORG_ID).expect("a regenerated link works");
    let status: Vec<_> = demo.world.saas().iter().map(|s| (s.name.clone(), s.status)).collect();
    assert_eq!(status, [("cancelled-one".into(), SaasStatus::Unsubscribed), ("fresh-one".into(), SaasStatus::Subscribed)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn creating_a_new_org_through_the_pages() {
    let demo = Demo::start(Scenario::HappyPath).await.unwrap();
    let http = reqwest::Client::new();
    let listing = demo.page_url("https://azuremarketplace.microsoft.com/en-us/marketplace/apps/pineconesystemsinc1688761585469.pineconesaas?tab=Overview").unwrap();
    assert!(get(&http, &listing).await.contains("Get it now"));
    let token = landing_token(&buy(&demo, &http, false).await);
    assert!(!demo.world.saas()[0].auto_renew);
    let form = [("token", token.as_str()), ("org", "new"), ("new_name", "Fresh Org")];
    let confirmed = post(&http, &format!("{}/pinecone/azure/connect", demo.base_url()), &form).await;
    assert!(confirmed.contains("data-testid=\"connected\""));
    assert!(demo.world.orgs().iter().any(|o| o.name == "Fresh Org" && o.plan == Plan::Standard));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_failure_scenarios_show_on_the_pages() {
    let http = reqwest::Client::new();
    let billing = |d: &Demo| format!("{}/console/organizations/-/settings/billing", d.base_url());
    let demo = Demo::start(Scenario::NotOwner).await.unwrap();
    assert!(get(&http, &billing(&demo)).await.contains("data-testid=\"not-owner\""));
    let demo = Demo::start(Scenario::NotStarter).await.unwrap();
    assert!(get(&http, &billing(&demo)).await.contains("data-testid=\"not-starter\""));
    let demo = Demo::start(Scenario::SpendingLimit).await.unwrap();
    assert!(buy(&demo, &http, true).await.contains("purchase-failed"));
    assert!(demo.world.saas().is_empty());
    // A buyer who leaves recurring billing unticked: the form starts that way, and Azure keeps what was sent.
    let demo = Demo::start(Scenario::RecurringOff).await.unwrap();
    assert!(!demo.world.recurring_by_default());
    buy(&demo, &http, false).await;
    assert!(!demo.world.saas()[0].auto_renew);
    let demo = Demo::start(Scenario::HappyPath).await.unwrap();
    let early = post(&http, &format!("{}/pinecone/azure/connect", demo.base_url()), &[("org", ORG_ID)]).await;
    assert!(early.contains("connect-error"), "connecting before buying is refused");
    let bad = post(
        &http,
        &format!("{}/marketplace/pinecone/review", demo.base_url()),
        &[("subscription", "x"), ("resource_group", "r"), ("name", "<script>")],
    )
    .await;
    assert!(bad.contains("Check your details") && !bad.contains("<script>"));
}
