// @ts-check
//! The sign-in card shown on steps that offer one: sign in with Microsoft or Pinecone through the
//! system browser, watch it wait (with pairing words, a countdown, Extend and Cancel, and the
//! authorize URL to copy), see who is signed in, sign out. It redraws only itself, so the rest of
//! the screen (and keyboard focus elsewhere) is left alone.

import { backend } from "./backend.js";
import { h, copyText } from "./dom.js";

/**
 * @typedef {{id: string, name: string, configured: boolean, signedIn: {name: string|null, email: string|null}|null,
 *            pending: boolean, problem: {code: string, message: string}|null}} ProviderStatus
 * @typedef {{storage: string, keyringProblem: string|null, configProblem: string|null, providers: ProviderStatus[]}} Status
 * @typedef {{phase: "waiting"|"exchanging"|"failed", url?: string, pairing?: string, deadline?: number,
 *            browserError?: string, error?: {code: string, message: string}, callbackAt?: number}} Live
 */

/** @type {Status|null} */
let status = null;
/** @type {Record<string, Live>} */
const live = {};
/** @type {Record<string, number>} */
const signedInAt = {};
/** The sign-in each card is following; progress from any other is stale. @type {Record<string, object>} */
const runs = {};
/** Why the last sign-out failed, per provider, until it succeeds or a sign-in does. */
/** @type {Record<string, {code: string, message: string}>} */
const signOutErrors = {};
/** @type {number|undefined} */
let ticker;

/** Forgets in-flight sign-in state (demo reset); the backend has already cancelled them. */
export function resetSignIns() {
  for (const p of Object.keys(live)) delete live[p];
  for (const p of Object.keys(runs)) delete runs[p];
  for (const p of Object.keys(signedInAt)) delete signedInAt[p];
}

export async function refreshStatus() {
  try {
    status = await backend.signinStatus();
  } catch (err) {
    status = null;
  }
  redraw();
}

/** @param {string} provider */
function slot(provider) {
  return document.querySelector(`[data-signin-slot="${provider}"]`);
}

/** Renders the card for `provider` into a fresh slot element. @param {string} provider */
export function signInSlot(provider) {
  const el = h("div", { "data-signin-slot": provider });
  el.append(card(provider));
  return el;
}

function redraw() {
  for (const el of document.querySelectorAll("[data-signin-slot]")) {
    const provider = /** @type {HTMLElement} */ (el).dataset.signinSlot || "";
    const hadFocus = el.contains(document.activeElement);
    el.replaceChildren(card(provider));
    if (hadFocus) {
      const target = /** @type {HTMLElement|null} */ (el.querySelector("button:not([disabled])"));
      if (target) target.focus();
    }
  }
}

/** @param {number} ms */
function clock(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function tick() {
  let waiting = false;
  for (const [provider, state] of Object.entries(live)) {
    if (state.phase !== "waiting" || !state.deadline) continue;
    waiting = true;
    const el = document.querySelector(`[data-testid="signin-countdown-${provider}"]`);
    if (el) el.textContent = `${clock(state.deadline - Date.now())} left`;
  }
  if (!waiting && ticker !== undefined) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

/** @param {string} provider */
async function start(provider) {
  live[provider] = { phase: "waiting" };
  const run = {};
  runs[provider] = run;
  redraw();
  try {
    const who = await backend.signIn(provider, (/** @type {any} */ event) => {
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
    });
    // A newer sign-in for this provider replaced this one; the card is the newer one's now.
    if (runs[provider] !== run) return;
    const callbackAt = live[provider] && live[provider].callbackAt;
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
    document.dispatchEvent(new CustomEvent("signin-changed", { detail: { provider } }));
    // Stamped after the signed-in card is in the DOM: the sign-in benchmark reads both times.
    signedInAt[provider] = Date.now();
    const el = document.querySelector(`[data-testid="signin-${provider}"]`);
    if (el) {
      el.setAttribute("data-signed-in-at", String(signedInAt[provider]));
      if (callbackAt) el.setAttribute("data-callback-at", String(callbackAt));
    }
  } catch (err) {
    if (runs[provider] !== run) return;
    delete runs[provider];
    const e = /** @type {any} */ (err);
    live[provider] = e.code === "signin_cancelled" ? undefined : { phase: "failed", error: e };
    if (!live[provider]) delete live[provider];
    await refreshStatus();
  }
}

/** Signs out; a keyring that won't delete is shown on the card, not swallowed. @param {string} provider */
async function signOut(provider) {
  delete signOutErrors[provider];
  try {
    await backend.signOut(provider);
  } catch (err) {
    signOutErrors[provider] = /** @type {any} */ (err);
  }
  await refreshStatus();
  document.dispatchEvent(new CustomEvent("signin-changed", { detail: { provider } }));
}

/** @param {string} provider */
async function extend(provider) {
  try {
    const remaining = await backend.signInExtend(provider);
    if (live[provider]) live[provider].deadline = Date.now() + remaining;
    tick();
  } catch (err) {
    // The sign-in ended meanwhile; the card redraws when it reports.
  }
}

/** @param {string} provider */
function copy(provider) {
  const state = live[provider];
  const input = /** @type {HTMLInputElement|null} */ (document.querySelector(`[data-testid="signin-url-${provider}"]`));
  const button = document.querySelector(`[data-testid="signin-copy-${provider}"]`);
  if (state && state.url && input && button) copyText(state.url, input, button);
}

/** @param {string} provider */
function card(provider) {
  const p = status && status.providers.find((x) => x.id === provider);
  const name = p ? p.name : provider;
  const state = live[provider];
  const phase = state ? state.phase : !status ? "loading" : p && p.signedIn ? "signed-in" : p && !p.configured ? "unconfigured" : "signed-out";
  const t = (/** @type {string} */ id) => `${id}-${provider}`;
  /** @type {Array<Node|string|null>} */
  let body = [];
  if (phase === "loading") {
    body = [h("p", { class: "meta" }, "Checking whether you are signed in…")];
  } else if (phase === "unconfigured") {
    body = [h("p", {}, `Signing in with ${name} isn't set up on this computer, so the assistant can't check this step for you. You can still do every step yourself.`)];
  } else if (phase === "signed-out") {
    body = [
      h("p", {}, `Optional: sign in with ${name} so the assistant can check your progress. Your browser opens ${name}'s own sign-in page.`),
      h("button", { class: "secondary", type: "button", testid: t("signin-start"), onclick: () => start(provider) }, `Sign in with ${name}`),
    ];
  } else if (phase === "waiting") {
    body = [
      h("p", { role: "status" }, `Finish signing in with ${name} in your browser.`),
      state && state.pairing
        ? h("p", {}, "The browser page will show these words: ", h("strong", { testid: t("signin-pairing") }, state.pairing), ". If it shows others, close it.")
        : null,
      h("p", { class: "meta" }, "Time left: ", h("span", { testid: t("signin-countdown") }, state && state.deadline ? `${clock(state.deadline - Date.now())} left` : "…")),
      state && state.browserError ? h("p", { class: "error", testid: t("signin-browser-error") }, state.browserError) : null,
      state && state.url
        ? h(
            "div",
            { class: "url-row" },
            h("input", { class: "url", type: "text", readonly: true, value: state.url, "aria-label": "Sign-in address", testid: t("signin-url") }),
            h("button", { class: "secondary", type: "button", testid: t("signin-copy"), onclick: () => copy(provider) }, "Copy link"),
          )
        : null,
      h(
        "div",
        { class: "nav" },
        h("button", { class: "secondary", type: "button", testid: t("signin-extend"), onclick: () => extend(provider) }, "Extend (5 more minutes)"),
        h("button", { class: "quiet", type: "button", testid: t("signin-cancel"), onclick: () => backend.signInCancel(provider) }, "Cancel"),
      ),
    ];
  } else if (phase === "exchanging") {
    body = [h("p", { role: "status" }, "Finishing sign-in…")];
  } else if (phase === "signed-in" && p && p.signedIn) {
    const who = [p.signedIn.name, p.signedIn.email && `(${p.signedIn.email})`].filter(Boolean).join(" ") || "your account";
    body = [
      h("p", {}, `Signed in to ${name} as `, h("strong", { testid: t("signin-user") }, who), "."),
      status && status.storage === "memory" ? h("p", { class: "meta" }, "Kept for this run only; you'll sign in again next time.") : null,
      signOutErrors[provider]
        ? h("p", { class: "error", role: "alert", testid: t("signin-signout-error"), "data-code": signOutErrors[provider].code }, `Couldn't sign out: ${signOutErrors[provider].message}`)
        : null,
      h("button", { class: "quiet", type: "button", testid: t("signin-signout"), onclick: () => signOut(provider) }, "Sign out"),
    ];
  } else if (phase === "failed" && state && state.error) {
    body = [
      h("p", { class: "error", role: "alert", testid: t("signin-error"), "data-code": state.error.code }, state.error.message),
      h("button", { class: "secondary", type: "button", testid: t("signin-start"), onclick: () => start(provider) }, "Try again"),
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
  const attrs = { class: "card signin", testid: t("signin"), "data-state": phase };
  if (signedInAt[provider] && phase === "signed-in") attrs["data-signed-in-at"] = String(signedInAt[provider]);
  return h("section", attrs, h("h2", {}, `${name} sign-in`), keyring, problem, ...body);
}
