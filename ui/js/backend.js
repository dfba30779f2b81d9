// @ts-check
//! The one module that talks to the Tauri host. Everything else calls these functions, so the UI
//! can run against another host (a fake in a browser, a test double) by swapping this file. The
//! types are the Rust types, generated into ui/ipc/ (see crates/assistant/tests/ipc_types.rs).

/**
 * @typedef {import("../ipc/AppError").AppError} AppError
 * @typedef {import("../ipc/Catalog").Catalog} Catalog
 * @typedef {import("../ipc/Snapshot").Snapshot} Snapshot
 * @typedef {import("../ipc/SignInStatus").SignInStatus} SignInStatus
 * @typedef {import("../ipc/SignInSettings").SignInSettings} SignInSettings
 * @typedef {import("../ipc/SignInEvent").SignInEvent} SignInEvent
 * @typedef {import("../ipc/Identity").Identity} Identity
 * @typedef {import("../ipc/CheckResult").CheckResult} CheckResult
 * @typedef {import("../ipc/DemoStatus").DemoStatus} DemoStatus
 * @typedef {import("../ipc/About").About} About
 * @typedef {import("../ipc/PaintMarks").PaintMarks} PaintMarks
 * @typedef {import("../ipc/ProviderId").ProviderId} ProviderId
 * @typedef {import("../ipc/Scenario").Scenario} Scenario
 * @typedef {import("../ipc/LoopbackSelfTest").LoopbackSelfTest} LoopbackSelfTest
 * @typedef {import("../ipc/SavedBundle").SavedBundle} SavedBundle
 */

/**
 * What each command answers.
 * @typedef {{
 *   get_catalog: Catalog, get_state: Snapshot, choose_flow: Snapshot, next_step: Snapshot, previous_step: Snapshot,
 *   open_step: Snapshot, start_over: Snapshot, dismiss_notice: Snapshot, open_url: null, ui_painted: null,
 *   signin_status: SignInStatus, signin_settings: SignInSettings, sign_in: Identity, sign_in_with_azure_cli: Identity, sign_in_extend: number, sign_in_cancel: null, sign_out: null,
 *   use_memory_tokens: null, run_check: CheckResult, regenerate_link: string, demo_status: DemoStatus, demo_reset: Snapshot,
 *   about: About, sign_in_with_device_code: Identity, loopback_self_test: LoopbackSelfTest, save_support_bundle: SavedBundle,
 * }} Answers
 */

/** The host's IPC, if this page runs inside the app. */
function tauri() {
  /** @type {any} */
  const host = window;
  return host.__TAURI__ && host.__TAURI__.core ? host.__TAURI__.core : null;
}

/** @param {unknown} e @returns {e is AppError} */
function isAppError(e) {
  return !!e && typeof e === "object" && typeof (/** @type {any} */ (e).code) === "string" && typeof (/** @type {any} */ (e).message) === "string";
}

/**
 * Calls a command and turns any failure into an AppError with a stable code.
 * @template {keyof Answers} K
 * @param {K} cmd
 * @param {Record<string, unknown>} [args]
 * @returns {Promise<Answers[K]>}
 */
async function call(cmd, args) {
  const host = tauri();
  if (!host) throw /** @type {AppError} */ ({ code: "no_host", message: "This page must run inside the Billing Assistant app." });
  try {
    return await host.invoke(cmd, args);
  } catch (err) {
    if (isAppError(err)) throw /** @type {AppError} */ ({ code: err.code, message: err.message });
    throw /** @type {AppError} */ ({ code: "internal", message: `Something went wrong inside the app: ${String(err)}` });
  }
}

/**
 * Starts a sign-in; `onEvent` gets its progress. Resolves with who signed in, rejects with an AppError.
 * @param {ProviderId} provider
 * @param {(event: SignInEvent) => void} onEvent
 * @param {string|null} [orgId] the Pinecone org to sign in to
 */
function signIn(provider, onEvent, orgId = null) {
  return withEvents("sign_in", { provider, orgId }, onEvent);
}

/**
 * Calls a command that streams its progress on a Channel, handed to it as `onEvent`.
 * @template {"sign_in" | "sign_in_with_device_code"} K
 * @param {K} cmd @param {Record<string, unknown>} args @param {(event: SignInEvent) => void} onEvent
 */
function withEvents(cmd, args, onEvent) {
  const host = tauri();
  if (!host) return call(cmd, args);
  const channel = new host.Channel();
  channel.onmessage = onEvent;
  return call(cmd, { ...args, onEvent: channel });
}

/**
 * Starts a sign-in with a code (RFC 8628): the events carry the code and the page to enter it on.
 * @param {ProviderId} provider
 * @param {(event: SignInEvent) => void} onEvent
 */
function signInWithDeviceCode(provider, onEvent) {
  return withEvents("sign_in_with_device_code", { provider }, onEvent);
}

export const backend = {
  getCatalog: () => call("get_catalog"),
  getState: () => call("get_state"),
  /** @param {string} flowId */
  chooseFlow: (flowId) => call("choose_flow", { flowId }),
  nextStep: () => call("next_step"),
  previousStep: () => call("previous_step"),
  /** @param {string} stepId */
  openStep: (stepId) => call("open_step", { stepId }),
  startOver: () => call("start_over"),
  dismissNotice: () => call("dismiss_notice"),
  /** @param {string} url */
  openUrl: (url) => call("open_url", { url }),
  /** @param {PaintMarks} marks */
  uiPainted: (marks) => call("ui_painted", { marks }),
  signinStatus: () => call("signin_status"),
  signinSettings: () => call("signin_settings"),
  about: () => call("about"),
  signIn,
  signInWithDeviceCode,
  loopbackSelfTest: () => call("loopback_self_test"),
  saveSupportBundle: () => call("save_support_bundle"),
  signInWithAzureCli: () => call("sign_in_with_azure_cli"),
  /** @param {ProviderId} provider */
  signInExtend: (provider) => call("sign_in_extend", { provider }),
  /** @param {ProviderId} provider */
  signInCancel: (provider) => call("sign_in_cancel", { provider }),
  /** @param {ProviderId} provider */
  signOut: (provider) => call("sign_out", { provider }),
  useMemoryTokens: () => call("use_memory_tokens"),
  /** @param {string} stepId */
  runCheck: (stepId) => call("run_check", { stepId }),
  regenerateLink: () => call("regenerate_link"),
  demoStatus: () => call("demo_status"),
  /** @param {Scenario|null} scenario */
  demoReset: (scenario) => call("demo_reset", { scenario }),
};
