//! An empty Tauri v2 window, the baseline `scripts/bench.sh` measures the app against. It is the
//! app minus everything the app does: same Tauri version (one Cargo.lock), same release profile,
//! same 1120×760 window, the same CSP, and the same "painted after two animation frames" report
//! on stderr, so the two are timed by one script in the same way.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::time::Instant;

/// When the process started, as in the app's `StartedAt`.
struct StartedAt(Instant);

#[tauri::command]
fn ui_painted(started: tauri::State<'_, StartedAt>) {
    // The app's wording, so scripts/bench.sh reads both the same way.
    eprintln!("bare-window: first screen painted {:.0} ms after start", started.0.elapsed().as_secs_f64() * 1000.0);
}

fn main() {
    tauri::Builder::default()
        .manage(StartedAt(Instant::now()))
        .invoke_handler(tauri::generate_handler![ui_painted])
        .run(tauri::generate_context!())
        .expect("error while running the bare window");
}
