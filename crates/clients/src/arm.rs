//! Azure Resource Manager: tenants, subscriptions, resource groups, and the `Microsoft.SaaS`
//! resources that show a marketplace purchase, filtered to Pinecone's offer (research §2.2, §2.3).

use crate::{
    http::{send_json, ApiError, Endpoint, Retry, Service},
    open_enum::open_enum,
};
use serde::{Deserialize, Serialize};
use signin::Secret;

const SERVICE: Service = Service::Azure;
pub const RESOURCES_API: &str = "2022-12-01";
pub const GROUPS_API: &str = "2021-04-01";
pub const SAAS_API: &str = "2018-03-01-beta";
/// Pinecone's public offer on Azure Marketplace.
pub const PINECONE_PUBLISHER: &str = "pineconesystemsinc1688761585469";
pub const PINECONE_OFFER: &str = "pineconesaas";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

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
    pub display_name: String,
    pub state: SubscriptionState,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub subscription_policies: Option<SubscriptionPolicies>,
}

impl Subscription {
    /// Subscriptions with a spending limit (free trials, sponsorships) can't buy marketplace offers.
    pub fn has_spending_limit(&self) -> bool {
        self.subscription_policies.as_ref().and_then(|p| p.spending_limit.as_ref()) == Some(&SpendingLimit::On)
    }

    pub fn is_enabled(&self) -> bool {
        self.state == SubscriptionState::Enabled
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaasProperties {
    pub status: SaasStatus,
    #[serde(default)]
    pub publisher_id: Option<String>,
    #[serde(default)]
    pub offer_id: Option<String>,
    #[serde(default)]
    pub sku_id: Option<String>,
    /// "Recurring billing" on the subscribe form.
    #[serde(default)]
    pub auto_renew: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaasResource {
    pub id: String,
    pub name: String,
    pub properties: SaasProperties,
}

impl SaasResource {
    pub fn is_pinecone(&self) -> bool {
        self.properties.publisher_id.as_deref() == Some(PINECONE_PUBLISHER)
            && self.properties.offer_id.as_deref() == Some(PINECONE_OFFER)
    }

    pub fn status(&self) -> &SaasStatus {
        &self.properties.status
    }

    /// Bought and waiting for the user to configure their account on Pinecone's page.
    pub fn is_pending(&self) -> bool {
        *self.status() == SaasStatus::PendingFulfillmentStart
    }

    /// Activated by Pinecone: Azure bills for it.
    pub fn is_active(&self) -> bool {
        *self.status() == SaasStatus::Subscribed
    }

    /// "Recurring billing" was switched off on the subscribe form.
    pub fn recurring_off(&self) -> bool {
        self.properties.auto_renew == Some(false)
    }

    /// Pending or active: not cancelled, suspended or never started.
    pub fn is_live(&self) -> bool {
        self.is_pending() || self.is_active()
    }
}

/// `listAccessToken`: the "Configure account" landing page, regenerated.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    pub publisher_offer_base_uri: String,
    pub token: Secret,
}

impl AccessToken {
    /// The landing page URL to open in the browser (token as `?token=`, as Azure sends it).
    pub fn landing_url(&self) -> String {
        let mut url = url::Url::parse(&self.publisher_offer_base_uri).map(|u| u.to_string()).unwrap_or_default();
        url.push_str(if url.contains('?') { "&token=" } else { "?token=" });
        url.push_str(&url::form_urlencoded::byte_serialize(self.token.expose().as_bytes()).collect::<String>());
        url
    }
}

#[derive(Deserialize)]
struct List<T> {
    value: Vec<T>,
    #[serde(rename = "nextLink", default)]
    next_link: Option<String>,
}

pub struct Arm {
    endpoint: Endpoint,
}

impl Arm {
    /// `base` is `https://management.azure.com` live, or the simulator's address in demo mode.
    pub fn new(base: impl Into<String>) -> Self {
        Self { endpoint: Endpoint::new(base) }
    }

    pub fn with_retry(mut self, retry: Retry) -> Self {
        self.endpoint.retry = retry;
        self
    }

    async fn list<T: serde::de::DeserializeOwned>(&self, token: &Secret, path: &str, api: &str) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        let mut url = format!("{}{path}?api-version={api}", self.endpoint.base);
        for _ in 0..100 {
            let page: List<T> =
                send_json(SERVICE, self.endpoint.retry, || self.endpoint.http.get(&url).bearer_auth(token.expose())).await?;
            out.extend(page.value);
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
        self.list(token, "/tenants", RESOURCES_API).await
    }

    pub async fn subscriptions(&self, token: &Secret) -> Result<Vec<Subscription>, ApiError> {
        self.list(token, "/subscriptions", RESOURCES_API).await
    }

    pub async fn resource_groups(&self, token: &Secret, subscription_id: &str) -> Result<Vec<ResourceGroup>, ApiError> {
        self.list(token, &format!("/subscriptions/{}/resourcegroups", seg(subscription_id)), GROUPS_API).await
    }

    /// Every Pinecone marketplace subscription in `subscription_id`, whatever its status.
    pub async fn pinecone_saas_all(&self, token: &Secret, subscription_id: &str) -> Result<Vec<SaasResource>, ApiError> {
        let all: Vec<SaasResource> = self
            .list(token, &format!("/subscriptions/{}/providers/Microsoft.SaaS/resources", seg(subscription_id)), SAAS_API)
            .await?;
        Ok(all.into_iter().filter(SaasResource::is_pinecone).collect())
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
        let url = format!("{}{resource_id}/listAccessToken?api-version={SAAS_API}", self.endpoint.base);
        send_json(SERVICE, self.endpoint.retry, || {
            self.endpoint.http.post(&url).bearer_auth(token.expose()).header("content-length", "0")
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
    use super::same_origin;

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
}
