// A copyable example test for QA engineers, in WebdriverIO (standalone: `remote()`, no wdio test
// runner). It drives the real Billing Assistant through tauri-driver (which drives
// WebKitWebDriver) in demo mode, using only the `data-testid` selectors docs/selectors.md
// promises: it chooses "connect my existing organization", checks the first two steps' titles
// and counters, starts over and lands on the start screen. It exits non-zero on any failure.
//
// It needs nothing from this repository but the app, so it can be copied as it is. Its project
// needs `webdriverio` (9.x) from npm, `tauri-driver` on PATH (`cargo install tauri-driver`, or
// name it in TAURI_DRIVER), WebKitWebDriver (Debian: `webkit2gtk-driver`) and a display.
//   BA_APP_BINARY=/path/to/billing-assistant node qa-example.mjs
// Here: scripts/headless.sh scripts/wdio-example.sh (the debug build, or BA_APP_BINARY).
import { remote } from "webdriverio";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Generous: a debug build on a busy CI machine is slow to start, and a timeout fails the test
// with a message rather than hanging it.
const WAIT_MS = 20_000;

const application = process.env.BA_APP_BINARY;
if (!application || !existsSync(application)) {
  console.error(`BA_APP_BINARY must name the app binary (got ${JSON.stringify(application)})`);
  process.exit(2);
}

/** Two free ports, for tauri-driver and its WebKitWebDriver. Both are held until both are known,
 * or the OS could hand out the same port twice. @returns {Promise<number[]>} */
async function twoFreePorts() {
  const servers = [createServer(), createServer()];
  const ports = await Promise.all(
    servers.map((s) => new Promise((ok) => s.listen(0, "127.0.0.1", () => ok(/** @type {any} */ (s.address()).port)))),
  );
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

/** @param {number} ms */
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

const home = mkdtempSync(join(tmpdir(), "ba-qa-example-"));
const logPath = join(home, "app.log");
const [port, nativePort] = await twoFreePorts();
const program = process.env.TAURI_DRIVER || "tauri-driver";
const tauriDriver = spawn(program, ["--port", String(port), "--native-port", String(nativePort)], {
  // tauri-driver hands its environment on to the app.
  env: {
    ...process.env,
    // Demo mode simulates Pinecone and Azure on this machine; said explicitly so a
    // BA_MODE=live in the shell can't win.
    BA_MODE: "demo",
    // Fresh data and config folders: no progress or signin.toml from an earlier run, and no clash
    // with a copy the tester has open (a second copy on the same data folder only brings the
    // first one's window forward and exits).
    XDG_DATA_HOME: join(home, "data"),
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    // Pages the app opens go nowhere instead of into the tester's browser.
    BROWSER: "true",
  },
  stdio: ["ignore", "ignore", openSync(logPath, "a")],
});
let exited = false;
tauriDriver.on("exit", () => (exited = true));
tauriDriver.on("error", (e) => {
  console.error(`couldn't start ${program} (${e.message}): is tauri-driver installed?`);
  exited = true;
});

/** Waits until tauri-driver answers GET /status as ready: it forwards /status to WebKitWebDriver,
 * so ready means both are up. */
async function waitForTauriDriver() {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (exited) throw new Error(`${program} exited before it answered`);
    try {
      const status = await (await fetch(`http://127.0.0.1:${port}/status`)).json();
      if (status.value && status.value.ready === true) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`tauri-driver didn't answer on port ${port} within ${WAIT_MS} ms`);
    await sleep(100);
  }
}

/** @param {string} testid */
const byTestId = (testid) => `[data-testid="${testid}"]`;

/** @type {WebdriverIO.Browser | undefined} */
let app;
let failed = false;
try {
  await waitForTauriDriver();
  // hostname, port and path name tauri-driver, so WebdriverIO connects to it and never downloads
  // or starts a browser or driver of its own.
  app = await remote({
    hostname: "127.0.0.1",
    port,
    path: "/",
    logLevel: "warn",
    connectionRetryCount: 0,
    capabilities: {
      browserName: "wry",
      "tauri:options": { application },
      // The app's webview speaks classic WebDriver only; don't ask for a BiDi socket.
      "wdio:enforceWebDriverClassic": true,
    },
  });
  const browser = app;

  /** @param {string} testid */
  const find = async (testid) => {
    const el = browser.$(byTestId(testid));
    await el.waitForExist({ timeout: WAIT_MS, timeoutMsg: `no ${byTestId(testid)} after ${WAIT_MS} ms` });
    return el;
  };
  /** @param {string} testid */
  const exists = async (testid) => (await browser.$$(byTestId(testid)).length) > 0;
  // WebdriverIO finds an element again by its selector when the app has redrawn it (the app
  // redraws the whole screen when a background update, a live check or a sign-in status,
  // changes something), so reading and clicking need no stale-element retry of our own.
  /** @param {string} testid */
  const text = async (testid) => (await find(testid)).getText();
  /** @param {string} testid @param {string} name */
  const attr = async (testid, name) => (await find(testid)).getAttribute(name);
  // Clicks like a user who waits for the screen to settle: the app ignores clicks while a command
  // runs (data-busy on <body>), so a double click can't skip a step.
  /** @param {string} testid */
  const click = async (testid) => {
    await browser.waitUntil(() => browser.execute(() => !document.body.dataset.busy), {
      timeout: WAIT_MS,
      timeoutMsg: "the app never finished its last command",
    });
    await (await find(testid)).click();
  };

  await browser.waitUntil(() => browser.execute(() => document.body.dataset.ready === "true"), {
    timeout: WAIT_MS,
    timeoutMsg: "the app never drew its first screen",
  });

  // A fresh data folder starts on the start screen, in demo mode.
  await find("screen-start");
  assert.ok(await exists("demo-banner"), "demo mode shows the DEMO banner");

  await click("start-flow-connect-existing-org");
  await find("screen-step-open-billing");
  assert.equal(await attr("screen-step-open-billing", "data-step-index"), "0");
  assert.equal(await text("step-counter"), "Step 1 of 12 · Pinecone console");
  assert.equal(await text("step-title"), "In the Pinecone console, go to your profile > Billing and settings > Billing.");
  assert.equal(await attr("steplist-open-billing", "data-state"), "current");

  await click("wizard-next");
  await find("screen-step-connect-marketplace");
  assert.equal(await attr("screen-step-connect-marketplace", "data-step-index"), "1");
  assert.equal(await text("step-counter"), "Step 2 of 12 · Pinecone console");
  assert.equal(await text("step-title"), "In the Billing Contact section, click Connect to cloud marketplace.");
  assert.equal(await attr("steplist-open-billing", "data-state"), "done", "Next marks step 1 done");

  // Start over asks first; confirming forgets the progress and goes back to the start screen.
  await click("start-over");
  await find("start-over-dialog");
  await click("start-over-confirm");
  await find("screen-start");
  assert.equal(await exists("start-over-dialog"), false, "the dialog closes");
  assert.equal(await exists("steplist"), false, "no flow is chosen any more");

  console.log("qa-example: ok (start screen → connect flow steps 1 and 2 → Start over → start screen)");
} catch (e) {
  failed = true;
  console.error("qa-example: FAILED\n", e);
  console.error(`--- what tauri-driver and the app printed ---\n${readFileSync(logPath, "utf8")}`);
} finally {
  // Ending the session closes the app the way a user quitting it would; then tauri-driver gets
  // SIGTERM (not SIGKILL), so it can stop WebKitWebDriver and the app too.
  if (app) await app.deleteSession().catch((e) => console.error(`closing the app: ${e}`));
  if (!exited) {
    const gone = new Promise((ok) => tauriDriver.once("exit", ok));
    tauriDriver.kill("SIGTERM");
    await gone;
  }
  rmSync(home, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
