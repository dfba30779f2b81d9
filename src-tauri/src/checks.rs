//! Live checks and demo mode, as the shell holds them: which endpoints the API clients use, the
//! embedded simulator when in demo mode, and the commands that run a step's check, regenerate the
//! "Configure account" link, and reset the demo.

use crate::{
    accounts::Accounts,
    error::{capitalize, IpcError},
    AppState,
};
use clients::{
    arm::Arm,
    checks::{CheckInputs, CheckMemory, CheckOutcome, CheckState, Checker},
    pinecone::PineconeAdmin,
};
use serde::Serialize;
use signin::ProviderId;
use simulator::{Demo, Scenario};
use tauri::State;
use wizard::{now_millis, Action, Snapshot};

/// Live or demo, chosen at start: `BA_MODE=live|demo` (demo is the default), or `--live` / `--demo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Demo,
}

impl Mode {
    pub fn from_env() -> Self {
        let args: Vec<String> = std::env::args().collect();
        if args.iter().any(|a| a == "--live") {
            return Mode::Live;
        }
        if args.iter().any(|a| a == "--demo") {
            return Mode::Demo;
        }
        match std::env::var("BA_MODE").as_deref() {
            Ok("live") => Mode::Live,
            _ => Mode::Demo,
        }
    }
}

/// The scenario a demo starts in: `BA_DEMO_SCENARIO` (kebab-case), else the happy path.
pub fn scenario_from_env() -> Scenario {
    std::env::var("BA_DEMO_SCENARIO").ok().and_then(|s| parse_scenario(&s)).unwrap_or_default()
}

fn parse_scenario(s: &str) -> Option<Scenario> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

pub struct Checks {
    checker: Checker,
    demo: Option<Demo>,
}

impl Checks {
    /// Live: the real services, or `BA_PINECONE_API_URL` / `BA_ARM_URL` if set.
    pub fn live() -> Self {
        let pinecone = std::env::var("BA_PINECONE_API_URL").unwrap_or_else(|_| "https://api.pinecone.io".into());
        let arm = std::env::var("BA_ARM_URL").unwrap_or_else(|_| "https://management.azure.com".into());
        Self { checker: Checker { pinecone: PineconeAdmin::new(pinecone), arm: Arm::new(arm) }, demo: None }
    }

    /// Demo: the same clients, pointed at the embedded simulator.
    pub fn demo(demo: Demo) -> Self {
        let base = demo.base_url();
        Self { checker: Checker { pinecone: PineconeAdmin::new(&base), arm: Arm::new(&base) }, demo: Some(demo) }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    outcome: CheckOutcome,
    snapshot: Snapshot,
}

async fn inputs(accounts: &Accounts) -> Result<CheckInputs, IpcError> {
    let pinecone = accounts.current(ProviderId::Pinecone).await?;
    let microsoft = accounts.current(ProviderId::Microsoft).await?;
    Ok(CheckInputs {
        pinecone_email: pinecone.as_ref().and_then(|t| t.email.clone()),
        pinecone_org: pinecone
            .as_ref()
            .and_then(|t| signin::oauth::unverified_claim(t.access_token.expose(), clients::checks::PINECONE_ORG_CLAIM)),
        pinecone: pinecone.map(|t| t.access_token),
        microsoft: microsoft.map(|t| t.access_token),
    })
}

/// Runs the check of `step_id` in the current flow once; a verified step is recorded in progress.
#[tauri::command]
pub async fn run_check(
    state: State<'_, AppState>,
    accounts: State<'_, Accounts>,
    checks: State<'_, Checks>,
    step_id: String,
) -> Result<CheckResult, IpcError> {
    let (check, memory, run_of) = {
        let session = state.session.lock().unwrap_or_else(|p| p.into_inner());
        let flow = session.progress().flow.clone().and_then(|id| session.catalog().flow(&id).cloned());
        let flow = flow.ok_or_else(|| IpcError::new("not_allowed", "Choose a flow first."))?;
        let step = flow
            .steps
            .iter()
            .find(|s| s.id == step_id)
            .ok_or_else(|| IpcError::new("unknown_step", format!("There is no step `{step_id}` in this flow.")))?;
        let check = step
            .check
            .clone()
            .ok_or_else(|| IpcError::new("no_check", "This step can't be checked by the app; it stays yours to confirm."))?;
        let p = session.progress();
        (check, CheckMemory::from_notes(&p.notes), (p.flow.clone(), p.started_at))
    };
    let inputs = match inputs(&accounts).await {
        Ok(i) => i,
        Err(e) => {
            let snapshot = state.session.lock().unwrap_or_else(|p| p.into_inner()).snapshot();
            return Ok(CheckResult { outcome: CheckOutcome::failure(e.message), snapshot });
        }
    };
    // No lock is held while the check talks to the services, which can take a while.
    let mut learned = memory.clone();
    let outcome = checks.checker.run(&check, &inputs, &mut learned).await;
    eprintln!("check {check} on {step_id}: {:?}", outcome.state);
    let mut session = state.session.lock().unwrap_or_else(|p| p.into_inner());
    // Start over (or a demo reset) while the check ran: its answer belongs to a run that is gone.
    let p = session.progress();
    if (p.flow.clone(), p.started_at) != run_of {
        return Err(IpcError::new("started_over", "You started over while this check was running."));
    }
    // Only what this check learned: another check may have noted something meanwhile.
    let before = memory.to_notes();
    let learned: std::collections::BTreeMap<_, _> =
        learned.to_notes().into_iter().filter(|(k, v)| before.get(k) != Some(v)).collect();
    if !learned.is_empty() {
        session.apply(Action::Note { notes: learned }, now_millis()).map_err(IpcError::from)?;
    }
    let snapshot = if outcome.state == CheckState::Verified {
        session.apply(Action::Verify { step: step_id, facts: outcome.facts.clone() }, now_millis()).map_err(IpcError::from)?
    } else {
        session.snapshot()
    };
    Ok(CheckResult { outcome, snapshot })
}

/// Opens the "Configure account" page again with a fresh link from Azure (`listAccessToken`), for
/// the purchase this flow is following.
#[tauri::command]
pub async fn regenerate_link(
    state: State<'_, AppState>,
    accounts: State<'_, Accounts>,
    checks: State<'_, Checks>,
) -> Result<String, IpcError> {
    let memory = CheckMemory::from_notes(&state.session.lock().unwrap_or_else(|p| p.into_inner()).progress().notes);
    let token = accounts
        .current(ProviderId::Microsoft)
        .await?
        .ok_or_else(|| {
            IpcError::new("needs_sign_in", "Sign in with Microsoft first, so the assistant can ask Azure for the link.")
        })?
        .access_token;
    let api = |e: clients::ApiError| IpcError::new("api_error", format!("{}.", capitalize(&e.to_string())));
    let saas = checks
        .checker
        .find_purchase(&token, &memory)
        .await
        .map_err(api)?
        .ok_or_else(|| IpcError::new("no_purchase", "Azure has no Pinecone subscription for this account yet."))?;
    if !saas.is_pending() {
        return Err(IpcError::new(
            "already_configured",
            format!("Your Pinecone subscription {} is already set up, so there is no Configure account page to open.", saas.name),
        ));
    }
    let url = checks.checker.arm.list_access_token(&token, &saas.id).await.map_err(api)?.landing_url();
    webbrowser::open(&url).map_err(|e| IpcError::new("browser_failed", format!("Your web browser didn't open ({e}).")))?;
    eprintln!("regenerated the Configure account link for {}", saas.name);
    Ok(url)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoStatus {
    enabled: bool,
    scenario: Option<Scenario>,
    scenarios: Vec<Scenario>,
}

#[tauri::command]
pub fn demo_status(checks: State<'_, Checks>) -> DemoStatus {
    DemoStatus {
        enabled: checks.demo.is_some(),
        scenario: checks.demo.as_ref().map(|d| d.world.scenario()),
        scenarios: Scenario::ALL.to_vec(),
    }
}

/// Back to the start of the demo, optionally in another scenario: simulated services, sign-ins
/// and progress all start over.
#[tauri::command]
pub async fn demo_reset(
    state: State<'_, AppState>,
    accounts: State<'_, Accounts>,
    checks: State<'_, Checks>,
    scenario: Option<String>,
) -> Result<Snapshot, IpcError> {
    let demo = checks.demo.as_ref().ok_or_else(|| IpcError::new("not_demo", "Reset is only for demo mode."))?;
    let scenario = match scenario {
        Some(s) => Some(
            parse_scenario(&s).ok_or_else(|| IpcError::new("unknown_scenario", format!("There is no demo scenario `{s}`.")))?,
        ),
        None => None,
    };
    demo.world.reset(scenario);
    accounts.reset_to_memory();
    let mut session = state.session.lock().unwrap_or_else(|p| p.into_inner());
    session.apply(Action::StartOver, now_millis()).map_err(IpcError::from)
}
