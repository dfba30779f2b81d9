//! Generates the bare window's context from its own tauri.conf.json.

fn main() {
    tauri_build::build();
}
