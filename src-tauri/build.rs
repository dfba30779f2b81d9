//! Generates the app's context from ../tauri.conf.json and one permission per IPC command, so
//! capabilities/default.json can grant exactly the commands the UI uses.

const COMMANDS: &[&str] = &[
    "get_catalog",
    "get_state",
    "choose_flow",
    "next_step",
    "previous_step",
    "open_step",
    "start_over",
    "dismiss_notice",
    "open_url",
    "ui_painted",
    "signin_status",
    "sign_in",
    "sign_in_extend",
    "sign_in_cancel",
    "sign_out",
    "use_memory_tokens",
    "run_check",
    "regenerate_link",
    "demo_status",
    "demo_reset",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script (reads ../tauri.conf.json)");
}
