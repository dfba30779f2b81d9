//! A running wizard: the catalog, the user's progress and the store that keeps it. Every action
//! is applied to a copy and saved before it takes effect, so a failed save changes nothing.
//! [`Snapshot`] is what the UI renders; it carries the derived step states so the UI never
//! re-implements the rules.

use crate::{
    progress::CheckRecord, store::Notice, Catalog, Millis, Position, Progress, ProgressStore, StepDef, StoreError,
    TransitionError,
};
use serde::Serialize;
use ts_rs::TS;

/// Something the user asked for, or a live check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Choose {
        flow: String,
    },
    Next,
    Back,
    Jump {
        step: String,
    },
    /// Everything a live check found, in one save.
    RecordCheck(CheckRecord),
    StartOver,
}

#[derive(Debug, thiserror::Error)]
pub enum WizardError {
    #[error("there is no flow `{0}`")]
    UnknownFlow(String),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A step's state in the step list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum StepState {
    NotStarted,
    Current,
    Done,
    /// Done, and confirmed through an API.
    Verified,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepStatus {
    pub id: String,
    pub state: StepState,
    pub done_at: Option<Millis>,
    pub verified_at: Option<Millis>,
    /// Whether the step list may open it.
    pub can_open: bool,
}

/// Everything the UI needs to draw the current screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub flow: Option<String>,
    pub position: Position,
    /// Zero-based index of the open step.
    pub step_index: Option<usize>,
    pub steps: Vec<StepStatus>,
    pub can_go_back: bool,
    pub started_at: Option<Millis>,
    pub updated_at: Option<Millis>,
    pub finished_at: Option<Millis>,
    /// What the final live check found; empty if nothing was confirmed.
    pub confirmation: Vec<String>,
    pub notice: Option<Notice>,
}

pub struct WizardSession {
    catalog: Catalog,
    store: ProgressStore,
    progress: Progress,
    notice: Option<Notice>,
}

impl WizardSession {
    /// Loads saved progress; a bad file becomes a notice, never an error.
    pub fn open(catalog: Catalog, store: ProgressStore, now: Millis) -> Self {
        let loaded = store.load(&catalog, now);
        Self { catalog, store, progress: loaded.progress, notice: loaded.notice }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Applies `action` and saves it.
    ///
    /// # Errors
    /// An unknown flow or step, a move the rules forbid, or a failed save. In every case the
    /// progress is exactly as it was before the call.
    pub fn apply(&mut self, action: Action, now: Millis) -> Result<Snapshot, WizardError> {
        let mut next = self.progress.clone();
        match action {
            Action::Choose { flow } => {
                let def = self.catalog.flow(&flow).ok_or(WizardError::UnknownFlow(flow))?;
                next.choose(def, now)?;
            }
            Action::StartOver => next.start_over(),
            Action::Next => next.next(self.current_flow()?, now)?,
            Action::Back => next.back(self.current_flow()?, now)?,
            Action::Jump { step } => next.jump(self.current_flow()?, &step, now)?,
            Action::RecordCheck(record) => next.record_check(self.current_flow()?, record, now)?,
        }
        // A check that found nothing new changes nothing, and costs no write.
        if next != self.progress {
            self.store.save(&next)?;
            self.progress = next;
        }
        Ok(self.snapshot())
    }

    /// The definition of step `step_id` in the flow under way.
    ///
    /// # Errors
    /// No flow is chosen, or it has no such step.
    pub fn current_step_def(&self, step_id: &str) -> Result<&StepDef, WizardError> {
        let flow = self.current_flow()?;
        flow.steps.iter().find(|s| s.id == step_id).ok_or_else(|| TransitionError::UnknownStep(step_id.into()).into())
    }

    /// The notice is shown once; the UI dismisses it.
    pub fn dismiss_notice(&mut self) -> Snapshot {
        self.notice = None;
        self.snapshot()
    }

    pub fn snapshot(&self) -> Snapshot {
        let p = &self.progress;
        let flow = p.flow.as_deref().and_then(|id| self.catalog.flow(id));
        let current = match &p.position {
            Position::Step { step } => flow.and_then(|f| f.step_index(step)),
            _ => None,
        };
        let steps = flow
            .map(|f| {
                f.steps
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let done_at = p.done.get(&s.id).copied();
                        let verified_at = p.verified.get(&s.id).copied();
                        let state = match (current == Some(i), done_at, verified_at) {
                            (true, _, _) => StepState::Current,
                            (false, Some(_), Some(_)) => StepState::Verified,
                            (false, Some(_), None) => StepState::Done,
                            (false, None, _) => StepState::NotStarted,
                        };
                        StepStatus { id: s.id.clone(), state, done_at, verified_at, can_open: p.can_jump_to(f, i) }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Snapshot {
            flow: p.flow.clone(),
            position: p.position.clone(),
            step_index: current,
            steps,
            can_go_back: matches!(current, Some(i) if i > 0) || p.position == Position::Finish,
            started_at: p.started_at,
            updated_at: p.updated_at,
            finished_at: p.finished_at,
            confirmation: p.confirmation.clone(),
            notice: self.notice.clone(),
        }
    }

    fn current_flow(&self) -> Result<&crate::FlowDef, WizardError> {
        let id = self.progress.flow.as_deref().ok_or(TransitionError::NoFlow)?;
        self.catalog.flow(id).ok_or_else(|| WizardError::UnknownFlow(id.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(dir: &std::path::Path) -> WizardSession {
        WizardSession::open(Catalog::embedded().unwrap(), ProgressStore::new(dir), 1)
    }

    #[test]
    fn every_action_is_saved_and_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path());
        s.apply(Action::Choose { flow: "connect-existing-org".into() }, 2).unwrap();
        s.apply(Action::Next, 3).unwrap();
        let snap = s.apply(Action::Next, 4).unwrap();
        assert_eq!(snap.step_index, Some(2));
        assert_eq!(snap.steps[0].state, StepState::Done);
        assert_eq!(snap.steps[2].state, StepState::Current);
        assert_eq!(snap.steps[3].state, StepState::NotStarted);
        assert!(!snap.steps[3].can_open);

        let reopened = session(dir.path());
        assert_eq!(reopened.snapshot(), snap, "a restart lands on the same step with the same history");
    }

    #[test]
    fn unknown_ids_are_errors_that_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path());
        assert!(matches!(s.apply(Action::Choose { flow: "gcp".into() }, 2), Err(WizardError::UnknownFlow(f)) if f == "gcp"));
        assert!(matches!(s.apply(Action::Next, 2), Err(WizardError::Transition(TransitionError::NoFlow))));
        s.apply(Action::Choose { flow: "create-new-org".into() }, 2).unwrap();
        let before = s.snapshot();
        assert!(matches!(
            s.apply(Action::Jump { step: "zzz".into() }, 3),
            Err(WizardError::Transition(TransitionError::UnknownStep(_)))
        ));
        assert_eq!(s.snapshot(), before);
    }

    #[test]
    fn a_failed_save_leaves_progress_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let file_as_dir = dir.path().join("blocker");
        std::fs::write(&file_as_dir, b"").unwrap();
        // The store's directory is a plain file, so every save fails.
        let mut s = WizardSession::open(Catalog::embedded().unwrap(), ProgressStore::new(&file_as_dir), 1);
        let before = s.snapshot();
        assert!(matches!(s.apply(Action::Choose { flow: "create-new-org".into() }, 2), Err(WizardError::Store(_))));
        assert_eq!(s.snapshot(), before);
    }

    #[test]
    fn start_over_wipes_the_saved_file_too() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path());
        s.apply(Action::Choose { flow: "create-new-org".into() }, 2).unwrap();
        s.apply(Action::StartOver, 3).unwrap();
        assert_eq!(session(dir.path()).progress(), &Progress::default());
    }

    #[test]
    fn the_notice_from_a_bad_file_shows_until_dismissed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("progress.json"), b"{").unwrap();
        let mut s = session(dir.path());
        assert!(s.snapshot().notice.is_some());
        assert!(s.dismiss_notice().notice.is_none());
    }

    #[test]
    fn back_is_offered_except_on_the_first_step() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path());
        let snap = s.apply(Action::Choose { flow: "create-new-org".into() }, 2).unwrap();
        assert!(!snap.can_go_back);
        assert!(s.apply(Action::Next, 3).unwrap().can_go_back);
    }
}
