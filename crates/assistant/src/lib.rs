//! Billing Assistant's core: one [`Assistant`] that owns everything the app does — the wizard
//! session over the flow data, the sign-ins, the live checks, the Configure-account link, and
//! live or demo mode — behind methods the desktop shell calls one per command. Nothing here knows
//! about Tauri, so all of it is tested with plain `cargo test` against the simulator.
//!
//! Methods that touch the disk or the network are `async`: saving progress (an fsync) runs on a
//! blocking thread, never on the caller's.
//!
//! The shell also installs the app's one log subscriber from here ([`log::install`]), and the
//! support bundle ([`Assistant::save_support_bundle`]) gathers what the other pieces know.

mod about;
mod accounts;
mod browser;
mod bundle;
mod demo;
mod error;
pub mod instance;
mod live_checks;
pub mod log;
mod mode;
pub mod personal;
mod session;
mod settings;
pub mod startup;
pub mod webkit;

pub use about::{version_line, About, Build};
pub use accounts::{ProviderStatus, SignInStatus};
pub use browser::{Browser, SystemBrowser};
pub use bundle::{BundleError, SavedBundle};
pub use demo::DemoStatus;
pub use error::Error;
pub use live_checks::CheckResult;
pub use mode::{scenario_from_env, ApiBases, Mode};
pub use settings::{ProviderSettings, SignInSettings};
// The types the shell passes through, so it needs no other crate.
pub use signin::{Identity, LoopbackSelfTest, SignInEvent, TokenStore};
// The shell logs through this crate's `tracing`, so it still depends on this crate alone.
pub use tracing;
pub use vocab::Code;
pub use wizard::{Catalog, Snapshot};

use checks::Checker;
use clients::{arm::Arm, pinecone::PineconeAdmin};
use parking_lot::Mutex;
use signin::SignIns;
use simulator::{Demo, Scenario};
use std::{path::PathBuf, sync::Arc};
use wizard::{CatalogError, ProgressStore, WizardSession};

/// What the assistant needs to start; the shell fills it from the platform's folders.
pub struct Setup {
    /// Where progress is kept (a demo keeps its own under `demo/`).
    pub data_dir: PathBuf,
    /// Where `signin.toml` may be.
    pub config_dir: PathBuf,
    pub mode: Mode,
    /// The app identifier: the keyring service name.
    pub identifier: String,
    /// Where sign-ins are kept; by default the OS keyring live and memory in a demo.
    pub token_store: Option<Arc<dyn TokenStore>>,
    pub browser: Arc<dyn Browser>,
    /// The scenario a demo starts in.
    pub scenario: Scenario,
    /// Live mode's API addresses; `None` is `BA_PINECONE_API_URL` / `BA_ARM_URL`, else the real services.
    pub api_bases: Option<ApiBases>,
    /// Where the log files are, for the support bundle; `None` is [`log::default_dir`], where the
    /// shell's logger writes.
    pub log_dir: Option<PathBuf>,
    /// Where support bundles go; `None` is `BA_BUNDLE_DIR`, else Downloads, else `data_dir`.
    pub bundle_dir: Option<PathBuf>,
}

/// Why the assistant couldn't start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A data file compiled into the app is broken, which the wizard crate's tests rule out.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The demo's simulator couldn't bind a loopback port.
    #[error("couldn't start the demo's simulated services: {0}")]
    Demo(#[from] std::io::Error),
}

pub struct Assistant {
    /// Behind a mutex held only for the length of one action; saves run on a blocking thread.
    session: Arc<Mutex<WizardSession>>,
    sign_ins: SignIns,
    checker: Checker,
    demo: Option<Demo>,
    browser: Arc<dyn Browser>,
    /// The verification page the running sign-in with a code announced: the one page outside the
    /// data files `open_url` may open, since the provider names it only when the code is issued.
    device_page: Arc<Mutex<Option<String>>>,
    /// The data folder as given (a demo keeps progress below it), the support bundle's last resort.
    data_dir: PathBuf,
    log_dir: Option<PathBuf>,
    bundle_dir: Option<PathBuf>,
}

impl Assistant {
    /// Opens the wizard on its saved progress and, in demo mode, starts the simulator.
    ///
    /// # Errors
    /// [`StartError`]: the compiled-in flows are invalid, or the demo can't bind a port.
    pub async fn start(setup: Setup) -> Result<Self, StartError> {
        let mut catalog = Catalog::embedded()?;
        let store = setup.token_store.unwrap_or_else(|| mode::default_token_store(setup.mode, &setup.identifier));
        let log_dir = setup.log_dir.or_else(|| log::default_dir(&setup.identifier));
        let data_dir = setup.data_dir.clone();
        let (demo, progress_dir, sign_in_config, bases) = match setup.mode {
            Mode::Live => {
                let bases = setup.api_bases.unwrap_or_else(ApiBases::live);
                (None, setup.data_dir, mode::live_sign_in_config(&setup.config_dir), bases)
            }
            Mode::Demo => {
                let demo = Demo::start(setup.scenario).await?;
                mode::apply_demo_device_code_knobs(&demo.idp, |k| std::env::var(k).ok());
                tracing::info!("demo mode: simulated Pinecone and Azure at {}", demo.base_url());
                catalog.rewrite_links(|url| demo.page_url(url));
                let (config, bases) = (mode::demo_sign_in_config(&demo), ApiBases::demo(&demo));
                // Demo progress is kept apart from real progress.
                (Some(demo), setup.data_dir.join("demo"), Ok(config), bases)
            }
        };
        let session = WizardSession::open(catalog, ProgressStore::new(progress_dir.clone()), vocab::now_millis());
        let mut sign_ins = SignIns::new(sign_in_config, store);
        if setup.mode == Mode::Live {
            // The keyring is shared with any other process of this user; refreshes take turns.
            sign_ins = sign_ins.with_lock_dir(progress_dir);
        }
        Ok(Self {
            session: Arc::new(Mutex::new(session)),
            sign_ins,
            checker: Checker {
                pinecone: PineconeAdmin::new(bases.pinecone).with_timeout(mode::request_timeout()),
                arm: Arm::new(bases.arm).with_timeout(mode::request_timeout()),
            },
            demo,
            browser: setup.browser,
            device_page: Arc::default(),
            data_dir,
            log_dir,
            bundle_dir: setup.bundle_dir,
        })
    }

    /// Checks the flow data compiled into the app, so a broken build fails before any window opens.
    ///
    /// # Errors
    /// The data files are invalid, which the wizard crate's tests rule out.
    pub fn check_flow_data() -> Result<(), StartError> {
        Catalog::embedded().map(drop).map_err(StartError::from)
    }

    /// The catalog the UI draws screens from (demo links point at the simulated pages).
    pub fn catalog(&self) -> Catalog {
        self.session.lock().catalog().clone()
    }
}
