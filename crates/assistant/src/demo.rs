//! Demo mode's own commands: which scenario is running, and Reset, which returns the simulated
//! services, the sign-ins and the progress to the start of a scenario. A check still running
//! when the demo resets is refused when it records (`started_over`), like one after Start over.

use crate::{Assistant, Error};
use serde::Serialize;
use simulator::Scenario;
use ts_rs::TS;
use wizard::{Action, Snapshot};

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoStatus {
    pub enabled: bool,
    pub scenario: Option<Scenario>,
    pub scenarios: Vec<Scenario>,
}

impl Assistant {
    pub fn demo_status(&self) -> DemoStatus {
        DemoStatus {
            enabled: self.demo.is_some(),
            scenario: self.demo.as_ref().map(|d| d.world.scenario()),
            scenarios: Scenario::ALL.to_vec(),
        }
    }

    /// Back to the start of the demo, optionally in another scenario.
    pub async fn demo_reset(&self, scenario: Option<String>) -> Result<Snapshot, Error> {
        let demo = self.demo.as_ref().ok_or_else(Error::not_demo)?;
        let scenario = match scenario {
            Some(name) => Some(Scenario::parse(&name).ok_or_else(|| Error::unknown_scenario(&name))?),
            None => None,
        };
        demo.world.reset(scenario);
        self.sign_ins.reset_to_memory();
        self.apply(Action::StartOver).await
    }
}
