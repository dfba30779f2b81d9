//! The real app, launched through tauri-driver (which drives WebKitWebDriver) with its own data
//! folders and a recording stand-in for the system browser, and driven by the `data-testid`
//! selectors the docs list.

use crate::{
    env::{app_binary, two_free_ports, workspace_root, TestEnv, WAIT},
    retry::on_fresh_element,
};
use std::{
    net::TcpStream,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};
use thirtyfour::{prelude::*, Capabilities};

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
        let root = env.root();
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

    /// Waits until the app has answered its last command: the UI ignores clicks while one runs (so
    /// a double click can't skip a step), and a user waits for the screen to change before
    /// clicking again.
    async fn until_idle(&self) {
        self.wait_until("the app to finish the last command", "return !document.body.dataset.busy").await;
    }

    /// Clicks the element with `testid`, once the app is idle and the element has stopped
    /// moving. A background update (a check result, a sign-in status) can redraw the screen
    /// between finding and clicking; then it finds the new element and clicks that.
    pub async fn click(&self, testid: &str) {
        self.until_idle().await;
        self.until_still(testid).await;
        on_fresh_element(testid, || async { self.find(testid).await.click().await }).await
    }

    /// Waits until `testid` is in the same place over two frames, as a person waits for a
    /// button to stop moving before clicking it. A check's answer arriving can push the buttons
    /// below it down; WebDriver would click the point where the button was, and the click was
    /// lost (seen at step 1, about once in twenty runs).
    async fn until_still(&self, testid: &str) {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             const at = () => {{ const e = document.querySelector('[data-testid=\"{testid}\"]'); if (!e) return null; const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(); }};
             const before = at();
             requestAnimationFrame(() => requestAnimationFrame(() => done(before !== null && before === at())));"
        );
        let deadline = Instant::now() + WAIT;
        loop {
            let still = self.driver.execute_async(&script, vec![]).await.expect("script");
            if still.json() == &serde_json::Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                // Missing or never still: let the click itself say what is wrong.
                return;
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }

    pub async fn text(&self, testid: &str) -> String {
        on_fresh_element(testid, || async { self.find(testid).await.text().await }).await
    }

    pub async fn attr(&self, testid: &str, name: &str) -> Option<String> {
        on_fresh_element(testid, || async { self.find(testid).await.attr(name).await }).await
    }

    pub async fn value(&self, testid: &str) -> String {
        on_fresh_element(testid, || async { self.find(testid).await.prop("value").await }).await.unwrap_or_default()
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
        self.until_idle().await;
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

    /// Saves a screenshot in `docs/screenshots/`, or in `BA_SCREENSHOT_DIR` (the install test sets
    /// it, so the installed binary's run doesn't replace the README's pictures).
    pub async fn screenshot(&self, name: &str) {
        let dir = std::env::var_os("BA_SCREENSHOT_DIR")
            .map_or_else(|| workspace_root().join("docs/screenshots"), std::path::PathBuf::from);
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("a file in the dir")).expect("screenshot dir");
        // The element can be in the DOM before WebKit has painted it: wait two frames.
        let painted =
            "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done()));";
        self.driver.execute_async(painted, vec![]).await.expect("two animation frames");
        let png = self.driver.screenshot_as_png().await.expect("screenshot");
        std::fs::write(path, png).expect("write screenshot");
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // SIGTERM, not Child::kill's SIGKILL: tauri-driver must get to stop WebKitWebDriver and the app.
        let _ = Command::new("kill").args(["-TERM", &self.tauri_driver.id().to_string()]).status();
        let _ = self.tauri_driver.wait();
    }
}

impl App {
    /// Waits until the sign-in card for `provider` is in `state`.
    pub async fn wait_signin_state(&self, provider: &str, state: &str) {
        let script = format!("const e = document.querySelector('[data-testid=\"signin-{provider}\"]'); return !!e && e.dataset.state === '{state}'");
        self.wait_until(&format!("the {provider} sign-in card to be {state}"), &script).await;
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
