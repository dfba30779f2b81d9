//! The Tauri shell of Billing Assistant: builds the app, holds the wizard session as state and
//! registers the IPC commands. All behaviour lives in the `wizard` crate.

mod commands;
pub mod error;

use std::{path::PathBuf, sync::Mutex, time::Instant};
use tauri::{Manager, Runtime};
use wizard::{now_millis, Catalog, CatalogError, ProgressStore, WizardSession};

pub struct AppState {
    pub session: Mutex<WizardSession>,
}

impl AppState {
    /// Opens the wizard with progress kept in `dir`. A bad progress file is not an error here; the
    /// session reports it as a notice.
    pub fn open(dir: PathBuf) -> Result<Self, CatalogError> {
        let session = WizardSession::open(Catalog::embedded()?, ProgressStore::new(dir), now_millis());
        Ok(Self { session: Mutex::new(session) })
    }
}

/// When the process started; only used to report start-up time.
pub struct StartedAt(pub Instant);

/// Builds the app on any runtime, so tests can use `tauri::test::mock_builder()`.
/// `data_dir` overrides where progress is kept (tests); by default it is the app data directory,
/// which is only known once the app is set up.
///
/// # Errors
/// Only if the flow data compiled into the app is invalid, which the wizard crate's tests rule out.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>, data_dir: Option<PathBuf>) -> Result<tauri::Builder<R>, CatalogError> {
    let builder = builder.manage(StartedAt(Instant::now())).invoke_handler(tauri::generate_handler![
        commands::get_catalog,
        commands::get_state,
        commands::choose_flow,
        commands::next_step,
        commands::previous_step,
        commands::open_step,
        commands::start_over,
        commands::dismiss_notice,
        commands::open_url,
        commands::ui_painted,
    ]);
    Ok(match data_dir {
        Some(dir) => builder.manage(AppState::open(dir)?),
        None => builder.setup(|app| {
            let state = AppState::open(app.path().app_data_dir()?)?;
            app.manage(state);
            Ok(())
        }),
    })
}

pub fn run() {
    let builder = build_app(tauri::Builder::default(), None).expect("the flow data compiled into the app is valid");
    builder.run(tauri::generate_context!("../tauri.conf.json")).expect("error while running Billing Assistant");
}

#[cfg(test)]
mod tests;
