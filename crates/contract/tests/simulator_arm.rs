//! The simulated Azure Resource Manager, held to Azure's swagger, one test per endpoint and
//! version: tenants and subscriptions (2022-12-01), resource groups (2021-04-01), and
//! Microsoft.SaaS in both the 2018-03-01-beta preview and the 2026-04-01 GA, every page of every
//! list, and the errors.

mod common;

use common::sim;
use contract::{arm_error, Spec};
use simulator::{world::SUBSCRIPTION_ID, Scenario};

const SUBSCRIPTIONS: &str = "azure/resources/subscriptions-2022-12-01.excerpt.json";
const GROUPS: &str = "azure/resources/resources-2021-04-01.resourcegroups.excerpt.json";
const SAAS_BETA: (&str, &str) = ("2018-03-01-beta", "azure/saas/2018-03-01-beta/saas.excerpt.json");
const SAAS_GA: (&str, &str) = ("2026-04-01", "azure/saas/2026-04-01/saas.excerpt.json");
const SAAS_LIST: &str = "/subscriptions/{subscriptionId}/providers/Microsoft.SaaS/resources";
const ACCESS_TOKEN: &str =
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.SaaS/resources/{resourceName}/listAccessToken";

#[tokio::test]
async fn subscriptions_2022_12_01_every_page_in_every_scenario() {
    let subs = Spec::load(SUBSCRIPTIONS).response("/subscriptions", "get", "200");
    for scenario in Scenario::ALL {
        for page in sim(scenario).arm_pages("/subscriptions?api-version=2022-12-01").await {
            subs.check(&page).unwrap_or_else(|e| panic!("{scenario:?}: {e}"));
        }
    }
}

#[tokio::test]
async fn tenants_2022_12_01_every_page_in_every_scenario() {
    let tenants = Spec::load(SUBSCRIPTIONS).response("/tenants", "get", "200");
    for scenario in Scenario::ALL {
        for page in sim(scenario).arm_pages("/tenants?api-version=2022-12-01").await {
            tenants.check(&page).unwrap_or_else(|e| panic!("{scenario:?}: {e}"));
        }
    }
}

#[tokio::test]
async fn resource_groups_2021_04_01_every_page() {
    let groups = Spec::load(GROUPS).definition("ResourceGroupListResult");
    for scenario in [Scenario::HappyPath, Scenario::PagedLists] {
        let s = sim(scenario);
        for page in s.arm_pages(&format!("/subscriptions/{SUBSCRIPTION_ID}/resourcegroups?api-version=2021-04-01")).await {
            groups.check(&page).unwrap_or_else(|e| panic!("{scenario:?}: {e}"));
        }
    }
}

/// The SaaS list in `version`, with a cancelled, an active and a pending purchase, in the
/// scenarios that add another vendor's purchase, pages of one, or recurring billing off.
async fn saas_resources(version: &str, file: &str) {
    let list = Spec::load(file).response(SAAS_LIST, "get", "200");
    for scenario in [Scenario::HappyPath, Scenario::ForeignResource, Scenario::PagedLists, Scenario::RecurringOff] {
        let s = sim(scenario);
        s.world.subscribe("rg", "cancelled-one", true);
        s.world.cancel("cancelled-one");
        s.world.subscribe("rg", "active-one", true);
        s.world.create_connected_org("Active").unwrap();
        s.world.subscribe("pinecone-billing", "pending-one", s.world.recurring_by_default());
        let pages = s
            .arm_pages(&format!("/subscriptions/{SUBSCRIPTION_ID}/providers/Microsoft.SaaS/resources?api-version={version}"))
            .await;
        assert!(pages.iter().map(|p| p["value"].as_array().unwrap().len()).sum::<usize>() >= 3);
        for page in pages {
            list.check(&page).unwrap_or_else(|e| panic!("{version} {scenario:?}: {e}"));
        }
    }
}

/// `listAccessToken` in `version`.
async fn list_access_token(version: &str, file: &str) {
    let schema = Spec::load(file).response(ACCESS_TOKEN, "post", "200");
    let s = sim(Scenario::HappyPath);
    s.world.subscribe("rg", "p", true);
    let path = format!("/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg/providers/Microsoft.SaaS/resources/p/listAccessToken?api-version={version}");
    let (status, body) = s.arm("POST", &path).await;
    assert_eq!(status, 200, "{body}");
    schema.check(&body).unwrap_or_else(|e| panic!("{version}: {e}"));
}

#[tokio::test]
async fn saas_resources_2018_03_01_beta() {
    saas_resources(SAAS_BETA.0, SAAS_BETA.1).await;
}

#[tokio::test]
async fn saas_resources_2026_04_01() {
    saas_resources(SAAS_GA.0, SAAS_GA.1).await;
}

#[tokio::test]
async fn list_access_token_2018_03_01_beta() {
    list_access_token(SAAS_BETA.0, SAAS_BETA.1).await;
}

#[tokio::test]
async fn list_access_token_2026_04_01() {
    list_access_token(SAAS_GA.0, SAAS_GA.1).await;
}

#[tokio::test]
async fn errors_are_in_arms_envelope() {
    let envelope = arm_error();
    let s = sim(Scenario::UnregisteredProvider);
    let saas = format!("/subscriptions/{SUBSCRIPTION_ID}/providers/Microsoft.SaaS/resources");
    for (path, status) in [
        (format!("{saas}?api-version=2026-04-01"), 409),
        (format!("{saas}?api-version=2099-01-01"), 400),
        (saas.clone(), 400),
        ("/subscriptions/nope/resourcegroups?api-version=2021-04-01".to_owned(), 404),
        (
            format!("/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg/providers/Microsoft.SaaS/resources/none/listAccessToken?api-version=2026-04-01"),
            404,
        ),
    ] {
        let method = if path.contains("listAccessToken") { "POST" } else { "GET" };
        let (got, body) = s.arm(method, &path).await;
        assert_eq!(got, status, "{path}: {body}");
        envelope.check(&body).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    // The subscriptions excerpt's own `default` answer is `CloudError`, whose `error` refers to
    // common-types' `ErrorResponse`, which wraps the detail in an `error` of its own: read
    // literally, `{"error": {"error": {...}}}`, which ARM's answers are not. Its answers are
    // the envelope above, and that is what this holds the simulator to.
    let (status, body) = s.arm("GET", "/subscriptions?api-version=2016-06-01").await;
    assert_eq!(status, 400);
    envelope.check(&body).unwrap();
}
