//! Billing Assistant's core: the guided flows as data, the wizard state machine that walks them,
//! and the progress store that keeps a user's place across restarts. Nothing here knows about Tauri,
//! so all of it is tested with plain `cargo test`.

pub mod flow;
pub mod progress;
pub mod session;
pub mod store;

pub use flow::{Catalog, CatalogError, FinishDef, FlowDef, LinkDef, StartContent, StepDef};
pub use progress::{Position, Progress, TransitionError};
pub use session::{Action, Snapshot, StepStatus, WizardError, WizardSession};
pub use store::{Loaded, Notice, ProgressStore, StoreError};

/// Milliseconds since the Unix epoch; the unit of every timestamp in saved progress.
pub type Millis = u64;

/// The current wall-clock time in [`Millis`].
pub fn now_millis() -> Millis {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as Millis).unwrap_or(0)
}
