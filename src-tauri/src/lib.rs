//! The Tauri shell of Billing Assistant: an adapter, not a home for behaviour. It builds the app,
//! starts the [`Assistant`] (the `assistant` crate, where everything the app does lives) with the
//! platform's folders, and registers the IPC commands, each of which calls one of its methods.

#[macro_use]
mod command_list;
mod commands;

pub use assistant::Mode;
use assistant::{instance, startup::StartupTimeline, Assistant, Setup, StartError, SystemBrowser, TokenStore};
use std::{path::PathBuf, sync::Arc};
use tauri::{Manager, Runtime};

/// Where the app keeps things. Everything left `None` takes the platform default, which is only
/// known once the app is set up; tests fill them all in.
#[derive(Default)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub config_dir: Option<PathBuf>,
    pub token_store: Option<Arc<dyn TokenStore>>,
    /// Live or demo; by default from `BA_MODE` and the command line.
    pub mode: Option<Mode>,
    /// This process's claim on the data folder, answering second launches once the window exists.
    pub first_copy: Option<instance::FirstCopy>,
    /// The start-up clock, started in `main`; a new one otherwise.
    pub timeline: Option<StartupTimeline>,
    /// Where the support bundle reads the log files; by default where `assistant::log` writes them.
    pub log_dir: Option<PathBuf>,
    /// Where support bundles go; by default `BA_BUNDLE_DIR`, else Downloads.
    pub bundle_dir: Option<PathBuf>,
}

macro_rules! handler {
    ($($command:ident),*) => {
        tauri::generate_handler![$(commands::$command),*]
    };
}

/// Builds the app on any runtime, so tests can use `tauri::test::mock_builder()`.
///
/// # Errors
/// Only if the flow data compiled into the app is invalid, which the wizard crate's tests rule out.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>, overrides: Overrides) -> Result<tauri::Builder<R>, StartError> {
    let timeline = overrides.timeline.unwrap_or_else(StartupTimeline::start);
    Assistant::check_flow_data()?;
    timeline.mark("flow-data-checked");
    let builder = builder
        .manage(timeline)
        .invoke_handler(with_commands!(handler))
        .on_page_load(|webview, _| webview.state::<StartupTimeline>().mark("page-load-started"));
    Ok(builder.setup(move |app| {
        app.state::<StartupTimeline>().mark("setup-started");
        let setup = Setup {
            data_dir: overrides.data_dir.map_or_else(|| app.path().app_data_dir(), Ok)?,
            config_dir: overrides.config_dir.map_or_else(|| app.path().app_config_dir(), Ok)?,
            mode: overrides.mode.unwrap_or_else(Mode::from_env),
            identifier: app.config().identifier.clone(),
            token_store: overrides.token_store,
            browser: Arc::new(SystemBrowser),
            scenario: assistant::scenario_from_env(),
            api_bases: None,
            log_dir: overrides.log_dir,
            bundle_dir: overrides.bundle_dir,
        };
        app.manage(tauri::async_runtime::block_on(Assistant::start(setup))?);
        app.state::<StartupTimeline>().mark("assistant-started");
        if let Some(first) = overrides.first_copy {
            let handle = app.handle().clone();
            first.serve(move || show_main_window(&handle));
        }
        Ok(())
    }))
}

/// Brings the window to the front for a second launch of the app.
fn show_main_window<R: Runtime>(app: &tauri::AppHandle<R>) {
    assistant::tracing::info!("another copy was started: showing this window instead");
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

pub fn run() {
    let timeline = StartupTimeline::start();
    assistant::webkit::choose_renderer();
    // `--version` answers before anything else starts (no window, no lock), as installers and
    // support scripts expect.
    if std::env::args().skip(1).any(|a| a == "--version") {
        println!("{}", assistant::version_line());
        return;
    }
    let context = tauri::generate_context!();
    assistant::log::install(&context.config().identifier);
    // One copy per data folder: a second launch shows the first copy's window and ends here.
    let first_copy = match instance::default_data_dir(&context.config().identifier).map(|dir| instance::claim(&dir)) {
        Some(Ok(instance::Claim::Second { showed })) => {
            // The answer to whoever launched it (tests/one_copy.rs reads it), not a diagnostic.
            eprintln!(
                "Billing Assistant is already running{}.",
                if showed { "; its window was brought to the front" } else { "" }
            );
            return;
        }
        Some(Ok(instance::Claim::First(first))) => Some(first),
        Some(Err(e)) => {
            assistant::tracing::warn!("couldn't check for another running copy ({e}); starting anyway");
            None
        }
        None => None,
    };
    timeline.mark("one-copy-lock-claimed");
    let overrides = Overrides { first_copy, timeline: Some(timeline), ..Overrides::default() };
    let builder = build_app(tauri::Builder::default(), overrides).expect("the flow data compiled into the app is valid");
    builder.run(context).expect("error while running Billing Assistant");
}

#[cfg(test)]
mod tests;
