//! The progress store: one JSON file in the app's data directory. Writes are atomic (temp file,
//! fsync, rename), so a crash leaves either the old or the new progress, never half of each
//! (`scripts/crash-test.sh` kills a saving process at random moments to show it). Temp files a
//! crash left behind are removed at the next start.
//!
//! A file that can't be read or understood is moved aside, never deleted, and the user starts
//! fresh. If it can't even be moved aside, the store fails closed: it refuses every save rather
//! than overwrite a file nobody could read, and says what to do.

use crate::{format, Catalog, Millis, Progress};
use serde::Serialize;
use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};
use ts_rs::TS;
use vocab::Code;

pub const FILE_NAME: &str = "progress.json";

/// Something the user should be told about when the app starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// [`Code::ProgressUnreadable`].
    pub code: Code,
    pub message: String,
    /// Where the old file was kept, if it could be moved.
    pub kept_at: Option<PathBuf>,
}

/// The outcome of [`ProgressStore::load`]: always usable progress, plus a notice if the saved file had to be set aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub progress: Progress,
    pub notice: Option<Notice>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("couldn't save your progress to {path}: {}", why(source))]
    Write { path: PathBuf, source: io::Error },
    /// The saved file couldn't be read or moved aside at start; saving would overwrite it.
    #[error(
        "your progress can't be saved: the saved progress at {path} couldn't be read or moved aside, so the assistant \
         won't overwrite it. Move or delete that file, then start the app again"
    )]
    Blocked { path: PathBuf },
}

/// Why a write failed, in words a user can act on.
fn why(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::StorageFull => "the disk is full. Free some space, then try again".into(),
        io::ErrorKind::ReadOnlyFilesystem => "that folder is read-only. Make it writable, then try again".into(),
        io::ErrorKind::PermissionDenied => {
            "the app isn't allowed to write there. Check the folder's permissions, then try again".into()
        }
        _ => format!("{e}. Try again, or check that there is free disk space"),
    }
}

/// Temp files older than this, from another process, are a crash's leftovers: a save takes
/// milliseconds.
const STALE_TEMP: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct ProgressStore {
    dir: PathBuf,
    /// Set when the saved file couldn't be moved aside: every save is refused.
    blocked: Arc<Mutex<bool>>,
}

impl ProgressStore {
    /// A store that keeps its file in `dir` (created on first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into(), blocked: Arc::default() }
    }

    fn temp_prefix() -> String {
        format!(".{FILE_NAME}.tmp-")
    }

    /// Removes temp files other processes left behind (a crash mid-save); they are never read.
    fn remove_stale_temp_files(&self) {
        let ours = format!("{}{}", Self::temp_prefix(), std::process::id());
        for entry in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with(&Self::temp_prefix()) || name == ours {
                continue;
            }
            let old = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            if old.is_some_and(|age| age > STALE_TEMP) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// Reads saved progress. Never fails: a missing file is a fresh start, and a file that is
    /// unreadable, corrupted or doesn't fit the catalog is kept aside with a notice saying so.
    pub fn load(&self, catalog: &Catalog, now: Millis) -> Loaded {
        self.remove_stale_temp_files();
        let path = self.path();
        let problem = match fs::read(&path) {
            Ok(bytes) => match format::parse(&bytes) {
                Ok(progress) => {
                    let flow = progress.flow.as_deref().and_then(|id| catalog.flow(id));
                    match progress.validate(flow) {
                        Ok(()) => return Loaded { progress, notice: None },
                        Err(why) => why,
                    }
                }
                Err(why) => why,
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Loaded { progress: Progress::default(), notice: None },
            Err(e) => format!("it couldn't be read ({e})"),
        };

        let aside = self.dir.join(format!("{FILE_NAME}.unreadable-{now}"));
        let message = match fs::rename(&path, &aside) {
            Ok(()) => format!(
                "Your saved progress couldn't be used because {problem}. You are starting fresh. The old file was kept at {}.",
                aside.display()
            ),
            Err(e) => {
                // Fail closed: a fresh start would overwrite the file on the first save.
                *self.blocked.lock().unwrap_or_else(|p| p.into_inner()) = true;
                format!(
                    "Your saved progress couldn't be used because {problem}, and it couldn't be moved aside ({e}). \
                     So that nothing is lost, the assistant won't save progress until you move or delete {} and start the app again.",
                    path.display()
                )
            }
        };
        let kept_at = aside.exists().then_some(aside);
        Loaded { progress: Progress::default(), notice: Some(Notice { code: Code::ProgressUnreadable, message, kept_at }) }
    }

    /// Saves `progress` atomically.
    ///
    /// # Errors
    /// [`StoreError::Write`] if the directory or file can't be written; the previous file is then untouched.
    pub fn save(&self, progress: &Progress) -> Result<(), StoreError> {
        let path = self.path();
        if *self.blocked.lock().unwrap_or_else(|p| p.into_inner()) {
            return Err(StoreError::Blocked { path });
        }
        let wrap = |source| StoreError::Write { path: path.clone(), source };
        fs::create_dir_all(&self.dir).map_err(wrap)?;
        let bytes = serde_json::to_vec_pretty(progress).map_err(|e| wrap(io::Error::other(e)))?;
        let tmp = self.dir.join(format!("{}{}", Self::temp_prefix(), std::process::id()));
        let written = write_synced(&tmp, &bytes).and_then(|()| fs::rename(&tmp, &path));
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(wrap(e));
        }
        // The rename is durable only once the directory entry is; not every platform can fsync a directory.
        if let Ok(dir) = fs::File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// Writes a new file at `path` and flushes it to disk. A leftover at that name is removed
/// first, and the new file is created exclusively, so a link planted there isn't followed.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let _ = fs::remove_file(path);
    let mut file = fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Position;

    fn catalog() -> Catalog {
        Catalog::embedded().unwrap()
    }

    fn some_progress(c: &Catalog) -> Progress {
        let flow = c.flow("connect-existing-org").unwrap();
        let mut p = Progress::default();
        p.choose(flow, 5).unwrap();
        p.next(flow, 6).unwrap();
        p
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn missing_file_is_a_quiet_fresh_start() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = ProgressStore::new(dir.path().join("not-yet")).load(&catalog(), 1);
        assert_eq!(loaded, Loaded { progress: Progress::default(), notice: None });
    }

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::new(dir.path().join("nested/data"));
        let c = catalog();
        let p = some_progress(&c);
        store.save(&p).unwrap();
        let loaded = store.load(&c, 9);
        assert_eq!(loaded.progress, p);
        assert_eq!(loaded.notice, None);
        assert_eq!(loaded.progress.position, Position::Step { step: "connect-marketplace".into() });
    }

    #[test]
    fn save_leaves_no_temp_file_and_replaces_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::new(dir.path());
        let c = catalog();
        store.save(&Progress::default()).unwrap();
        store.save(&some_progress(&c)).unwrap();
        assert_eq!(entries(dir.path()), vec![FILE_NAME.to_string()]);
        assert_eq!(store.load(&c, 1).progress, some_progress(&c));
    }

    #[test]
    fn a_failed_write_keeps_the_previous_file_intact() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::new(dir.path());
        let c = catalog();
        store.save(&some_progress(&c)).unwrap();
        let before = fs::read(store.path()).unwrap();
        // A directory where the temp file should go makes the write fail before the rename.
        fs::create_dir(dir.path().join(format!(".{FILE_NAME}.tmp-{}", std::process::id()))).unwrap();
        let err = store.save(&Progress::default()).unwrap_err();
        assert!(err.to_string().contains("couldn't save"), "{err}");
        assert_eq!(fs::read(store.path()).unwrap(), before, "the old progress must survive a failed save");
    }

    #[test]
    fn a_stray_temp_file_from_a_crash_does_not_matter() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::new(dir.path());
        let c = catalog();
        store.save(&some_progress(&c)).unwrap();
        fs::write(dir.path().join(format!(".{FILE_NAME}.tmp-1")), b"{\"half\":").unwrap();
        assert_eq!(store.load(&c, 1), Loaded { progress: some_progress(&c), notice: None });
    }

    #[test]
    fn corrupted_file_is_kept_aside_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::new(dir.path());
        fs::write(store.path(), b"\x00\xffnot json at all").unwrap();
        let loaded = store.load(&catalog(), 42);
        assert_eq!(loaded.progress, Progress::default());
        let notice = loaded.notice.expect("the user is told");
        assert_eq!(notice.code, Code::ProgressUnreadable);
        assert!(notice.message.contains("damaged"), "{}", notice.message);
        let kept = notice.kept_at.expect("the bad file is kept");
        assert_eq!(kept, dir.path().join("progress.json.unreadable-42"));
        assert_eq!(fs::read(&kept).unwrap(), b"\x00\xffnot json at all", "kept byte for byte");
        assert!(!store.path().exists());
    }

    #[test]
    fn valid_json_that_names_an_unknown_flow_is_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::new(dir.path());
        fs::write(
            store.path(),
            br#"{"version":1,"flow":"aws","position":{"screen":"step","step":"x"},"done":{},"startedAt":1,"updatedAt":1,"finishedAt":null}"#,
        )
        .unwrap();
        let loaded = store.load(&catalog(), 7);
        assert!(loaded.notice.unwrap().message.contains("flow `aws`"));
        assert_eq!(loaded.progress, Progress::default());
    }

    #[test]
    fn temp_files_a_crash_left_are_removed_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::new(dir.path());
        let c = catalog();
        store.save(&some_progress(&c)).unwrap();
        let stale = dir.path().join(format!(".{FILE_NAME}.tmp-999999"));
        let fresh = dir.path().join(format!(".{FILE_NAME}.tmp-999998"));
        for f in [&stale, &fresh] {
            fs::write(f, b"{\"half\":").unwrap();
        }
        let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        fs::File::options().write(true).open(&stale).unwrap().set_modified(an_hour_ago).unwrap();
        assert_eq!(store.load(&c, 1).progress, some_progress(&c));
        assert!(!stale.exists(), "an hour-old temp file is a crash's leftover");
        assert!(fresh.exists(), "a new one may be another process saving right now");
    }

    #[test]
    fn a_bad_file_that_cannot_be_moved_aside_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::new(dir.path());
        fs::write(store.path(), b"{broken").unwrap();
        // Where it would be moved is taken by a folder with something in it, so the move fails
        // (permissions can't make it fail for root, who runs CI).
        fs::create_dir(dir.path().join("progress.json.unreadable-5")).unwrap();
        fs::write(dir.path().join("progress.json.unreadable-5/x"), b"x").unwrap();
        let loaded = store.load(&catalog(), 5);
        let notice = loaded.notice.unwrap();
        assert!(notice.message.contains("won't save progress until you move or delete"), "{}", notice.message);
        let err = store.save(&Progress::default()).unwrap_err();
        assert!(matches!(err, StoreError::Blocked { .. }), "{err}");
        assert!(err.to_string().contains("Move or delete that file"), "{err}");
        assert_eq!(fs::read(store.path()).unwrap(), b"{broken", "the unread file is untouched");
    }

    #[test]
    fn write_errors_say_what_to_do() {
        let full = StoreError::Write { path: "p".into(), source: io::Error::from(io::ErrorKind::StorageFull) };
        assert!(full.to_string().contains("the disk is full. Free some space"), "{full}");
        let ro = StoreError::Write { path: "p".into(), source: io::Error::from(io::ErrorKind::ReadOnlyFilesystem) };
        assert!(ro.to_string().contains("read-only"), "{ro}");
    }

    #[test]
    fn an_unreadable_path_is_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProgressStore::new(dir.path());
        // A directory can't be read as a file, whoever runs the test (root ignores permissions).
        fs::create_dir(store.path()).unwrap();
        let loaded = store.load(&catalog(), 3);
        let notice = loaded.notice.unwrap();
        assert!(notice.message.contains("couldn't be read"), "{}", notice.message);
        assert!(notice.kept_at.unwrap().is_dir());
        store.save(&Progress::default()).expect("after moving it aside, saving works again");
    }
}
