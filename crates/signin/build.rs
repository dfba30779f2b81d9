//! Bakes a deployment's sign-in settings into the build: the TOML file `BA_DEPLOYMENT_CONFIG`
//! names (the same format as signin.toml) is copied into OUT_DIR and compiled in by
//! src/config.rs; without it the file is empty and the built-in defaults apply.

use std::{env, fs, path::PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=BA_DEPLOYMENT_CONFIG");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("deployment.toml");
    let settings = match env::var_os("BA_DEPLOYMENT_CONFIG") {
        Some(path) => {
            let path = PathBuf::from(path);
            println!("cargo:rerun-if-changed={}", path.display());
            fs::read_to_string(&path).unwrap_or_else(|e| panic!("BA_DEPLOYMENT_CONFIG={}: {e}", path.display()))
        }
        None => String::new(),
    };
    fs::write(out, settings).expect("write deployment.toml");
}
