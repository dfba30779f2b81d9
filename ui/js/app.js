// @ts-check
//! The controller: loads the catalog and the wizard snapshot, draws the current screen, and turns
//! clicks into backend calls. It holds only UI state (which screen overlay is open, busy, last error).

import { backend } from "./backend.js";
import { h, copyText } from "./dom.js";
import { startScreen, annualScreen, stepList, stepScreen, finishScreen } from "./screens.js";
import { onSignInChange, refreshStatus, resetSignIns } from "./signin.js";
import { configureChecks, recheckShown, resetChecks } from "./checks.js";
import { demoBanner, loadDemo, isDemo } from "./demo.js";
import { settingsScreen } from "./settings.js";
import { resetHelp } from "./help.js";

/**
 * @typedef {import("../ipc/Catalog").Catalog} Catalog
 * @typedef {import("../ipc/Snapshot").Snapshot} Snapshot
 * @typedef {import("../ipc/AppError").AppError} AppError
 * @typedef {import("../ipc/Scenario").Scenario} Scenario
 */

const ui = {
  /** @type {Catalog|null} */ catalog: null,
  /** @type {Snapshot|null} */ snap: null,
  /** Start-screen sub-page that isn't part of any flow. */ annual: false,
  /** The sign-in settings screen is open, over whatever screen was there. */ settings: false,
  /** @type {import("../ipc/SignInSettings").SignInSettings|null} */ settingsView: null,
  /** @type {import("../ipc/About").About|null} */ about: null,
  /** @type {AppError|null} */ error: null,
  confirmStartOver: false,
  busy: false,
};

const appEl = /** @type {HTMLElement} */ (document.getElementById("app"));
const noticeEl = /** @type {HTMLElement} */ (document.getElementById("notice-area"));
const dialogEl = /** @type {HTMLElement} */ (document.getElementById("dialog-area"));
const demoEl = /** @type {HTMLElement} */ (document.getElementById("demo-area"));
const topbarEl = /** @type {HTMLElement} */ (document.getElementById("topbar-actions"));

/** Opens the sign-in settings screen (and reads the settings in effect). */
async function openSettings() {
  ui.settings = true;
  render();
  try {
    [ui.settingsView, ui.about] = await Promise.all([backend.signinSettings(), backend.about()]);
  } catch (err) {
    setError(/** @type {AppError} */ (err));
  }
  if (ui.settings) render();
}

function drawTopbar() {
  topbarEl.replaceChildren(
    h("button", { class: "topbar-link", type: "button", testid: "open-settings", onclick: () => openSettings(), "aria-pressed": ui.settings ? "true" : "false" }, "Settings and about"),
  );
}

/** Demo reset: everything starts over, optionally in another scenario. @param {Scenario|null} scenario */
async function resetDemo(scenario) {
  const started = performance.now();
  const ran = await run(async () => {
    const snap = await backend.demoReset(scenario);
    resetChecks();
    resetSignIns();
    resetHelp();
    ui.annual = false;
    return snap;
  });
  // Another call was in flight, so nothing was reset; say nothing happened rather than pretend.
  if (!ran) return;
  await loadDemo();
  await refreshStatus();
  render();
  // Read by scripts/bench-demo.sh.
  document.body.dataset.lastResetMs = String(Math.round(performance.now() - started));
}

function drawDemo() {
  demoEl.replaceChildren();
  const onStart = !(ui.snap && ui.snap.flow);
  const banner = demoBanner(onStart, resetDemo);
  if (banner) demoEl.append(banner);
}

/**
 * Runs one backend call at a time; a double click must not skip a step.
 * @param {() => Promise<Snapshot|void>} op
 * @returns {Promise<boolean>} whether it ran (false while another call was in flight)
 */
async function run(op) {
  if (ui.busy) return false;
  ui.busy = true;
  document.body.dataset.busy = "true";
  try {
    const snap = await op();
    if (snap) ui.snap = snap;
    ui.error = null;
  } catch (err) {
    ui.error = /** @type {AppError} */ (err);
  } finally {
    ui.busy = false;
    delete document.body.dataset.busy;
    render();
  }
  return true;
}

/** @type {import("./screens.js").Handlers} */
const on = {
  choose: (id) => run(() => backend.chooseFlow(id)),
  next: () => run(() => backend.nextStep()),
  back: () => run(() => backend.previousStep()),
  jump: (id) => run(() => backend.openStep(id)),
  startOver: () => {
    ui.confirmStartOver = true;
    render();
  },
  annual: () => {
    ui.annual = true;
    ui.error = null;
    render();
  },
  home: () => {
    ui.annual = false;
    ui.error = null;
    render();
  },
  open: (url) => {
    // Stay on the screen; only report a failure.
    backend.openUrl(url).then(
      () => setError(null),
      (err) => setError(err),
    );
  },
  copy: (url, input, button) => copyText(url, input, button),
};

/** @param {AppError|null} err */
function setError(err) {
  ui.error = err;
  drawError();
}

function drawError() {
  const slot = document.getElementById("error-slot");
  if (!slot) return;
  slot.replaceChildren();
  if (ui.error) {
    slot.append(h("div", { class: "error", role: "alert", testid: "error-message", "data-code": ui.error.code }, ui.error.message));
  }
}

function drawNotice() {
  noticeEl.replaceChildren();
  const notice = ui.snap && ui.snap.notice;
  if (!notice) return;
  noticeEl.append(
    h(
      "aside",
      { class: "notice", "aria-label": "Notice", testid: "notice", "data-code": notice.code },
      h("p", { role: "status" }, notice.message),
      h("button", { class: "secondary", type: "button", testid: "notice-dismiss", onclick: () => run(() => backend.dismissNotice()) }, "OK"),
    ),
  );
}

function drawDialog() {
  dialogEl.replaceChildren();
  if (!ui.confirmStartOver) return;
  const close = () => {
    ui.confirmStartOver = false;
    render();
  };
  const confirm = () => {
    ui.confirmStartOver = false;
    ui.annual = false;
    resetChecks();
    resetHelp();
    run(() => backend.startOver());
  };
  const cancel = h("button", { class: "secondary", type: "button", testid: "start-over-cancel", onclick: close }, "No, keep my progress");
  const box = h(
    "div",
    { class: "dialog", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "confirm-title", "aria-describedby": "confirm-body", testid: "start-over-dialog" },
    h("h2", { id: "confirm-title" }, "Start over?"),
    h("p", { id: "confirm-body" }, "This forgets which steps you have done. Anything you already did in Pinecone or Azure stays as it is."),
    h("div", { class: "nav" }, cancel, h("button", { class: "danger", type: "button", testid: "start-over-confirm", onclick: confirm }, "Yes, start over")),
  );
  box.addEventListener("keydown", (e) => {
    if (e.key === "Escape") close();
    // Keep keyboard focus inside the dialog while it is open.
    if (e.key === "Tab") {
      const buttons = /** @type {HTMLElement[]} */ ([...box.querySelectorAll("button")]);
      const i = buttons.indexOf(/** @type {HTMLElement} */ (document.activeElement));
      const j = e.shiftKey ? (i <= 0 ? buttons.length - 1 : i - 1) : (i + 1) % buttons.length;
      buttons[j].focus();
      e.preventDefault();
    }
  });
  dialogEl.append(h("div", { class: "backdrop" }, box));
  cancel.focus();
}

/**
 * Draws the current screen. With keepFocus (a background update such as a check result), focus
 * stays on the element the user was on instead of moving to the heading.
 * @param {{keepFocus?: boolean}} [opts]
 */
function render(opts = {}) {
  const focused = /** @type {HTMLElement|null} */ (document.activeElement);
  const focusedId = opts.keepFocus && focused && focused.dataset ? focused.dataset.testid : undefined;
  const catalog = /** @type {Catalog} */ (ui.catalog);
  const snap = /** @type {Snapshot} */ (ui.snap);
  const flow = snap.flow ? catalog.flows.find((f) => f.id === snap.flow) : undefined;
  /** @type {HTMLElement[]} */
  let parts;
  if (ui.settings) {
    const back = () => {
      ui.settings = false;
      render();
    };
    parts = [h("main", { class: "main" }, h("div", { id: "error-slot" }), settingsScreen(catalog.settings, ui.settingsView, ui.about, back))];
  } else if (!flow) {
    parts = [h("main", { class: "main" }, h("div", { id: "error-slot" }), ui.annual ? annualScreen(catalog, on) : startScreen(catalog, on))];
  } else {
    const screen = snap.position.screen === "finish" ? finishScreen(flow, snap, on) : stepScreen(flow, snap, on);
    parts = [stepList(flow, snap, on), h("main", { class: "main" }, h("div", { id: "error-slot" }), screen)];
  }
  appEl.className = flow && !ui.settings ? "layout with-steps" : "layout";
  appEl.replaceChildren(...parts);
  drawError();
  drawNotice();
  drawDialog();
  drawDemo();
  drawTopbar();
  document.body.dataset.screen = ui.settings ? "settings" : flow ? snap.position.screen : ui.annual ? "annual" : "start";
  if (opts.keepFocus) {
    const again = focusedId ? /** @type {HTMLElement|null} */ (document.querySelector(`[data-testid="${focusedId}"]`)) : null;
    if (again) again.focus();
    return;
  }
  // A new screen starts at the top: the window kept the last screen's scroll position, so the
  // step after a long one opened scrolled down, its title out of sight.
  window.scrollTo(0, 0);
  // Move focus to the new screen's heading so keyboard and screen-reader users start at the top.
  if (!ui.confirmStartOver) {
    const title = /** @type {HTMLElement|null} */ (appEl.querySelector(".screen-title"));
    if (title) title.focus();
  }
}

/** When the document finished parsing, for the start-up timeline (module scripts run before it). */
let domContentLoaded = 0;
document.addEventListener("DOMContentLoaded", () => (domContentLoaded = performance.now()));

async function boot() {
  let firstAnswer = 0;
  try {
    [ui.catalog, ui.snap] = await Promise.all([backend.getCatalog(), backend.getState()]);
    firstAnswer = performance.now();
    await loadDemo();
    // A check result redraws only when it changed something (a step became verified). In demo
    // mode the simulated services answer at once, so polling can be brisk.
    configureChecks(
      (snap) => {
        if (JSON.stringify(snap) === JSON.stringify(ui.snap)) return;
        ui.snap = snap;
        render({ keepFocus: true });
      },
      isDemo() ? 1000 : 30000,
    );
    // A sign-in may be what a check on screen was waiting for.
    onSignInChange(() => recheckShown());
  } catch (err) {
    const e = /** @type {AppError} */ (err);
    appEl.replaceChildren(h("div", { class: "error", role: "alert", testid: "error-message", "data-code": e.code }, e.message));
    return;
  }
  render();
  document.body.dataset.ready = "true";
  refreshStatus();
  // Two frames: the first is scheduled before paint, the second runs after it.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => backend.uiPainted({ domContentLoaded, firstAnswer, painted: performance.now() }).catch(() => {})),
  );
}

boot();
