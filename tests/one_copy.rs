//! One running copy: a second launch of the app, as a user double-clicking it again, brings the
//! first copy's window forward and ends, and the first copy carries on.

use e2e::{app_binary, App, TestEnv};
use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

#[tokio::test(flavor = "multi_thread")]
async fn a_second_launch_shows_the_first_window_and_exits() {
    let env = TestEnv::new();
    let app = App::launch_with(&env, &[("BA_MODE", "demo".into())]).await;
    app.find("screen-start").await;

    let root = env.root();
    let mut second = Command::new(app_binary())
        .env("XDG_DATA_HOME", root.join("data"))
        .env("XDG_CACHE_HOME", root.join("cache"))
        .env("XDG_CONFIG_HOME", root.join("config"))
        .env("BA_MODE", "demo")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the app a second time");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the second copy kept running");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let said = std::io::read_to_string(second.stderr.take().unwrap()).unwrap();
    assert!(status.success(), "{status}: {said}");
    assert!(said.contains("already running; its window was brought to the front"), "{said}");

    let deadline = Instant::now() + Duration::from_secs(10);
    while !env.app_log().contains("another copy was started: showing this window") {
        assert!(Instant::now() < deadline, "the first copy never heard of the second: {}", env.app_log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The first copy is still the one in use.
    app.click("start-flow-create-new-org").await;
    app.find("screen-step-open-listing").await;
    app.quit().await;
}
