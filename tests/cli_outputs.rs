//! The command-line program where its outputs cannot be written: errors
//! with a clear message and exit status 2, never a panic.

use std::process::{Command, Stdio};

fn pipenet() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pipenet"))
}

fn net1() -> String {
    format!("{}/networks/epanet/Net1.inp", env!("CARGO_MANIFEST_DIR"))
}

/// `pipenet run Net1.inp > /dev/full` (and `check`) once panicked with
/// exit status 101 and a backtrace: `println!` panics when standard output
/// cannot be written. Now an error names the cause, status 2.
#[cfg(target_os = "linux")]
#[test]
fn stdout_on_dev_full_is_an_error_not_a_panic() {
    for command in ["run", "check"] {
        let full = std::fs::File::create("/dev/full").expect("/dev/full opens");
        let output = pipenet()
            .args([command, &net1()])
            .stdout(Stdio::from(full))
            .output()
            .expect("pipenet runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            stderr.starts_with("error: cannot write to standard output: No space left"),
            "{command}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
    }
}
