//! Checks the flow data against the seed document, word for word: every numbered step of each
//! seed section appears as one step, in order, none merged, dropped or invented.

use wizard::Catalog;

const SEED: &str = include_str!("../seed/set-up-billing-through-azure-marketplace.md");

/// One numbered item of the seed: its first paragraph and any further paragraphs under it.
#[derive(Debug, PartialEq)]
struct SeedStep {
    text: String,
    more: Vec<String>,
}

/// Collapses whitespace and turns `[text](url)` into `text`, as the flow files write it.
fn normalize(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|i| open + i) else { break };
        let Some(end) = rest[close..].find(')').map(|i| close + i) else { break };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn seed_steps(section: &str) -> Vec<SeedStep> {
    let body = SEED
        .split("\n## ")
        .find_map(|chunk| chunk.strip_prefix(section).filter(|rest| rest.starts_with('\n')))
        .unwrap_or_else(|| panic!("the seed has no section `{section}`"));
    let mut steps: Vec<SeedStep> = Vec::new();
    for line in body.lines() {
        let numbered = line.split_once(". ").filter(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if let Some((n, text)) = numbered {
            assert_eq!(n.parse::<usize>().unwrap(), steps.len() + 1, "seed numbering in `{section}`");
            steps.push(SeedStep { text: normalize(text), more: Vec::new() });
        } else if line.starts_with("   ") && !line.trim().is_empty() {
            let step = steps.last_mut().expect("an indented paragraph follows a numbered step");
            step.more.push(normalize(line));
        }
    }
    steps
}

#[test]
fn both_flows_follow_their_seed_section_word_for_word() {
    let catalog = Catalog::embedded().unwrap();
    for flow in &catalog.flows {
        let seed = seed_steps(&flow.seed_section);
        let ours: Vec<SeedStep> = flow
            .steps
            .iter()
            .map(|s| SeedStep { text: normalize(&s.seed), more: s.seed_more.iter().map(|m| normalize(m)).collect() })
            .collect();
        assert_eq!(ours, seed, "flow `{}` must match the seed section `{}`", flow.id, flow.seed_section);
    }
}

#[test]
fn step_counts_are_what_the_seed_has() {
    let catalog = Catalog::embedded().unwrap();
    let counts: Vec<(&str, usize)> = catalog.flows.iter().map(|f| (f.id.as_str(), f.steps.len())).collect();
    // The seed numbers 12 steps for connecting an existing org and 8 for creating a new one.
    assert_eq!(counts, vec![("connect-existing-org", 12), ("create-new-org", 8)]);
}

#[test]
fn every_seed_section_with_steps_has_a_flow() {
    let catalog = Catalog::embedded().unwrap();
    let sections: Vec<&str> = SEED.split("\n## ").skip(1).filter_map(|c| c.lines().next()).collect();
    for section in sections {
        if !seed_steps(section).is_empty() {
            assert!(catalog.flows.iter().any(|f| f.seed_section == section), "no flow covers seed section `{section}`");
        }
    }
}

#[test]
fn the_seed_links_become_buttons() {
    let catalog = Catalog::embedded().unwrap();
    for url in [
        "https://app.pinecone.io/organizations/-/settings/billing",
        "https://azuremarketplace.microsoft.com/en-us/marketplace/apps/pineconesystemsinc1688761585469.pineconesaas?tab=Overview",
        "https://www.pinecone.io/pricing/",
        "https://www.pinecone.io/contact",
    ] {
        assert!(SEED.contains(url), "{url} is in the seed");
        assert!(catalog.is_known_url(url), "{url} can be opened from the app");
    }
}

#[test]
fn normalize_strips_links_and_spaces() {
    assert_eq!(normalize("go to [**a  b**](https://x) now"), "go to **a b** now");
    assert_eq!(normalize("no link"), "no link");
}
