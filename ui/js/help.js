// @ts-check
//! "Something's wrong?": the step's troubleshooting entries, from the flow file's `[[help]]`, in
//! the same place at the end of every step (WCAG 3.2.6). A live check that finds a known cause
//! opens its entry by itself (`openHelpFor`); the user can open any entry at any time.

import { h } from "./dom.js";

/**
 * @typedef {import("../ipc/FlowDef").FlowDef} Flow
 * @typedef {import("../ipc/StepDef").StepDef} Step
 * @typedef {import("../ipc/Trouble").Trouble} Trouble
 */

/** Entries a check opened, by `step/trouble`, so a redrawn screen keeps them open. */
const opened = new Set();
/** Entries the user closed after a check opened them: not opened again. */
const dismissed = new Set();

/** Forgets which entries were opened (Start over, a demo reset). */
export function resetHelp() {
  opened.clear();
  dismissed.clear();
}

/** @param {Flow} flow @param {Step} step */
export function helpSection(flow, step) {
  return h(
    "section",
    { class: "help", testid: "help", "aria-labelledby": "help-title" },
    h("h2", { id: "help-title" }, "Something's wrong?"),
    step.help.map((trouble) => {
      // The catalog's validation guarantees every entry a step names exists.
      const def = /** @type {import("../ipc/HelpDef").HelpDef} */ (flow.help.find((d) => d.trouble === trouble));
      const key = `${step.id}/${trouble}`;
      const entry = h(
        "details",
        { testid: `help-${trouble}`, "data-trouble": trouble, "data-step": step.id, open: opened.has(key), "data-opened-by": opened.has(key) ? "check" : false },
        h("summary", { testid: `help-open-${trouble}` }, def.title),
        def.body.map((p) => h("p", {}, p)),
      );
      entry.addEventListener("toggle", () => {
        if (!(/** @type {HTMLDetailsElement} */ (entry).open) && opened.delete(key)) dismissed.add(key);
      });
      return entry;
    }),
  );
}

/**
 * Opens step `stepId`'s entry for `trouble` (even one the user closed: they asked), scrolls to it
 * and puts focus on its summary.
 * @param {string} stepId @param {Trouble} trouble
 */
export function showHelpFor(stepId, trouble) {
  const entry = /** @type {HTMLDetailsElement|null} */ (document.querySelector(`[data-testid="help-${trouble}"][data-step="${stepId}"]`));
  if (!entry) return;
  entry.open = true;
  entry.scrollIntoView({ block: "start" });
  const summary = /** @type {HTMLElement|null} */ (entry.querySelector("summary"));
  if (summary) summary.focus({ preventScroll: true });
}

/**
 * Opens step `stepId`'s entry for `trouble`, once: a user who closed it again is left alone.
 * @param {string} stepId @param {Trouble} trouble
 */
export function openHelpFor(stepId, trouble) {
  const key = `${stepId}/${trouble}`;
  if (dismissed.has(key) || opened.has(key)) return;
  const entry = /** @type {HTMLDetailsElement|null} */ (document.querySelector(`[data-testid="help-${trouble}"][data-step="${stepId}"]`));
  if (!entry) return;
  opened.add(key);
  entry.dataset.openedBy = "check";
  entry.open = true;
}
