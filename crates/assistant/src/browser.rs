//! Opening pages in the user's own browser. The app never shows a web page itself (RFC 8252 §8.12:
//! no embedded user-agents); it asks the system browser, through `webbrowser`, which honours
//! `BROWSER`. Tests swap in a recording browser through [`Browser`].

/// Something that opens a URL for the user.
pub trait Browser: Send + Sync {
    /// Opens `url`. An `Err` carries why, in words; `Ok` doesn't prove a window appeared
    /// (webbrowser starts the program in the background), which is why every address is also
    /// shown with a Copy button.
    fn open(&self, url: &str) -> Result<(), String>;
}

/// The system browser.
pub struct SystemBrowser;

impl Browser for SystemBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        webbrowser::open(url).map_err(|e| e.to_string())
    }
}
