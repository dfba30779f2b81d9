//! The IPC commands. Each one takes the state, makes one call into the core and adapts the error;
//! no wizard rules live here.

use crate::{error::IpcError, AppState, StartedAt};
use tauri::State;
use wizard::{now_millis, Action, Catalog, Snapshot};

fn with_session<T>(state: &AppState, f: impl FnOnce(&mut wizard::WizardSession) -> T) -> Result<T, IpcError> {
    // A poisoned lock means an earlier command panicked; the session data itself is still whole.
    let mut session = state.session.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    Ok(f(&mut session))
}

fn apply(state: &AppState, action: Action) -> Result<Snapshot, IpcError> {
    with_session(state, |s| s.apply(action, now_millis()))?.map_err(IpcError::from)
}

#[tauri::command]
pub fn get_catalog(state: State<'_, AppState>) -> Result<Catalog, IpcError> {
    with_session(&state, |s| s.catalog().clone())
}

#[tauri::command]
pub fn get_state(state: State<'_, AppState>) -> Result<Snapshot, IpcError> {
    with_session(&state, |s| s.snapshot())
}

#[tauri::command]
pub fn choose_flow(state: State<'_, AppState>, flow_id: String) -> Result<Snapshot, IpcError> {
    apply(&state, Action::Choose { flow: flow_id })
}

#[tauri::command]
pub fn next_step(state: State<'_, AppState>) -> Result<Snapshot, IpcError> {
    apply(&state, Action::Next)
}

#[tauri::command]
pub fn previous_step(state: State<'_, AppState>) -> Result<Snapshot, IpcError> {
    apply(&state, Action::Back)
}

#[tauri::command]
pub fn open_step(state: State<'_, AppState>, step_id: String) -> Result<Snapshot, IpcError> {
    apply(&state, Action::Jump { step: step_id })
}

#[tauri::command]
pub fn start_over(state: State<'_, AppState>) -> Result<Snapshot, IpcError> {
    apply(&state, Action::StartOver)
}

#[tauri::command]
pub fn dismiss_notice(state: State<'_, AppState>) -> Result<Snapshot, IpcError> {
    with_session(&state, |s| s.dismiss_notice())
}

/// Opens one of the catalog's pages in the system browser. Any other URL is refused, so the
/// webview can't be used to launch arbitrary programs or pages.
#[tauri::command]
pub fn open_url(state: State<'_, AppState>, url: String) -> Result<(), IpcError> {
    if !with_session(&state, |s| s.catalog().is_known_url(&url))? {
        return Err(IpcError::new("unknown_link", "That page isn't one this app opens."));
    }
    webbrowser::open(&url).map_err(|e| {
        IpcError::new(
            "browser_failed",
            format!("Your web browser didn't open ({e}). Copy the link and paste it into your browser."),
        )
    })
}

/// Called by the UI once its first screen is painted; prints the time since launch for scripts/measure.sh.
#[tauri::command]
pub fn ui_painted(started: State<'_, StartedAt>) {
    let ms = started.0.elapsed().as_secs_f64() * 1000.0;
    eprintln!("billing-assistant: first screen painted {ms:.0} ms after start");
}
