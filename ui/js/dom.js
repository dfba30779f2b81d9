// @ts-check
//! Tiny DOM builders. Text always goes in through textContent, never innerHTML, so nothing from
//! data files or errors can inject markup.

/**
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Node|string|null|undefined|false|Array<Node|string|null|undefined|false>)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "testid") el.dataset.testid = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

/**
 * Renders the seed's `**bold**` markers as <strong>, everything else as text.
 * @param {string} text
 * @returns {Array<Node|string>}
 */
export function rich(text) {
  return text.split("**").map((part, i) => (i % 2 === 1 ? h("strong", {}, part) : part));
}

/** @param {number|null|undefined} ms */
export function when(ms) {
  if (!ms) return "";
  return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/**
 * Copies `text` to the clipboard and says so on `button`; where the clipboard can't be used, it
 * selects the address in `input` so Ctrl+C copies it.
 * @param {string} text @param {HTMLInputElement} input @param {Element} button
 */
export function copyText(text, input, button) {
  const label = button.textContent;
  const fallback = () => {
    input.focus();
    input.select();
    button.textContent = "Press Ctrl+C";
  };
  const done = () => {
    button.textContent = "Copied";
    setTimeout(() => (button.textContent = label), 2000);
  };
  if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fallback);
  else fallback();
}

/**
 * Replaces `el`'s content with `content`; if focus was inside, it goes back to the control with
 * the same `data-testid`, else to the first element matching `fallback`. A background redraw
 * (a check's answer, a sign-in's progress) must not throw keyboard users to the top.
 * @param {Element} el @param {Node} content @param {string} fallback
 */
export function replaceKeepingFocus(el, content, fallback) {
  const active = /** @type {HTMLElement|null} */ (document.activeElement);
  const hadFocus = !!active && el.contains(active);
  const focusedId = hadFocus && active ? active.dataset.testid : undefined;
  el.replaceChildren(content);
  if (!hadFocus) return;
  const same = focusedId ? /** @type {HTMLElement|null} */ (el.querySelector(`[data-testid="${focusedId}"]`)) : null;
  const target = same || /** @type {HTMLElement|null} */ (el.querySelector(fallback));
  if (target) target.focus();
}
