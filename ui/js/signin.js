// @ts-check
//! The sign-in card shown on steps that offer one: sign in with Microsoft or Pinecone through the
//! system browser, watch it wait (with pairing words, a countdown, Extend and Cancel, and the
//! authorize URL to copy), see who is signed in, sign out. It redraws only itself, so the rest of
//! the screen (and keyboard focus elsewhere) is left alone. Inside a check's panel it is drawn
//! "embedded", with no box or heading of its own, so a step shows one sign-in prompt.

import { backend } from "./backend.js";
import { h, copyText, replaceKeepingFocus } from "./dom.js";

/**
 * @typedef {import("../ipc/SignInStatus").SignInStatus} Status
 * @typedef {import("../ipc/ProviderId").ProviderId} ProviderId
 * @typedef {import("../ipc/SignInEvent").SignInEvent} SignInEvent
 * @typedef {import("../ipc/AppError").AppError} AppError
 * @typedef {import("../ipc/Identity").Identity} Identity
 * @typedef {{phase: "waiting"|"code"|"exchanging"|"failed", url?: string, pairing?: string, deadline?: number, warned?: boolean,
 *            browserError?: string, error?: AppError, callbackAt?: number, via?: "browser"|"azure-cli"|"code",
 *            userCode?: string, page?: string, intervalSecs?: number}} Live
 */

/** @type {Status|null} */
let status = null;
/** @type {Partial<Record<ProviderId, Live>>} */
const live = {};
/** @type {Partial<Record<ProviderId, number>>} */
const signedInAt = {};
/** The sign-in each card is following; progress from any other is stale. @type {Partial<Record<ProviderId, object>>} */
const runs = {};
/** Why the last sign-out failed, per provider, until it succeeds or a sign-in does. */
/** @type {Partial<Record<ProviderId, AppError>>} */
const signOutErrors = {};
/** @type {number|undefined} */
let ticker;
/** Whether this computer can take a browser's sign-in at all (the loopback self-test); null until known. */
/** @type {boolean|null} */
let loopbackWorks = null;
/** Called after a sign-in or sign-out; app.js connects it to the live checks. @type {(provider: ProviderId) => void} */
let changed = () => {};

/** Who to tell when a provider's sign-in changes. @param {(provider: ProviderId) => void} fn */
export function onSignInChange(fn) {
  changed = fn;
}

/** @param {Partial<Record<ProviderId, unknown>>} record */
function clear(record) {
  for (const p of /** @type {ProviderId[]} */ (Object.keys(record))) delete record[p];
}

/** Forgets in-flight sign-in state (demo reset); the backend has already cancelled them. */
export function resetSignIns() {
  clear(live);
  clear(runs);
  clear(signedInAt);
}

export async function refreshStatus() {
  try {
    status = await backend.signinStatus();
  } catch (err) {
    status = null;
  }
  if (loopbackWorks === null) {
    // Asked once: when the browser can't reach this computer, the card offers a code first.
    loopbackWorks = await backend.loopbackSelfTest().then((t) => t.verdict !== "failed", () => true);
  }
  redraw();
}

/**
 * Renders the card for `provider` into a fresh slot element; `embedded` draws it inside a check's panel.
 * @param {ProviderId} provider @param {boolean} [embedded]
 */
export function signInSlot(provider, embedded = false) {
  const el = h("div", { "data-signin-slot": provider, "data-embedded": embedded ? "true" : false });
  el.append(card(provider, embedded));
  return el;
}

function redraw() {
  for (const el of document.querySelectorAll("[data-signin-slot]")) {
    const provider = /** @type {ProviderId} */ (/** @type {HTMLElement} */ (el).dataset.signinSlot);
    replaceKeepingFocus(el, card(provider, /** @type {HTMLElement} */ (el).dataset.embedded === "true"), "button:not([disabled])");
  }
}

/** @param {number} ms */
function clock(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The warning comes this long before the wait runs out, in time to extend it (WCAG 2.2.1 asks for 20 s at least). */
const WARN_BEFORE_MS = 60 * 1000;

function tick() {
  let waiting = false;
  let warn = false;
  for (const [provider, state] of Object.entries(live)) {
    if (!state || (state.phase !== "waiting" && state.phase !== "code") || !state.deadline) continue;
    waiting = true;
    const left = state.deadline - Date.now();
    if (left <= WARN_BEFORE_MS && !state.warned) {
      state.warned = true;
      warn = true;
    } else if (left > WARN_BEFORE_MS && state.warned) {
      state.warned = false;
      warn = true;
    }
    const el = document.querySelector(`[data-testid="signin-countdown-${provider}"]`);
    if (el) el.textContent = clock(left);
  }
  // Crossing the warning line adds (or, after Extend, removes) the warning: a redraw.
  if (warn) redraw();
  if (!waiting && ticker !== undefined) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

/**
 * A sign-in that answered: the card shows who, and the checks hear of it.
 * @param {ProviderId} provider @param {object} run @param {Identity} who
 */
async function finished(provider, run, who) {
  // A newer sign-in for this provider replaced this one; the card is the newer one's now.
  if (runs[provider] !== run) return;
  const state = live[provider];
  const callbackAt = state && state.callbackAt;
  delete runs[provider];
  delete live[provider];
  delete signOutErrors[provider];
  // The command already said who signed in; asking the keyring again would only add latency.
  const entry = status && status.providers.find((x) => x.id === provider);
  if (entry) {
    Object.assign(entry, { signedIn: who, pending: false, problem: null });
    redraw();
  } else {
    await refreshStatus();
  }
  changed(provider);
  // Stamped after the signed-in card is in the DOM: the sign-in benchmark reads both times.
  const at = Date.now();
  signedInAt[provider] = at;
  const el = document.querySelector(`[data-testid="signin-${provider}"]`);
  if (el) {
    el.setAttribute("data-signed-in-at", String(at));
    if (callbackAt) el.setAttribute("data-callback-at", String(callbackAt));
  }
}

/** A sign-in that failed (a cancelled one just goes back to signed out). @param {ProviderId} provider @param {object} run @param {unknown} err */
async function failed(provider, run, err) {
  if (runs[provider] !== run) return;
  delete runs[provider];
  const e = /** @type {AppError} */ (err);
  if (e.code === "signin_cancelled") delete live[provider];
  // Remember how it was tried, so "Try again" tries the same way.
  else live[provider] = { phase: "failed", error: e, via: live[provider] && live[provider].via };
  await refreshStatus();
}

/**
 * Signs in through the system browser.
 * @param {ProviderId} provider @param {string|null} [orgId] the Pinecone org to sign in to
 */
export async function start(provider, orgId = null) {
  live[provider] = { phase: "waiting" };
  const run = {};
  runs[provider] = run;
  redraw();
  try {
    const who = await backend.signIn(
      provider,
      (event) => {
        // Progress can arrive after the command has answered; only the running sign-in may update the card.
        if (runs[provider] !== run) return;
        const state = live[provider] || { phase: "waiting" };
        if (event.type === "waiting") {
          Object.assign(state, { phase: "waiting", url: event.authorizeUrl, pairing: event.pairing, deadline: Date.now() + event.remainingMs });
          if (ticker === undefined) ticker = window.setInterval(tick, 1000);
        } else if (event.type === "browserFailed") {
          state.browserError = event.message;
        } else if (event.type === "exchanging") {
          Object.assign(state, { phase: "exchanging", callbackAt: event.callbackAt });
        }
        live[provider] = state;
        redraw();
      },
      orgId,
    );
    await finished(provider, run, who);
  } catch (err) {
    await failed(provider, run, err);
  }
}

/**
 * Signs in with a code (RFC 8628): the user enters it on the provider's page, on any device.
 * @param {ProviderId} provider
 */
async function startWithCode(provider) {
  live[provider] = { phase: "code", via: "code" };
  const run = {};
  runs[provider] = run;
  redraw();
  try {
    const who = await backend.signInWithDeviceCode(provider, (event) => {
      if (runs[provider] !== run || event.type !== "deviceCode") return;
      const state = live[provider] || { phase: "code", via: "code" };
      Object.assign(state, {
        phase: "code",
        userCode: event.userCode,
        page: event.verificationUriComplete || event.verificationUri,
        url: event.verificationUri,
        intervalSecs: event.intervalSecs,
        deadline: Date.now() + event.remainingMs,
      });
      live[provider] = state;
      if (ticker === undefined) ticker = window.setInterval(tick, 1000);
      redraw();
    });
    await finished(provider, run, who);
  } catch (err) {
    await failed(provider, run, err);
  }
}

/** Signs in with Microsoft from the user's Azure CLI sign-in: no browser. */
async function useAzureCli() {
  /** @type {ProviderId} */
  const provider = "microsoft";
  live[provider] = { phase: "exchanging", via: "azure-cli" };
  const run = {};
  runs[provider] = run;
  redraw();
  try {
    await finished(provider, run, await backend.signInWithAzureCli());
  } catch (err) {
    await failed(provider, run, err);
  }
}

/** Signs out; a keyring that won't delete is shown on the card, not swallowed. @param {ProviderId} provider */
async function signOut(provider) {
  delete signOutErrors[provider];
  try {
    await backend.signOut(provider);
  } catch (err) {
    signOutErrors[provider] = /** @type {AppError} */ (err);
  }
  await refreshStatus();
  changed(provider);
}

/** @param {ProviderId} provider */
async function extend(provider) {
  try {
    const remaining = await backend.signInExtend(provider);
    const state = live[provider];
    if (state) state.deadline = Date.now() + remaining;
    tick();
  } catch (err) {
    // The sign-in ended meanwhile; the card redraws when it reports.
  }
}

/**
 * Copies `text` (the sign-in address, a code or its page), saying so on the button `buttonId`;
 * `inputId` is the field to select where the clipboard can't be used.
 * @param {string|undefined} text @param {string} inputId @param {string} buttonId
 */
function copy(text, inputId, buttonId) {
  const input = /** @type {HTMLInputElement|null} */ (document.querySelector(`[data-testid="${inputId}"]`));
  const button = document.querySelector(`[data-testid="${buttonId}"]`);
  if (text && input && button) copyText(text, input, button);
}

/** @param {ProviderId} provider @param {boolean} embedded */
function card(provider, embedded) {
  const p = status && status.providers.find((x) => x.id === provider);
  const name = p ? p.name : provider;
  const state = live[provider];
  const phase = state ? state.phase : !status ? "loading" : p && p.signedIn ? "signed-in" : p && !p.configured ? "unconfigured" : "signed-out";
  const t = (/** @type {string} */ id) => `${id}-${provider}`;
  /** @type {Array<Node|string|null>} */
  let body = [];
  // Azure CLI's own sign-in needs no client id, so it is offered even where the browser sign-in isn't set up.
  const cli = p && p.azureCli
    ? h(
        "p",
        { class: "alternative" },
        "Already signed in to Azure CLI (az login)? ",
        h("button", { class: "quiet", type: "button", testid: t("signin-azure-cli"), onclick: () => useAzureCli() }, "Use my Azure CLI sign-in"),
      )
    : null;
  // A code works where the browser can't reach this computer (another device, a blocked loopback).
  const codeOffer = p && p.deviceCode
    ? h(
        "p",
        { class: "alternative" },
        loopbackWorks === false ? "This computer can't take the browser's sign-in. " : "Browser on another device? ",
        h("button", { class: "quiet", type: "button", testid: t("signin-device-start"), onclick: () => startWithCode(provider) }, "Sign in with a code instead"),
      )
    : null;
  if (phase === "loading") {
    // Laid out as the signed-out row will be, so nothing below moves when the answer comes.
    body = [
      h(
        "div",
        { class: "signin-row" },
        h("button", { class: "secondary", type: "button", disabled: true }, `Sign in with ${name}`),
        h("p", { class: "meta" }, "Checking whether you are signed in…"),
      ),
    ];
  } else if (phase === "unconfigured") {
    body = cli
      ? [h("p", {}, `Signing in with ${name} through the browser isn't set up in this copy of the assistant. You can still do every step yourself.`), cli]
      : [h("p", {}, `Signing in with ${name} isn't set up on this computer, so the assistant can't check this step for you. You can still do every step yourself.`)];
  } else if (phase === "signed-out") {
    body = [
      h(
        "div",
        { class: "signin-row" },
        h("button", { class: "secondary", type: "button", testid: t("signin-start"), onclick: () => start(provider) }, `Sign in with ${name}`),
        h("p", { class: "meta" }, embedded ? `Optional. Your browser opens ${name}'s own sign-in page.` : `Optional: so the assistant can check your progress. Your browser opens ${name}'s own sign-in page.`),
      ),
      codeOffer,
      cli,
    ];
  } else if (phase === "waiting") {
    body = [
      h("p", { role: "status" }, `Finish signing in with ${name} in your browser.`),
      state && state.pairing
        ? h("p", {}, "The browser page will show these words: ", h("strong", { testid: t("signin-pairing") }, state.pairing), ". If it shows others, close it.")
        : null,
      h("p", { class: "meta", testid: t("signin-time") }, "Time left: ", h("span", { testid: t("signin-countdown") }, state && state.deadline ? clock(state.deadline - Date.now()) : "…")),
      state && state.warned
        ? h("p", { class: "warning", role: "alert", testid: t("signin-expiring") }, "Less than a minute left. Need more time? Choose Extend.")
        : null,
      state && state.browserError ? h("p", { class: "error", testid: t("signin-browser-error") }, state.browserError) : null,
      state && state.url
        ? h(
            "div",
            { class: "url-row" },
            h("input", { class: "url", type: "text", readonly: true, value: state.url, "aria-label": "Sign-in address", testid: t("signin-url") }),
            h("button", { class: "secondary", type: "button", testid: t("signin-copy"), onclick: () => copy(state && state.url, t("signin-url"), t("signin-copy")) }, "Copy link"),
          )
        : null,
      h(
        "div",
        { class: "nav" },
        h("button", { class: state && state.warned ? "primary" : "secondary", type: "button", testid: t("signin-extend"), onclick: () => extend(provider) }, "Extend (5 more minutes)"),
        h("button", { class: "quiet", type: "button", testid: t("signin-cancel"), onclick: () => backend.signInCancel(provider) }, "Cancel"),
      ),
    ];
  } else if (phase === "code") {
    body = state && state.userCode && state.page
      ? [
          h("p", { role: "status" }, `On any device, open ${name}'s page below and enter this code:`),
          h(
            "div",
            { class: "url-row" },
            h("input", { class: "url code", type: "text", readonly: true, value: state.userCode, "aria-label": "Your sign-in code", testid: t("signin-device-code") }),
            h("button", { class: "secondary", type: "button", testid: t("signin-device-copy-code"), onclick: () => copy(state.userCode, t("signin-device-code"), t("signin-device-copy-code")) }, "Copy code"),
          ),
          h(
            "div",
            { class: "url-row" },
            h("button", { class: "primary", type: "button", testid: t("signin-device-open"), onclick: () => backend.openUrl(/** @type {string} */ (state.page)).catch(() => {}) }, "Open the page"),
            h("input", { class: "url", type: "text", readonly: true, value: state.url, "aria-label": "Address to enter the code on", testid: t("signin-device-page") }),
            h("button", { class: "secondary", type: "button", testid: t("signin-device-copy-page"), onclick: () => copy(state.url, t("signin-device-page"), t("signin-device-copy-page")) }, "Copy link"),
          ),
          h("p", { class: "meta", testid: t("signin-time") }, "Time left: ", h("span", { testid: t("signin-countdown") }, state.deadline ? clock(state.deadline - Date.now()) : "…")),
          state.warned
            ? h("p", { class: "warning", role: "alert", testid: t("signin-expiring") }, "Less than a minute left. If the code runs out, get a new one.")
            : null,
          h(
            "div",
            { class: "nav" },
            h("button", { class: state.warned ? "primary" : "secondary", type: "button", testid: t("signin-device-restart"), onclick: () => startWithCode(provider) }, "Get a new code"),
            h("button", { class: "quiet", type: "button", testid: t("signin-cancel"), onclick: () => backend.signInCancel(provider) }, "Cancel"),
          ),
        ]
      : [h("p", { role: "status" }, `Asking ${name} for a code…`)];
  } else if (phase === "exchanging") {
    body = [h("p", { role: "status" }, "Finishing sign-in…")];
  } else if (phase === "signed-in" && p && p.signedIn) {
    const who = [p.signedIn.name, p.signedIn.email && `(${p.signedIn.email})`].filter(Boolean).join(" ") || "your account";
    const via = p.signedIn.method === "azure-cli" ? " through Azure CLI" : "";
    body = [
      h(
        "div",
        { class: "signin-row" },
        h("p", {}, `Signed in to ${name}${via} as `, h("strong", { testid: t("signin-user") }, who), "."),
        h("button", { class: "quiet small", type: "button", testid: t("signin-signout"), onclick: () => signOut(provider) }, "Sign out"),
      ),
      status && status.storage === "memory" ? h("p", { class: "meta" }, "Kept for this run only; you'll sign in again next time.") : null,
      signOutErrors[provider]
        ? h("p", { class: "error", role: "alert", testid: t("signin-signout-error"), "data-code": signOutErrors[provider].code }, `Couldn't sign out: ${signOutErrors[provider].message}`)
        : null,
    ];
  } else if (phase === "failed" && state && state.error) {
    body = [
      h("p", { class: "error", role: "alert", testid: t("signin-error"), "data-code": state.error.code }, state.error.message),
      state.via === "azure-cli"
        ? h("button", { class: "secondary", type: "button", testid: t("signin-azure-cli"), onclick: () => useAzureCli() }, "Try Azure CLI again")
        : state.via === "code"
          ? h("button", { class: "secondary", type: "button", testid: t("signin-device-start"), onclick: () => startWithCode(provider) }, "Get a new code")
          : h("button", { class: "secondary", type: "button", testid: t("signin-start"), onclick: () => start(provider) }, "Try again"),
      state.via !== "code" ? codeOffer : h("button", { class: "quiet", type: "button", testid: t("signin-start"), onclick: () => start(provider) }, `Sign in with ${name} in the browser`),
      state.via === "azure-cli" && p && p.configured
        ? h("button", { class: "quiet", type: "button", testid: t("signin-start"), onclick: () => start(provider) }, `Sign in with ${name} in the browser`)
        : null,
    ];
  }
  const keyring = status && status.keyringProblem && status.storage !== "memory"
    ? h(
        "div",
        { class: "notice-inline", testid: "signin-keyring-problem" },
        h("p", {}, status.keyringProblem),
        h("button", { class: "secondary", type: "button", testid: "signin-memory-only", onclick: () => backend.useMemoryTokens().then(refreshStatus) }, "Keep sign-ins for this run only"),
      )
    : null;
  const problem = p && p.problem && !(status && status.keyringProblem) ? h("p", { class: "error", testid: t("signin-problem"), "data-code": p.problem.code }, p.problem.message) : null;
  const at = signedInAt[provider];
  const attrs = {
    class: embedded ? "signin-inline" : "card signin",
    testid: t("signin"),
    "data-state": phase,
    "data-signed-in-at": at && phase === "signed-in" ? String(at) : false,
    // How often a sign-in with a code asks the provider; a slow_down makes it longer.
    "data-interval": state && state.phase === "code" && state.intervalSecs ? String(state.intervalSecs) : false,
  };
  if (embedded) return h("div", attrs, keyring, problem, ...body);
  return h("section", attrs, h("h2", {}, `${name} sign-in`), keyring, problem, ...body);
}
