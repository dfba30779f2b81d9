//! The folders one app "installation" uses, where the app binary is, free ports, and the
//! record the stand-in system browser keeps of every page the app opens.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// The app's identifier from tauri.conf.json; its data folder is `$XDG_DATA_HOME/<identifier>`.
pub const IDENTIFIER: &str = "io.pinecone.billing-assistant";
pub const WAIT: Duration = Duration::from_secs(15);

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

    /// The folder holding everything: the XDG folders, the app's log and the browser's record.
    pub fn root(&self) -> &Path {
        self.root.path()
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

/// The repository's root folder.
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
pub fn two_free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let b = TcpListener::bind("127.0.0.1:0").expect("a second free port");
    let port = |l: &TcpListener| l.local_addr().expect("bound address").port();
    (port(&a), port(&b))
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

impl Drop for TestEnv {
    /// A failing test shows what the app logged, since its folder goes with it.
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.root().join("app.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(80).collect();
            eprintln!("--- the app's log (last {} lines) ---", tail.len());
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}
