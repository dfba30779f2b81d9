//! The wizard commands: choosing a flow, moving through it, starting over, and opening the pages
//! the flows name. Every move is saved before it takes effect (see `wizard::session`); the save
//! runs on a blocking thread so the caller's thread never waits on an fsync.

use crate::{Assistant, Error};
use wizard::{Action, Snapshot};

impl Assistant {
    /// Applies `action` to the saved progress on a blocking thread.
    pub(crate) async fn apply(&self, action: Action) -> Result<Snapshot, Error> {
        let session = self.session.clone();
        tokio::task::spawn_blocking(move || session.lock().apply(action, vocab::now_millis()))
            .await
            .expect("a wizard action panicked")
            .map_err(Error::from)
    }

    /// What the UI draws now.
    pub fn state(&self) -> Snapshot {
        self.session.lock().snapshot()
    }

    pub async fn choose_flow(&self, flow_id: String) -> Result<Snapshot, Error> {
        self.apply(Action::Choose { flow: flow_id }).await
    }

    pub async fn next_step(&self) -> Result<Snapshot, Error> {
        self.apply(Action::Next).await
    }

    pub async fn previous_step(&self) -> Result<Snapshot, Error> {
        self.apply(Action::Back).await
    }

    pub async fn open_step(&self, step_id: String) -> Result<Snapshot, Error> {
        self.apply(Action::Jump { step: step_id }).await
    }

    pub async fn start_over(&self) -> Result<Snapshot, Error> {
        self.apply(Action::StartOver).await
    }

    /// The start-up notice is shown once; the UI dismisses it.
    pub fn dismiss_notice(&self) -> Snapshot {
        self.session.lock().dismiss_notice()
    }

    /// Opens one of the catalog's pages, or the page the running sign-in with a code named, in
    /// the system browser. Any other URL is refused, so the
    /// webview can't be used to launch arbitrary programs or pages.
    pub fn open_url(&self, url: &str) -> Result<(), Error> {
        let announced = self.device_page.lock().as_deref() == Some(url);
        if !announced && !self.session.lock().catalog().is_known_url(url) {
            return Err(Error::unknown_link());
        }
        self.browser.open(url).map_err(|e| Error::browser_failed(&e))
    }
}
