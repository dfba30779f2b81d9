// @ts-check
//! The sign-in settings screen: what each provider signs in with, where those settings came from,
//! and the notes (data, in crates/wizard/content/settings.toml) on what a deployment must register
//! and what is unverified. Read-only: settings are changed by the deployer or in signin.toml.

import { h } from "./dom.js";
import { backend } from "./backend.js";

/**
 * @typedef {import("../ipc/About").About} About
 * @typedef {import("../ipc/SignInSettings").SignInSettings} SignInSettings
 * @typedef {import("../ipc/SettingsContent").SettingsContent} SettingsContent
 * @typedef {import("../ipc/SettingsLayer").SettingsLayer} SettingsLayer
 */

/** @param {SettingsLayer} layer @param {SettingsContent} words */
function layerText(layer, words) {
  switch (layer.kind) {
    case "builtIn":
      return words.builtIn;
    case "deployment":
      return words.deployment;
    case "file":
      return `${words.file}: ${layer.path}`;
    case "environment":
      return `${words.environment}: ${layer.variables.join(", ")}`;
  }
}

/** @param {string} label @param {string|null} value @param {string} testid */
function row(label, value, testid) {
  return h("div", { class: "setting" }, h("dt", {}, label), h("dd", { testid }, value || "—"));
}

/** @param {SettingsContent} words @param {About} about */
function aboutCard(words, about) {
  return h(
    "div",
    { class: "card", testid: "settings-about" },
    h("h2", {}, words.aboutTitle),
    h(
      "dl",
      { class: "settings" },
      row("Version", about.version, "about-version"),
      row("Build", about.build === "release" ? "Release" : "Debug (for development)", "about-build"),
    ),
    h("p", { testid: "about-mode" }, about.demo ? words.aboutDemo : words.aboutLive),
  );
}

/**
 * @param {SettingsContent} words @param {SignInSettings|null} settings @param {About|null} about
 * @param {() => void} back
 */
export function settingsScreen(words, settings, about, back) {
  const result = h("p", { testid: "support-bundle-result", "aria-live": "polite" });
  const save = () => {
    result.className = "meta";
    result.textContent = "Saving…";
    delete result.dataset.code;
    backend.saveSupportBundle().then(
      (saved) => {
        result.textContent = `Saved: ${saved.path}`;
        result.dataset.path = saved.path;
      },
      (/** @type {import("../ipc/AppError").AppError} */ e) => {
        result.className = "error";
        result.dataset.code = e.code;
        result.textContent = e.message;
      },
    );
  };
  return h(
    "section",
    { class: "screen", testid: "screen-settings" },
    h("h1", { tabindex: "-1", class: "screen-title" }, words.title),
    h("p", { class: "lead" }, words.intro),
    settings && settings.problem ? h("p", { class: "error", role: "alert", testid: "settings-problem" }, settings.problem) : null,
    about ? aboutCard(words, about) : null,
    h(
      "div",
      { class: "card", testid: "support-bundle" },
      h("h2", {}, words.bundleTitle),
      h("p", {}, words.bundleBody),
      h("button", { class: "secondary", type: "button", testid: "support-bundle-save", onclick: save }, "Save a support bundle"),
      result,
    ),
    !settings
      ? h("p", { class: "meta" }, "Reading the settings…")
      : [
          h("div", { class: "card" }, h("h2", {}, words.layersTitle), h("ul", { testid: "settings-layers" }, settings.layers.map((l) => h("li", {}, layerText(l, words))))),
          ...settings.providers.map((p) =>
            h(
              "div",
              { class: "card", testid: `settings-${p.id}` },
              h("h2", {}, p.name),
              h(
                "dl",
                { class: "settings" },
                row("Client id", p.clientId || words.notSetUp, `settings-client-id-${p.id}`),
                row("Sign-in page", p.authorizeUrl, `settings-authorize-${p.id}`),
                row("Token endpoint", p.tokenUrl, `settings-token-${p.id}`),
                row("Audience", p.audience, `settings-audience-${p.id}`),
                row("Scopes", p.scopes.join(" "), `settings-scopes-${p.id}`),
                row("Redirect", p.redirect, `settings-redirect-${p.id}`),
                row("Response mode", p.responseMode, `settings-response-mode-${p.id}`),
              ),
              h("ul", { class: "notes", testid: `settings-notes-${p.id}` }, (p.id === "microsoft" ? words.notes.microsoft : words.notes.pinecone).map((n) => h("li", {}, n))),
            ),
          ),
          h(
            "div",
            { class: "card", testid: "settings-azure-cli" },
            h("h2", {}, words.azureCliTitle),
            h("p", {}, settings.azureCliFound ? `${words.azureCliFound} ${settings.azureCliFound}` : words.azureCliMissing),
            h("ul", { class: "notes" }, words.notes.azureCli.map((n) => h("li", {}, n))),
          ),
        ],
    h("div", { class: "nav" }, h("button", { class: "secondary", type: "button", testid: "settings-back", onclick: back }, "Back")),
  );
}
