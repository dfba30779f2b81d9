//! The wizard state machine: where a user is in a flow and which steps they have done, and the
//! rules for moving (next, back, jump, finish, start over). Pure data and functions; no I/O.
//!
//! Invariant: the done steps always form a prefix of the flow. Next marks the current step done,
//! and jumps reach only done steps or the first step not yet done, so nobody skips a step.

use crate::{FlowDef, Millis};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bumped when the saved shape changes incompatibly.
pub const PROGRESS_VERSION: u32 = 1;

/// Which screen the user is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "screen", rename_all = "camelCase")]
pub enum Position {
    #[default]
    Start,
    Step {
        step: String,
    },
    Finish,
}

/// A user's progress; this is what the progress store saves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Progress {
    pub version: u32,
    pub flow: Option<String>,
    pub position: Position,
    /// Step id → when the user marked it done.
    pub done: BTreeMap<String, Millis>,
    /// Step id → when a live check confirmed it through an API ("verified", not just "done by you").
    /// The new fields are left out while empty, so a file from before them stays byte-compatible.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub verified: BTreeMap<String, Millis>,
    /// What the final check found, for the finish screen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub confirmation: Vec<String>,
    /// What the live checks noted for later ones in this flow (e.g. which org is being connected).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notes: BTreeMap<String, String>,
    pub started_at: Option<Millis>,
    pub updated_at: Option<Millis>,
    pub finished_at: Option<Millis>,
}

impl Default for Progress {
    fn default() -> Self {
        Self {
            version: PROGRESS_VERSION,
            flow: None,
            position: Position::Start,
            done: BTreeMap::new(),
            verified: BTreeMap::new(),
            confirmation: Vec::new(),
            notes: BTreeMap::new(),
            started_at: None,
            updated_at: None,
            finished_at: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("choose a flow first")]
    NoFlow,
    #[error("a flow is already under way; start over to choose another")]
    FlowAlreadyChosen,
    #[error("there is no step `{0}` in this flow")]
    UnknownStep(String),
    #[error("step `{0}` can't be opened yet: finish the steps before it first")]
    StepNotReached(String),
    #[error("this is the first step; there is nothing before it")]
    AtFirstStep,
    #[error("the flow is finished; go back or start over")]
    AlreadyFinished,
    #[error("not on a step screen")]
    NotOnStep,
}

impl Progress {
    /// Starts `flow` at its first step.
    pub fn choose(&mut self, flow: &FlowDef, now: Millis) -> Result<(), TransitionError> {
        if self.flow.is_some() {
            return Err(TransitionError::FlowAlreadyChosen);
        }
        self.flow = Some(flow.id.clone());
        self.position = Position::Step { step: flow.steps[0].id.clone() };
        self.done.clear();
        self.verified.clear();
        self.confirmation.clear();
        self.notes.clear();
        self.started_at = Some(now);
        self.finished_at = None;
        self.updated_at = Some(now);
        Ok(())
    }

    /// Marks the current step done and moves on; after the last step, finishes the flow.
    pub fn next(&mut self, flow: &FlowDef, now: Millis) -> Result<(), TransitionError> {
        let index = self.current_index(flow)?;
        let step = &flow.steps[index];
        // Keep the first time a step was done; revisiting it must not rewrite history.
        self.done.entry(step.id.clone()).or_insert(now);
        match flow.steps.get(index + 1) {
            Some(following) => self.position = Position::Step { step: following.id.clone() },
            None => {
                self.position = Position::Finish;
                self.finished_at.get_or_insert(now);
            }
        }
        self.updated_at = Some(now);
        Ok(())
    }

    /// Goes to the previous step (or from the finish screen to the last step). Nothing is undone.
    pub fn back(&mut self, flow: &FlowDef, now: Millis) -> Result<(), TransitionError> {
        self.ensure_flow(flow)?;
        let target = match &self.position {
            Position::Start => return Err(TransitionError::NoFlow),
            Position::Finish => flow.steps.len() - 1,
            Position::Step { .. } => match self.current_index(flow)? {
                0 => return Err(TransitionError::AtFirstStep),
                i => i - 1,
            },
        };
        self.position = Position::Step { step: flow.steps[target].id.clone() };
        self.updated_at = Some(now);
        Ok(())
    }

    /// Opens a step from the step list: any done step, or the first step not yet done.
    pub fn jump(&mut self, flow: &FlowDef, step_id: &str, now: Millis) -> Result<(), TransitionError> {
        self.ensure_flow(flow)?;
        let index = flow.step_index(step_id).ok_or_else(|| TransitionError::UnknownStep(step_id.into()))?;
        if !self.can_jump_to(flow, index) {
            return Err(TransitionError::StepNotReached(step_id.into()));
        }
        self.position = Position::Step { step: step_id.into() };
        self.updated_at = Some(now);
        Ok(())
    }

    /// Whether the step list may open step `index`.
    pub fn can_jump_to(&self, flow: &FlowDef, index: usize) -> bool {
        index < flow.steps.len() && (self.done.contains_key(&flow.steps[index].id) || index == self.first_not_done(flow))
    }

    /// The index of the first step not yet done (`steps.len()` when all are done).
    pub fn first_not_done(&self, flow: &FlowDef) -> usize {
        flow.steps.iter().position(|s| !self.done.contains_key(&s.id)).unwrap_or(flow.steps.len())
    }

    /// Records that a live check confirmed `step_id`; `facts` (if any) are kept for the finish
    /// screen. Only a step the user has reached can be verified.
    pub fn verify(&mut self, flow: &FlowDef, step_id: &str, facts: Vec<String>, now: Millis) -> Result<(), TransitionError> {
        self.ensure_flow(flow)?;
        let index = flow.step_index(step_id).ok_or_else(|| TransitionError::UnknownStep(step_id.into()))?;
        if !self.can_jump_to(flow, index) {
            return Err(TransitionError::StepNotReached(step_id.into()));
        }
        self.verified.entry(step_id.into()).or_insert(now);
        if !facts.is_empty() {
            self.confirmation = facts;
        }
        self.updated_at = Some(now);
        Ok(())
    }

    /// Keeps the checks' notes for this flow (replacing the old ones).
    /// Sets the given notes, keeping the others: two checks that overlap each note only what
    /// they learned, so neither drops the other's.
    pub fn note(&mut self, flow: &FlowDef, notes: BTreeMap<String, String>, now: Millis) -> Result<(), TransitionError> {
        self.ensure_flow(flow)?;
        self.notes.extend(notes);
        self.updated_at = Some(now);
        Ok(())
    }

    /// Forgets everything: back to the start screen with no flow chosen.
    pub fn start_over(&mut self) {
        *self = Self::default();
    }

    /// Checks that saved progress fits `flow` and the invariants above. Used on load, because a
    /// file can be edited by hand or written by an older version with different steps.
    pub fn validate(&self, flow: Option<&FlowDef>) -> Result<(), String> {
        if self.version != PROGRESS_VERSION {
            return Err(format!("saved with format version {}, this app reads version {PROGRESS_VERSION}", self.version));
        }
        let Some(flow) = flow else {
            if let Some(id) = &self.flow {
                return Err(format!("it names a flow `{id}` that this app does not have"));
            }
            if self.position != Position::Start || !self.done.is_empty() {
                return Err("it has steps but no flow".into());
            }
            return Ok(());
        };
        if let Some(unknown) = self.done.keys().chain(self.verified.keys()).find(|id| flow.step_index(id).is_none()) {
            return Err(format!("it names a step `{unknown}` that flow `{}` does not have", flow.id));
        }
        let prefix = self.first_not_done(flow);
        if self.done.len() != prefix {
            return Err("its done steps skip over a step".into());
        }
        match &self.position {
            Position::Start => Err("a flow is chosen but no step is open".into()),
            Position::Finish if prefix != flow.steps.len() => Err("it is finished with steps not done".into()),
            Position::Finish => Ok(()),
            Position::Step { step } => match flow.step_index(step) {
                None => Err(format!("it names a step `{step}` that flow `{}` does not have", flow.id)),
                Some(i) if !self.can_jump_to(flow, i) => {
                    Err(format!("step `{step}` is open before the steps ahead of it are done"))
                }
                Some(_) => Ok(()),
            },
        }
    }

    fn ensure_flow(&self, flow: &FlowDef) -> Result<(), TransitionError> {
        match &self.flow {
            Some(id) if *id == flow.id => Ok(()),
            _ => Err(TransitionError::NoFlow),
        }
    }

    fn current_index(&self, flow: &FlowDef) -> Result<usize, TransitionError> {
        self.ensure_flow(flow)?;
        match &self.position {
            Position::Step { step } => flow.step_index(step).ok_or_else(|| TransitionError::UnknownStep(step.clone())),
            Position::Finish => Err(TransitionError::AlreadyFinished),
            Position::Start => Err(TransitionError::NotOnStep),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;

    fn flow() -> FlowDef {
        Catalog::embedded().unwrap().flow("create-new-org").unwrap().clone()
    }

    fn at(p: &Progress) -> String {
        match &p.position {
            Position::Start => "start".into(),
            Position::Step { step } => step.clone(),
            Position::Finish => "finish".into(),
        }
    }

    #[test]
    fn choose_starts_at_the_first_step_and_stamps_the_time() {
        let f = flow();
        let mut p = Progress::default();
        p.choose(&f, 10).unwrap();
        assert_eq!(at(&p), "open-listing");
        assert_eq!((p.started_at, p.updated_at), (Some(10), Some(10)));
        assert_eq!(p.choose(&f, 11), Err(TransitionError::FlowAlreadyChosen), "a second choice would lose progress");
    }

    #[test]
    fn next_marks_done_and_advances_then_finishes_after_the_last_step() {
        let f = flow();
        let mut p = Progress::default();
        p.choose(&f, 1).unwrap();
        for (i, step) in f.steps.iter().enumerate() {
            assert_eq!(at(&p), step.id);
            p.next(&f, 100 + i as u64).unwrap();
            assert_eq!(p.done.get(&step.id), Some(&(100 + i as u64)));
        }
        assert_eq!(at(&p), "finish");
        assert_eq!(p.finished_at, Some(107));
        assert_eq!(p.next(&f, 200), Err(TransitionError::AlreadyFinished));
        p.validate(Some(&f)).unwrap();
    }

    #[test]
    fn next_without_a_flow_is_refused() {
        assert_eq!(Progress::default().next(&flow(), 1), Err(TransitionError::NoFlow));
    }

    #[test]
    fn back_moves_one_step_and_undoes_nothing() {
        let f = flow();
        let mut p = Progress::default();
        p.choose(&f, 1).unwrap();
        assert_eq!(p.back(&f, 2), Err(TransitionError::AtFirstStep));
        p.next(&f, 3).unwrap();
        p.next(&f, 4).unwrap();
        p.back(&f, 5).unwrap();
        assert_eq!(at(&p), "get-it-now");
        assert_eq!(p.done.len(), 2, "going back keeps steps done");
        // Next from a done step keeps its first timestamp.
        p.next(&f, 6).unwrap();
        assert_eq!(p.done["get-it-now"], 4);
    }

    #[test]
    fn back_from_finish_returns_to_the_last_step() {
        let f = flow();
        let mut p = Progress::default();
        p.choose(&f, 1).unwrap();
        for _ in &f.steps {
            p.next(&f, 2).unwrap();
        }
        p.back(&f, 3).unwrap();
        assert_eq!(at(&p), "connect");
        assert_eq!(p.finished_at, Some(2), "the first finish time is kept");
    }

    #[test]
    fn jump_reaches_done_steps_and_the_first_undone_step_only() {
        let f = flow();
        let mut p = Progress::default();
        p.choose(&f, 1).unwrap();
        p.next(&f, 2).unwrap();
        p.next(&f, 3).unwrap();
        p.jump(&f, "open-listing", 4).unwrap();
        assert_eq!(at(&p), "open-listing");
        p.jump(&f, "select-plan", 5).unwrap();
        assert_eq!(at(&p), "select-plan");
        assert_eq!(p.jump(&f, "subscribe", 6), Err(TransitionError::StepNotReached("subscribe".into())));
        assert_eq!(p.jump(&f, "nope", 7), Err(TransitionError::UnknownStep("nope".into())));
        assert_eq!(at(&p), "select-plan", "a refused jump moves nothing");
    }

    #[test]
    fn notes_merge_so_overlapping_checks_keep_each_others() {
        let f = flow();
        let mut p = Progress::default();
        p.choose(&f, 1).unwrap();
        let note = |k: &str, v: &str| BTreeMap::from([(k.to_owned(), v.to_owned())]);
        p.note(&f, note("target_org", "o1"), 2).unwrap();
        p.note(&f, note("purchase", "r1"), 3).unwrap();
        p.note(&f, note("purchase", "r2"), 4).unwrap();
        assert_eq!(p.notes, BTreeMap::from([("target_org".into(), "o1".into()), ("purchase".into(), "r2".into())]));
        assert_eq!(p.updated_at, Some(4));
    }

    #[test]
    fn verify_marks_reached_steps_only_and_keeps_the_facts() {
        let f = flow();
        let mut p = Progress::default();
        p.choose(&f, 1).unwrap();
        assert_eq!(p.verify(&f, "connect", vec![], 2), Err(TransitionError::StepNotReached("connect".into())));
        p.verify(&f, "open-listing", vec!["fact".into()], 3).unwrap();
        assert_eq!(p.verified.get("open-listing"), Some(&3));
        assert_eq!(p.confirmation, ["fact"]);
        p.verify(&f, "open-listing", vec![], 4).unwrap();
        assert_eq!(p.verified["open-listing"], 3, "the first confirmation time is kept");
        assert_eq!(p.confirmation, ["fact"], "a check without facts keeps the earlier ones");
        p.validate(Some(&f)).unwrap();
    }

    #[test]
    fn files_without_the_newer_fields_still_load_and_new_empty_ones_are_not_written() {
        let old = r#"{"version":1,"flow":null,"position":{"screen":"start"},"done":{},"startedAt":null,"updatedAt":null,"finishedAt":null}"#;
        let p: Progress = serde_json::from_str(old).unwrap();
        assert_eq!(p, Progress::default());
        assert_eq!(serde_json::to_string(&p).unwrap(), old, "an older app can still read what this one writes");
    }

    #[test]
    fn start_over_forgets_everything() {
        let f = flow();
        let mut p = Progress::default();
        p.choose(&f, 1).unwrap();
        p.next(&f, 2).unwrap();
        p.start_over();
        assert_eq!(p, Progress::default());
    }

    #[test]
    fn validate_rejects_progress_that_breaks_the_rules() {
        let f = flow();
        let mut skipped = Progress::default();
        skipped.choose(&f, 1).unwrap();
        skipped.done.insert("select-plan".into(), 1);
        assert!(skipped.validate(Some(&f)).is_err(), "done steps must be a prefix");

        let mut early_finish = Progress::default();
        early_finish.choose(&f, 1).unwrap();
        early_finish.position = Position::Finish;
        assert!(early_finish.validate(Some(&f)).is_err());

        let mut ahead = Progress::default();
        ahead.choose(&f, 1).unwrap();
        ahead.position = Position::Step { step: "connect".into() };
        assert!(ahead.validate(Some(&f)).is_err());

        let wrong_version = Progress { version: 99, ..Progress::default() };
        assert!(wrong_version.validate(None).is_err());

        assert!(Progress::default().validate(None).is_ok());
    }
}
