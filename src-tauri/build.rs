//! Generates the app's context from tauri.conf.json and one permission per IPC command, and
//! refuses to build when capabilities/default.json doesn't grant exactly those commands.
//!
//! `src-tauri/tauri.conf.json` is a symlink to the one at the root: the Tauri CLI (which builds the
//! packages) only looks for the config beside the app's Cargo.toml, so cargo and the CLI both read
//! it here, and the paths in it are relative to `src-tauri/`.

include!("src/command_list.rs");

macro_rules! names {
    ($($command:ident),*) => {
        &[$(stringify!($command)),*]
    };
}

const COMMANDS: &[&str] = with_commands!(names);

/// The permissions the capability grants, read without a JSON parser: one `"allow-…"` string each.
fn granted(capability: &str) -> Vec<String> {
    capability.split('"').filter(|s| s.starts_with("allow-")).map(str::to_owned).collect()
}

fn main() {
    println!("cargo:rerun-if-changed=capabilities/default.json");
    println!("cargo:rerun-if-changed=src/command_list.rs");
    let capability = std::fs::read_to_string("capabilities/default.json").expect("capabilities/default.json");
    let mut wanted: Vec<String> = COMMANDS.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    let mut have = granted(&capability);
    wanted.sort();
    have.sort();
    assert_eq!(have, wanted, "capabilities/default.json must grant exactly the commands in src/command_list.rs");
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("tauri build script (reads tauri.conf.json)");
}
