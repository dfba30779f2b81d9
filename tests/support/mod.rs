//! The e2e harness, split by what it drives: the test environment (folders, ports, the stand-in
//! browser's record), the app (through tauri-driver and WebKitWebDriver), headless Chromium (the
//! system browser in demo tests), the two together in demo mode, the app in live mode against
//! simulated services, and the identity provider; axe-core and layout boxes; and the benchmarks' percentiles. One retry helper covers the redraws
//! that can happen between finding an element and using it.

mod app;
mod axe;
mod chromium;
mod demo;
mod env;
mod idp;
mod live;
mod retry;
mod stats;

pub use app::App;
pub use chromium::Chromium;
pub use demo::DemoApp;
pub use env::{app_binary, next_opened, wait_opened, workspace_root, TestEnv, IDENTIFIER};
pub use idp::{keyring_clear, keyring_has, IdpFixture, CLIENT_ID};
pub use live::{LiveApp, LiveSetup};
pub use stats::percentiles;
