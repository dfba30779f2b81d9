//! The progress file's format: which versions this app reads, and how an older one is brought up
//! to date on load. A file is only ever written in the current version.
//!
//! - Version 1 kept the live checks' findings as `notes`, text by key.
//! - Version 2 keeps them as typed `findings` (see [`crate::Findings`]).

use crate::{progress::PROGRESS_VERSION, Findings, Progress};
use serde_json::Value;

/// Parses a saved file of any version this app reads.
///
/// # Errors
/// Why the file can't be used, in words that finish "…couldn't be used because …".
pub fn parse(bytes: &[u8]) -> Result<Progress, String> {
    let damaged = |e: &dyn std::fmt::Display| format!("it is damaged ({e})");
    let mut value: Value = serde_json::from_slice(bytes).map_err(|e| damaged(&e))?;
    let object = value.as_object_mut().ok_or_else(|| damaged(&"it is not a JSON object"))?;
    match object.get("version").and_then(Value::as_u64) {
        Some(1) => {
            let notes = match object.remove("notes") {
                None => serde_json::Map::new(),
                Some(Value::Object(notes)) => notes,
                Some(_) => return Err(damaged(&"its notes are not a table")),
            };
            let findings = Findings::from_v1_notes(&notes)?;
            if !findings.is_empty() {
                object.insert("findings".into(), serde_json::to_value(findings).map_err(|e| damaged(&e))?);
            }
            object.insert("version".into(), PROGRESS_VERSION.into());
        }
        Some(v) if v == u64::from(PROGRESS_VERSION) => {}
        Some(v) => return Err(format!("it was saved with format version {v}; this app reads versions 1 to {PROGRESS_VERSION}")),
        None => return Err(damaged(&"it has no format version")),
    }
    serde_json::from_value(value).map_err(|e| damaged(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_file_without_findings_loads_as_the_current_version() {
        let old = br#"{"version":1,"flow":null,"position":{"screen":"start"},"done":{},"startedAt":null,"updatedAt":null,"finishedAt":null}"#;
        assert_eq!(parse(old).unwrap(), Progress::default());
        let written = serde_json::to_string(&Progress::default()).unwrap();
        assert_eq!(
            written,
            r#"{"version":2,"flow":null,"position":{"screen":"start"},"done":{},"startedAt":null,"updatedAt":null,"finishedAt":null}"#,
            "empty newer fields are left out"
        );
    }

    #[test]
    fn versions_this_app_does_not_know_and_bad_notes_are_refused() {
        assert!(parse(br#"{"version":3}"#).unwrap_err().contains("format version 3"));
        assert!(parse(br#"{"flow":null}"#).unwrap_err().contains("no format version"));
        assert!(parse(b"[]").unwrap_err().contains("not a JSON object"));
        let bad_note = br#"{"version":1,"flow":null,"position":{"screen":"start"},"done":{},"notes":{"mood":"x"},"startedAt":null,"updatedAt":null,"finishedAt":null}"#;
        assert!(parse(bad_note).unwrap_err().contains("`mood`"));
        let v2_notes = br#"{"version":2,"flow":null,"position":{"screen":"start"},"done":{},"notes":{},"startedAt":null,"updatedAt":null,"finishedAt":null}"#;
        assert!(parse(v2_notes).is_err(), "version 2 has no notes");
    }
}
