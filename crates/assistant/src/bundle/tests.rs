//! The atomic write: a failure at any point leaves nothing behind, and a name already taken isn't
//! overwritten. (What the bundle holds is tested end to end in `tests/support_bundle.rs`.)

use super::*;

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn a_bundle_is_written_whole_under_a_free_name() {
    let dir = tempfile::tempdir().unwrap();
    let first = save_atomically(dir.path(), "b.zip", |f| f.write_all(b"one")).unwrap();
    assert_eq!(first.file_name, "b.zip");
    let second = save_atomically(dir.path(), "b.zip", |f| f.write_all(b"two")).unwrap();
    assert_eq!(second.file_name, "b-2.zip", "the first one is kept");
    assert_eq!(names(dir.path()), ["b-2.zip", "b.zip"], "no temp file is left");
    assert_eq!(fs::read(&first.path).unwrap(), b"one");
    assert_eq!(second.path, dir.path().join("b-2.zip").display().to_string());
}

#[test]
fn a_disk_that_fills_up_halfway_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let err = save_atomically(dir.path(), "b.zip", |f| {
        f.write_all(&[0; 4096])?;
        Err(io::Error::from(io::ErrorKind::StorageFull))
    })
    .unwrap_err();
    assert!(matches!(&err, BundleError::DiskFull { dir: d } if d == dir.path()), "{err:?}");
    assert!(names(dir.path()).is_empty(), "the partial file was removed: {:?}", names(dir.path()));
    let message = Error::from(err);
    assert_eq!(message.code, vocab::Code::SupportBundleFailed);
    assert!(message.message.contains("is full") && message.message.contains("nothing was left behind"), "{}", message.message);
}

#[test]
fn a_folder_that_cannot_be_made_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("not-a-folder");
    fs::write(&blocked, "a file where the folder should be").unwrap();
    let err = save_atomically(&blocked.join("inside"), "b.zip", |f| f.write_all(b"x")).unwrap_err();
    assert!(matches!(err, BundleError::NotWritable { .. }), "{err:?}");
    assert_eq!(names(dir.path()), ["not-a-folder"]);
}
