//! The wizard state machine: where a user is in a flow and which steps they have done, and the
//! rules for moving (next, back, jump, finish, start over). Pure data and functions; no I/O.
//!
//! Invariant: the done steps always form a prefix of the flow. Next marks the current step done,
//! and jumps reach only done steps or the first step not yet done, so nobody skips a step.

use crate::{Findings, FlowDef, Millis};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// Bumped when the saved shape changes. Version 1 kept the checks' findings as untyped `notes`;
/// version 2 keeps them as typed [`Findings`]. Files of either version load (see [`Progress::from_json`]).
pub const PROGRESS_VERSION: u32 = 2;

/// Which screen the user is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, TS)]
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
    /// What the live checks found for later ones in this flow (e.g. which org is being connected).
    #[serde(default, skip_serializing_if = "Findings::is_empty")]
    pub findings: Findings,
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
            findings: Findings::default(),
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
    /// A check's answer arrived after the flow was started over (or the demo reset).
    #[error("the flow was started over while this check ran")]
    StartedOver,
}

/// Which run of a flow progress belongs to: a check started in one run must not write into the
/// next one, after Start over or a demo reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    flow: Option<String>,
    started_at: Option<Millis>,
}

/// Everything one live check found, recorded in one action (one save).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRecord {
    /// The run the check started in; a record for another run is refused.
    pub run: Run,
    pub step: String,
    /// An API confirmed the step.
    pub verified: bool,
    /// Facts for the finish screen; empty keeps the earlier ones.
    pub facts: Vec<String>,
    /// What the check found that it didn't know (see [`Findings::changes_since`]).
    pub learned: Findings,
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
        self.findings = Findings::default();
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

    /// The run this progress belongs to, for [`CheckRecord::run`].
    pub fn run(&self) -> Run {
        Run { flow: self.flow.clone(), started_at: self.started_at }
    }

    /// Records what a live check found: its findings, and, if it confirmed the step, that the
    /// step is verified (with its facts for the finish screen). Only a step the user has reached
    /// can be verified, and only a check of this run is recorded.
    pub fn record_check(&mut self, flow: &FlowDef, record: CheckRecord, now: Millis) -> Result<(), TransitionError> {
        if record.run != self.run() {
            return Err(TransitionError::StartedOver);
        }
        self.ensure_flow(flow)?;
        let index = flow.step_index(&record.step).ok_or_else(|| TransitionError::UnknownStep(record.step.clone()))?;
        if !self.can_jump_to(flow, index) {
            return Err(TransitionError::StepNotReached(record.step));
        }
        let before = (self.findings.clone(), self.verified.len(), self.confirmation.clone());
        self.findings.merge(record.learned);
        if record.verified {
            // The first confirmation time is kept; checking again doesn't rewrite history.
            self.verified.entry(record.step).or_insert(now);
            if !record.facts.is_empty() {
                self.confirmation = record.facts;
            }
        }
        if (self.findings.clone(), self.verified.len(), self.confirmation.clone()) != before {
            self.updated_at = Some(now);
        }
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
        self.findings.validate()?;
        let Some(flow) = flow else {
            if let Some(id) = &self.flow {
                return Err(format!("it names a flow `{id}` that this app does not have"));
            }
            if self.position != Position::Start || !self.done.is_empty() || !self.findings.is_empty() {
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
mod tests;
