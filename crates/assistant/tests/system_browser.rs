//! The system browser (`webbrowser`, built `hardened`) is only ever handed http(s) addresses: a
//! local file or a string that isn't a web address is refused before any program starts. Its
//! own test binary, since it points `BROWSER` at a recording script for the whole process.

use assistant::{Browser, SystemBrowser};

#[test]
fn only_web_addresses_reach_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("opened");
    let script = dir.path().join("browser.sh");
    std::fs::write(&script, format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> {}\n", log.display())).unwrap();
    std::process::Command::new("chmod").arg("+x").arg(&script).status().unwrap();
    // Set before anything else in this process reads the environment.
    std::env::set_var("BROWSER", &script);

    for refused in ["file:///etc/passwd", "/etc/passwd", "javascript:alert(1)", "not a url at all"] {
        assert!(SystemBrowser.open(refused).is_err(), "{refused} must be refused");
    }
    SystemBrowser.open("https://app.pinecone.io/organizations/-/settings/billing").expect("a web page opens");
    // webbrowser starts the program in the background; give it a moment to write.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !log.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let opened = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(opened.lines().collect::<Vec<_>>(), ["https://app.pinecone.io/organizations/-/settings/billing"]);
}
