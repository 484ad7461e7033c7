//! `pipenet plot`: a time-series chart of chosen elements, and the errors a user meets.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::Command;

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("pipenet-plot-{}-{name}", std::process::id()))
}

fn net1() -> String {
    format!("{}/networks/epanet/Net1.inp", env!("CARGO_MANIFEST_DIR"))
}

/// Net1 runs 24 h with a 1 h report step: 25 report times, one line per
/// chosen element (tank 2 and junction 23), pressure in the file's psi.
#[test]
fn net1_tank_and_junction_pressures_give_one_line_each() {
    let out = temp("net1.svg");
    let run = Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .args([
            "plot",
            &net1(),
            "--node",
            "2,23",
            "--what",
            "pressure",
            "-o",
        ])
        .arg(&out)
        .output()
        .expect("pipenet runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let svg = std::fs::read_to_string(&out).expect("chart written");
    let _ = std::fs::remove_file(&out);
    assert_eq!(svg.matches("<polyline").count(), 2);
    assert!(svg.contains(">Pressure (psi)<"), "y label with unit");
    assert!(svg.contains(">Tank 2<") && svg.contains(">Junction 23<"));
    let first = svg.split("<polyline points=\"").nth(1).expect("a line");
    let points = first.split('"').next().expect("points");
    assert_eq!(
        points.split_whitespace().count(),
        25,
        "one point per report time"
    );
}

/// An id that is not in the file is named, and no chart is left behind.
#[test]
fn an_unknown_link_id_is_named_in_the_error() {
    let out = temp("unknown.svg");
    let run = Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .args(["plot", &net1(), "--link", "10,P99", "--what", "flow", "-o"])
        .arg(&out)
        .output()
        .expect("pipenet runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.contains("--link P99: no link P99"), "{stderr}");
    assert!(!out.exists());
}

/// A level belongs to a tank; asking it of a junction says so.
#[test]
fn a_level_of_a_junction_is_refused() {
    let out = temp("level.svg");
    let run = Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .args(["plot", &net1(), "--node", "10", "--what", "level", "-o"])
        .arg(&out)
        .output()
        .expect("pipenet runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.contains("10 is not a tank"), "{stderr}");
}
