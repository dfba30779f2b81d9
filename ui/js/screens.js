// @ts-check
//! Builds each screen from the catalog (flow data) and the wizard snapshot. No rules live here:
//! which steps are done, current or reachable comes from the snapshot.

import { h, rich, when } from "./dom.js";
import { signInSlot } from "./signin.js";
import { checkSlot } from "./checks.js";
import { helpSection } from "./help.js";

/**
 * @typedef {import("../ipc/LinkDef").LinkDef} Link
 * @typedef {import("../ipc/FlowDef").FlowDef} Flow
 * @typedef {import("../ipc/Catalog").Catalog} Catalog
 * @typedef {import("../ipc/Snapshot").Snapshot} Snapshot
 * @typedef {import("../ipc/StepState").StepState} StepState
 * @typedef {{choose: (id: string) => void, next: () => void, back: () => void, jump: (id: string) => void,
 *            startOver: () => void, annual: () => void, home: () => void, open: (url: string, testid: string) => void,
 *            copy: (url: string, input: HTMLInputElement, button: HTMLElement) => void}} Handlers
 */

/**
 * A page the user can open: the Open button, the URL itself and a Copy button.
 * @param {Link} link @param {string} prefix @param {Handlers} on
 */
export function linkBlock(link, prefix, on) {
  const input = /** @type {HTMLInputElement} */ (
    h("input", { class: "url", type: "text", readonly: true, value: link.url, "aria-label": `Address of: ${link.label}`, testid: `${prefix}-url-${link.id}` })
  );
  const copy = h("button", { class: "secondary", type: "button", testid: `${prefix}-copy-${link.id}` }, "Copy link");
  copy.addEventListener("click", () => on.copy(link.url, input, copy));
  // One row: the page's own button first, its address and Copy beside it, so the step's action
  // takes one line of the screen.
  return h(
    "div",
    { class: "link-block" },
    h(
      "div",
      { class: "link-row" },
      h("button", { class: "primary", type: "button", testid: `${prefix}-open-${link.id}`, onclick: () => on.open(link.url, `${prefix}-open-${link.id}`) }, link.label),
      input,
      copy,
    ),
    h("p", { class: "hint" }, "If no browser opens, copy the link and paste it into your browser."),
  );
}

/** @param {Catalog} catalog @param {Handlers} on */
export function startScreen(catalog, on) {
  const s = catalog.start;
  return h(
    "section",
    { class: "screen", testid: "screen-start" },
    h("h1", { tabindex: "-1", class: "screen-title" }, s.title),
    h("p", { class: "lead" }, s.intro),
    h("div", { class: "card needs" }, h("h2", {}, s.needsTitle), h("ul", {}, s.needs.map((n) => h("li", {}, n)))),
    h("h2", {}, "What would you like to do?"),
    h(
      "div",
      { class: "choices" },
      catalog.flows.map((f) =>
        h(
          "div",
          { class: "card choice" },
          h("button", { class: "primary big", type: "button", testid: `start-flow-${f.id}`, onclick: () => on.choose(f.id) }, f.choice),
          h("p", {}, f.summary),
          h("p", { class: "meta" }, `${f.steps.length} steps`),
        ),
      ),
      h(
        "div",
        { class: "card choice" },
        h("button", { class: "secondary big", type: "button", testid: "start-annual", onclick: () => on.annual() }, s.annual.choice),
        h("p", {}, "Annual commitments are arranged with Pinecone's sales team."),
      ),
    ),
    s.links.filter((l) => l.id !== s.annual.link).map((l) => linkBlock(l, "start", on)),
  );
}

/** @param {Catalog} catalog @param {Handlers} on */
export function annualScreen(catalog, on) {
  const a = catalog.start.annual;
  // The catalog's validation guarantees the annual link exists.
  const link = /** @type {Link} */ (catalog.start.links.find((l) => l.id === a.link));
  return h(
    "section",
    { class: "screen", testid: "screen-annual" },
    h("h1", { tabindex: "-1", class: "screen-title" }, a.title),
    h("p", { class: "lead" }, a.body),
    linkBlock(link, "annual", on),
    h("div", { class: "nav" }, h("button", { class: "secondary", type: "button", testid: "annual-back", onclick: () => on.home() }, "Back to the start")),
  );
}

/** @param {Flow} flow @param {Snapshot} snap @param {Handlers} on */
export function stepList(flow, snap, on) {
  /** @type {Record<StepState, string>} */
  const marks = { done: "✓", verified: "✓", current: "➜", "not-started": "" };
  /** @type {Record<StepState, string>} */
  const words = { done: "done by you", verified: "done and verified", current: "current step", "not-started": "not started" };
  return h(
    "nav",
    { class: "steplist", "aria-label": "Steps", testid: "steplist" },
    h("p", { class: "flow-name" }, flow.choice),
    h(
      "ol",
      {},
      flow.steps.map((step, i) => {
        const st = snap.steps[i];
        // The list shows each step's short title; the step screen has the seed's whole sentence.
        const label = [h("span", { class: "mark", "aria-hidden": "true" }, marks[st.state] || String(i + 1)), h("span", { class: "title" }, step.short), h("span", { class: "sr-only" }, ` (step ${i + 1}, ${words[st.state]})`)];
        const inner = st.canOpen && st.state !== "current"
          ? h("button", { type: "button", class: "step-link", testid: `steplist-open-${step.id}`, onclick: () => on.jump(step.id) }, label)
          : h("span", { class: "step-link" }, label);
        return h("li", { class: `state-${st.state}`, testid: `steplist-${step.id}`, "data-state": st.state, "aria-current": st.state === "current" ? "step" : false }, inner);
      }),
    ),
    h("button", { class: "quiet", type: "button", testid: "start-over", onclick: () => on.startOver() }, "Start over"),
  );
}

/** @param {Flow} flow @param {Snapshot} snap @param {Handlers} on */
export function stepScreen(flow, snap, on) {
  const index = /** @type {number} */ (snap.stepIndex);
  const step = flow.steps[index];
  const last = index === flow.steps.length - 1;
  const links = step.links.map((id) => /** @type {Link} */ (flow.links.find((l) => l.id === id)));
  return h(
    "section",
    { class: "screen", testid: `screen-step-${step.id}`, "data-step-index": String(index) },
    h(
      "div",
      { class: "step-meta" },
      h("p", { class: "meta", testid: "step-counter" }, `Step ${index + 1} of ${flow.steps.length}`, h("span", { class: "place" }, ` · ${step.place}`)),
      h("button", { class: "quiet small", type: "button", testid: "help-jump", onclick: () => jumpToHelp() }, "Something's wrong?"),
    ),
    h("h1", { tabindex: "-1", class: "screen-title", testid: "step-title" }, rich(step.seed)),
    step.seedMore.map((p) => h("p", { class: "seed-more" }, rich(p))),
    h("p", { class: "explain", testid: "step-explain" }, h("strong", {}, "What to do: "), step.explain),
    links.map((l) => linkBlock(l, "step", on)),
    // One box per step for checking it: the check's panel holds the sign-in it needs, so the
    // step never asks twice. A step with a sign-in but no check shows the sign-in alone.
    step.check ? checkSlot(step.id, step.signIn) : step.signIn ? signInSlot(step.signIn) : null,
    h(
      "div",
      { class: "nav" },
      h("button", { class: "secondary", type: "button", testid: "wizard-back", disabled: !snap.canGoBack, onclick: () => on.back() }, "Back"),
      h("button", { class: "primary", type: "button", testid: "wizard-next", onclick: () => on.next() }, last ? "I've done this — finish" : "I've done this — next step"),
    ),
    h("div", { class: "why", testid: "step-why" }, h("h2", {}, "Why this step"), h("p", {}, step.why)),
    helpSection(flow, step),
  );
}

/** "Something's wrong?" at the top of a step takes the user (and focus) to the help below. */
function jumpToHelp() {
  const help = /** @type {HTMLElement|null} */ (document.querySelector('[data-testid="help"]'));
  if (!help) return;
  help.scrollIntoView({ block: "start" });
  const first = /** @type {HTMLElement|null} */ (help.querySelector("summary"));
  if (first) first.focus({ preventScroll: true });
}

/** @param {Flow} flow @param {Snapshot} snap @param {Handlers} on */
export function finishScreen(flow, snap, on) {
  return h(
    "section",
    { class: "screen", testid: "screen-finish" },
    h("p", { class: "meta" }, "All steps done"),
    h("h1", { tabindex: "-1", class: "screen-title" }, flow.finish.title),
    snap.confirmation.length
      ? h("div", { class: "card check-verified", testid: "finish-confirmation" }, h("h2", {}, "✓ What the assistant confirmed"), h("ul", {}, snap.confirmation.map((t) => h("li", {}, t))))
      : h("p", { class: "meta", testid: "finish-unconfirmed" }, "You marked every step done. The assistant couldn't confirm the connection itself; Pinecone's confirmation message is your proof."),
    h("div", { class: "card" }, h("h2", {}, "What has happened"), h("ul", { testid: "finish-happened" }, flow.finish.happened.map((t) => h("li", {}, t)))),
    h("div", { class: "card" }, h("h2", {}, "What comes next"), h("ul", { testid: "finish-next" }, flow.finish.next.map((t) => h("li", {}, t)))),
    h("p", { class: "meta", testid: "finish-times" }, `Started ${when(snap.startedAt)} · finished ${when(snap.finishedAt)}`),
    h(
      "div",
      { class: "nav" },
      h("button", { class: "secondary", type: "button", testid: "wizard-back", onclick: () => on.back() }, "Back to the last step"),
      h("button", { class: "secondary", type: "button", testid: "finish-start-over", onclick: () => on.startOver() }, "Start over"),
    ),
  );
}
