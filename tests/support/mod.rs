//! The e2e harness: launches the real app through tauri-driver (which drives WebKitWebDriver),
//! each launch with its own data folders and a recording stand-in for the system browser, and
//! offers waits and lookups by the `data-testid` selectors documented in the README.

use std::{
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};
use thirtyfour::{prelude::*, Capabilities};

/// The app's identifier from tauri.conf.json; its data folder is `$XDG_DATA_HOME/<identifier>`.
pub const IDENTIFIER: &str = "io.pinecone.billing-assistant";
const WAIT: Duration = Duration::from_secs(15);

/// The folders and files one app "installation" uses; kept across relaunches.
pub struct TestEnv {
    root: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        for sub in ["data", "cache", "config"] {
            std::fs::create_dir_all(root.path().join(sub)).expect("create xdg dir");
        }
        Self { root }
    }

    /// Where the app keeps progress.json.
    pub fn app_data_dir(&self) -> PathBuf {
        self.root.path().join("data").join(IDENTIFIER)
    }

    /// Everything the app (through tauri-driver) printed on stderr, across launches.
    pub fn app_log(&self) -> String {
        std::fs::read_to_string(self.root.path().join("app.log")).unwrap_or_default()
    }

    /// The scripted browser's mode file: "follow" (the default) or "record".
    pub fn browser_mode_file(&self) -> PathBuf {
        self.root.path().join("browser.mode")
    }

    pub fn set_browser_mode(&self, mode: &str) {
        std::fs::write(self.browser_mode_file(), mode).expect("write browser mode");
    }

    /// Every file the app wrote under its data and config folders, for scanning.
    pub fn files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        walk(self.root.path(), &mut out);
        out
    }

    pub fn browser_log(&self) -> PathBuf {
        self.root.path().join("browser.log")
    }

    /// Every URL the app has asked the system browser to open, oldest first.
    pub fn opened_urls(&self) -> Vec<String> {
        std::fs::read_to_string(self.browser_log()).unwrap_or_default().lines().map(str::to_owned).collect()
    }
}

impl Default for TestEnv {
    fn default() -> Self {
        Self::new()
    }
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_path_buf()
}

/// The app binary: `BA_APP_BINARY`, or the workspace's debug build.
pub fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("BA_APP_BINARY") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"));
    let path = target.join("debug").join("billing-assistant");
    assert!(path.exists(), "{} is missing: run `cargo build -p billing-assistant` first (scripts/test.sh does)", path.display());
    path
}

/// Two distinct free ports. Both listeners are held until both are known: binding, dropping and
/// binding again can hand out the same port twice, and tauri-driver then fights itself.
fn two_free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let b = TcpListener::bind("127.0.0.1:0").expect("a second free port");
    let port = |l: &TcpListener| l.local_addr().expect("bound address").port();
    (port(&a), port(&b))
}

/// Finds the element with `testid` and runs `$op` on it. A background update (a check result, a
/// sign-in status) can redraw the screen between finding and using an element; then it finds the
/// new element and tries again, up to five times.
macro_rules! for_fresh_element {
    ($app:expr, $testid:expr, |$el:ident| $op:expr) => {{
        let mut attempt = 0;
        loop {
            attempt += 1;
            let $el = $app.find($testid).await;
            match $op {
                Ok(v) => break v,
                Err(e)
                    if attempt < 5
                        && matches!(e.as_inner(), thirtyfour::error::WebDriverErrorInner::StaleElementReference(_)) =>
                {
                    continue
                }
                Err(e) => panic!("[data-testid={}]: {e}", $testid),
            }
        }
    }};
}

/// One running app, driven over WebDriver.
pub struct App {
    pub driver: WebDriver,
    tauri_driver: Child,
}

impl App {
    /// Starts tauri-driver and a new app session using `env`'s folders.
    pub async fn launch(env: &TestEnv) -> Self {
        Self::launch_with(env, &[]).await
    }

    /// As [`App::launch`], with extra environment variables for the app (they win over the defaults).
    pub async fn launch_with(env: &TestEnv, vars: &[(&str, String)]) -> Self {
        let (port, native_port) = two_free_ports();
        let program = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
        let root = env.root.path();
        let log = std::fs::OpenOptions::new().create(true).append(true).open(root.join("app.log")).expect("app log");
        let mut command = Command::new(&program);
        command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            // tauri-driver passes its environment on to the app.
            .env("XDG_DATA_HOME", root.join("data"))
            .env("XDG_CACHE_HOME", root.join("cache"))
            .env("XDG_CONFIG_HOME", root.join("config"))
            .env("BROWSER", workspace_root().join("tests/support/record-browser.sh"))
            .env("BA_BROWSER_LOG", env.browser_log())
            .env("BA_BROWSER_MODE_FILE", env.browser_mode_file())
            // Live mode unless a test asks for the demo: these tests bring their own services.
            .env("BA_MODE", "live")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log));
        for (key, value) in vars {
            command.env(key, value);
        }
        let tauri_driver =
            command.spawn().unwrap_or_else(|e| panic!("couldn't start {program:?} ({e}); scripts/test.sh installs it"));
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver didn't listen on {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let mut caps = Capabilities::new();
        caps.set("browserName", "wry").unwrap();
        caps.set("tauri:options", serde_json::json!({ "application": app_binary() })).unwrap();
        // tauri-driver listens before its WebKitWebDriver is ready, so the first request can fail
        // to send; retry a few times before calling it a failure.
        let mut attempt = 0;
        let driver = loop {
            attempt += 1;
            match WebDriver::new(format!("http://127.0.0.1:{port}"), caps.clone()).await {
                Ok(driver) => break driver,
                Err(e) if attempt < 5 => {
                    eprintln!("WebDriver session attempt {attempt} failed ({e}); retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => panic!("WebDriver session with the app: {e}"),
            }
        };
        let app = Self { driver, tauri_driver };
        app.wait_until("the UI is ready", "return document.body.dataset.ready === 'true'").await;
        app
    }

    /// Closes the app (as a user quitting it) and stops tauri-driver.
    pub async fn quit(self) {
        self.driver.clone().quit().await.expect("quit the app");
        drop(self);
    }

    fn selector(testid: &str) -> By {
        By::Css(format!("[data-testid=\"{testid}\"]"))
    }

    /// Waits for the element with `data-testid=testid` and returns it.
    pub async fn find(&self, testid: &str) -> WebElement {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(el) = self.driver.find_all(Self::selector(testid)).await.expect("find").into_iter().next() {
                return el;
            }
            if Instant::now() > deadline {
                let screen = self.driver.execute("return document.body.dataset.screen", vec![]).await.map(|r| r.json().clone());
                panic!("no element [data-testid={testid}] after {WAIT:?}; the app shows screen {screen:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn exists(&self, testid: &str) -> bool {
        !self.driver.find_all(Self::selector(testid)).await.expect("find").is_empty()
    }

    /// Clicks the element with `testid`. A background update (a check result, a sign-in status)
    /// can redraw the screen between finding and clicking; then it finds the new element and
    /// clicks that.
    pub async fn click(&self, testid: &str) {
        for_fresh_element!(self, testid, |el| el.click().await)
    }

    pub async fn text(&self, testid: &str) -> String {
        for_fresh_element!(self, testid, |el| el.text().await)
    }

    pub async fn attr(&self, testid: &str, name: &str) -> Option<String> {
        for_fresh_element!(self, testid, |el| el.attr(name).await)
    }

    pub async fn value(&self, testid: &str) -> String {
        for_fresh_element!(self, testid, |el| el.prop("value").await).unwrap_or_default()
    }

    /// Polls a script returning a boolean until it is true.
    pub async fn wait_until(&self, what: &str, script: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let ret = self.driver.execute(script, vec![]).await.expect("script");
            if ret.json() == &serde_json::Value::Bool(true) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The `data-testid` of the element that has keyboard focus.
    pub async fn focused_testid(&self) -> Option<String> {
        let ret = self
            .driver
            .execute("const e = document.activeElement; return e && e.dataset ? e.dataset.testid || null : null", vec![])
            .await
            .expect("script");
        ret.json().as_str().map(str::to_owned)
    }

    pub async fn press(&self, key: Key) {
        self.driver.action_chain().send_keys(key).perform().await.expect("key press");
    }

    /// Presses Tab until `testid` has focus, then Enter, as someone using only the keyboard would.
    pub async fn activate_by_keyboard(&self, testid: &str) {
        self.find(testid).await;
        for _ in 0..40 {
            if self.focused_testid().await.as_deref() == Some(testid) {
                self.press(Key::Enter).await;
                return;
            }
            self.press(Key::Tab).await;
        }
        panic!("{testid} can't be reached with Tab");
    }

    pub async fn screenshot(&self, name: &str) {
        let dir = workspace_root().join("docs/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        // The element can be in the DOM before WebKit has painted it: wait two frames.
        let painted =
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done()));";
        self.driver.execute_async(painted, vec![]).await.expect("two animation frames");
        let png = self.driver.screenshot_as_png().await.expect("screenshot");
        std::fs::write(dir.join(name), png).expect("write screenshot");
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // SIGTERM, not Child::kill's SIGKILL: tauri-driver must get to stop WebKitWebDriver and the app.
        let _ = Command::new("kill").args(["-TERM", &self.tauri_driver.id().to_string()]).status();
        let _ = self.tauri_driver.wait();
    }
}

/// Waits until the recording browser has seen `url` as its `index`-th opened page.
pub async fn wait_opened(env: &TestEnv, index: usize, url: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let urls = env.opened_urls();
        if urls.len() > index {
            assert_eq!(urls[index], url, "opened URL #{index}");
            return;
        }
        assert!(Instant::now() < deadline, "the browser was never asked to open {url}; it opened {urls:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A running simulated identity provider, and the environment that points the app at it.
pub struct IdpFixture {
    pub idp: simulator::Idp,
    pub running: simulator::Running,
}

pub const CLIENT_ID: &str = "e2e-client";

impl IdpFixture {
    pub async fn start() -> Self {
        let user = simulator::IdpUser { subject: "u-1".into(), name: "Ada Owner".into(), email: "ada@example.com".into() };
        let idp = simulator::Idp::new(user, &[CLIENT_ID]);
        let running = simulator::Running::start(idp.router()).await.expect("start the IdP");
        Self { idp, running }
    }

    /// Variables that configure both providers to use this IdP, and the scripted browser that signs in.
    pub fn app_env(&self) -> Vec<(&'static str, String)> {
        let base = self.running.base_url();
        vec![
            ("BROWSER", workspace_root().join("tests/support/follow-browser.sh").display().to_string()),
            ("BA_PINECONE_CLIENT_ID", CLIENT_ID.into()),
            ("BA_PINECONE_AUTHORIZE_URL", format!("{base}/oauth/authorize")),
            ("BA_PINECONE_TOKEN_URL", format!("{base}/oauth/token")),
            ("BA_MICROSOFT_CLIENT_ID", CLIENT_ID.into()),
            ("BA_MICROSOFT_AUTHORIZE_URL", format!("{base}/{{tenant}}/oauth2/v2.0/authorize")),
            ("BA_MICROSOFT_TOKEN_URL", format!("{base}/{{tenant}}/oauth2/v2.0/token")),
        ]
    }
}

impl App {
    /// Waits until the sign-in card for `provider` is in `state`.
    pub async fn wait_signin_state(&self, provider: &str, state: &str) {
        let script = format!("const e = document.querySelector('[data-testid=\"signin-{provider}\"]'); return !!e && e.dataset.state === '{state}'");
        self.wait_until(&format!("the {provider} sign-in card to be {state}"), &script).await;
    }
}

/// Whether the OS keyring holds this app's token manifest for `provider` (via libsecret's CLI).
pub fn keyring_has(provider: &str) -> bool {
    Command::new("secret-tool")
        .args(["lookup", "service", IDENTIFIER, "username", &format!("{provider}/tokens")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("secret-tool (libsecret-tools) is installed")
        .success()
}

/// Headless Chromium through chromedriver: the "system browser" side of the demo e2e tests.
pub struct Chromium {
    pub driver: WebDriver,
    chromedriver: Child,
    _profile: tempfile::TempDir,
}

impl Chromium {
    pub async fn start() -> Self {
        let (port, _) = two_free_ports();
        let chromedriver = Command::new(std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "chromedriver".into()))
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver; scripts/setup.sh installs it)");
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver didn't listen on {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = Capabilities::new();
        caps.set("browserName", "chrome").unwrap();
        caps.set(
            "goog:chromeOptions",
            serde_json::json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                // Without the background-networking flags Chromium keeps dialling out on a closed network.
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", profile.path().display())]
            }),
        )
        .unwrap();
        let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps).await.expect("a Chromium session");
        Self { driver, chromedriver, _profile: profile }
    }

    pub async fn goto(&self, url: &str) {
        self.driver.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Waits for an element of the current page by `data-testid` and clicks it.
    pub async fn click(&self, testid: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.driver.find_all(By::Css(format!("[data-testid=\"{testid}\"]"))).await.expect("find");
            if let Some(el) = found.into_iter().next() {
                match el.click().await {
                    Ok(()) => return,
                    // The page was replaced between finding and clicking: find it again.
                    Err(e)
                        if Instant::now() < deadline
                            && matches!(e.as_inner(), thirtyfour::error::WebDriverErrorInner::StaleElementReference(_)) =>
                    {
                        continue
                    }
                    Err(e) => panic!("click {testid} in Chromium: {e}"),
                }
            }
            let page = self.driver.source().await.unwrap_or_default();
            assert!(Instant::now() < deadline, "Chromium page has no [data-testid={testid}]: {page}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the page's text contains `needle`. A click that submits a form leaves the old
    /// page up for a moment, and its body goes stale when the new one loads, so a stale or missing
    /// body is read again rather than taken as an answer.
    pub async fn wait_for_text(&self, needle: &str) {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        loop {
            if let Ok(body) = self.driver.find(By::Css("body")).await {
                if let Ok(text) = body.text().await {
                    if text.contains(needle) {
                        return;
                    }
                    last = text;
                }
            }
            assert!(Instant::now() < deadline, "Chromium page never said {needle:?} in {WAIT:?}; it says: {last}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Opens `url` in a new tab, lets it load (a sign-in redirects to the app), and comes back.
    pub async fn visit_in_new_tab(&self, url: &str) {
        let original = self.driver.window().await.expect("current tab");
        let tab = self.driver.new_tab().await.expect("new tab");
        self.driver.switch_to_window(tab).await.expect("switch to the new tab");
        self.goto(url).await;
        self.driver.close_window().await.expect("close the tab");
        self.driver.switch_to_window(original).await.expect("back to the first tab");
    }

    pub async fn quit(self) {
        self.driver.clone().quit().await.expect("quit Chromium");
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.chromedriver.id().to_string()]).status();
        let _ = self.chromedriver.wait();
    }
}

/// Waits for the app to open its next page in the (recording) system browser and returns it.
pub async fn next_opened(env: &TestEnv, seen: &mut usize) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let urls = env.opened_urls();
        if urls.len() > *seen {
            *seen += 1;
            return urls[*seen - 1].clone();
        }
        assert!(Instant::now() < deadline, "the app opened no page in the browser (after {seen} pages)");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl App {
    /// Waits until the live-check panel of `step` is in `state` (verified, waiting, problem, …).
    pub async fn wait_check(&self, step: &str, state: &str) {
        let script = format!(
            "const e = document.querySelector('[data-testid=\"check-{step}\"]'); return !!e && e.dataset.state === '{state}'"
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ret = self.driver.execute(&script, vec![]).await.expect("script");
            if ret.json() == &serde_json::Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                let shown = self.driver.execute(&format!("const e = document.querySelector('[data-testid=\"check-{step}\"]'); return e ? e.dataset.state + ': ' + e.textContent : 'no panel'"), vec![]).await.map(|r| r.json().clone());
                panic!("check on {step} never became {state}; it shows {shown:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
