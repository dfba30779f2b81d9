//! Personal values in log lines: an org's id or name, a person's name or email, an Azure
//! subscription or resource. A log event that names one wraps it in [`Personal`], which writes it
//! with a marker (`⟦org-name:Acme⟧`), so the log on this computer stays readable while the support
//! bundle can swap each one for a stable placeholder (`org-name-1`) without guessing what is a name.
//!
//! The marker is the type's whole job: it is the only way a name reaches a log line, the way
//! `signin::Secret` is the only way a token travels.

use std::fmt;

/// What a personal value is; its tag names it in the marker and in the bundle's placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A Pinecone organization id (`-NM7af6f234168c4e`).
    OrgId,
    /// A Pinecone organization's display name.
    OrgName,
    /// A person's display name.
    PersonName,
    Email,
    /// An Azure subscription id (a GUID).
    SubscriptionId,
    /// An Azure subscription's display name.
    SubscriptionName,
    /// An Azure Resource Manager id (`/subscriptions/…/resourceGroups/…`).
    ResourceId,
    /// The name part of an ARM id, such as the Pinecone SaaS resource's.
    ResourceName,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::OrgId,
        Kind::OrgName,
        Kind::PersonName,
        Kind::Email,
        Kind::SubscriptionId,
        Kind::SubscriptionName,
        Kind::ResourceId,
        Kind::ResourceName,
    ];

    /// The marker's tag and the placeholder's stem: `org` gives `org-1`.
    pub const fn tag(self) -> &'static str {
        match self {
            Kind::OrgId => "org",
            Kind::OrgName => "org-name",
            Kind::PersonName => "name",
            Kind::Email => "email",
            Kind::SubscriptionId => "subscription",
            Kind::SubscriptionName => "subscription-name",
            Kind::ResourceId => "resource",
            Kind::ResourceName => "resource-name",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.tag() == tag)
    }
}

/// Opens and closes a marked value. Characters no id or name the services issue is likely to
/// hold, so a marker is found without ambiguity; they are removed from the value if present.
pub const OPEN: char = '⟦';
pub const CLOSE: char = '⟧';

/// A personal value on its way into a log line: `tracing::info!(org = %Personal::org_name(&n), …)`.
#[derive(Clone, Copy)]
pub struct Personal<'a> {
    kind: Kind,
    value: &'a str,
}

impl<'a> Personal<'a> {
    pub const fn new(kind: Kind, value: &'a str) -> Self {
        Self { kind, value }
    }
    pub const fn org_id(value: &'a str) -> Self {
        Self::new(Kind::OrgId, value)
    }
    pub const fn org_name(value: &'a str) -> Self {
        Self::new(Kind::OrgName, value)
    }
    pub const fn person(value: &'a str) -> Self {
        Self::new(Kind::PersonName, value)
    }
    pub const fn email(value: &'a str) -> Self {
        Self::new(Kind::Email, value)
    }
    pub const fn subscription_id(value: &'a str) -> Self {
        Self::new(Kind::SubscriptionId, value)
    }
    pub const fn subscription_name(value: &'a str) -> Self {
        Self::new(Kind::SubscriptionName, value)
    }
    pub const fn resource_id(value: &'a str) -> Self {
        Self::new(Kind::ResourceId, value)
    }
    pub const fn resource_name(value: &'a str) -> Self {
        Self::new(Kind::ResourceName, value)
    }
}

impl fmt::Display for Personal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, no stray markers: a value can't end its marker early or split a log line.
        let value: String = self.value.chars().map(|c| if c == OPEN || c == CLOSE || c.is_control() { ' ' } else { c }).collect();
        write!(f, "{OPEN}{}:{value}{CLOSE}", self.kind.tag())
    }
}

// `?value` in an event marks it too, rather than printing it bare.
impl fmt::Debug for Personal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Every marked value in `text`, in order.
pub fn marked(text: &str) -> impl Iterator<Item = (Kind, &str)> {
    text.split(OPEN).skip(1).filter_map(|rest| {
        let (inside, _) = rest.split_once(CLOSE)?;
        let (tag, value) = inside.split_once(':')?;
        Some((Kind::from_tag(tag)?, value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marked_value_reads_back_and_cannot_break_out_of_its_marker() {
        let line = format!("org {} and {:?}", Personal::org_name("Acme ⟧ Corp\nx"), Personal::email("a@b.example"));
        assert_eq!(line, "org ⟦org-name:Acme   Corp x⟧ and ⟦email:a@b.example⟧");
        let found: Vec<_> = marked(&line).collect();
        assert_eq!(found, [(Kind::OrgName, "Acme   Corp x"), (Kind::Email, "a@b.example")]);
        assert_eq!(marked("⟦nonsense:x⟧ ⟦unclosed:y").count(), 0);
        for kind in Kind::ALL {
            assert_eq!(Kind::from_tag(kind.tag()), Some(kind));
        }
    }
}
