//! The app's diagnostics: one `tracing` subscriber, installed by the shell first thing, that
//! writes every event to stderr and to a log file in the app's log folder, and reads the newest
//! lines back for the support bundle.
//!
//! - **Where**: `BA_LOG_DIR` if set (tests, a support session), else the platform's log folder,
//!   the one Tauri's `app_log_dir` names: `~/Library/Logs/<identifier>` on macOS,
//!   `<local data folder>/<identifier>/logs` elsewhere (`$XDG_DATA_HOME`, else
//!   `~/.local/share`, on Linux; `%LOCALAPPDATA%` on Windows). The data folder's test overrides
//!   (`XDG_DATA_HOME`) move it with them.
//! - **How much**: one file a day (`billing-assistant.YYYY-MM-DD.log`, UTC), the newest
//!   [`KEPT_FILES`] kept. A day is the unit people describe problems in ("since yesterday"), and a
//!   week covers a problem reported a few days late, while the folder stays bounded by the
//!   app's own volume: a handful of lines per sign-in or check.
//! - **What**: our crates at `info` (`debug` in debug builds), everything else at `warn`;
//!   `BA_LOG` takes an `EnvFilter` string instead (`BA_LOG=trace`). The `webbrowser` crate is
//!   held at `info` whatever `BA_LOG` says: at `debug` it logs the command line it runs, which
//!   carries the sign-in URL.
//! - **Secrets** never reach an event: they travel as `signin::Secret`, which has no `Display`
//!   and prints `[redacted]` for `Debug`; personal values go through [`crate::personal`].
//!
//! Lines are written as they happen, not through a background thread: the app logs little, and
//! the last lines before a crash are the ones worth having.

use std::{
    io::{self, BufRead, Read, Seek},
    path::{Path, PathBuf},
};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

/// Where the log files go, overriding the platform's folder.
pub const DIR_VAR: &str = "BA_LOG_DIR";
/// An `EnvFilter` string replacing the default levels.
pub const FILTER_VAR: &str = "BA_LOG";
/// How many daily files are kept.
pub const KEPT_FILES: usize = 7;
const PREFIX: &str = "billing-assistant";
const SUFFIX: &str = "log";
/// The workspace's crates (as tracing targets); everything else is a dependency.
const OUR_CRATES: [&str; 8] =
    ["assistant", "signin", "clients", "checks", "wizard", "vocab", "simulator", "billing_assistant_lib"];
/// Caps that hold whatever the filter says (see the module docs).
const CAPS: [&str; 1] = ["webbrowser=info"];

/// How much to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verbosity {
    /// Our crates at `info` (`debug` in debug builds), dependencies at `warn`.
    Default,
    /// Everything, every crate, at `trace`.
    Everything,
    /// An `EnvFilter` string, as `BA_LOG` gives it.
    Filter(String),
}

impl Verbosity {
    /// `BA_LOG` if set, else the default.
    pub fn from_env() -> Self {
        std::env::var(FILTER_VAR).ok().filter(|f| !f.trim().is_empty()).map_or(Self::Default, Self::Filter)
    }

    fn directives(&self) -> String {
        match self {
            Self::Default => {
                let ours = if cfg!(debug_assertions) { "debug" } else { "info" };
                let crates: Vec<String> = OUR_CRATES.iter().map(|c| format!("{c}={ours}")).collect();
                format!("warn,{}", crates.join(","))
            }
            Self::Everything => "trace".into(),
            Self::Filter(f) => f.clone(),
        }
    }

    fn filter(&self) -> Result<EnvFilter, String> {
        let mut filter = EnvFilter::builder().parse(self.directives()).map_err(|e| e.to_string())?;
        for cap in CAPS {
            filter = filter.add_directive(cap.parse().expect("the caps are valid directives"));
        }
        Ok(filter)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("the log folder {dir} can't be used: {reason}")]
    Folder { dir: String, reason: String },
    #[error("{FILTER_VAR} is not a valid filter ({0})")]
    Filter(String),
    /// Another subscriber was installed first (a second call, or a test harness's).
    #[error("a logger is already installed")]
    AlreadyInstalled,
}

/// The log folder: `BA_LOG_DIR`, else the platform's (see the module docs). `None` only where the
/// platform has no home folder.
pub fn default_dir(identifier: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(DIR_VAR).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    platform_dir(identifier)
}

/// The folder Tauri's `app_log_dir` names (src-tauri's tests hold the two together).
pub fn platform_dir(identifier: &str) -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        dirs::home_dir().map(|home| home.join("Library/Logs").join(identifier))
    } else {
        dirs::data_local_dir().map(|dir| dir.join(identifier).join("logs"))
    }
}

/// What the shell calls: stderr and the log file in [`default_dir`], at [`Verbosity::from_env`].
/// A log folder that can't be used, or a bad `BA_LOG`, is reported on stderr and the app goes on
/// with what works: diagnostics must never stop it from starting.
pub fn install(identifier: &str) {
    let mut dir = default_dir(identifier);
    let mut verbosity = Verbosity::from_env();
    let mut problems = Vec::new();
    loop {
        match install_in(dir.as_deref(), &verbosity) {
            Ok(()) => break,
            Err(e @ LogError::Filter(_)) => {
                problems.push(format!("{e}; using the default levels"));
                verbosity = Verbosity::Default;
            }
            Err(e @ LogError::Folder { .. }) => {
                problems.push(format!("{e}; logging to stderr only"));
                dir = None;
            }
            Err(e @ LogError::AlreadyInstalled) => return eprintln!("billing-assistant: {e}"),
        }
    }
    for problem in problems {
        tracing::warn!("{problem}");
    }
    tracing::debug!("log folder: {}", dir.map_or_else(|| "none".into(), |d| d.display().to_string()));
}

/// Installs the subscriber: stderr, and daily files in `dir` when given.
///
/// # Errors
/// [`LogError`]: the folder can't be made or written, the filter doesn't parse, or a subscriber
/// is already installed.
pub fn install_in(dir: Option<&Path>, verbosity: &Verbosity) -> Result<(), LogError> {
    let filter = verbosity.filter().map_err(LogError::Filter)?;
    let file = dir.map(file_appender).transpose()?;
    tracing_subscriber::registry()
        .with(filter)
        .with(file.map(|writer| fmt::layer().with_ansi(false).with_writer(writer)))
        // The same lines on stderr: scripts and the e2e suite read them there.
        .with(fmt::layer().with_ansi(false).with_writer(io::stderr))
        .try_init()
        .map_err(|_| LogError::AlreadyInstalled)
}

fn file_appender(dir: &Path) -> Result<RollingFileAppender, LogError> {
    let folder = |reason: String| LogError::Folder { dir: dir.display().to_string(), reason };
    std::fs::create_dir_all(dir).map_err(|e| folder(e.to_string()))?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(PREFIX)
        .filename_suffix(SUFFIX)
        .max_log_files(KEPT_FILES)
        .build(dir)
        .map_err(|e| folder(e.to_string()))
}

/// The log files in `dir`, oldest first (their names carry the date, so name order is age order).
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            path.is_file() && name.starts_with(&format!("{PREFIX}.")) && name.ends_with(&format!(".{SUFFIX}"))
        })
        .collect();
    files.sort();
    files
}

/// How much of the end of one file is read for [`last_lines`]: far more than the lines asked for
/// take, so a day with a runaway loop costs a bounded read.
const TAIL_BYTES: u64 = 1 << 20;

/// The last `n` lines across the log files in `dir`, newest last. Unreadable bytes become U+FFFD;
/// a file that can't be read is skipped.
pub fn last_lines(dir: &Path, n: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for file in files(dir).iter().rev() {
        if lines.len() >= n {
            break;
        }
        let Ok(mut tail) = read_tail(file) else { continue };
        // Older lines go in front of the newer ones already collected.
        tail.append(&mut lines);
        lines = tail;
    }
    let skip = lines.len().saturating_sub(n);
    lines.split_off(skip)
}

fn read_tail(path: &Path) -> io::Result<Vec<String>> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let cut = len > TAIL_BYTES;
    if cut {
        file.seek(io::SeekFrom::Start(len - TAIL_BYTES))?;
    }
    let mut bytes = Vec::new();
    file.take(TAIL_BYTES).read_to_end(&mut bytes)?;
    let mut lines: Vec<String> = bytes.lines().map(|l| l.unwrap_or_default()).collect();
    if cut && !lines.is_empty() {
        // The first line was cut in the middle.
        lines.remove(0);
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_lines_come_from_the_newest_files_newest_last() {
        let dir = tempfile::tempdir().unwrap();
        let write = |day: &str, lines: std::ops::Range<u32>| {
            let text: String = lines.map(|i| format!("line {i}\n")).collect();
            std::fs::write(dir.path().join(format!("{PREFIX}.{day}.{SUFFIX}")), text).unwrap();
        };
        write("2026-01-01", 0..3);
        write("2026-01-02", 3..6);
        write("2026-01-03", 6..8);
        std::fs::write(dir.path().join("other.txt"), "not a log\n").unwrap();
        assert_eq!(files(dir.path()).len(), 3);
        assert_eq!(last_lines(dir.path(), 4), ["line 4", "line 5", "line 6", "line 7"]);
        assert_eq!(last_lines(dir.path(), 100).len(), 8);
        assert!(last_lines(&dir.path().join("missing"), 10).is_empty());
    }

    #[test]
    fn a_huge_file_is_read_from_its_end_only() {
        let dir = tempfile::tempdir().unwrap();
        let long = "x".repeat(1000);
        let text: String = (0..2000).map(|i| format!("{i} {long}\n")).collect();
        std::fs::write(dir.path().join(format!("{PREFIX}.2026-01-01.{SUFFIX}")), text).unwrap();
        let lines = last_lines(dir.path(), 5000);
        assert!(lines.len() < 1100 && lines.last().unwrap().starts_with("1999 "), "{}", lines.len());
        assert!(lines.iter().all(|l| l.ends_with(&long)), "no cut line is kept");
    }

    #[test]
    fn the_default_filter_keeps_dependencies_at_warn_and_caps_webbrowser() {
        let directives = Verbosity::Default.directives();
        assert!(directives.starts_with("warn,") && directives.contains("signin="), "{directives}");
        let filter = Verbosity::Everything.filter().unwrap().to_string();
        assert!(filter.contains("webbrowser=info"), "{filter}");
        assert!(Verbosity::Filter("not a [filter".into()).filter().is_err());
    }

    #[test]
    fn the_folder_follows_the_platform_unless_told() {
        let dir = platform_dir("io.example.app").unwrap();
        assert!(dir.ends_with(if cfg!(target_os = "macos") { "Logs/io.example.app" } else { "io.example.app/logs" }));
    }
}
