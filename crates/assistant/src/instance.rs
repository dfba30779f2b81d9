//! One running copy of the app per data folder. Two copies would share the keyring's sign-ins and
//! the progress file, each unaware of the other's changes. The first copy holds a lock on
//! `instance.lock` and listens on a loopback port written to `instance.json`; a second launch
//! finds the lock taken, asks the first to show its window, and ends.
//!
//! The lock is the operating system's (released if the first copy dies, however it dies), so a
//! stale `instance.json` is never trusted on its own: it is only read while the lock is held, and
//! the request carries the random token written there with the port.

use serde::{Deserialize, Serialize};
use std::{
    fs,
    io::{self, BufRead, BufReader, Write},
    net::{Ipv4Addr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    time::Duration,
};

const LOCK: &str = "instance.lock";
const INFO: &str = "instance.json";

/// How long a second launch waits for the first to answer, and for its request to arrive.
const ANSWER: Duration = Duration::from_secs(3);

#[derive(Serialize, Deserialize)]
struct Info {
    port: u16,
    token: String,
}

/// The outcome of [`claim`].
pub enum Claim {
    /// This is the only copy; keep the value alive for as long as the app runs.
    First(FirstCopy),
    /// Another copy runs; `showed` says whether it answered the request to show its window.
    Second { showed: bool },
}

/// The running copy's hold on its folder.
pub struct FirstCopy {
    /// Held open: the lock lasts as long as the file does.
    _lock: fs::File,
    listener: TcpListener,
    token: String,
}

/// Claims `dir` for this process, or, if another copy holds it, asks that copy to show itself.
///
/// # Errors
/// The folder or its lock file can't be made: the caller runs without the check.
pub fn claim(dir: &Path) -> io::Result<Claim> {
    fs::create_dir_all(dir)?;
    let lock = fs::File::options().create(true).truncate(false).write(true).open(dir.join(LOCK))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => return Ok(Claim::Second { showed: ask_first_to_show(dir) }),
        Err(fs::TryLockError::Error(e)) => return Err(e),
    }
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let token: String = (0..32).map(|_| char::from(b'a' + rand::random::<u8>() % 26)).collect();
    let info =
        serde_json::to_vec(&Info { port: listener.local_addr()?.port(), token: token.clone() }).map_err(io::Error::other)?;
    let tmp = dir.join(format!(".{INFO}.tmp"));
    fs::write(&tmp, info)?;
    fs::rename(&tmp, dir.join(INFO))?;
    Ok(Claim::First(FirstCopy { _lock: lock, listener, token }))
}

fn ask_first_to_show(dir: &Path) -> bool {
    let asked = || -> io::Result<bool> {
        let info: Info = serde_json::from_slice(&fs::read(dir.join(INFO))?).map_err(io::Error::other)?;
        let mut stream = TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, info.port).into(), ANSWER)?;
        stream.set_read_timeout(Some(ANSWER))?;
        writeln!(stream, "show {}", info.token)?;
        let mut answer = String::new();
        BufReader::new(stream).read_line(&mut answer)?;
        Ok(answer.trim() == "shown")
    };
    asked().unwrap_or(false)
}

impl FirstCopy {
    /// Answers second launches for as long as the app runs, calling `show` for each, on a thread
    /// of its own. Requests without the token are ignored.
    pub fn serve(self, show: impl Fn() + Send + 'static) {
        std::thread::spawn(move || {
            let _keep_the_lock = &self._lock;
            for stream in self.listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(ANSWER));
                let mut line = String::new();
                let Ok(mut reader) = stream.try_clone().map(BufReader::new) else { continue };
                if reader.read_line(&mut line).is_err() || line.trim() != format!("show {}", self.token) {
                    continue;
                }
                show();
                let _ = (&stream).write_all(b"shown\n");
            }
        });
    }
}

/// The folder the app keeps its data in when not told otherwise: the platform's data folder and
/// the app identifier, as Tauri's `app_data_dir` makes it.
pub fn default_data_dir(identifier: &str) -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(identifier))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    #[test]
    fn a_second_claim_asks_the_first_to_show_itself_and_the_folder_is_free_again_once_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let Claim::First(first) = claim(dir.path()).unwrap() else { panic!("the first claim is the first copy") };
        let shown = Arc::new(AtomicUsize::new(0));
        let seen = shown.clone();
        first.serve(move || {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        for _ in 0..2 {
            assert!(matches!(claim(dir.path()).unwrap(), Claim::Second { showed: true }));
        }
        assert_eq!(shown.load(Ordering::SeqCst), 2);

        // A request with the wrong token is not a second launch.
        let info: Info = serde_json::from_slice(&fs::read(dir.path().join(INFO)).unwrap()).unwrap();
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, info.port)).unwrap();
        writeln!(s, "show not-the-token").unwrap();
        let mut answer = String::new();
        let _ = BufReader::new(s).read_line(&mut answer);
        assert_eq!(answer, "");
        assert_eq!(shown.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn the_folder_is_claimed_again_after_the_first_copy_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let first = claim(dir.path()).unwrap();
        assert!(matches!(first, Claim::First(_)));
        drop(first);
        assert!(matches!(claim(dir.path()).unwrap(), Claim::First(_)), "the lock went with the copy holding it");
    }
}
