// @ts-check
//! The live-check panel on steps an API can confirm: runs the step's check when the step opens and
//! after each sign-in, polls with backoff while the answer is "not yet", and shows verified,
//! problems (with what to do) and errors (with Check again). Verified steps are recorded by the
//! backend; the new snapshot goes to the controller through `onSnapshot`. The panel holds the
//! sign-in the check needs, so a step asks for a sign-in in one place only, and a known cause the
//! check finds opens its "Something's wrong?" entry.

import { backend } from "./backend.js";
import { h, replaceKeepingFocus } from "./dom.js";
import { signInSlot, start as signIn } from "./signin.js";
import { openHelpFor, showHelpFor } from "./help.js";

/**
 * @typedef {import("../ipc/CheckOutcome").CheckOutcome} Outcome
 * @typedef {import("../ipc/CheckState").CheckState} CheckState
 * @typedef {import("../ipc/AppError").AppError} AppError
 * @typedef {import("../ipc/ProviderId").ProviderId} ProviderId
 * @typedef {import("../ipc/Snapshot").Snapshot} Snapshot
 * @typedef {import("../ipc/Trouble").Trouble} Trouble
 * @typedef {{outcome?: Outcome, running: boolean, rerun?: boolean, attempt: number, waitingRuns: number, nextAt?: number, verifiedAt?: number, error?: AppError}} CheckView
 */

/** @type {Record<string, CheckView>} */
const views = {};
/** @type {Record<string, number>} */
const timers = {};
/** @type {(snap: Snapshot) => void} */
let onSnapshot = () => {};
let pollCapMs = 30000;

/** A service asked to be left alone at most this long; longer asks are capped (setTimeout overflows past 2^31 ms). */
const MAX_RETRY_AFTER_MS = 3600 * 1000;

/** @param {(snap: Snapshot) => void} fn @param {number} capMs */
export function configureChecks(fn, capMs) {
  onSnapshot = fn;
  pollCapMs = capMs;
}

/** Forgets every check (after Start over or a demo reset). */
export function resetChecks() {
  for (const id of Object.keys(timers)) clearTimeout(timers[id]);
  for (const id of Object.keys(views)) delete views[id];
}

/** @param {string} stepId */
function stopPolling(stepId) {
  if (timers[stepId] !== undefined) clearTimeout(timers[stepId]);
  delete timers[stepId];
}

/** @param {string} stepId */
function slot(stepId) {
  return document.querySelector(`[data-check-slot="${stepId}"]`);
}

/** @param {string} stepId */
function redraw(stepId) {
  const el = slot(stepId);
  if (!el) return;
  // The sign-in inside the panel redraws itself (signin.js); keeping its element across the
  // panel's redraws means a click on it never lands on a copy that was just replaced.
  const oldSignIn = /** @type {HTMLElement|null} */ (el.querySelector("[data-signin-slot]"));
  const next = panel(stepId);
  const newSignIn = /** @type {HTMLElement|null} */ (next.querySelector("[data-signin-slot]"));
  if (oldSignIn && newSignIn && oldSignIn.dataset.signinSlot === newSignIn.dataset.signinSlot) newSignIn.replaceWith(oldSignIn);
  replaceKeepingFocus(el, next, "button");
}

/** Waiting answers in a row before "stuck" help opens by itself: a purchase is pending for a moment on the happy path too. */
const STUCK_AFTER = 3;

/** Opens the help entry for the cause the last answer found. @param {string} stepId @param {CheckView} view */
function openHelp(stepId, view) {
  const o = view.outcome;
  if (!o || !o.trouble || view.error) return;
  if (o.state === "waiting" && view.waitingRuns < STUCK_AFTER) return;
  openHelpFor(stepId, o.trouble);
}

/** Runs the check for `stepId` now, and again with backoff while it says "not yet". @param {string} stepId */
export async function runCheck(stepId) {
  const view = views[stepId] || { running: false, attempt: 0, waitingRuns: 0 };
  // One check per step at a time; a request that arrives meanwhile (a sign-in finished, say)
  // runs once the current check is done, so it isn't answered with stale inputs.
  if (view.running) {
    view.rerun = true;
    return;
  }
  stopPolling(stepId);
  views[stepId] = view;
  const requested = performance.now();
  view.running = true;
  view.attempt += 1;
  redraw(stepId);
  // Start over or a demo reset forgets every check, maybe while this one ran: then its answer
  // (and the snapshot with it) belongs to a run that is gone.
  const forgotten = () => views[stepId] !== view;
  try {
    const result = await backend.runCheck(stepId);
    if (forgotten()) return;
    view.outcome = result.outcome;
    view.error = undefined;
    view.waitingRuns = result.outcome.state === "waiting" ? view.waitingRuns + 1 : 0;
    // Read by scripts/bench-demo.sh: when the app first knew the step was confirmed.
    if (result.outcome.state === "verified" && !view.verifiedAt) view.verifiedAt = Date.now();
    onSnapshot(result.snapshot);
  } catch (err) {
    if (forgotten()) return;
    view.error = /** @type {AppError} */ (err);
  }
  view.running = false;
  if (view.rerun) {
    view.rerun = false;
    return runCheck(stepId);
  }
  // Only keep polling while this step is on screen and the answer is "not yet".
  if (slot(stepId) && view.outcome && view.outcome.state === "waiting" && !view.error) {
    // Backoff, but never sooner than a service's Retry-After asked for.
    const asked = Math.min((view.outcome.retryAfterSecs || 0) * 1000, MAX_RETRY_AFTER_MS);
    const delay = Math.max(Math.min(1000 * 2 ** Math.min(view.attempt - 1, 6), pollCapMs), asked);
    view.nextAt = Date.now() + delay;
    timers[stepId] = window.setTimeout(() => runCheck(stepId), delay);
  } else {
    view.nextAt = undefined;
  }
  redraw(stepId);
  openHelp(stepId, view);
  // Read by scripts/bench-check.sh: from the check requested to its answer drawn (the next frame).
  requestAnimationFrame(() => (document.body.dataset.lastCheckMs = String(Math.round(performance.now() - requested))));
}

/** The sign-in each step offers; the panel shows it, or another one the check needs instead. */
/** @type {Record<string, ProviderId|null>} */
const stepSignIn = {};

/**
 * A slot for the panel; starts the check if it hasn't run yet.
 * @param {string} stepId @param {ProviderId|null} signIn the provider the step's own sign-in card offers
 */
export function checkSlot(stepId, signIn) {
  stepSignIn[stepId] = signIn;
  const el = h("div", { "data-check-slot": stepId });
  el.append(panel(stepId));
  const view = views[stepId];
  if (!view || (!view.running && timers[stepId] === undefined && (!view.outcome || view.outcome.state !== "verified"))) {
    queueMicrotask(() => runCheck(stepId));
  }
  return el;
}

/** Checks every step on screen again: a sign-in may be what they were waiting for. */
export function recheckShown() {
  for (const stepId of Object.keys(views)) if (slot(stepId)) runCheck(stepId);
}

/** "4 s", or "60 min" for a long wait (a busy service may ask for an hour). @param {number} ms */
function inWords(ms) {
  const s = Math.max(1, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/**
 * The one sign-in the panel offers: the one the check says it needs, else the step's own.
 * @param {string} stepId @param {Outcome|undefined} outcome @param {CheckState | "checking"} state
 */
function signInFor(stepId, outcome, state) {
  const provider = state === "needs-sign-in" && outcome && outcome.provider ? outcome.provider : stepSignIn[stepId];
  return provider ? signInSlot(provider, true) : null;
}

/** @param {string} stepId */
function panel(stepId) {
  const view = views[stepId];
  const outcome = view && view.outcome;
  /** @type {CheckState | "checking"} */
  const state = view && view.error ? "error" : outcome ? outcome.state : "checking";
  const t = (/** @type {string} */ id) => `${id}-${stepId}`;
  /** @type {Record<CheckState | "checking", string>} */
  const titles = {
    checking: "Checking…",
    verified: "Verified",
    waiting: "Not yet",
    problem: "Something needs your attention",
    "needs-sign-in": "Sign in to check this step",
    error: "The check couldn't run",
  };
  // A check waiting for a sign-in has nothing to count; its sign-in button says what to do.
  const status =
    state === "needs-sign-in" && !(view && view.running)
      ? ""
      : view && view.running
      ? "Checking now…"
      : view && view.nextAt
        ? `Checked ${view.attempt} time${view.attempt === 1 ? "" : "s"}; checking again in ${inWords(view.nextAt - Date.now())}.`
        : view && view.attempt
          ? `Checked ${view.attempt} time${view.attempt === 1 ? "" : "s"}.`
          : "";
  const summary = view && view.error ? view.error.message : outcome ? outcome.summary : "The assistant is asking Pinecone and Azure.";
  const showRetry = state === "error" || state === "problem" || (state === "waiting" && !(view && view.running));
  return h(
    "section",
    { class: `card check check-${state}`, testid: t("check"), "data-state": state, "data-verified-at": view && view.verifiedAt ? String(view.verifiedAt) : false, "aria-live": "polite" },
    h("h2", {}, h("span", { class: "check-mark", "aria-hidden": "true" }, state === "verified" ? "✓ " : ""), titles[state]),
    h("p", { testid: t("check-summary") }, summary),
    outcome && outcome.details.length ? h("ul", { testid: t("check-details") }, outcome.details.map((d) => h("li", {}, d))) : null,
    outcome && outcome.advice ? h("p", { class: "advice", testid: t("check-advice") }, outcome.advice) : null,

    outcome && outcome.switchOrgs.length
      ? h(
          "div",
          { class: "check-actions" },
          outcome.switchOrgs.map((org) =>
            h("button", { class: "secondary", type: "button", testid: `${t("check-switch-org")}-${org.id}`, onclick: () => signIn("pinecone", org.id) }, `Sign in to ${org.name}`),
          ),
        )
      : null,
    h("p", { class: "meta check-status", testid: t("check-status") }, status),
    signInFor(stepId, outcome, state),
    h(
      "div",
      { class: "check-actions" },
      showRetry ? h("button", { class: "secondary", type: "button", testid: t("check-retry"), onclick: () => runCheck(stepId) }, "Check again") : null,
      // The entry the cause opened can be below the fold; this takes the user (and focus) there.
      outcome && outcome.trouble && !(view && view.error)
        ? h("button", { class: "quiet", type: "button", testid: t("check-help"), onclick: () => showHelpFor(stepId, /** @type {Trouble} */ (outcome.trouble)) }, "More help below")
        : null,
      outcome && outcome.offerLink
        ? h(
            "button",
            {
              class: "secondary",
              type: "button",
              testid: t("check-regenerate"),
              onclick: () =>
                backend.regenerateLink().then(
                  () => {
                    // Opened: an error from an earlier try is no longer true.
                    if (views[stepId] && views[stepId].error) {
                      views[stepId].error = undefined;
                      redraw(stepId);
                    }
                  },
                  (/** @type {AppError} */ e) => {
                    if (views[stepId]) views[stepId].error = e;
                    redraw(stepId);
                  },
                ),
            },
            "Open the Configure account page again",
          )
        : null,
    ),
  );
}
