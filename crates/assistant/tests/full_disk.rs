//! A full disk, for real: this test runs itself again inside a user and mount namespace
//! (`unshare -r -m`, no root needed) with the bundle folder on a 64 KiB tmpfs that is all but
//! full, so the bundle's write fails with the operating system's own "no space left" halfway
//! through. The user is told the disk is full, and no partial zip is left behind.
//!
//! A machine that allows no namespaces (`unshare -r -m true` fails) fails the test rather than
//! skip it; the same path is also covered with an injected failure in `src/bundle/tests.rs`.

mod common;

use assistant::{Code, Mode};
use std::{
    io::Write,
    path::{Path, PathBuf},
    process::Command,
};

/// Set in the child run: the bundle folder, mounted as a small tmpfs.
const CHILD: &str = "BA_FULL_DISK_CHILD";
const TEST: &str = "a_full_disk_is_reported_as_such_and_leaves_no_partial_zip";

#[test]
fn a_full_disk_is_reported_as_such_and_leaves_no_partial_zip() {
    if let Some(dir) = std::env::var_os(CHILD) {
        return in_the_namespace(&PathBuf::from(dir));
    }
    // No quiet skip: a machine that can't make the small disk fails here, saying why.
    assert!(
        Command::new("unshare").args(["-r", "-m", "true"]).status().is_ok_and(|s| s.success()),
        "this test needs user and mount namespaces (`unshare -r -m true` failed), to mount a small disk"
    );
    let mount = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let output = Command::new("unshare")
        .args(["-r", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs \"$0\" && exec \"$@\""])
        .arg(mount.path())
        .arg(exe)
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, mount.path())
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && said.contains("1 passed"), "the run on a small disk failed:\n{said}");
}

fn in_the_namespace(bundles: &Path) {
    // Fill the small disk, then free one page, so the bundle starts writing and runs out midway.
    let filler = bundles.join("filler");
    let mut file = std::fs::File::create(&filler).unwrap();
    while file.write_all(&[7u8; 4096]).is_ok() {}
    drop(file);
    let full = std::fs::metadata(&filler).unwrap().len();
    std::fs::File::options().write(true).open(&filler).unwrap().set_len(full.saturating_sub(4096)).unwrap();

    let dir = tempfile::tempdir().unwrap();
    // Log lines that don't compress, so the bundle is far bigger than the page left.
    let noise: String = (0..500).map(|i| format!("line {i} {:032x}{:032x}\n", rand_u128(i), rand_u128(i + 1))).collect();
    common::write(&dir.path().join("logs/billing-assistant.2026-01-01.log"), &noise);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = std::sync::Arc::new(signin::MemoryTokenStore::default());
        let elsewhere = common::Elsewhere { logs: None, bundles: Some(bundles.to_path_buf()) };
        let h = common::start_elsewhere(dir, Mode::Live, Some(store), None, elsewhere).await;
        let err = h.assistant.save_support_bundle().await.unwrap_err();
        assert_eq!(err.code, Code::SupportBundleFailed);
        assert!(err.message.contains("is full") && err.message.contains("nothing was left behind"), "{}", err.message);
    });
    let left: Vec<_> = std::fs::read_dir(bundles).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["filler"], "no partial zip is left");
}

/// Pseudo-random bits, enough to defeat compression.
fn rand_u128(seed: u128) -> u128 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835).wrapping_add(0x2545_F491_4F6C_DD1D);
    x ^= x >> 67;
    x.wrapping_mul(0xDA94_2042_E4DD_58B5)
}
