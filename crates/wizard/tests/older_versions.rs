//! Progress saved by the previous version of the app still loads. `fixtures/progress-v1.json` was
//! written by that version's own code (its `WizardSession`, with `Action::Note` and
//! `Action::Verify`), part-way through the connect flow with every kind of note it kept.

use wizard::{Catalog, Findings, Position, ProgressStore};

const V1: &[u8] = include_bytes!("fixtures/progress-v1.json");
const SUB: &str = "/subscriptions/00000000-0000-4000-8000-00000000c0de/resourceGroups";

#[test]
fn a_file_written_by_version_1_loads_with_its_findings_typed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("progress.json"), V1).unwrap();
    let store = ProgressStore::new(dir.path());
    let loaded = store.load(&Catalog::embedded().unwrap(), 1);
    assert_eq!(loaded.notice, None, "an older file is not unreadable");
    let p = loaded.progress;
    assert_eq!(p.flow.as_deref(), Some("connect-existing-org"));
    assert_eq!(p.position, Position::Step { step: "confirm-subscribe".into() });
    assert_eq!(p.done.len(), 8);
    assert_eq!(p.verified.keys().collect::<Vec<_>>(), ["confirm-subscribe", "open-billing"]);
    assert_eq!(
        p.findings,
        Findings {
            target_org: Some("-DemoOrg000000000001".into()),
            purchase: Some(format!("{SUB}/pinecone-billing/providers/Microsoft.SaaS/resources/pinecone-payg")),
            earlier_purchases: Some(vec![
                format!("{SUB}/old/providers/Microsoft.SaaS/resources/older-one"),
                format!("{SUB}/old/providers/Microsoft.SaaS/resources/second"),
            ]),
        }
    );

    // The next save writes the current version, which loads back the same.
    store.save(&p).unwrap();
    let saved = std::fs::read_to_string(store.path()).unwrap();
    assert!(saved.contains("\"version\": 2") && saved.contains("\"findings\"") && !saved.contains("\"notes\""), "{saved}");
    assert_eq!(store.load(&Catalog::embedded().unwrap(), 2).progress, p);
}

#[test]
fn a_version_1_file_whose_notes_were_tampered_with_is_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let tampered = String::from_utf8(V1.to_vec()).unwrap().replace("-DemoOrg000000000001", "../../etc/passwd");
    std::fs::write(dir.path().join("progress.json"), &tampered).unwrap();
    let loaded = ProgressStore::new(dir.path()).load(&Catalog::embedded().unwrap(), 5);
    let notice = loaded.notice.expect("a bad id is not loaded");
    assert!(notice.message.contains("is not a Pinecone organization id"), "{}", notice.message);
    assert_eq!(std::fs::read_to_string(notice.kept_at.unwrap()).unwrap(), tampered, "kept aside as it was");
}
