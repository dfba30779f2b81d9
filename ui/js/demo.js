// @ts-check
//! Demo mode's banner: a clear DEMO marker, the scenario (chosen on the start screen) and Reset.

import { backend } from "./backend.js";
import { h } from "./dom.js";

/**
 * @typedef {import("../ipc/DemoStatus").DemoStatus} DemoStatus
 * @typedef {import("../ipc/Scenario").Scenario} Scenario
 */

/** @type {DemoStatus|null} */
let status = null;

export async function loadDemo() {
  try {
    status = await backend.demoStatus();
  } catch {
    status = null;
  }
  return status;
}

export function isDemo() {
  return !!(status && status.enabled);
}

/** @type {Record<Scenario, string>} */
const LABELS = {
  "happy-path": "Happy path",
  "not-owner": "Not an owner",
  "not-starter": "Org not on Starter",
  "stuck-pending": "Activation stuck at pending",
  "recurring-off": "Recurring billing off",
  "spending-limit": "Subscription with a spending limit",
  "unregistered-provider": "First Marketplace purchase in the subscription",
  "payment-pending": "Payment pending after connecting",
  "foreign-resource": "Another vendor's purchase in the subscription",
  "wrong-org-token": "Signed in to the wrong organization",
  "paged-lists": "Large account (long lists)",
};

/**
 * @param {boolean} onStart whether the start screen is shown (the scenario can be changed there)
 * @param {(scenario: Scenario|null) => void} reset
 */
export function demoBanner(onStart, reset) {
  if (!status || !status.enabled) return null;
  /** @type {Scenario} */
  const current = status.scenario || "happy-path";
  const picker = onStart
    ? h(
        "label",
        { class: "demo-scenario" },
        "Scenario: ",
        h(
          "select",
          {
            testid: "demo-scenario",
            onchange: (/** @type {Event} */ e) => {
              const value = /** @type {Scenario} */ (/** @type {HTMLSelectElement} */ (e.target).value);
              if (status) status.scenario = value;
              reset(value);
            },
          },
          status.scenarios.map((s) => h("option", { value: s, selected: s === current }, LABELS[s])),
        ),
      )
    : h("span", { testid: "demo-scenario-name" }, `Scenario: ${LABELS[current]}`);
  return h(
    "aside",
    { class: "demo-banner", "aria-label": "Demo mode", testid: "demo-banner" },
    h("strong", {}, "DEMO"),
    h("span", {}, "Pinecone and Azure are simulated here; nothing real is bought."),
    picker,
    h("button", { class: "secondary", type: "button", testid: "demo-reset", onclick: () => reset(null) }, "Reset demo"),
  );
}
