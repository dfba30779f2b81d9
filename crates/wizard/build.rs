//! Compiles every `flows/*.toml` into the crate, so adding a marketplace flow needs only a data file.

use std::{env, fs, path::PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let flows_dir = manifest.join("flows");
    println!("cargo:rerun-if-changed={}", flows_dir.display());

    let mut files: Vec<PathBuf> = fs::read_dir(&flows_dir)
        .expect("crates/wizard/flows must exist")
        .map(|entry| entry.expect("readable flows entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    // Sorted so the start screen lists flows in a stable order (file names carry a numeric prefix).
    files.sort();

    let mut out = String::from(
        "/// Every flow file, as `(file name, contents)`, in file-name order.\npub const FLOW_FILES: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().expect("file name").to_string_lossy();
        out.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.display().to_string()));
    }
    out.push_str("];\n");

    let dest = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("flow_files.rs");
    fs::write(dest, out).expect("write flow_files.rs");
}
