//! Generates the app's context from ../tauri.conf.json and one permission per IPC command, and
//! refuses to build when capabilities/default.json doesn't grant exactly those commands.

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
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script (reads ../tauri.conf.json)");
}
