//! What the support bundle does to everything it copies: personal values become stable
//! placeholders (the same value is always `org-1` within one bundle, so whoever reads it can
//! still follow one org through the log), and secrets become `[redacted]`.
//!
//! In order, on every piece of text:
//! 1. the saved tokens themselves (read from the token store) are removed by value;
//! 2. values marked with [`crate::personal::Personal`] get their kind's placeholder;
//! 3. the home folder becomes `~` (paths name the user's account);
//! 4. secret shapes are removed wherever they appear: `code=…`, `state=…`, `token=…` and the
//!    other OAuth parameters, the same names as JSON fields, `Bearer …`, JWTs, and the user name
//!    and password in a URL;
//! 5. Azure ids (`/subscriptions/…`) become `subscription-N` or `resource-N`;
//! 6. every value learned so far (from the progress, the sign-ins and the markers) is replaced
//!    wherever it appears, ignoring case, placeholders excepted;
//! 7. anything that still looks like an email address becomes `email-N`.
//!
//! Values shorter than [`MIN_KNOWN`] characters are replaced where marked but not searched for in
//! free text, where they would match inside ordinary words.

use crate::personal::{self, Kind};
use regex::{Captures, Regex, RegexBuilder};
use serde_json::Value;
use std::{
    collections::{BTreeMap, HashMap},
    sync::LazyLock,
};

/// What a secret becomes.
pub const REDACTED: &str = "[redacted]";
/// See the module docs.
pub const MIN_KNOWN: usize = 3;

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("the redaction patterns are valid")
}

/// OAuth and other secret-carrying parameters, in a query string or a form body.
static SECRET_PARAM: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?i)\b(code|state|token|access_token|refresh_token|id_token|code_verifier|client_secret|client_assertion|assertion|password|session_state)=[^&\s"'<>)]*"#,
    )
});
/// The same names as JSON fields (a token endpoint's answer quoted in an error, say).
static SECRET_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?i)"(code|state|token|access_token|refresh_token|id_token|code_verifier|client_secret|client_assertion|assertion|password)"\s*:\s*"[^"]*""#,
    )
});
static BEARER: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"));
/// A JSON Web Token: a base64url JSON header (`eyJ`), a payload and a signature.
static JWT: LazyLock<Regex> = LazyLock::new(|| regex(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(\.[A-Za-z0-9_-]*)?"));
/// `scheme://user:password@` in a URL.
static USERINFO: LazyLock<Regex> = LazyLock::new(|| regex(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/\s@]+@"));
static EMAIL: LazyLock<Regex> = LazyLock::new(|| regex(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"));
/// An ARM path: the subscription id, then anything below it.
static ARM_ID: LazyLock<Regex> = LazyLock::new(|| regex(r#"(?i)/subscriptions/([^/\s"'<>?#&,;)]+)((?:/[^/\s"'<>?#&,;)]+)*)"#));
static MARKER: LazyLock<Regex> =
    LazyLock::new(|| regex(&format!("{}([a-z-]+):([^{}]*){}", personal::OPEN, personal::CLOSE, personal::CLOSE)));
/// A placeholder already written, which the known-value search must leave alone.
static PLACEHOLDER: &str = r"\b(?:org|org-name|name|email|subscription|subscription-name|resource|resource-name)-\d+\b";

pub struct Redactor {
    /// (kind, value in lowercase) → its placeholder.
    placeholders: HashMap<(Kind, String), String>,
    /// Value in lowercase → the placeholder it got first, for the free-text search.
    by_value: HashMap<String, String>,
    counts: BTreeMap<Kind, usize>,
    secrets: Vec<String>,
    home: Option<String>,
    /// The free-text search over every known value, rebuilt when one is learned.
    known: Option<Regex>,
}

impl Redactor {
    /// `secrets` are removed by value wherever they appear; `home` becomes `~`.
    pub fn new(secrets: impl IntoIterator<Item = String>, home: Option<String>) -> Self {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        // A longer secret first, so one that contains another is removed whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Self {
            placeholders: HashMap::new(),
            by_value: HashMap::new(),
            counts: BTreeMap::new(),
            secrets,
            home: home.filter(|h| h.len() > 1),
            known: None,
        }
    }

    /// The placeholder for `value` as a `kind`: the same one every time within this bundle.
    pub fn placeholder(&mut self, kind: Kind, value: &str) -> String {
        let key = value.trim().to_lowercase();
        if let Some(known) = self.placeholders.get(&(kind, key.clone())) {
            return known.clone();
        }
        let n = self.counts.entry(kind).or_default();
        *n += 1;
        let placeholder = format!("{}-{n}", kind.tag());
        self.placeholders.insert((kind, key.clone()), placeholder.clone());
        if key.chars().count() >= MIN_KNOWN && !self.by_value.contains_key(&key) {
            self.by_value.insert(key, placeholder.clone());
            self.known = None;
        }
        placeholder
    }

    /// An ARM id's placeholder; its subscription id and last name are learned too, as they are
    /// also written on their own.
    pub fn resource_id(&mut self, id: &str) -> String {
        if let Some(parts) = ARM_ID.captures(id) {
            self.placeholder(Kind::SubscriptionId, &parts[1]);
            if let Some(name) = parts[2].rsplit('/').next().filter(|n| !n.is_empty()) {
                self.placeholder(Kind::ResourceName, name);
            }
        }
        self.placeholder(Kind::ResourceId, id)
    }

    /// Learns the values marked in `text` without changing it, so a value marked in one log line
    /// is replaced in every other piece of the bundle too.
    pub fn learn_marked(&mut self, text: &str) {
        for (kind, value) in personal::marked(text) {
            self.learn(kind, value);
        }
    }

    fn learn(&mut self, kind: Kind, value: &str) -> String {
        match kind {
            Kind::ResourceId => self.resource_id(value),
            _ => self.placeholder(kind, value),
        }
    }

    fn known(&mut self) -> Option<Regex> {
        if self.known.is_none() && !self.by_value.is_empty() {
            let mut values: Vec<&String> = self.by_value.keys().collect();
            values.sort_by_key(|v| std::cmp::Reverse(v.len()));
            let alternatives: Vec<String> = values.iter().map(|v| regex::escape(v)).collect();
            let pattern = format!("{PLACEHOLDER}|{}", alternatives.join("|"));
            self.known =
                Some(RegexBuilder::new(&pattern).case_insensitive(true).build().expect("escaped values form a valid pattern"));
        }
        self.known.clone()
    }

    /// `text` with every secret and personal value replaced (see the module docs).
    pub fn text(&mut self, text: &str) -> String {
        let mut s = text.to_owned();
        for secret in &self.secrets {
            s = s.replace(secret.as_str(), REDACTED);
        }
        s = MARKER
            .replace_all(&s, |c: &Captures| match Kind::from_tag(&c[1]) {
                Some(kind) => self.learn(kind, &c[2]),
                None => REDACTED.to_owned(),
            })
            .into_owned();
        if let Some(home) = &self.home {
            s = s.replace(home.as_str(), "~");
        }
        s = SECRET_PARAM.replace_all(&s, |c: &Captures| format!("{}={REDACTED}", &c[1])).into_owned();
        s = SECRET_FIELD.replace_all(&s, |c: &Captures| format!("\"{}\":\"{REDACTED}\"", &c[1])).into_owned();
        s = BEARER.replace_all(&s, format!("Bearer {REDACTED}").as_str()).into_owned();
        s = JWT.replace_all(&s, REDACTED).into_owned();
        s = USERINFO.replace_all(&s, format!("${{1}}{REDACTED}@").as_str()).into_owned();
        s = ARM_ID
            .replace_all(&s, |c: &Captures| {
                if c[2].is_empty() {
                    format!("/subscriptions/{}", self.placeholder(Kind::SubscriptionId, &c[1]))
                } else {
                    self.resource_id(&c[0])
                }
            })
            .into_owned();
        if let Some(known) = self.known() {
            s = known
                .replace_all(&s, |c: &Captures| {
                    self.by_value.get(&c[0].to_lowercase()).cloned().unwrap_or_else(|| c[0].to_owned())
                })
                .into_owned();
        }
        EMAIL.replace_all(&s, |c: &Captures| self.placeholder(Kind::Email, &c[0])).into_owned()
    }

    /// `value` with [`Self::text`] applied to every string in it.
    pub fn json(&mut self, value: Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.text(&s)),
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.json(v)).collect()),
            Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, self.json(v))).collect()),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personal::Personal;

    #[test]
    fn the_same_value_gets_the_same_placeholder_and_kinds_count_apart() {
        let mut r = Redactor::new([], None);
        assert_eq!(r.placeholder(Kind::OrgId, "-Org1"), "org-1");
        assert_eq!(r.placeholder(Kind::OrgId, "-ORG1"), "org-1", "ids are compared ignoring case");
        assert_eq!(r.placeholder(Kind::OrgId, "-Org2"), "org-2");
        assert_eq!(r.placeholder(Kind::Email, "a@b.example"), "email-1");
        let line = format!("checked {} for {}; -org1 again", Personal::org_id("-Org2"), Personal::org_name("Acme Corp"));
        assert_eq!(r.text(&line), "checked org-2 for org-name-1; org-1 again");
        assert_eq!(r.text("ACME CORP paid"), "org-name-1 paid", "a marked value is found unmarked too");
    }

    #[test]
    fn secret_shapes_are_removed_wherever_they_appear() {
        let mut r = Redactor::new(["opaque-refresh-value".to_owned()], Some("/home/ada".into()));
        let cases = [
            ("GET /callback?code=abc123&state=xyz HTTP/1.1", "GET /callback?code=[redacted]&state=[redacted] HTTP/1.1"),
            (
                "grant_type=refresh_token&refresh_token=r1&client_id=c",
                "grant_type=refresh_token&refresh_token=[redacted]&client_id=c",
            ),
            (r#"{"access_token": "t0k", "expires_in": 3599}"#, r#"{"access_token":"[redacted]", "expires_in": 3599}"#),
            ("Authorization: Bearer abc.def-ghi", "Authorization: Bearer [redacted]"),
            ("id eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln end", "id [redacted] end"),
            ("proxy http://alice:pw@proxy:3128 set", "proxy http://[redacted]@proxy:3128 set"),
            ("kept opaque-refresh-value here", "kept [redacted] here"),
            ("file /home/ada/.local/share/x", "file ~/.local/share/x"),
            ("response_type=code&code_challenge=abc", "response_type=code&code_challenge=abc"),
        ];
        for (input, want) in cases {
            assert_eq!(r.text(input), want, "{input}");
        }
    }

    #[test]
    fn azure_ids_and_emails_become_placeholders_and_their_parts_are_learned() {
        let mut r = Redactor::new([], None);
        let id = "/subscriptions/5f0c7a7e-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.SaaS/resources/my-pinecone";
        assert_eq!(r.resource_id(id), "resource-1");
        let line =
            format!("bought {id} in /subscriptions/5F0C7A7E-0000-4000-8000-000000000001 as my-pinecone for Bo@Corp.example");
        assert_eq!(r.text(&line), "bought resource-1 in /subscriptions/subscription-1 as resource-name-1 for email-1");
        assert_eq!(r.text("/subscriptions/other-sub/resourceGroups/x"), "resource-2");
        assert_eq!(r.text("5f0c7a7e-0000-4000-8000-000000000001 alone"), "subscription-1 alone");
    }

    #[test]
    fn placeholders_and_short_values_survive_the_known_value_search() {
        let mut r = Redactor::new([], None);
        r.placeholder(Kind::OrgName, "org");
        r.placeholder(Kind::PersonName, "Al");
        // "org" is known, but the placeholder "org-name-1" that stands for it is left alone.
        assert_eq!(r.text("org-name-1 and org"), "org-name-1 and org-name-1");
        assert_eq!(r.text("Also"), "Also", "a two-letter name isn't searched for");
    }
}
