//! The progress store: one JSON file in the app's data directory. Writes are atomic (temp file,
//! fsync, rename), so a crash leaves either the old or the new progress, never half of each.
//! A file that can't be read or understood is moved aside, never deleted, and the user starts fresh.

use crate::{format, Catalog, Millis, Progress};
use serde::Serialize;
use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
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
    #[error("couldn't save your progress to {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
}

#[derive(Debug, Clone)]
pub struct ProgressStore {
    dir: PathBuf,
}

impl ProgressStore {
    /// A store that keeps its file in `dir` (created on first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// Reads saved progress. Never fails: a missing file is a fresh start, and a file that is
    /// unreadable, corrupted or doesn't fit the catalog is kept aside with a notice saying so.
    pub fn load(&self, catalog: &Catalog, now: Millis) -> Loaded {
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
        let kept_at = fs::rename(&path, &aside).ok().map(|()| aside);
        let keep = match &kept_at {
            Some(p) => format!(" The old file was kept at {}.", p.display()),
            None => format!(" The old file is still at {}.", path.display()),
        };
        Loaded {
            progress: Progress::default(),
            notice: Some(Notice {
                code: Code::ProgressUnreadable,
                message: format!("Your saved progress couldn't be used because {problem}. You are starting fresh.{keep}"),
                kept_at,
            }),
        }
    }

    /// Saves `progress` atomically.
    ///
    /// # Errors
    /// [`StoreError::Write`] if the directory or file can't be written; the previous file is then untouched.
    pub fn save(&self, progress: &Progress) -> Result<(), StoreError> {
        let path = self.path();
        let wrap = |source| StoreError::Write { path: path.clone(), source };
        fs::create_dir_all(&self.dir).map_err(wrap)?;
        let bytes = serde_json::to_vec_pretty(progress).map_err(|e| wrap(io::Error::other(e)))?;
        let tmp = self.dir.join(format!(".{FILE_NAME}.tmp-{}", std::process::id()));
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

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
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
