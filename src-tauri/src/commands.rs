//! The IPC commands. Each one calls one method of the [`Assistant`]; no rules live here. Commands
//! that save progress or talk to the network are `async`, so they never block the UI thread.

use assistant::{
    startup::{PaintMarks, StartupTimeline},
    About, Assistant, Catalog, CheckResult, DemoStatus, Error, Identity, LoopbackSelfTest, SavedBundle, SignInEvent,
    SignInSettings, SignInStatus, Snapshot,
};
use tauri::{ipc::Channel, State};

type Answer<T> = Result<T, Error>;

#[tauri::command]
pub fn get_catalog(a: State<'_, Assistant>) -> Catalog {
    a.catalog()
}

#[tauri::command]
pub fn get_state(a: State<'_, Assistant>) -> Snapshot {
    a.state()
}

#[tauri::command]
pub async fn choose_flow(a: State<'_, Assistant>, flow_id: String) -> Answer<Snapshot> {
    a.choose_flow(flow_id).await
}

#[tauri::command]
pub async fn next_step(a: State<'_, Assistant>) -> Answer<Snapshot> {
    a.next_step().await
}

#[tauri::command]
pub async fn previous_step(a: State<'_, Assistant>) -> Answer<Snapshot> {
    a.previous_step().await
}

#[tauri::command]
pub async fn open_step(a: State<'_, Assistant>, step_id: String) -> Answer<Snapshot> {
    a.open_step(step_id).await
}

#[tauri::command]
pub async fn start_over(a: State<'_, Assistant>) -> Answer<Snapshot> {
    a.start_over().await
}

#[tauri::command]
pub fn dismiss_notice(a: State<'_, Assistant>) -> Snapshot {
    a.dismiss_notice()
}

#[tauri::command]
pub fn open_url(a: State<'_, Assistant>, url: String) -> Answer<()> {
    a.open_url(&url)
}

/// Called by the UI once its first screen is painted; prints the time since launch (and, with
/// `BA_STARTUP_PROFILE=1`, the whole timeline) for scripts/bench.sh.
#[tauri::command]
pub fn ui_painted(timeline: State<'_, StartupTimeline>, marks: Option<PaintMarks>) {
    timeline.report_painted(marks);
}

#[tauri::command]
pub async fn signin_status(a: State<'_, Assistant>) -> Answer<SignInStatus> {
    Ok(a.signin_status().await)
}

/// Runs a whole sign-in, streaming progress on `on_event`; returns who signed in.
#[tauri::command]
pub async fn sign_in(
    a: State<'_, Assistant>,
    provider: String,
    org_id: Option<String>,
    on_event: Channel<SignInEvent>,
) -> Answer<Identity> {
    a.sign_in(&provider, org_id, move |event| drop(on_event.send(event))).await
}

/// Signs in with a device code, streaming the code to show (and any new polling interval) on `on_event`.
#[tauri::command]
pub async fn sign_in_with_device_code(
    a: State<'_, Assistant>,
    provider: String,
    on_event: Channel<SignInEvent>,
) -> Answer<Identity> {
    a.sign_in_with_device_code(&provider, move |event| drop(on_event.send(event))).await
}

#[tauri::command]
pub async fn sign_in_with_azure_cli(a: State<'_, Assistant>) -> Answer<Identity> {
    a.sign_in_with_azure_cli().await
}

#[tauri::command]
pub fn signin_settings(a: State<'_, Assistant>) -> SignInSettings {
    a.signin_settings()
}

#[tauri::command]
pub fn sign_in_extend(a: State<'_, Assistant>, provider: String) -> Answer<u64> {
    a.sign_in_extend(&provider)
}

#[tauri::command]
pub fn sign_in_cancel(a: State<'_, Assistant>, provider: String) -> Answer<()> {
    a.sign_in_cancel(&provider)
}

#[tauri::command]
pub async fn sign_out(a: State<'_, Assistant>, provider: String) -> Answer<()> {
    a.sign_out(&provider).await
}

#[tauri::command]
pub fn use_memory_tokens(a: State<'_, Assistant>) {
    a.use_memory_tokens();
}

#[tauri::command]
pub async fn run_check(a: State<'_, Assistant>, step_id: String) -> Answer<CheckResult> {
    a.run_check(&step_id).await
}

#[tauri::command]
pub async fn regenerate_link(a: State<'_, Assistant>) -> Answer<String> {
    a.regenerate_link().await
}

#[tauri::command]
pub fn demo_status(a: State<'_, Assistant>) -> DemoStatus {
    a.demo_status()
}

#[tauri::command]
pub async fn demo_reset(a: State<'_, Assistant>, scenario: Option<String>) -> Answer<Snapshot> {
    a.demo_reset(scenario).await
}

#[tauri::command]
pub fn about(a: State<'_, Assistant>) -> About {
    a.about()
}

#[tauri::command]
pub async fn loopback_self_test(a: State<'_, Assistant>) -> Answer<LoopbackSelfTest> {
    Ok(a.loopback_self_test().await)
}

#[tauri::command]
pub async fn save_support_bundle(a: State<'_, Assistant>) -> Answer<SavedBundle> {
    a.save_support_bundle().await
}
