//! Flow definitions: the data files under `flows/` and `content/`, parsed and validated into a
//! [`Catalog`]. The UI renders screens from these types, so a new marketplace flow is a new file.
//!
//! The files are written in snake_case and sent to the UI in camelCase: multi-word fields carry a
//! snake_case `alias`, which is what the files use.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use ts_rs::TS;
use vocab::{CheckId, ProviderId, Trouble};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/flow_files.rs"));
}

const START_FILE: &str = include_str!("../content/start.toml");
const SETTINGS_FILE: &str = include_str!("../content/settings.toml");

/// A web page the app may open in the system browser. Only URLs defined here can be opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkDef {
    pub id: String,
    /// Button text, e.g. "Open Pinecone billing settings".
    pub label: String,
    pub url: String,
}

/// One guided screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepDef {
    pub id: String,
    /// A few words for the step list, so the list fits beside the step; the step screen keeps
    /// the seed's whole sentence.
    pub short: String,
    /// The seed's wording of this step; `**bold**` marks the names of buttons and pages.
    pub seed: String,
    /// Further paragraphs the seed gives under this step.
    #[serde(default, alias = "seed_more")]
    pub seed_more: Vec<String>,
    /// Where the user does this step, e.g. "Azure Marketplace".
    pub place: String,
    /// Plain-language help.
    pub explain: String,
    /// Why the step matters.
    pub why: String,
    /// Ids of this flow's links that the step offers to open.
    #[serde(default)]
    pub links: Vec<String>,
    /// A provider the step offers to sign in with, so the app can check progress.
    #[serde(default, alias = "sign_in")]
    pub sign_in: Option<ProviderId>,
    /// A live check that can confirm this step through an API.
    #[serde(default)]
    pub check: Option<CheckId>,
    /// The flow's `[[help]]` entries this step's "Something's wrong?" offers, most likely first.
    pub help: Vec<Trouble>,
}

/// One "Something's wrong?" entry: what the user sees go wrong, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HelpDef {
    pub trouble: Trouble,
    /// The symptom, in the user's words, e.g. "I can't see Connect to cloud marketplace".
    pub title: String,
    /// What to do, one paragraph each.
    pub body: Vec<String>,
}

/// What the finish screen says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FinishDef {
    pub title: String,
    pub happened: Vec<String>,
    pub next: Vec<String>,
}

/// One flow: an ordered list of steps taken from one section of the seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FlowDef {
    pub id: String,
    /// The seed heading this flow follows.
    #[serde(alias = "seed_section")]
    pub seed_section: String,
    /// The start-screen button text.
    pub choice: String,
    pub summary: String,
    pub needs: Vec<String>,
    pub finish: FinishDef,
    #[serde(default)]
    pub links: Vec<LinkDef>,
    /// The "Something's wrong?" entries its steps offer.
    pub help: Vec<HelpDef>,
    pub steps: Vec<StepDef>,
}

impl FlowDef {
    pub fn step_index(&self, step_id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == step_id)
    }

    /// The entry explaining `trouble`, if this flow has one.
    pub fn help_for(&self, trouble: Trouble) -> Option<&HelpDef> {
        self.help.iter().find(|h| h.trouble == trouble)
    }
}

/// The choice for customers who want an annual commitment rather than pay-as-you-go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnnualDef {
    pub choice: String,
    pub title: String,
    pub body: String,
    /// Id of a start-screen link.
    pub link: String,
}

/// The start screen's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartContent {
    pub title: String,
    pub intro: String,
    #[serde(alias = "needs_title")]
    pub needs_title: String,
    pub needs: Vec<String>,
    pub annual: AnnualDef,
    pub links: Vec<LinkDef>,
}

/// Everything the UI renders: the start screen and every flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    pub start: StartContent,
    pub flows: Vec<FlowDef>,
    pub settings: SettingsContent,
}

/// Notes on the sign-in settings, per provider: what a deployment must register, what is unverified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsNotes {
    pub microsoft: Vec<String>,
    pub pinecone: Vec<String>,
    #[serde(alias = "azure_cli")]
    pub azure_cli: Vec<String>,
}

/// The sign-in settings screen's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsContent {
    pub title: String,
    pub intro: String,
    #[serde(alias = "layers_title")]
    pub layers_title: String,
    #[serde(alias = "built_in")]
    pub built_in: String,
    pub deployment: String,
    pub file: String,
    pub environment: String,
    #[serde(alias = "not_set_up")]
    pub not_set_up: String,
    #[serde(alias = "azure_cli_title")]
    pub azure_cli_title: String,
    #[serde(alias = "azure_cli_found")]
    pub azure_cli_found: String,
    #[serde(alias = "azure_cli_missing")]
    pub azure_cli_missing: String,
    /// The About card: which version and build this is, and whether it runs the demo.
    #[serde(alias = "about_title")]
    pub about_title: String,
    #[serde(alias = "about_demo")]
    pub about_demo: String,
    #[serde(alias = "about_live")]
    pub about_live: String,
    /// The support bundle card: what the bundle holds and what it never holds.
    #[serde(alias = "bundle_title")]
    pub bundle_title: String,
    #[serde(alias = "bundle_body")]
    pub bundle_body: String,
    pub notes: SettingsNotes,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

impl Catalog {
    /// The catalog compiled into the app.
    ///
    /// # Errors
    /// Only if a data file shipped with the app is broken, which the crate's tests rule out.
    pub fn embedded() -> Result<Self, CatalogError> {
        Self::from_sources(START_FILE, embedded::FLOW_FILES)
    }

    /// Parses and validates a start file and `(file name, contents)` flow files.
    pub fn from_sources(start: &str, flows: &[(&str, &str)]) -> Result<Self, CatalogError> {
        let start: StartContent = toml::from_str(start)
            .map_err(|e| CatalogError::Parse { file: "content/start.toml".into(), message: e.to_string() })?;
        let invalid = |file: &str, message: String| CatalogError::Invalid { file: file.into(), message };
        check_links("content/start.toml", &start.links)?;
        if !start.links.iter().any(|l| l.id == start.annual.link) {
            return Err(invalid("content/start.toml", format!("annual link `{}` is not defined", start.annual.link)));
        }

        let mut parsed = Vec::with_capacity(flows.len());
        let mut flow_ids = HashSet::new();
        for (file, text) in flows {
            let flow: FlowDef =
                toml::from_str(text).map_err(|e| CatalogError::Parse { file: (*file).into(), message: e.to_string() })?;
            if !is_id(&flow.id) {
                return Err(invalid(file, format!("flow id `{}` must be lowercase letters, digits and dashes", flow.id)));
            }
            if !flow_ids.insert(flow.id.clone()) {
                return Err(invalid(file, format!("flow id `{}` is used twice", flow.id)));
            }
            if flow.steps.is_empty() {
                return Err(invalid(file, "a flow needs at least one step".into()));
            }
            check_links(file, &flow.links)?;
            let mut step_ids = HashSet::new();
            for step in &flow.steps {
                if !is_id(&step.id) {
                    return Err(invalid(file, format!("step id `{}` must be lowercase letters, digits and dashes", step.id)));
                }
                if !step_ids.insert(step.id.as_str()) {
                    return Err(invalid(file, format!("step id `{}` is used twice", step.id)));
                }
                if let Some(missing) = step.links.iter().find(|id| !flow.links.iter().any(|l| &l.id == *id)) {
                    return Err(invalid(
                        file,
                        format!("step `{}` names link `{missing}`, which the flow does not define", step.id),
                    ));
                }
                check_help(file, &flow, step)?;
            }
            parsed.push(flow);
        }
        if parsed.is_empty() {
            return Err(invalid("flows/", "no flow files".into()));
        }
        let settings = toml::from_str(SETTINGS_FILE)
            .map_err(|e| CatalogError::Parse { file: "content/settings.toml".into(), message: e.to_string() })?;
        Ok(Self { start, flows: parsed, settings })
    }

    /// Rewrites every link's URL with `map` (demo mode points them at the simulated pages);
    /// a `None` keeps the URL.
    pub fn rewrite_links(&mut self, map: impl Fn(&str) -> Option<String>) {
        for link in self.start.links.iter_mut().chain(self.flows.iter_mut().flat_map(|f| f.links.iter_mut())) {
            if let Some(url) = map(&link.url) {
                link.url = url;
            }
        }
    }

    pub fn flow(&self, flow_id: &str) -> Option<&FlowDef> {
        self.flows.iter().find(|f| f.id == flow_id)
    }

    /// Whether `url` is one of the pages the data files define; only those may be opened.
    pub fn is_known_url(&self, url: &str) -> bool {
        self.start.links.iter().chain(self.flows.iter().flat_map(|f| f.links.iter())).any(|l| l.url == url)
    }
}

fn check_links(file: &str, links: &[LinkDef]) -> Result<(), CatalogError> {
    let mut ids = HashSet::new();
    for link in links {
        if !ids.insert(link.id.as_str()) {
            return Err(CatalogError::Invalid { file: file.into(), message: format!("link id `{}` is used twice", link.id) });
        }
        // The system browser gets these; nothing but https pages belongs in the data files.
        if !link.url.starts_with("https://") {
            return Err(CatalogError::Invalid { file: file.into(), message: format!("link `{}` must be an https URL", link.id) });
        }
    }
    Ok(())
}

/// Every step offers help (WCAG 3.2.6 puts it in the same place on each), from entries the flow
/// defines once each; the step list's short title must stay short enough for one line.
fn check_help(file: &str, flow: &FlowDef, step: &StepDef) -> Result<(), CatalogError> {
    let invalid = |message: String| CatalogError::Invalid { file: file.into(), message };
    if step.help.is_empty() {
        return Err(invalid(format!("step `{}` offers no help: list at least one `help` entry", step.id)));
    }
    if let Some(missing) = step.help.iter().find(|t| flow.help_for(**t).is_none()) {
        return Err(invalid(format!("step `{}` offers help `{missing:?}`, which the flow does not define", step.id)));
    }
    if let Some(twice) = flow.help.iter().enumerate().find(|(i, h)| flow.help[..*i].iter().any(|o| o.trouble == h.trouble)) {
        return Err(invalid(format!("help `{:?}` is defined twice", twice.1.trouble)));
    }
    if step.short.is_empty() || step.short.chars().count() > SHORT_TITLE_MAX {
        return Err(invalid(format!("step `{}`: `short` must be 1 to {SHORT_TITLE_MAX} characters", step.id)));
    }
    Ok(())
}

/// The step list is 240 px wide; this many characters of its font fit on one line.
pub const SHORT_TITLE_MAX: usize = 28;

/// Ids end up in `data-testid` selectors and file contents, so keep them to a safe alphabet.
fn is_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLOW: &str = r#"
id = "a"
seed_section = "S"
choice = "c"
summary = "s"
needs = []
[finish]
title = "t"
happened = []
next = []
[[links]]
id = "l"
label = "Open"
url = "https://example.com/"
[[help]]
trouble = "not-owner"
title = "t"
body = ["b"]
[[steps]]
id = "one"
short = "One"
help = ["not-owner"]
seed = "x"
place = "p"
explain = "e"
why = "w"
links = ["l"]
"#;

    #[test]
    fn embedded_catalog_is_valid() {
        let catalog = Catalog::embedded().expect("shipped data files parse and validate");
        assert_eq!(catalog.flows.len(), 2);
    }

    #[test]
    fn duplicate_flow_ids_are_rejected() {
        let err = Catalog::from_sources(START_FILE, &[("a.toml", FLOW), ("b.toml", FLOW)]).unwrap_err();
        assert!(err.to_string().contains("used twice"), "{err}");
    }

    #[test]
    fn duplicate_step_ids_are_rejected() {
        let doubled = format!("{FLOW}\n[[steps]]\nid = \"one\"\nshort = \"One\"\nhelp = [\"not-owner\"]\nseed = \"y\"\nplace = \"p\"\nexplain = \"e\"\nwhy = \"w\"\n");
        let err = Catalog::from_sources(START_FILE, &[("a.toml", &doubled)]).unwrap_err();
        assert_eq!(err, CatalogError::Invalid { file: "a.toml".into(), message: "step id `one` is used twice".into() });
    }

    #[test]
    fn a_step_naming_an_undefined_link_is_rejected() {
        let bad = FLOW.replace("links = [\"l\"]", "links = [\"nope\"]");
        let err = Catalog::from_sources(START_FILE, &[("a.toml", &bad)]).unwrap_err();
        assert!(err.to_string().contains("link `nope`"), "{err}");
    }

    #[test]
    fn unknown_sign_in_providers_and_checks_are_rejected_when_the_catalog_loads() {
        let bad = FLOW.replace("links = [\"l\"]", "links = [\"l\"]\nsign_in = \"google\"");
        let err = Catalog::from_sources(START_FILE, &[("a.toml", &bad)]).unwrap_err();
        assert!(err.to_string().contains("google"), "{err}");
        let bad = FLOW.replace("links = [\"l\"]", "links = [\"l\"]\ncheck = \"pinecone-orgs\"");
        let err = Catalog::from_sources(START_FILE, &[("a.toml", &bad)]).unwrap_err();
        assert!(err.to_string().contains("pinecone-orgs"), "{err}");
        let good = FLOW.replace("links = [\"l\"]", "links = [\"l\"]\nsign_in = \"pinecone\"\ncheck = \"pinecone-org\"");
        let catalog = Catalog::from_sources(START_FILE, &[("a.toml", &good)]).unwrap();
        assert_eq!(catalog.flows[0].steps[0].check, Some(CheckId::PineconeOrg));
        assert_eq!(catalog.flows[0].steps[0].sign_in, Some(ProviderId::Pinecone));
    }

    #[test]
    fn every_step_offers_help_the_flow_defines_and_a_short_title() {
        let none = FLOW.replace("help = [\"not-owner\"]", "help = []");
        let err = Catalog::from_sources(START_FILE, &[("a.toml", &none)]).unwrap_err();
        assert!(err.to_string().contains("offers no help"), "{err}");
        let undefined = FLOW.replace("help = [\"not-owner\"]", "help = [\"recurring-off\"]");
        let err = Catalog::from_sources(START_FILE, &[("a.toml", &undefined)]).unwrap_err();
        assert!(err.to_string().contains("RecurringOff"), "{err}");
        let unknown = FLOW.replace("help = [\"not-owner\"]", "help = [\"gremlins\"]");
        assert!(matches!(Catalog::from_sources(START_FILE, &[("a.toml", &unknown)]), Err(CatalogError::Parse { .. })));
        let twice = FLOW.replace("[[steps]]", "[[help]]\ntrouble = \"not-owner\"\ntitle = \"u\"\nbody = []\n[[steps]]");
        let err = Catalog::from_sources(START_FILE, &[("a.toml", &twice)]).unwrap_err();
        assert!(err.to_string().contains("defined twice"), "{err}");
        let long = FLOW.replace("short = \"One\"", "short = \"A title far too long for the step list\"");
        let err = Catalog::from_sources(START_FILE, &[("a.toml", &long)]).unwrap_err();
        assert!(err.to_string().contains("`short`"), "{err}");
    }

    #[test]
    fn non_https_links_are_rejected() {
        let bad = FLOW.replace("https://example.com/", "file:///etc/passwd");
        assert!(Catalog::from_sources(START_FILE, &[("a.toml", &bad)]).is_err());
    }

    #[test]
    fn unknown_fields_are_rejected_so_typos_do_not_vanish() {
        let bad = FLOW.replace("why = \"w\"", "why = \"w\"\nwhy_not = \"oops\"");
        assert!(matches!(Catalog::from_sources(START_FILE, &[("a.toml", &bad)]), Err(CatalogError::Parse { .. })));
    }

    #[test]
    fn known_urls_are_exactly_the_defined_links() {
        let catalog = Catalog::embedded().unwrap();
        assert!(catalog.is_known_url("https://app.pinecone.io/organizations/-/settings/billing"));
        assert!(catalog.is_known_url("https://www.pinecone.io/contact"));
        assert!(!catalog.is_known_url("https://evil.example/"));
    }
}
