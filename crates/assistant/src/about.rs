//! What this copy of the app is: its version, whether it is a release or a debug build, and the
//! mode it runs in. Shown by `--version`, on the settings screen's About card, and (later) in the
//! support bundle, so a user and whoever helps them can say which build they are talking about.

use crate::Assistant;
use serde::Serialize;
use ts_rs::TS;

/// How the binary was compiled. This crate is built with the same profile as the binary, so its
/// `debug_assertions` are the binary's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Build {
    Debug,
    Release,
}

impl Build {
    pub const fn this_binary() -> Self {
        if cfg!(debug_assertions) {
            Self::Debug
        } else {
            Self::Release
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Debug => "debug",
            Self::Release => "release",
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct About {
    pub product: String,
    /// The workspace's version, which tauri.conf.json and the packages repeat (a test holds them
    /// to each other).
    pub version: String,
    pub build: Build,
    /// `true` in demo mode.
    pub demo: bool,
}

/// The product name, as the packages and the window title spell it.
pub const PRODUCT: &str = "Billing Assistant";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What `--version` prints: `Billing Assistant 0.1.0 (release build)`.
pub fn version_line() -> String {
    format!("{PRODUCT} {VERSION} ({} build)", Build::this_binary().as_str())
}

impl Assistant {
    pub fn about(&self) -> About {
        About { product: PRODUCT.into(), version: VERSION.into(), build: Build::this_binary(), demo: self.demo.is_some() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_line_names_the_product_the_version_and_the_build() {
        let line = version_line();
        assert!(line.starts_with("Billing Assistant 0."), "{line}");
        // Tests build with debug assertions.
        assert!(line.ends_with(" (debug build)"), "{line}");
    }
}
