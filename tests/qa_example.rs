//! A copyable example test for QA engineers: the real Billing Assistant, driven through
//! tauri-driver (which drives WebKitWebDriver) in demo mode, using only the `data-testid`
//! selectors that `docs/selectors.md` promises. It chooses "connect my existing organization",
//! checks the first two steps' titles and counters, starts over and lands on the start screen.
//!
//! It deliberately uses nothing from this repository's harness (`tests/support`), so the file can
//! be copied into another project as it is. What that project needs:
//!
//! - dev-dependencies: `thirtyfour = { version = "0.38", default-features = false, features =
//!   ["reqwest"] }`, `tokio` (`macros`, `rt-multi-thread`, `time`), `reqwest` (0.12), `serde_json`
//!   and `tempfile`;
//! - `tauri-driver` on `PATH` (`cargo install tauri-driver`, or name it in `TAURI_DRIVER`) and
//!   WebKitWebDriver (Debian: `webkit2gtk-driver`);
//! - the app: `BA_APP_BINARY=/path/to/billing-assistant`, else this workspace's debug build;
//! - a display: run it under `scripts/headless.sh` (Xvfb and D-Bus) or in a desktop session.
//!
//! Here: `BA_APP_BINARY=/path/to/billing-assistant scripts/headless.sh cargo test -p e2e --test qa_example`.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};
use thirtyfour::{error::WebDriverErrorInner, prelude::*, Capabilities};

/// How long any one thing may take to appear. Generous: a debug build on a busy CI machine is slow
/// to start, and a timeout here fails the test with a message rather than hanging it.
const WAIT: Duration = Duration::from_secs(20);

/// The app binary: `BA_APP_BINARY`, else `<target>/debug/billing-assistant` of this workspace.
fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("BA_APP_BINARY") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("debug/billing-assistant")
}

/// Two free ports, for tauri-driver and the WebKitWebDriver it starts. Both listeners are held
/// until both ports are known, or the OS could hand out the same port twice.
fn two_free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let b = TcpListener::bind("127.0.0.1:0").expect("a second free port");
    (a.local_addr().unwrap().port(), b.local_addr().unwrap().port())
}

/// A running tauri-driver and the folders the app gets. Dropping it stops tauri-driver, which
/// stops WebKitWebDriver and the app with it, also when an assertion has panicked.
struct TauriDriver {
    child: Child,
    port: u16,
    home: tempfile::TempDir,
}

impl TauriDriver {
    /// Starts tauri-driver on free ports and waits until it answers `GET /status` as ready.
    async fn start() -> Self {
        let home = tempfile::tempdir().expect("a temporary folder");
        let (port, native_port) = two_free_ports();
        let program = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
        let log = std::fs::File::create(home.path().join("app.log")).expect("a log file");
        let child = Command::new(&program)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            // tauri-driver hands its environment on to the app. Demo mode simulates Pinecone and
            // Azure on this machine; said explicitly so a `BA_MODE=live` in the shell can't win.
            .env("BA_MODE", "demo")
            // Fresh data and config folders: no progress or signin.toml from an earlier run, and
            // no clash with a copy the tester has open (a second copy on the same data folder
            // only brings the first one's window forward and exits).
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            // Pages the app opens go nowhere instead of into the tester's browser.
            .env("BROWSER", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("couldn't start {program:?} ({e}): is tauri-driver installed?"));
        let driver = Self { child, port, home };
        driver.wait_ready().await;
        driver
    }

    /// tauri-driver forwards `/status` to WebKitWebDriver, so `ready: true` means both are up.
    async fn wait_ready(&self) {
        let url = format!("http://127.0.0.1:{}/status", self.port);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(answer) = reqwest::get(&url).await {
                if let Ok(status) = answer.json::<serde_json::Value>().await {
                    if status["value"]["ready"] == true {
                        return;
                    }
                }
            }
            assert!(Instant::now() < deadline, "tauri-driver didn't answer {url} within {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A WebDriver session with the app: tauri-driver launches `application` for it.
    async fn launch_app(&self) -> App {
        let binary = app_binary();
        assert!(binary.exists(), "{} is missing: build the app or set BA_APP_BINARY", binary.display());
        let mut caps = Capabilities::new();
        caps.set("browserName", "wry").unwrap();
        caps.set("tauri:options", serde_json::json!({ "application": binary })).unwrap();
        let driver = WebDriver::new(format!("http://127.0.0.1:{}", self.port), caps).await.expect("a session with the app");
        let app = App { driver };
        app.wait_until("the first screen is drawn", "return document.body.dataset.ready === 'true'").await;
        app
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        // SIGTERM, not Child::kill's SIGKILL: tauri-driver must get to stop WebKitWebDriver and the app.
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.home.path().join("app.log")).unwrap_or_default();
            eprintln!("--- what tauri-driver and the app printed ---\n{log}");
        }
    }
}

/// The app's window, addressed by `data-testid`.
struct App {
    driver: WebDriver,
}

impl App {
    fn by(testid: &str) -> By {
        By::Css(format!("[data-testid=\"{testid}\"]"))
    }

    /// Polls a script that returns a boolean until it returns true.
    async fn wait_until(&self, what: &str, script: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let answer = self.driver.execute(script, vec![]).await.expect("run a script in the app");
            if answer.json() == &serde_json::Value::Bool(true) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out after {WAIT:?} waiting until {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until an element with this `data-testid` is on screen and returns it.
    async fn find(&self, testid: &str) -> WebElement {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(el) = self.driver.find_all(Self::by(testid)).await.expect("find").into_iter().next() {
                return el;
            }
            let screen = self.driver.execute("return document.body.dataset.screen", vec![]).await.map(|r| r.json().clone());
            assert!(Instant::now() < deadline, "no [data-testid={testid}] after {WAIT:?}; the app shows screen {screen:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn exists(&self, testid: &str) -> bool {
        !self.driver.find_all(Self::by(testid)).await.expect("find").is_empty()
    }

    /// Runs `use_it` on the element, finding it again if the app redrew it in between: the app
    /// redraws the whole screen when a background update (a live check, a sign-in status)
    /// changes something, and WebDriver then calls the old element stale.
    async fn with_fresh<T, F, Fut>(&self, testid: &str, use_it: F) -> T
    where
        F: Fn(WebElement) -> Fut,
        Fut: std::future::Future<Output = WebDriverResult<T>>,
    {
        for _ in 0..5 {
            match use_it(self.find(testid).await).await {
                Ok(value) => return value,
                Err(e) if matches!(e.as_inner(), WebDriverErrorInner::StaleElementReference(_)) => continue,
                Err(e) => panic!("[data-testid={testid}]: {e}"),
            }
        }
        panic!("[data-testid={testid}] went stale five times in a row");
    }

    async fn text(&self, testid: &str) -> String {
        self.with_fresh(testid, |el| async move { el.text().await }).await
    }

    async fn attr(&self, testid: &str, name: &str) -> Option<String> {
        self.with_fresh(testid, |el| async move { el.attr(name).await }).await
    }

    /// Clicks like a user who waits for the screen to settle: the app ignores clicks while a
    /// command runs (`data-busy` on `<body>`), so a double click can't skip a step.
    async fn click(&self, testid: &str) {
        self.wait_until("the app has answered its last command", "return !document.body.dataset.busy").await;
        self.with_fresh(testid, |el| async move { el.click().await }).await
    }

    /// Ends the session, which closes the app the way a user quitting it would.
    async fn quit(self) {
        self.driver.quit().await.expect("close the app");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_flow_first_steps_then_start_over() {
    let tauri_driver = TauriDriver::start().await;
    let app = tauri_driver.launch_app().await;

    // A fresh data folder starts on the start screen, in demo mode.
    app.find("screen-start").await;
    assert!(app.exists("demo-banner").await, "demo mode shows the DEMO banner");

    app.click("start-flow-connect-existing-org").await;
    app.find("screen-step-open-billing").await;
    assert_eq!(app.attr("screen-step-open-billing", "data-step-index").await.as_deref(), Some("0"));
    assert_eq!(app.text("step-counter").await, "Step 1 of 12 · Pinecone console");
    assert_eq!(app.text("step-title").await, "In the Pinecone console, go to your profile > Billing and settings > Billing.");
    assert_eq!(app.attr("steplist-open-billing", "data-state").await.as_deref(), Some("current"));

    app.click("wizard-next").await;
    app.find("screen-step-connect-marketplace").await;
    assert_eq!(app.attr("screen-step-connect-marketplace", "data-step-index").await.as_deref(), Some("1"));
    assert_eq!(app.text("step-counter").await, "Step 2 of 12 · Pinecone console");
    assert_eq!(app.text("step-title").await, "In the Billing Contact section, click Connect to cloud marketplace.");
    assert_eq!(app.attr("steplist-open-billing", "data-state").await.as_deref(), Some("done"), "Next marks step 1 done");

    // Start over asks first; confirming forgets the progress and goes back to the start screen.
    app.click("start-over").await;
    app.find("start-over-dialog").await;
    app.click("start-over-confirm").await;
    app.find("screen-start").await;
    assert!(!app.exists("start-over-dialog").await, "the dialog closes");
    assert!(!app.exists("steplist").await, "no flow is chosen any more");

    app.quit().await;
    drop(tauri_driver);
}
