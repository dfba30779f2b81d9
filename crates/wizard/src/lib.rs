//! Billing Assistant's flows as data, the wizard state machine that walks them, and the progress
//! store that keeps a user's place across restarts. Nothing here knows about Tauri, so all of it
//! is tested with plain `cargo test`.

pub mod findings;
pub mod flow;
mod format;
pub mod progress;
pub mod session;
pub mod store;

pub use findings::Findings;
pub use flow::{Catalog, CatalogError, FinishDef, FlowDef, LinkDef, StartContent, StepDef};
pub use progress::{CheckRecord, Position, Progress, Run, TransitionError};
pub use session::{Action, Snapshot, StepState, StepStatus, WizardError, WizardSession};
pub use store::{Loaded, Notice, ProgressStore, StoreError};
pub use vocab::Millis;
