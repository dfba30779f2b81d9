//! Every screen that calls an API, against every fault the simulator can inject on its route:
//! a late answer (past the request timeout), a busy service (429 with a `Retry-After` of
//! centuries), a failing one (500), a dropped connection and malformed JSON. Each test checks the
//! message the screen shows, and that it recovers once the fault is lifted. The app runs in live
//! mode against simulated services the test owns (tests/support/live.rs).

use e2e::{LiveApp, LiveSetup};
use simulator::{faults::Fault, world::SUBSCRIPTION_ID, Scenario};
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
enum Screen {
    /// Step 1: the Pinecone organization check (`/admin/organizations`).
    OpenBilling,
    /// Step 6: the Azure subscription check (`/subscriptions`).
    ChooseSubscription,
    /// Step 9: the purchase check (Microsoft.SaaS resources).
    ConfirmSubscribe,
    /// Step 12: the connection check (Microsoft.SaaS resources).
    Connect,
    /// Step 9's "Open the Configure account page again" (`listAccessToken`).
    Regenerate,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Late,
    Busy,
    Failing,
    Dropped,
    Malformed,
}

impl Kind {
    fn fault(self) -> Fault {
        match self {
            // Past the 2 s request timeout these tests set.
            Kind::Late => Fault::Latency(Duration::from_secs(3)),
            // About 317 years: a setTimeout that long fires at once, which must not make a hot loop.
            Kind::Busy => Fault::Status { status: 429, retry_after: Some(10_000_000_000) },
            Kind::Failing => Fault::Status { status: 500, retry_after: None },
            Kind::Dropped => Fault::Drop,
            Kind::Malformed => Fault::MalformedJson,
        }
    }

    /// The panel state and words the user must see.
    fn expected(self, screen: Screen) -> (&'static str, &'static str) {
        match (self, screen) {
            (Kind::Late | Kind::Dropped, Screen::Regenerate) => ("error", "Couldn't reach Azure"),
            (Kind::Late | Kind::Dropped, _) => ("error", "couldn't reach"),
            (Kind::Busy, Screen::Regenerate) => ("error", "busy and asked to be left alone"),
            (Kind::Busy, _) => ("waiting", "is busy and asked the assistant to wait; it checks again in about an hour"),
            (Kind::Failing, _) => ("error", "busy or failing (status 500)"),
            (Kind::Malformed, _) => ("error", "an answer this app doesn't understand"),
        }
    }
}

const STEPS: [&str; 12] = [
    "open-billing",
    "connect-marketplace",
    "select-azure",
    "continue-to-marketplace",
    "subscribe",
    "choose-subscription",
    "recurring-billing",
    "review",
    "confirm-subscribe",
    "sign-in-method",
    "select-org",
    "connect",
];

/// Walks the app from the step it is on to `to`.
async fn walk(live: &LiveApp, from: &str, to: &str) {
    let start = STEPS.iter().position(|s| *s == from).unwrap();
    let end = STEPS.iter().position(|s| *s == to).unwrap();
    for step in &STEPS[start + 1..=end] {
        live.next(step).await;
    }
}

fn saas_route() -> String {
    format!("/subscriptions/{SUBSCRIPTION_ID}/providers/Microsoft.SaaS")
}

/// Brings the app to `screen` with the fault queued on its route just before its first call,
/// and returns the step the panel is on and the route.
async fn arrive(live: &LiveApp, screen: Screen, fault: Fault) -> (&'static str, String) {
    let w = &live.demo.world;
    let inject = |route: &str| w.inject(route, fault, 10_000);
    live.app.click("start-flow-connect-existing-org").await;
    live.app.find("screen-step-open-billing").await;
    if let Screen::OpenBilling = screen {
        inject("/admin/organizations");
        live.sign_in("pinecone").await;
        return ("open-billing", "/admin/organizations".into());
    }
    walk(live, "open-billing", "choose-subscription").await;
    if let Screen::ChooseSubscription = screen {
        inject("/subscriptions");
        live.sign_in("microsoft").await;
        return ("choose-subscription", "/subscriptions".into());
    }
    live.sign_in("microsoft").await;
    live.app.wait_check("choose-subscription", "verified").await;
    walk(live, "choose-subscription", "review").await;
    // The user clicks Subscribe on Azure's review page.
    w.subscribe("pinecone-billing", "pinecone-payg", true);
    if let Screen::ConfirmSubscribe = screen {
        inject(&saas_route());
        walk(live, "review", "confirm-subscribe").await;
        return ("confirm-subscribe", saas_route());
    }
    walk(live, "review", "confirm-subscribe").await;
    live.app.wait_check("confirm-subscribe", "verified").await;
    if let Screen::Regenerate = screen {
        let route = format!("/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/");
        inject(&route);
        live.app.click("check-regenerate-confirm-subscribe").await;
        return ("confirm-subscribe", route);
    }
    walk(live, "confirm-subscribe", "select-org").await;
    // The user picks their org on Pinecone's page and clicks "Connect to Pinecone".
    w.connect(simulator::world::ORG_ID).expect("connect the purchase");
    inject(&saas_route());
    walk(live, "select-org", "connect").await;
    ("connect", saas_route())
}

async fn run(screen: Screen, kind: Kind) {
    let setup = LiveSetup { microsoft: true, pinecone: true, extra: vec![("BA_HTTP_TIMEOUT_SECS", "2".into())] };
    let live = LiveApp::start(Scenario::HappyPath, setup).await;
    let (step, route) = arrive(&live, screen, kind.fault()).await;
    let (state, words) = kind.expected(screen);
    live.app
        .wait_until(
            &format!("the {step} panel to say {words:?}"),
            &format!(
                "const e = document.querySelector('[data-testid=check-{step}]'); \
                 return !!e && e.dataset.state === '{state}' && e.textContent.includes({words:?})"
            ),
        )
        .await;
    assert!(live.demo.world.requests_to(&route) > 0, "the fault was met on {route}");
    if let (Kind::Busy, false) = (kind, matches!(screen, Screen::Regenerate)) {
        let status = live.app.text(&format!("check-status-{step}")).await;
        assert!(status.contains("checking again in 60 min"), "the wait is capped at an hour: {status}");
        let asked = live.demo.world.requests_to(&route);
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(live.demo.world.requests_to(&route), asked, "no asking again before the hour is up");
    }

    // The fault is lifted; the user tries again, and the screen recovers.
    live.demo.world.clear_faults();
    match screen {
        Screen::Regenerate => {
            let opened = live.env.opened_urls().len();
            live.app.click("check-regenerate-confirm-subscribe").await;
            live.app
                .wait_until(
                    "the Configure account page to open",
                    "return document.querySelector('[data-testid=check-confirm-subscribe]').dataset.state === 'verified'",
                )
                .await;
            let urls = live.env.opened_urls();
            assert!(urls.len() > opened && urls.last().unwrap().contains("/pinecone/azure/landing?token="), "{urls:?}");
        }
        _ => {
            live.app.click(&format!("check-retry-{step}")).await;
            live.app.wait_check(step, "verified").await;
        }
    }
    live.finish().await;
}

macro_rules! fault_tests {
    ($($name:ident: $screen:ident, $kind:ident;)*) => {
        $(
            #[tokio::test(flavor = "multi_thread")]
            async fn $name() {
                run(Screen::$screen, Kind::$kind).await;
            }
        )*
    };
}

fault_tests! {
    open_billing_late_answer: OpenBilling, Late;
    open_billing_busy: OpenBilling, Busy;
    open_billing_failing: OpenBilling, Failing;
    open_billing_dropped_connection: OpenBilling, Dropped;
    open_billing_malformed_json: OpenBilling, Malformed;
    choose_subscription_late_answer: ChooseSubscription, Late;
    choose_subscription_busy: ChooseSubscription, Busy;
    choose_subscription_failing: ChooseSubscription, Failing;
    choose_subscription_dropped_connection: ChooseSubscription, Dropped;
    choose_subscription_malformed_json: ChooseSubscription, Malformed;
    confirm_subscribe_late_answer: ConfirmSubscribe, Late;
    confirm_subscribe_busy: ConfirmSubscribe, Busy;
    confirm_subscribe_failing: ConfirmSubscribe, Failing;
    confirm_subscribe_dropped_connection: ConfirmSubscribe, Dropped;
    confirm_subscribe_malformed_json: ConfirmSubscribe, Malformed;
    connect_late_answer: Connect, Late;
    connect_busy: Connect, Busy;
    connect_failing: Connect, Failing;
    connect_dropped_connection: Connect, Dropped;
    connect_malformed_json: Connect, Malformed;
    regenerate_link_late_answer: Regenerate, Late;
    regenerate_link_busy: Regenerate, Busy;
    regenerate_link_failing: Regenerate, Failing;
    regenerate_link_dropped_connection: Regenerate, Dropped;
    regenerate_link_malformed_json: Regenerate, Malformed;
}
