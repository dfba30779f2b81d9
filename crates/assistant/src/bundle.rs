//! The support bundle: one zip a user can send to whoever helps them, with what that person
//! needs to know (see [`contents`] for the entries) and nothing they mustn't see (see [`redact`]).
//!
//! It is written atomically: into a temp file beside its final name, synced, then renamed, so a
//! full disk or a crash leaves either the whole bundle or nothing, never half a zip. It goes in
//! `BA_BUNDLE_DIR` if set (tests), else the Downloads folder, else the app's data folder, as
//! `billing-assistant-support-YYYYMMDD-HHMMSS.zip` (local time).

mod contents;
mod redact;
#[cfg(test)]
mod tests;

pub use contents::LOG_LINES;

use crate::{Assistant, Error, Mode};
use serde::Serialize;
use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
};
use ts_rs::TS;
use zip::{write::SimpleFileOptions, CompressionMethod, ZipWriter};

/// Where bundles go instead of the Downloads folder.
pub const DIR_VAR: &str = "BA_BUNDLE_DIR";
const NAME_PREFIX: &str = "billing-assistant-support-";

/// Where a bundle was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedBundle {
    /// The whole path, for "Show in folder".
    pub path: String,
    /// `billing-assistant-support-20260501-142233.zip`.
    pub file_name: String,
}

/// Why a bundle couldn't be saved; nothing was left behind either way.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("the disk holding {} is full", dir.display())]
    DiskFull { dir: PathBuf },
    #[error("the folder {} can't be written ({reason})", dir.display())]
    NotWritable { dir: PathBuf, reason: String },
}

impl BundleError {
    fn from_io(dir: &Path, e: &io::Error) -> Self {
        let dir = dir.to_path_buf();
        match e.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Self::DiskFull { dir },
            _ => Self::NotWritable { dir, reason: e.to_string() },
        }
    }
}

impl Assistant {
    /// Writes a support bundle and says where.
    ///
    /// # Errors
    /// `support_bundle_failed`: the folder can't be written or the disk is full; no partial file
    /// is left behind.
    pub async fn save_support_bundle(&self) -> Result<SavedBundle, Error> {
        let (progress, notice) = {
            let session = self.session.lock();
            (session.progress().clone(), session.snapshot().notice)
        };
        let status = self.signin_status().await;
        let secrets = self.sign_ins.saved_secrets().await.iter().map(|s| s.expose().to_owned()).collect();
        let (about, settings) = (self.about(), self.signin_settings());
        let mode = if self.demo.is_some() { Mode::Demo } else { Mode::Live };
        let (dir, log_dir) = (self.bundle_dir(), self.log_dir.clone());
        let now = chrono::Local::now();
        let name = format!("{NAME_PREFIX}{}.zip", now.format("%Y%m%d-%H%M%S"));
        // Sockets, the resolver, the log files and the disk: all blocking.
        let saved = tokio::task::spawn_blocking(move || {
            let inputs = contents::Inputs {
                about,
                mode,
                settings,
                status,
                secrets,
                progress,
                notice,
                loopback: signin::loopback_self_test(),
                log_lines: log_dir.map(|d| crate::log::last_lines(&d, LOG_LINES)).unwrap_or_default(),
                created_at: now.to_rfc3339(),
            };
            let entries = contents::entries(inputs);
            save_atomically(&dir, &name, |file| write_zip(file, &entries, zip_time(&now)))
        })
        .await
        .expect("writing the support bundle panicked")?;
        tracing::info!("support bundle saved as {}", saved.file_name);
        Ok(saved)
    }

    /// `BA_BUNDLE_DIR` (or the setup's folder), else Downloads if it exists, else the data folder.
    fn bundle_dir(&self) -> PathBuf {
        self.bundle_dir
            .clone()
            .or_else(|| std::env::var_os(DIR_VAR).filter(|d| !d.is_empty()).map(PathBuf::from))
            .or_else(|| dirs::download_dir().filter(|d| d.is_dir()))
            .unwrap_or_else(|| self.data_dir.clone())
    }
}

fn zip_time(now: &chrono::DateTime<chrono::Local>) -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    let part = |n: u32| u8::try_from(n).unwrap_or(0);
    u16::try_from(now.year())
        .ok()
        .and_then(|year| {
            zip::DateTime::from_date_and_time(
                year,
                part(now.month()),
                part(now.day()),
                part(now.hour()),
                part(now.minute()),
                part(now.second()),
            )
            .ok()
        })
        .unwrap_or_default()
}

fn write_zip(file: &mut fs::File, entries: &[(&str, Vec<u8>)], modified: zip::DateTime) -> io::Result<()> {
    let mut zip = ZipWriter::new(file);
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).last_modified_time(modified);
    for (name, bytes) in entries {
        zip.start_file(*name, options).map_err(zip_io)?;
        zip.write_all(bytes)?;
    }
    zip.finish().map_err(zip_io)?;
    Ok(())
}

fn zip_io(e: zip::result::ZipError) -> io::Error {
    match e {
        zip::result::ZipError::Io(e) => e,
        other => io::Error::other(other),
    }
}

/// Writes `name` in `dir` through a temp file: `write` fills it, then it is synced and renamed.
/// Any failure removes the temp file. A name already taken gets `-2`, `-3`… before `.zip`.
pub(crate) fn save_atomically(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut fs::File) -> io::Result<()>,
) -> Result<SavedBundle, BundleError> {
    let fail = |e: io::Error| BundleError::from_io(dir, &e);
    fs::create_dir_all(dir).map_err(fail)?;
    let temp = dir.join(format!(".{name}.{:08x}.partial", rand::random::<u32>()));
    let mut file = fs::File::options().write(true).create_new(true).open(&temp).map_err(fail)?;
    let written = write(&mut file).and_then(|()| file.sync_all());
    drop(file);
    let target = written.and_then(|()| free_name(dir, name)).and_then(|target| fs::rename(&temp, &target).map(|()| target));
    let target = match target {
        Ok(target) => target,
        Err(e) => {
            let _ = fs::remove_file(&temp);
            return Err(fail(e));
        }
    };
    sync_dir(dir);
    let file_name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(SavedBundle { path: target.display().to_string(), file_name })
}

fn free_name(dir: &Path, name: &str) -> io::Result<PathBuf> {
    let stem = name.strip_suffix(".zip").unwrap_or(name);
    (1..1000)
        .map(|n| if n == 1 { dir.join(name) } else { dir.join(format!("{stem}-{n}.zip")) })
        .find(|candidate| !candidate.exists())
        .ok_or_else(|| io::Error::new(io::ErrorKind::AlreadyExists, "too many bundles with this name"))
}

/// Makes the rename itself durable where the platform allows (a best effort: the bundle is whole
/// either way).
fn sync_dir(dir: &Path) {
    if cfg!(unix) {
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}
