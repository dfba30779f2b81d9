//! The Tauri shell of Billing Assistant: builds the app, holds the wizard session as state and
//! registers the IPC commands. All behaviour lives in the `wizard` crate.

mod accounts;
mod checks;
mod commands;
pub mod error;

use accounts::Accounts;
use checks::Checks;
pub use checks::Mode;
use signin::{MemoryTokenStore, SignInConfig, TokenStore};
use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Instant,
};
use tauri::{Manager, Runtime};
use wizard::{now_millis, Catalog, CatalogError, ProgressStore, WizardSession};

pub struct AppState {
    pub session: Mutex<WizardSession>,
}

impl AppState {
    /// Opens the wizard over `catalog` with progress kept in `dir`. A bad progress file is not an
    /// error here; the session reports it as a notice.
    pub fn open(catalog: Catalog, dir: PathBuf) -> Self {
        let session = WizardSession::open(catalog, ProgressStore::new(dir), now_millis());
        Self { session: Mutex::new(session) }
    }
}

/// When the process started; only used to report start-up time.
pub struct StartedAt(pub Instant);

/// Where the app keeps things. Everything left `None` takes the platform default, which is only
/// known once the app is set up; tests fill them all in.
#[derive(Default)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub config_dir: Option<PathBuf>,
    pub token_store: Option<Arc<dyn TokenStore>>,
    /// Live or demo; by default from `BA_MODE` and the command line.
    pub mode: Option<Mode>,
}

fn load_signin_config(config_dir: &Path) -> Result<SignInConfig, String> {
    SignInConfig::load(Some(&config_dir.join("signin.toml")), |k| std::env::var(k).ok()).map_err(|e| e.to_string())
}

/// Builds the app on any runtime, so tests can use `tauri::test::mock_builder()`.
///
/// # Errors
/// Only if the flow data compiled into the app is invalid, which the wizard crate's tests rule out.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>, overrides: Overrides) -> Result<tauri::Builder<R>, CatalogError> {
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
        accounts::signin_status,
        accounts::sign_in,
        accounts::sign_in_extend,
        accounts::sign_in_cancel,
        accounts::sign_out,
        accounts::use_memory_tokens,
        checks::run_check,
        checks::regenerate_link,
        checks::demo_status,
        checks::demo_reset,
    ]);
    // Checked here so a broken build fails before any window opens.
    Catalog::embedded()?;
    Ok(builder.setup(move |app| {
        let data_dir = match overrides.data_dir {
            Some(dir) => dir,
            None => app.path().app_data_dir()?,
        };
        let config_dir = match overrides.config_dir {
            Some(dir) => dir,
            None => app.path().app_config_dir()?,
        };
        match overrides.mode.unwrap_or_else(Mode::from_env) {
            Mode::Live => {
                let store = overrides.token_store.unwrap_or_else(|| Accounts::keyring(&app.config().identifier));
                app.manage(AppState::open(Catalog::embedded()?, data_dir));
                app.manage(Accounts::new(load_signin_config(&config_dir), store));
                app.manage(Checks::live());
            }
            Mode::Demo => {
                // The same code paths as live mode; only the endpoints and the token store differ.
                let demo = tauri::async_runtime::block_on(simulator::Demo::start(checks::scenario_from_env()))?;
                eprintln!("demo mode: simulated Pinecone and Azure at {}", demo.base_url());
                let mut catalog = Catalog::embedded()?;
                catalog.rewrite_links(|url| demo.page_url(url));
                // Demo progress is kept apart from real progress.
                app.manage(AppState::open(catalog, data_dir.join("demo")));
                app.manage(Accounts::new(Ok(Accounts::demo_config(&demo.base_url())), Arc::new(MemoryTokenStore::default())));
                app.manage(Checks::demo(demo));
            }
        }
        Ok(())
    }))
}

pub fn run() {
    let builder =
        build_app(tauri::Builder::default(), Overrides::default()).expect("the flow data compiled into the app is valid");
    builder.run(tauri::generate_context!("../tauri.conf.json")).expect("error while running Billing Assistant");
}

#[cfg(test)]
mod tests;
