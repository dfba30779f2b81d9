//! The UI's IPC types are generated from the Rust types (ts-rs) into `ui/ipc/`, and the UI is
//! type-checked against them (`tsc`, strict), so a Rust type that changes shape breaks the UI's
//! build instead of its behaviour. This test fails when the committed files are stale; run it
//! with `UPDATE_IPC_TYPES=1` to regenerate them. It also holds the error-code table in the docs
//! to the `Code` enum.

use assistant::{
    About, CheckResult, Code, DemoStatus, Error, Identity, LoopbackSelfTest, SavedBundle, SignInEvent, SignInSettings,
    SignInStatus,
};
use std::{collections::BTreeMap, path::Path};
use ts_rs::{Config, TS};
use vocab::{CheckId, ProviderId};
use wizard::{Catalog, Snapshot};

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().parent().unwrap()
}

/// Every file ts-rs writes for the types the UI receives, by file name.
fn generate() -> BTreeMap<String, String> {
    let out = tempfile::tempdir().unwrap();
    // Every number the app sends (timestamps in ms, counts) is well inside 2^53.
    let cfg = Config::new().with_large_int("number").with_out_dir(out.path());
    Catalog::export_all(&cfg).unwrap();
    Snapshot::export_all(&cfg).unwrap();
    SignInStatus::export_all(&cfg).unwrap();
    SignInSettings::export_all(&cfg).unwrap();
    SignInEvent::export_all(&cfg).unwrap();
    Identity::export_all(&cfg).unwrap();
    CheckResult::export_all(&cfg).unwrap();
    DemoStatus::export_all(&cfg).unwrap();
    About::export_all(&cfg).unwrap();
    LoopbackSelfTest::export_all(&cfg).unwrap();
    SavedBundle::export_all(&cfg).unwrap();
    assistant::startup::PaintMarks::export_all(&cfg).unwrap();
    Error::export_all(&cfg).unwrap();
    Code::export_all(&cfg).unwrap();
    ProviderId::export_all(&cfg).unwrap();
    CheckId::export_all(&cfg).unwrap();
    std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

#[test]
fn the_committed_ipc_types_match_the_rust_types() {
    let dir = workspace().join("ui/ipc");
    let generated = generate();
    if std::env::var_os("UPDATE_IPC_TYPES").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &generated {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let committed: BTreeMap<String, String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|_| {
            panic!("{} is missing: run `UPDATE_IPC_TYPES=1 cargo test -p assistant --test ipc_types`", dir.display())
        })
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    assert_eq!(
        committed.keys().collect::<Vec<_>>(),
        generated.keys().collect::<Vec<_>>(),
        "ui/ipc/ has other files than the Rust types give: run `UPDATE_IPC_TYPES=1 cargo test -p assistant --test ipc_types`"
    );
    for (name, text) in &generated {
        assert_eq!(
            &committed[name], text,
            "ui/ipc/{name} is stale: run `UPDATE_IPC_TYPES=1 cargo test -p assistant --test ipc_types`"
        );
    }
}

/// The codes the `Code` type has, as the UI sees them.
fn code_names() -> Vec<String> {
    let decl = Code::decl(&Config::new());
    let mut names: Vec<String> = decl.split('"').skip(1).step_by(2).map(str::to_owned).collect();
    names.sort();
    names
}

#[test]
fn the_documented_error_codes_are_exactly_the_code_enum() {
    let docs = std::fs::read_to_string(workspace().join("docs/ipc.md")).expect("docs/ipc.md");
    let table = docs.split("## Error codes").nth(1).expect("docs/ipc.md has an \"Error codes\" section");
    let table = table.split("\n## ").next().unwrap();
    let mut documented: Vec<String> = table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .flat_map(|row| row.split('|').nth(1).unwrap().split('`').skip(1).step_by(2).map(str::to_owned).collect::<Vec<_>>())
        .collect();
    documented.sort();
    assert_eq!(documented, code_names(), "docs/ipc.md's error-code table and vocab::Code must list the same codes");
}
