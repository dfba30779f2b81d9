//! The IPC error shape: a stable `code` the UI and tests can branch on, and a `message` in plain
//! words for the user. Core errors are adapted here and nowhere else.

use serde::Serialize;
use wizard::{TransitionError, WizardError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
}

impl IpcError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<WizardError> for IpcError {
    fn from(err: WizardError) -> Self {
        let code = match &err {
            WizardError::UnknownFlow(_) => "unknown_flow",
            WizardError::Transition(TransitionError::UnknownStep(_)) => "unknown_step",
            WizardError::Transition(_) => "not_allowed",
            WizardError::Store(_) => "save_failed",
        };
        let message = match &err {
            WizardError::Store(e) => {
                format!("{e}. Your last change was not kept; try again, or check that there is free disk space.")
            }
            other => capitalize(&other.to_string()),
        };
        Self { code, message }
    }
}

/// Core errors are lowercase sentences; the UI shows them as sentences.
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
