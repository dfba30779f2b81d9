// @ts-check
//! The one module that talks to the Tauri host. Everything else calls these functions, so the UI
//! can run against another host (a fake in a browser, a test double) by swapping this file.

/** @typedef {{code: string, message: string}} AppError */

/** @returns {(cmd: string, args?: object) => Promise<any>} */
function hostInvoke() {
  const tauri = /** @type {any} */ (window).__TAURI__;
  if (!tauri || !tauri.core) {
    return () => Promise.reject({ code: "no_host", message: "This page must run inside the Billing Assistant app." });
  }
  return tauri.core.invoke;
}

/**
 * Calls a command and turns any failure into an AppError with a stable code.
 * @param {string} cmd
 * @param {object} [args]
 */
async function call(cmd, args) {
  try {
    return await hostInvoke()(cmd, args);
  } catch (err) {
    /** @type {any} */
    const e = err;
    if (e && typeof e === "object" && typeof e.code === "string" && typeof e.message === "string") {
      throw /** @type {AppError} */ ({ code: e.code, message: e.message });
    }
    throw /** @type {AppError} */ ({ code: "internal", message: `Something went wrong inside the app: ${String(err)}` });
  }
}

/**
 * Starts a sign-in; `onEvent` gets its progress ({type: "waiting"|"browserFailed"|"exchanging", ...}).
 * Resolves with who signed in, rejects with an AppError.
 * @param {string} provider
 * @param {(event: any) => void} onEvent
 */
function signIn(provider, onEvent) {
  const tauri = /** @type {any} */ (window).__TAURI__;
  if (!tauri || !tauri.core) return call("sign_in", { provider });
  const channel = new tauri.core.Channel();
  channel.onmessage = onEvent;
  return call("sign_in", { provider, onEvent: channel });
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
  uiPainted: () => call("ui_painted"),
  signinStatus: () => call("signin_status"),
  signIn,
  /** @param {string} provider */
  signInExtend: (provider) => call("sign_in_extend", { provider }),
  /** @param {string} provider */
  signInCancel: (provider) => call("sign_in_cancel", { provider }),
  /** @param {string} provider */
  signOut: (provider) => call("sign_out", { provider }),
  useMemoryTokens: () => call("use_memory_tokens"),
  /** @param {string} stepId */
  runCheck: (stepId) => call("run_check", { stepId }),
  regenerateLink: () => call("regenerate_link"),
  demoStatus: () => call("demo_status"),
  /** @param {string|null} scenario */
  demoReset: (scenario) => call("demo_reset", { scenario }),
};
