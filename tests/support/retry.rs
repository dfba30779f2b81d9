//! The one retry the harness needs: a background update (a check result, a sign-in status, a page
//! a form submit replaces) can redraw an element between finding and using it, which WebDriver
//! reports as a stale element. Then the element is found again and the action retried.

use std::future::Future;
use thirtyfour::error::{WebDriverErrorInner, WebDriverResult};

const TRIES: u32 = 5;

/// Runs `attempt` (which finds the element afresh each time) until it succeeds, retrying only
/// when the element went stale; any other failure, or a fifth stale one, fails the test.
pub async fn on_fresh_element<T, F, Fut>(what: &str, mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = WebDriverResult<T>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Ok(v) => return v,
            Err(e) if tries < TRIES && matches!(e.as_inner(), WebDriverErrorInner::StaleElementReference(_)) => continue,
            Err(e) => panic!("[data-testid={what}]: {e}"),
        }
    }
}
