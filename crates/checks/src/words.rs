//! The sentences the checks say, read from `words.toml` (compiled in). The struct mirrors the file
//! field for field and refuses unknown keys, so a renamed or missing sentence fails the crate's
//! tests instead of showing an empty line; code reaches a sentence by field, never by a string key.

use serde::Deserialize;
use std::sync::LazyLock;

const WORDS_FILE: &str = include_str!("../words.toml");

/// One sentence with `{name}` placeholders.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Template(String);

impl Template {
    /// The sentence with each `{name}` replaced by its value, in one pass: a value that itself
    /// contains braces (an org named "{plan}") is inserted as it is, never expanded again.
    pub fn fill(&self, values: &[(&str, &str)]) -> String {
        let mut out = String::with_capacity(self.0.len());
        let mut rest = self.0.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                values.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v, close))
            });
            match value {
                Some((v, close)) => {
                    out.push_str(v);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The sentence as it is, for those without placeholders.
    pub fn text(&self) -> String {
        self.0.clone()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Common {
    pub busy: Template,
    pub seconds: Template,
    pub minutes: Template,
    pub an_hour: Template,
    pub failed: Template,
    pub offline_advice: Template,
    pub expired_advice: Template,
    pub azure_forbidden_advice: Template,
    pub pinecone_forbidden_advice: Template,
    pub retry_advice: Template,
    pub signed_in_as: Template,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PineconeOrg {
    pub needs_sign_in: Template,
    pub no_orgs: Template,
    pub no_orgs_advice: Template,
    pub signed_into_paid: Template,
    pub signed_into_paid_advice: Template,
    pub not_starter: Template,
    pub not_starter_advice: Template,
    pub org_on_plan: Template,
    pub verified: Template,
    pub not_owner: Template,
    pub not_owner_advice: Template,
    pub starter_org: Template,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureSubscription {
    pub needs_sign_in: Template,
    pub none: Template,
    pub none_advice: Template,
    pub none_can_buy: Template,
    pub none_can_buy_advice: Template,
    pub has_spending_limit: Template,
    pub is_in_state: Template,
    pub verified: Template,
    pub directory: Template,
    pub no_groups: Template,
    pub groups: Template,
    pub avoid_spending_limit: Template,
    pub avoid_state: Template,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzurePurchase {
    pub needs_sign_in: Template,
    pub none_yet: Template,
    pub none_yet_advice: Template,
    pub found: Template,
    pub status_pending: Template,
    pub status_active: Template,
    pub recurring_off_advice: Template,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connected {
    pub microsoft_sign_in: Template,
    pub new_org_microsoft_sign_in: Template,
    pub pinecone_side: Template,
    pub azure_side: Template,
    pub azure_side_activated: Template,
    pub pinecone_not_checked: Template,
    pub pinecone_missing: Template,
    pub confirmed: Template,
    pub recurring_on: Template,
    pub recurring_off: Template,
    pub waiting: Template,
    pub waiting_advice: Template,
    pub payment_pending: Template,
    pub payment_pending_advice: Template,
    pub still_starter: Template,
    pub still_starter_advice: Template,
    pub stopped: Template,
    pub reason_none: Template,
    pub reason_subscription_deleted: Template,
    pub reason_suspended: Template,
    pub reason_other: Template,
    pub stopped_advice: Template,
}

/// Every sentence, by check.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    pub common: Common,
    pub pinecone_org: PineconeOrg,
    pub azure_subscription: AzureSubscription,
    pub azure_purchase: AzurePurchase,
    pub connected: Connected,
}

static WORDS: LazyLock<Words> =
    LazyLock::new(|| toml::from_str(WORDS_FILE).expect("words.toml matches the Words struct (tested)"));

/// The sentences compiled into the app.
pub fn words() -> &'static Words {
    &WORDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_file_parses_into_every_field() {
        let parsed: Result<Words, _> = toml::from_str(WORDS_FILE);
        assert!(parsed.is_ok(), "words.toml: {:?}", parsed.err());
    }

    #[test]
    fn fill_replaces_every_named_placeholder() {
        let t = Template("{org} is on the {plan} plan".into());
        assert_eq!(t.fill(&[("org", "Acme"), ("plan", "Standard")]), "Acme is on the Standard plan");
        assert_eq!(t.fill(&[("org", "Acme")]), "Acme is on the {plan} plan", "an unknown name stays visible to tests");
        assert_eq!(t.fill(&[("org", "{plan}"), ("plan", "Free")]), "{plan} is on the Free plan", "values are not expanded");
    }
}
