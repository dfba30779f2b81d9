//! Headless Chromium through chromedriver: the user's system browser in the demo e2e tests,
//! clicking through the simulated Pinecone and Azure pages.

use crate::{
    env::{two_free_ports, WAIT},
    retry::on_fresh_element,
};
use std::{
    net::TcpStream,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};
use thirtyfour::{prelude::*, Capabilities};

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

    /// Waits for an element of the current page by `data-testid`.
    async fn find(&self, testid: &str) -> WebElement {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.driver.find_all(By::Css(format!("[data-testid=\"{testid}\"]"))).await.expect("find");
            if let Some(el) = found.into_iter().next() {
                return el;
            }
            let page = self.driver.source().await.unwrap_or_default();
            assert!(Instant::now() < deadline, "Chromium page has no [data-testid={testid}]: {page}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for an element of the current page by `data-testid` and clicks it; a page replaced
    /// between finding and clicking is searched again.
    pub async fn click(&self, testid: &str) {
        on_fresh_element(testid, || async { self.find(testid).await.click().await }).await
    }

    /// Types `text` into the field `testid`, as a user typing a code they read off another screen.
    pub async fn type_into(&self, testid: &str, text: &str) {
        on_fresh_element(testid, || async { self.find(testid).await.send_keys(text).await }).await
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
