//! The progress store under the worst a computer does to it, driven by `scripts/crash-test.sh`:
//! - `save <dir>`: saves progress over and over, saying "saving N" before and "saved N" after
//!   each save, until it is killed;
//! - `check <dir> <log>`: loads what is there and checks it is the save before or after the one
//!   the log says was running, with no "unreadable" notice;
//! - `prepare <dir>`: saves a first progress;
//! - `full <dir>`: fills the (small) disk `dir` is on, tries a bigger save, and checks that it
//!   fails with a clear message and leaves the old file byte for byte;
//! - `readonly <dir>`: tries a save into a read-only `dir`, with the same checks.

use std::{io::Write, path::Path, process::ExitCode};
use wizard::{Catalog, Progress, ProgressStore};

/// Progress that says which save it was, padded to `pad` bytes so saves differ in size.
fn progress(catalog: &Catalog, n: u64, pad: usize) -> Progress {
    let flow = catalog.flow("connect-existing-org").expect("a flow");
    let mut p = Progress::default();
    p.choose(flow, n).expect("choose");
    p.confirmation = vec![format!("save {n}"), "x".repeat(pad)];
    p
}

/// Which save `p` is (0 for none at all).
fn which(p: &Progress) -> Option<u64> {
    match p.confirmation.first() {
        None => Some(0),
        Some(s) => s.strip_prefix("save ").and_then(|n| n.parse().ok()),
    }
}

fn catalog() -> Catalog {
    Catalog::embedded().expect("the compiled-in flows")
}

fn save_forever(dir: &Path) -> ExitCode {
    let (store, catalog) = (ProgressStore::new(dir), catalog());
    let mut out = std::io::stdout();
    for n in 1.. {
        let _ = writeln!(out, "saving {n}");
        let _ = out.flush();
        if let Err(e) = store.save(&progress(&catalog, n, (n as usize * 37) % 3000)) {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
        let _ = writeln!(out, "saved {n}");
        let _ = out.flush();
    }
    ExitCode::SUCCESS
}

fn check(dir: &Path, log: &Path) -> ExitCode {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    // The save running when the process died; the one before it was complete.
    let running =
        text.lines().filter_map(|l| l.strip_prefix("saving ")).filter_map(|n| n.parse::<u64>().ok()).next_back().unwrap_or(0);
    let loaded = ProgressStore::new(dir).load(&catalog(), 1);
    if let Some(notice) = loaded.notice {
        println!("UNREADABLE after save {running}: {}", notice.message);
        return ExitCode::from(2);
    }
    match which(&loaded.progress) {
        Some(n) if n + 1 == running || n == running || (running == 0 && n == 0) => {
            println!("ok: save {n} (save {running} was running)");
            ExitCode::SUCCESS
        }
        other => {
            println!("WRONG: loaded {other:?} while save {running} was running");
            ExitCode::FAILURE
        }
    }
}

/// Tries one save that must fail, and checks the message and that the old file is untouched.
fn must_fail(dir: &Path, expect: &str) -> ExitCode {
    let store = ProgressStore::new(dir);
    let before = std::fs::read(store.path()).expect("a progress file saved before");
    let result = store.save(&progress(&catalog(), 2, 20_000));
    let after = std::fs::read(store.path()).expect("the progress file is still there");
    match result {
        Err(e) if e.to_string().contains(expect) && before == after => {
            println!("ok: {e}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("WRONG: {e} (old file {})", if before == after { "intact" } else { "CHANGED" });
            ExitCode::FAILURE
        }
        Ok(()) => {
            println!("WRONG: the save worked");
            ExitCode::FAILURE
        }
    }
}

fn fill(dir: &Path) {
    // Fill every page of the disk (a tmpfs counts whole pages), so the next write can't fit.
    let mut filler = std::fs::File::create(dir.join("filler")).expect("a filler file");
    let block = vec![0u8; 4096];
    while filler.write_all(&block).is_ok() {}
    let _ = filler.sync_all();
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(args.get(2).map(String::as_str).unwrap_or("."));
    match args.get(1).map(String::as_str) {
        Some("save") => save_forever(dir),
        Some("check") => check(dir, Path::new(&args[3])),
        Some("prepare") => match ProgressStore::new(dir).save(&progress(&catalog(), 1, 10)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Some("full") => {
            fill(dir);
            let code = must_fail(dir, "the disk is full");
            let _ = std::fs::remove_file(dir.join("filler"));
            code
        }
        Some("readonly") => must_fail(dir, "read-only"),
        _ => {
            eprintln!("usage: progress_crash save|check|prepare|full|readonly <dir> [log]");
            ExitCode::from(64)
        }
    }
}
