//! Helpers shared by the integration tests that compare with EPANET's references.
#![allow(dead_code)] // each test file uses only some of them

use std::io::Read;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a gzipped reference written by `epanet_reference.py`. Python
/// writes undecodable Latin-1 bytes of ids as lone surrogates (`\udcXX`),
/// which are mapped back to the Latin-1 characters pipenet reads.
pub fn load_reference(path: &Path) -> serde_json::Value {
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .read_to_string(&mut text)
    .unwrap();
    let text = text.replace("\\udc", "\\u00");
    serde_json::from_str(&text).unwrap()
}

/// A JSON array of numbers.
pub fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// A JSON array of strings.
pub fn ids(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// A path in the system's temporary directory for a test file, unique to
/// this test process, its `tag` (the test file) and `name`.
pub fn temp_path(tag: &str, name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("pipenet-{tag}-{}-{name}", std::process::id()))
}

/// Runs the `pipenet` binary with `args` followed by `out` (the file the
/// arguments ask it to write, e.g. after `-o`), asserts that it succeeds
/// (showing its standard error if not), and returns what it wrote to
/// `out`, which is then removed.
#[cfg(feature = "cli")]
pub fn pipenet_writes<S: AsRef<std::ffi::OsStr>>(args: &[S], out: &Path) -> Vec<u8> {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .args(args)
        .arg(out)
        .output()
        .expect("pipenet runs");
    assert!(
        run.status.success(),
        "pipenet {:?}: {}",
        args.iter().map(|a| a.as_ref()).collect::<Vec<_>>(),
        String::from_utf8_lossy(&run.stderr)
    );
    let bytes = std::fs::read(out).expect("pipenet wrote its output");
    let _ = std::fs::remove_file(out);
    bytes
}
