//! What the live checks found that a later check needs, kept in progress so it survives a restart
//! and goes with Start over: the org being connected, the Azure purchase this flow made, and the
//! purchases that were there before it. Typed and validated on load, because the file can be
//! edited by hand and these ids end up in API requests.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Findings {
    /// The Pinecone org step 1 found on Starter and owned by the user: the one being connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_org: Option<String>,
    /// The ARM id of the Pinecone SaaS resource this flow bought, once a check has seen it
    /// waiting to be configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase: Option<String>,
    /// The active Pinecone purchases that existed before this flow's purchase step (taken once,
    /// when the subscription or purchase step is first checked): never this flow's purchase.
    /// `Some(vec![])` means "taken, there were none".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earlier_purchases: Option<Vec<String>>,
}

/// Pinecone org ids are short strings of letters, digits, `-` and `_` (e.g. `-NM7af6f234168c4e`).
fn is_org_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// An ARM id of a `Microsoft.SaaS` resource: `/subscriptions/…/providers/Microsoft.SaaS/resources/…`.
fn is_saas_id(id: &str) -> bool {
    id.len() <= 1024
        && id.starts_with("/subscriptions/")
        && id.to_ascii_lowercase().contains("/providers/microsoft.saas/resources/")
        && !id.contains("..")
        && id.bytes().all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#')
}

impl Findings {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// What `self` has that `before` didn't: the fields that changed, the rest `None`.
    pub fn changes_since(&self, before: &Findings) -> Findings {
        fn changed<T: Clone + PartialEq>(now: &Option<T>, then: &Option<T>) -> Option<T> {
            if now != then {
                now.clone()
            } else {
                None
            }
        }
        Findings {
            target_org: changed(&self.target_org, &before.target_org),
            purchase: changed(&self.purchase, &before.purchase),
            earlier_purchases: changed(&self.earlier_purchases, &before.earlier_purchases),
        }
    }

    /// Sets the fields `learned` has, keeping the others: two checks that overlap each record only
    /// what they learned, so neither drops the other's.
    pub fn merge(&mut self, learned: Findings) {
        if learned.target_org.is_some() {
            self.target_org = learned.target_org;
        }
        if learned.purchase.is_some() {
            self.purchase = learned.purchase;
        }
        if learned.earlier_purchases.is_some() {
            self.earlier_purchases = learned.earlier_purchases;
        }
    }

    /// Checks the ids look like what the services issue.
    ///
    /// # Errors
    /// Which field is wrong, in words.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(org) = self.target_org.as_deref().filter(|id| !is_org_id(id)) {
            return Err(format!("its noted organization `{org}` is not a Pinecone organization id"));
        }
        let purchases = self.purchase.iter().chain(self.earlier_purchases.iter().flatten());
        if let Some(bad) = purchases.into_iter().find(|id| !is_saas_id(id)) {
            return Err(format!("its noted purchase `{bad}` is not an Azure Marketplace resource id"));
        }
        Ok(())
    }

    /// Reads the findings of a version 1 file, which kept them as `notes`: text values by key,
    /// with the earlier purchases one id a line (an empty value meaning "taken, none").
    pub(crate) fn from_v1_notes(notes: &serde_json::Map<String, serde_json::Value>) -> Result<Self, String> {
        let text = |key: &str| match notes.get(key) {
            None => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("its note `{key}` is not text")),
        };
        if let Some(unknown) = notes.keys().find(|k| !matches!(k.as_str(), "target_org" | "purchase" | "earlier_purchases")) {
            return Err(format!("it has a note `{unknown}` this app doesn't know"));
        }
        Ok(Self {
            target_org: text("target_org")?,
            purchase: text("purchase")?,
            earlier_purchases: text("earlier_purchases")?
                .map(|v| v.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAAS: &str =
        "/subscriptions/00000000-0000-4000-8000-00000000c0de/resourceGroups/rg/providers/Microsoft.SaaS/resources/p";

    #[test]
    fn changes_and_merges_keep_what_others_found() {
        let before = Findings { target_org: Some("-Org1".into()), ..Findings::default() };
        let after = Findings { purchase: Some(SAAS.into()), ..before.clone() };
        let learned = after.changes_since(&before);
        assert_eq!(learned, Findings { purchase: Some(SAAS.into()), ..Findings::default() });
        let mut saved = Findings { earlier_purchases: Some(vec![]), ..before };
        saved.merge(learned);
        assert_eq!(saved.target_org.as_deref(), Some("-Org1"));
        assert_eq!(saved.purchase.as_deref(), Some(SAAS));
        assert_eq!(saved.earlier_purchases, Some(vec![]), "a field the check didn't touch stays");
    }

    #[test]
    fn ids_that_no_service_issues_are_refused() {
        assert!(Findings { target_org: Some("-Org_1".into()), purchase: Some(SAAS.into()), ..Findings::default() }
            .validate()
            .is_ok());
        for bad in [
            Findings { target_org: Some("a b".into()), ..Findings::default() },
            Findings { target_org: Some(String::new()), ..Findings::default() },
            Findings { purchase: Some("https://evil.example/".into()), ..Findings::default() },
            Findings { earlier_purchases: Some(vec![format!("{SAAS}/../../x")]), ..Findings::default() },
            Findings { purchase: Some(format!("{SAAS}?api-version=1")), ..Findings::default() },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
