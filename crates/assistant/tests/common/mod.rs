//! What the assistant's tests share: an [`Assistant`] started in a temp folder, a stand-in for the
//! system browser, and token stores that can be paused or that have no keyring behind them.

#![allow(dead_code)] // Each test file uses its own part of this.

use assistant::{Assistant, Browser, Mode, Setup, TokenStore};
use parking_lot::{Condvar, Mutex};
use signin::{MemoryTokenStore, ProviderId, Storage, StoredTokens, TokenStoreError};
use simulator::Scenario;
use std::{
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

/// What the stand-in browser does with a page it is asked to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserMode {
    /// Opens it and follows it to the end, as a user finishing a sign-in would.
    Follow,
    /// Only notes it: nobody finishes in the browser (yet).
    Record,
    /// Fails to start, as with no browser installed.
    Fail,
}

pub struct TestBrowser {
    pub mode: Mutex<BrowserMode>,
    pub opened: Mutex<Vec<String>>,
}

impl TestBrowser {
    pub fn set(&self, mode: BrowserMode) {
        *self.mode.lock() = mode;
    }

    pub fn last(&self) -> Option<String> {
        self.opened.lock().last().cloned()
    }
}

impl Browser for TestBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        self.opened.lock().push(url.to_owned());
        match *self.mode.lock() {
            BrowserMode::Follow => {
                let url = url.to_owned();
                tokio::spawn(async move { simulator::browser::visit(&url).await });
                Ok(())
            }
            BrowserMode::Record => Ok(()),
            BrowserMode::Fail => Err("No valid browsers detected".into()),
        }
    }
}

/// A memory store whose `load` can be held at a gate, to pause a token lookup (and so a check)
/// in the middle.
#[derive(Default)]
pub struct GatedStore {
    inner: MemoryTokenStore,
    closed: Mutex<bool>,
    opened: Condvar,
    /// Set while a `load` waits at the closed gate.
    pub waiting: AtomicBool,
}

impl GatedStore {
    pub fn close(&self) {
        *self.closed.lock() = true;
    }

    pub fn open(&self) {
        *self.closed.lock() = false;
        self.opened.notify_all();
    }

    /// What is saved for `provider`, read past the gate.
    pub fn peek(&self, provider: ProviderId) -> Option<StoredTokens> {
        self.inner.load(provider).unwrap()
    }

    /// Waits until a lookup is held at the gate.
    pub async fn until_held(&self) {
        for _ in 0..500 {
            if self.waiting.load(Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no token lookup reached the gate");
    }
}

impl TokenStore for GatedStore {
    fn load(&self, provider: ProviderId) -> Result<Option<StoredTokens>, TokenStoreError> {
        let mut closed = self.closed.lock();
        // A test that fails while the gate is shut must not leave this thread (and so the test
        // runtime, which waits for blocking threads) stuck forever.
        while *closed {
            self.waiting.store(true, Ordering::SeqCst);
            if self.opened.wait_for(&mut closed, Duration::from_secs(10)).timed_out() {
                break;
            }
        }
        self.waiting.store(false, Ordering::SeqCst);
        drop(closed);
        self.inner.load(provider)
    }
    fn save(&self, provider: ProviderId, tokens: &StoredTokens) -> Result<(), TokenStoreError> {
        self.inner.save(provider, tokens)
    }
    fn delete(&self, provider: ProviderId) -> Result<(), TokenStoreError> {
        self.inner.delete(provider)
    }
    fn storage(&self) -> Storage {
        Storage::Keyring
    }
}

/// A keyring that isn't there (no Secret Service, say), or one that refuses to delete.
pub struct BrokenKeyring {
    pub unavailable: bool,
}

impl TokenStore for BrokenKeyring {
    fn load(&self, _: ProviderId) -> Result<Option<StoredTokens>, TokenStoreError> {
        if self.unavailable {
            Err(TokenStoreError::Unavailable("no Secret Service on the session bus".into()))
        } else {
            Ok(None)
        }
    }
    fn save(&self, _: ProviderId, _: &StoredTokens) -> Result<(), TokenStoreError> {
        Err(TokenStoreError::Unavailable("no Secret Service on the session bus".into()))
    }
    fn delete(&self, _: ProviderId) -> Result<(), TokenStoreError> {
        if self.unavailable {
            Err(TokenStoreError::Unavailable("no Secret Service on the session bus".into()))
        } else {
            Err(TokenStoreError::Failed("the keyring refused".into()))
        }
    }
    fn storage(&self) -> Storage {
        Storage::Keyring
    }
}

pub struct Harness {
    /// Shared, so a test can run a check and another command at the same time.
    pub assistant: Arc<Assistant>,
    pub browser: Arc<TestBrowser>,
    pub dir: tempfile::TempDir,
}

/// Starts the assistant in `mode` with its folders in a temp dir.
pub async fn start(mode: Mode, store: Option<Arc<dyn TokenStore>>) -> Harness {
    start_in(tempfile::tempdir().unwrap(), mode, store).await
}

pub async fn start_in(dir: tempfile::TempDir, mode: Mode, store: Option<Arc<dyn TokenStore>>) -> Harness {
    start_with(dir, mode, store, None).await
}

/// Starts the assistant in `dir` (which may already hold progress or `config/signin.toml`).
pub async fn start_with(
    dir: tempfile::TempDir,
    mode: Mode,
    store: Option<Arc<dyn TokenStore>>,
    api_bases: Option<assistant::ApiBases>,
) -> Harness {
    start_elsewhere(dir, mode, store, api_bases, Elsewhere::default()).await
}

/// Folders a harness keeps outside its own (`logs/` and `bundles/` in it by default).
#[derive(Default)]
pub struct Elsewhere {
    /// Where the support bundle reads log files: where a test's logger writes.
    pub logs: Option<std::path::PathBuf>,
    /// Where support bundles go.
    pub bundles: Option<std::path::PathBuf>,
}

/// [`start_with`], with some folders [`Elsewhere`].
pub async fn start_elsewhere(
    dir: tempfile::TempDir,
    mode: Mode,
    store: Option<Arc<dyn TokenStore>>,
    api_bases: Option<assistant::ApiBases>,
    elsewhere: Elsewhere,
) -> Harness {
    let browser = Arc::new(TestBrowser { mode: Mutex::new(BrowserMode::Follow), opened: Mutex::default() });
    let setup = Setup {
        data_dir: dir.path().join("data"),
        config_dir: dir.path().join("config"),
        mode,
        identifier: "io.pinecone.billing-assistant.test".into(),
        token_store: store,
        browser: browser.clone(),
        scenario: Scenario::HappyPath,
        api_bases,
        log_dir: Some(elsewhere.logs.unwrap_or_else(|| dir.path().join("logs"))),
        bundle_dir: Some(elsewhere.bundles.unwrap_or_else(|| dir.path().join("bundles"))),
    };
    let assistant = Arc::new(Assistant::start(setup).await.expect("the assistant starts"));
    Harness { assistant, browser, dir }
}

/// A demo whose sign-ins are kept in `store`.
pub async fn demo_with(store: Arc<dyn TokenStore>) -> Harness {
    start(Mode::Demo, Some(store)).await
}

pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}
