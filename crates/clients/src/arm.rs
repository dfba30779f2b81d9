//! Azure Resource Manager: tenants, subscriptions, resource groups, and the `Microsoft.SaaS`
//! resources that show a Marketplace purchase, filtered to Pinecone's offer (research §2.2, §2.3).
//!
//! Held to Azure's swagger (`crates/contract/specs/azure/`): a property that isn't `required` may
//! be absent or `null`, so every such field is optional here, and one item that can't be read
//! (another vendor's purchase with null fields) is skipped, not fatal. Microsoft.SaaS is asked
//! in its GA version `2026-04-01` first, falling back to the `2018-03-01-beta` preview where a
//! cloud doesn't offer GA yet; purchases are recognised in either shape.

use crate::{
    http::{parse_items, send_json, ApiError, Endpoint, Retry, Service},
    open_enum::open_enum,
};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use signin::Secret;

const SERVICE: Service = Service::Azure;
pub const RESOURCES_API: &str = "2022-12-01";
pub const GROUPS_API: &str = "2021-04-01";
/// Microsoft.SaaS, newest first: the GA version, then the preview the app used before it.
pub const SAAS_APIS: [&str; 2] = ["2026-04-01", "2018-03-01-beta"];
/// Pinecone's public offer on Azure Marketplace (its listing URL).
pub const PINECONE_PUBLISHER: &str = "pineconesystemsinc1688761585469";
pub const PINECONE_OFFER: &str = "pineconesaas";

open_enum! {
    /// A subscription's state.
    pub enum SubscriptionState {
        Enabled = "Enabled",
        Warned = "Warned",
        PastDue = "PastDue",
        Disabled = "Disabled",
        Deleted = "Deleted",
    }
}

open_enum! {
    /// Whether a subscription has a spending limit (free trials and sponsorships do).
    pub enum SpendingLimit { On = "On", Off = "Off", CurrentPeriodOff = "CurrentPeriodOff" }
}

open_enum! {
    /// Where a Marketplace SaaS purchase is in its life.
    pub enum SaasStatus {
        NotStarted = "NotStarted",
        PendingFulfillmentStart = "PendingFulfillmentStart",
        Subscribed = "Subscribed",
        Suspended = "Suspended",
        Unsubscribed = "Unsubscribed",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionPolicies {
    #[serde(default)]
    pub spending_limit: Option<SpendingLimit>,
    #[serde(default)]
    pub quota_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub subscription_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub state: Option<SubscriptionState>,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub subscription_policies: Option<SubscriptionPolicies>,
}

impl Subscription {
    /// The name to show: its display name, or its id when Azure gave none.
    pub fn name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.subscription_id)
    }

    /// The state to show.
    pub fn state_name(&self) -> &str {
        self.state.as_ref().map_or("in an unknown state", SubscriptionState::as_str)
    }

    /// Subscriptions with a spending limit (free trials, sponsorships) can't buy marketplace offers.
    pub fn has_spending_limit(&self) -> bool {
        self.subscription_policies.as_ref().and_then(|p| p.spending_limit.as_ref()) == Some(&SpendingLimit::On)
    }

    pub fn is_enabled(&self) -> bool {
        self.state == Some(SubscriptionState::Enabled)
    }

    pub fn can_buy(&self) -> bool {
        self.is_enabled() && !self.has_spending_limit()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceGroup {
    pub name: String,
    #[serde(default)]
    pub location: Option<String>,
}

/// A purchase's properties, in either Microsoft.SaaS shape: the preview's publisher, offer and
/// plan ids, or GA's names resolved from the product code and its `statusReason`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaasProperties {
    #[serde(default)]
    pub status: Option<SaasStatus>,
    #[serde(default)]
    pub status_reason: Option<String>,
    #[serde(default)]
    pub publisher_id: Option<String>,
    #[serde(default)]
    pub offer_id: Option<String>,
    #[serde(default)]
    pub sku_id: Option<String>,
    #[serde(default)]
    pub publisher_name: Option<String>,
    #[serde(default)]
    pub offer_name: Option<String>,
    #[serde(default)]
    pub plan_name: Option<String>,
    /// "Recurring billing" on the subscribe form.
    #[serde(default)]
    pub auto_renew: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaasResource {
    /// Its ARM id; an item without one can't be followed, so it isn't read.
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub properties: Option<SaasProperties>,
}

/// Whether GA's publisher name (resolved from the product code) is Pinecone's: the publisher id
/// itself, or a display name that says Pinecone. Which of the two GA sends is unverified; its
/// example (`ISVUKLegacy`) looks like an id. GA's offer name is a display name ("SaaS Offer" in
/// the example), so the publisher alone decides: Pinecone's publisher lists one SaaS offer.
fn names_pinecone(name: Option<&str>) -> bool {
    name.is_some_and(|n| n.eq_ignore_ascii_case(PINECONE_PUBLISHER) || n.to_ascii_lowercase().contains("pinecone"))
}

impl SaasResource {
    fn props(&self) -> SaasProperties {
        self.properties.clone().unwrap_or_default()
    }

    /// Its name: the resource name, or the last segment of its id.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_else(|| self.id.rsplit('/').next().unwrap_or(&self.id))
    }

    /// Whether it is a purchase of Pinecone's offer, in either shape; ids compare without case.
    pub fn is_pinecone(&self) -> bool {
        let p = self.props();
        let beta = p.publisher_id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(PINECONE_PUBLISHER))
            && p.offer_id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case(PINECONE_OFFER));
        let ga = names_pinecone(p.publisher_name.as_deref());
        beta || ga
    }

    pub fn status(&self) -> Option<SaasStatus> {
        self.props().status
    }

    /// The status to show.
    pub fn status_name(&self) -> String {
        self.status().map_or_else(|| "in an unknown state".into(), |s| s.as_str().to_owned())
    }

    /// Why Azure says it is in its status (GA only; `None` means "no specific reason").
    pub fn status_reason(&self) -> Option<String> {
        self.props().status_reason.filter(|r| !r.eq_ignore_ascii_case("None"))
    }

    /// Bought and waiting for the user to configure their account on Pinecone's page.
    pub fn is_pending(&self) -> bool {
        self.status() == Some(SaasStatus::PendingFulfillmentStart)
    }

    /// Activated by Pinecone: Azure bills for it.
    pub fn is_active(&self) -> bool {
        self.status() == Some(SaasStatus::Subscribed)
    }

    /// Pending or active: not cancelled, suspended or never started.
    pub fn is_live(&self) -> bool {
        self.is_pending() || self.is_active()
    }

    /// "Recurring billing" was switched off on the subscribe form.
    pub fn recurring_off(&self) -> bool {
        self.props().auto_renew == Some(false)
    }
}

/// `listAccessToken`: the "Configure account" landing page, regenerated.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    #[serde(default)]
    pub publisher_offer_base_uri: Option<String>,
    #[serde(default)]
    pub token: Option<Secret>,
    /// GA: the landing URL with the token in it, ready to open.
    #[serde(default)]
    pub offer_uri_with_token: Option<Secret>,
    /// GA: when the token stops working (24 hours after it was issued).
    #[serde(default)]
    pub expiry_time: Option<String>,
}

impl AccessToken {
    /// The landing page URL to open in the browser: GA's ready-made one, else the base with the
    /// token as `?token=`, as Azure's "Configure account now" sends it.
    pub fn landing_url(&self) -> Option<String> {
        if let Some(ready) = &self.offer_uri_with_token {
            return Some(ready.expose().to_owned());
        }
        let (base, token) = (self.publisher_offer_base_uri.as_ref()?, self.token.as_ref()?);
        let mut url = url::Url::parse(base).ok()?;
        url.query_pairs_mut().append_pair("token", token.expose());
        Some(url.into())
    }
}

#[derive(Deserialize)]
struct List {
    #[serde(default)]
    value: Vec<serde_json::Value>,
    #[serde(rename = "nextLink", default)]
    next_link: Option<String>,
}

pub struct Arm {
    endpoint: Endpoint,
    /// The Microsoft.SaaS version that answered last, tried first next time.
    saas_api: Mutex<&'static str>,
}

impl Arm {
    /// `base` is `https://management.azure.com` live, or the simulator's address in demo mode.
    pub fn new(base: impl Into<String>) -> Self {
        Self { endpoint: Endpoint::new(base), saas_api: Mutex::new(SAAS_APIS[0]) }
    }

    pub fn with_retry(mut self, retry: Retry) -> Self {
        self.endpoint.retry = retry;
        self
    }

    /// How long one request may take (30 s unless told).
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.endpoint.http = signin::oauth::http_client_with_timeout(timeout);
        self
    }

    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        token: &Secret,
        path: &str,
        api: &str,
        what: &str,
    ) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        let mut url = format!("{}{path}?api-version={api}", self.endpoint.base);
        // A bound on pages, so a server that always says "next" can't keep us here forever.
        for _ in 0..100 {
            let page: List =
                send_json(SERVICE, self.endpoint.retry, || self.endpoint.http.get(&url).bearer_auth(token.expose())).await?;
            out.extend(parse_items(SERVICE, what, page.value));
            match page.next_link {
                // The token goes only to the host it was meant for, whatever nextLink says.
                Some(next) if same_origin(&next, &self.endpoint.base) => url = next,
                Some(other) => {
                    return Err(ApiError::BadResponse { service: SERVICE, detail: format!("nextLink points elsewhere: {other}") })
                }
                None => return Ok(out),
            }
        }
        Err(ApiError::BadResponse { service: SERVICE, detail: "more than 100 pages".into() })
    }

    pub async fn tenants(&self, token: &Secret) -> Result<Vec<Tenant>, ApiError> {
        self.list(token, "/tenants", RESOURCES_API, "directory").await
    }

    pub async fn subscriptions(&self, token: &Secret) -> Result<Vec<Subscription>, ApiError> {
        self.list(token, "/subscriptions", RESOURCES_API, "subscription").await
    }

    pub async fn resource_groups(&self, token: &Secret, subscription_id: &str) -> Result<Vec<ResourceGroup>, ApiError> {
        self.list(token, &format!("/subscriptions/{}/resourcegroups", seg(subscription_id)), GROUPS_API, "resource group").await
    }

    /// Calls a Microsoft.SaaS route in the version that works here: the one that answered last,
    /// else the other one when Azure refuses the version.
    async fn saas<T, F>(&self, call: impl Fn(&'static str) -> F) -> Result<T, ApiError>
    where
        F: std::future::Future<Output = Result<T, ApiError>>,
    {
        let first = *self.saas_api.lock();
        match call(first).await {
            Err(e) if e.has_code("InvalidApiVersionParameter") || e.has_code("NoRegisteredProviderFound") => {
                let other = SAAS_APIS.into_iter().find(|v| *v != first).expect("two versions");
                let answer = call(other).await?;
                *self.saas_api.lock() = other;
                Ok(answer)
            }
            answer => answer,
        }
    }

    /// Every Pinecone marketplace subscription in `subscription_id`, whatever its status. A
    /// subscription where Microsoft.SaaS was never registered (409 `MissingSubscriptionRegistration`,
    /// which a first-time buyer's is) has bought nothing yet: an empty list, not an error.
    pub async fn pinecone_saas_all(&self, token: &Secret, subscription_id: &str) -> Result<Vec<SaasResource>, ApiError> {
        let path = format!("/subscriptions/{}/providers/Microsoft.SaaS/resources", seg(subscription_id));
        let all = self.saas(|api| self.list::<SaasResource>(token, &path, api, "Marketplace purchase")).await;
        match all {
            Ok(all) => Ok(all.into_iter().filter(SaasResource::is_pinecone).collect()),
            Err(e) if e.has_code("MissingSubscriptionRegistration") => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// The first Pinecone marketplace subscription in `subscription_id`, if there is one.
    pub async fn pinecone_saas(&self, token: &Secret, subscription_id: &str) -> Result<Option<SaasResource>, ApiError> {
        Ok(self.pinecone_saas_all(token, subscription_id).await?.into_iter().next())
    }

    /// Regenerates the "Configure account" link for a SaaS resource (its ARM id).
    pub async fn list_access_token(&self, token: &Secret, resource_id: &str) -> Result<AccessToken, ApiError> {
        if !resource_id.starts_with("/subscriptions/") || resource_id.contains("..") || resource_id.contains('?') {
            return Err(ApiError::BadResponse { service: SERVICE, detail: "not a resource id".into() });
        }
        self.saas(|api| async move {
            let url = format!("{}{resource_id}/listAccessToken?api-version={api}", self.endpoint.base);
            send_json(SERVICE, self.endpoint.retry, || {
                self.endpoint.http.post(&url).bearer_auth(token.expose()).header("content-length", "0")
            })
            .await
        })
        .await
    }
}

/// Whether `url` has the same scheme, host and port as `base` (so `:443` and letter case don't matter).
fn same_origin(url: &str, base: &str) -> bool {
    match (url::Url::parse(url), url::Url::parse(base)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme() && a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => false,
    }
}

/// A path segment from an id; ids are GUIDs or names, never paths.
fn seg(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_must_stay_on_the_same_origin() {
        let base = "https://management.azure.com";
        assert!(same_origin("https://management.azure.com/subscriptions?$skiptoken=x", base));
        assert!(same_origin("https://MANAGEMENT.azure.com:443/subscriptions", base), "case and the default port don't matter");
        assert!(!same_origin("https://management.azure.com.evil.example/x", base));
        assert!(!same_origin("http://management.azure.com/x", base));
        assert!(!same_origin("https://management.azure.com:8443/x", base));
        assert!(!same_origin("not a url", base));
    }

    fn saas(properties: serde_json::Value) -> SaasResource {
        serde_json::from_value(serde_json::json!({"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.SaaS/resources/p", "properties": properties})).unwrap()
    }

    #[test]
    fn pinecone_purchases_are_recognised_in_both_shapes_whatever_the_case() {
        assert!(
            saas(serde_json::json!({"publisherId": "PineconeSystemsInc1688761585469", "offerId": "PINECONESAAS"})).is_pinecone()
        );
        assert!(
            saas(serde_json::json!({"publisherName": PINECONE_PUBLISHER, "offerName": "Pinecone Vector Database"})).is_pinecone()
        );
        assert!(saas(serde_json::json!({"publisherName": "Pinecone Systems Inc", "offerName": null})).is_pinecone());
        assert!(!saas(serde_json::json!({"publisherId": "contoso", "offerId": "pineconesaas"})).is_pinecone());
        assert!(
            !saas(serde_json::json!({"publisherName": "contoso", "offerName": "Pinecone Widgets"})).is_pinecone(),
            "the publisher decides"
        );
        assert!(!saas(serde_json::json!(null)).is_pinecone(), "no properties at all");
        assert_eq!(saas(serde_json::json!(null)).name(), "p", "the name falls back to the id's last segment");
    }
}
