//! The keyring store when the keyring fails, or the app dies, at any single operation: every
//! operation k of every save and sign-out, in both layouts, with a keyring that can list its
//! entries (Secret Service) and one that can't, from a clean start and from the leftovers
//! earlier failures leave. Afterwards the saved sign-in is the old one or the new one,
//! never unreadable, and a sign-out leaves no entry at all.

use parking_lot::Mutex;
use signin::{KeyringEntries, KeyringTokenStore, Layout, ProviderId, Secret, StoredTokens, TokenStore, TokenStoreError};
use std::{collections::BTreeMap, sync::Arc};

const P: ProviderId = ProviderId::Microsoft;

/// How the operation picked to go wrong goes wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// That one operation fails; the next ones work (a keyring that hiccups).
    Fail,
    /// That operation and every later one never happen (the app was killed).
    Stop,
}

/// A keyring in memory that counts operations and makes operation `at` go wrong.
#[derive(Default)]
struct Entries {
    /// Whether it can list entries, as Secret Service can.
    lists: bool,
    map: Mutex<BTreeMap<String, String>>,
    ops: Mutex<usize>,
    fault: Mutex<Option<(usize, Fault)>>,
}

impl Entries {
    /// Counts this operation; `Err` when it is the one to go wrong (or comes after a stop).
    fn step(&self) -> Result<(), TokenStoreError> {
        let mut ops = self.ops.lock();
        let k = *ops;
        *ops += 1;
        match *self.fault.lock() {
            Some((at, Fault::Fail)) if k == at => Err(TokenStoreError::Failed(format!("injected at operation {k}"))),
            Some((at, Fault::Stop)) if k >= at => Err(TokenStoreError::Failed(format!("stopped at operation {at}"))),
            _ => Ok(()),
        }
    }

    fn arm(&self, fault: Option<(usize, Fault)>) {
        *self.ops.lock() = 0;
        *self.fault.lock() = fault;
    }

    fn count(&self) -> usize {
        *self.ops.lock()
    }
}

impl KeyringEntries for Entries {
    fn get(&self, account: &str) -> Result<Option<String>, TokenStoreError> {
        self.step()?;
        Ok(self.map.lock().get(account).cloned())
    }
    fn set(&self, account: &str, value: &str) -> Result<(), TokenStoreError> {
        self.step()?;
        self.map.lock().insert(account.into(), value.into());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<bool, TokenStoreError> {
        self.step()?;
        Ok(self.map.lock().remove(account).is_some())
    }
    /// A search (one operation), then one deletion per entry found, each of which can go wrong.
    fn delete_prefixed(&self, prefix: &str) -> Result<Option<usize>, TokenStoreError> {
        if !self.lists {
            return Ok(None);
        }
        self.step()?;
        let found: Vec<String> = self.map.lock().keys().filter(|k| k.starts_with(prefix)).cloned().collect();
        for account in &found {
            self.step()?;
            self.map.lock().remove(account);
        }
        Ok(Some(found.len()))
    }
}

/// Tokens big enough to need several parts in the chunked layout.
fn tokens(tag: &str) -> StoredTokens {
    StoredTokens {
        access_token: Secret::new(format!("{tag}-").repeat(900)),
        refresh_token: Some(Secret::new(format!("refresh-{tag}"))),
        expires_at: Some(1),
        id_token: None,
        name: Some(tag.into()),
        email: None,
        method: Default::default(),
    }
}

/// What the keyring holds before the operation under test.
#[derive(Debug, Clone, Copy)]
enum Start {
    /// Nothing saved.
    Empty,
    /// The old tokens, saved cleanly.
    Saved,
    /// The old tokens, plus parts an interrupted clear left behind with a gap before them (the
    /// gap is what stopped the old sweep), plus parts past the manifest's count.
    SavedWithLeftovers,
}

fn prepare(start: Start, layout: Layout, lists: bool) -> (Arc<Entries>, Option<StoredTokens>) {
    let entries = Arc::new(Entries { lists, ..Entries::default() });
    let store = KeyringTokenStore::with_entries(entries.clone(), layout);
    let old = match start {
        Start::Empty => None,
        Start::Saved | Start::SavedWithLeftovers => {
            store.save(P, &tokens("old")).unwrap();
            Some(tokens("old"))
        }
    };
    if let Start::SavedWithLeftovers = start {
        let mut map = entries.map.lock();
        for account in ["microsoft/tokens/b/2", "microsoft/tokens/b/3", "microsoft/tokens/a/9", "microsoft/tokens/a/15"] {
            map.insert(account.into(), "left over".into());
        }
    }
    (entries, old)
}

#[derive(Debug, Clone, Copy)]
enum Operation {
    Save,
    Delete,
}

/// Runs `op` on a fresh store over `entries` (a new app run); its result doesn't matter here.
fn run(entries: &Arc<Entries>, layout: Layout, op: Operation) -> Result<(), TokenStoreError> {
    let store = KeyringTokenStore::with_entries(entries.clone(), layout);
    // The app reads the sign-in at start, before any save.
    let _ = store.load(P);
    match op {
        Operation::Save => store.save(P, &tokens("new")),
        Operation::Delete => store.delete(P),
    }
}

/// How many operations `op` takes, from `start`, with nothing going wrong.
fn operations(start: Start, layout: Layout, lists: bool, op: Operation) -> usize {
    let (entries, _) = prepare(start, layout, lists);
    entries.arm(None);
    run(&entries, layout, op).unwrap();
    entries.count()
}

#[test]
fn a_failure_or_a_kill_at_any_operation_leaves_the_old_or_the_new_sign_in_and_sign_out_leaves_nothing() {
    let mut cases = 0;
    for (layout, lists) in [(Layout::Single, true), (Layout::Single, false), (Layout::Chunked, true), (Layout::Chunked, false)] {
        for start in [Start::Empty, Start::Saved, Start::SavedWithLeftovers] {
            for op in [Operation::Save, Operation::Delete] {
                let total = operations(start, layout, lists, op);
                for k in 0..total {
                    for fault in [Fault::Fail, Fault::Stop] {
                        let listing = if lists { "listing" } else { "not listing" };
                        let case = format!("{layout:?} {listing} {start:?} {op:?}, {fault:?} at operation {k} of {total}");
                        let (entries, old) = prepare(start, layout, lists);
                        entries.arm(Some((k, fault)));
                        let _ = run(&entries, layout, op);

                        // The next run of the app reads what is there.
                        entries.arm(None);
                        let store = KeyringTokenStore::with_entries(entries.clone(), layout);
                        let loaded = store.load(P).unwrap_or_else(|e| panic!("{case}: the sign-in is unreadable: {e}"));
                        let new = match op {
                            Operation::Save => Some(tokens("new")),
                            Operation::Delete => None,
                        };
                        assert!(loaded == old || loaded == new, "{case}: neither the old nor the new sign-in: {loaded:?}");

                        // Signing out then leaves nothing behind, whatever the failure left.
                        store.delete(P).unwrap_or_else(|e| panic!("{case}: sign-out failed: {e}"));
                        let left: Vec<String> = entries.map.lock().keys().cloned().collect();
                        assert!(left.is_empty(), "{case}: entries left after sign-out: {left:?}");
                        cases += 1;
                    }
                }
            }
        }
    }
    println!("{cases} fault cases");
    assert!(cases >= 200, "only {cases} cases");
}

#[test]
fn a_manifest_read_that_fails_stops_the_save_instead_of_taking_the_live_slot() {
    let (entries, old) = prepare(Start::Saved, Layout::Chunked, true);
    let store = KeyringTokenStore::with_entries(entries.clone(), Layout::Chunked);
    // Operation 0 of a chunked save is reading the manifest.
    entries.arm(Some((0, Fault::Fail)));
    assert!(store.save(P, &tokens("new")).is_err(), "a save that can't tell the live slot doesn't guess");
    entries.arm(None);
    assert_eq!(store.load(P).unwrap(), old);
}

#[test]
fn one_write_saves_a_sign_in_in_the_single_layout() {
    let (entries, _) = prepare(Start::Saved, Layout::Single, true);
    let store = KeyringTokenStore::with_entries(entries.clone(), Layout::Single);
    entries.arm(None);
    store.save(P, &tokens("new")).unwrap();
    assert_eq!(entries.count(), 1, "one keyring round trip per save");
    assert_eq!(entries.map.lock().len(), 1, "one entry per provider");
}

#[test]
fn tokens_saved_in_the_chunked_layout_are_read_in_the_single_one_and_their_parts_swept_by_the_next_save() {
    let (entries, old) = prepare(Start::Saved, Layout::Chunked, true);
    assert!(entries.map.lock().len() > 2, "a manifest and parts");
    let store = KeyringTokenStore::with_entries(entries.clone(), Layout::Single);
    assert_eq!(store.load(P).unwrap(), old, "an upgrade keeps the sign-in");
    store.save(P, &tokens("new")).unwrap();
    assert_eq!(entries.map.lock().keys().collect::<Vec<_>>(), ["microsoft/tokens"]);
    assert_eq!(store.load(P).unwrap(), Some(tokens("new")));
}
