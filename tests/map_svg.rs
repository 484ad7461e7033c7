//! `pipenet map`: an SVG map of a network, and the errors a user meets.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::Command;

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("pipenet-map-{}-{name}", std::process::id()))
}

/// A file without [COORDINATES] is refused before any simulation, with
/// the first node that has no place named.
#[test]
fn a_network_without_coordinates_gets_a_clear_error_and_no_file() {
    let input = temp("nocoords.inp");
    std::fs::write(
        &input,
        "[RESERVOIRS]\n R1 10\n[JUNCTIONS]\n J1 0 1\n[PIPES]\n P1 R1 J1 100 100 100\n[END]\n",
    )
    .expect("input written");
    let out = temp("nocoords.svg");
    let run = Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .arg("map")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("pipenet runs");
    let _ = std::fs::remove_file(&input);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.contains("cannot draw a map"), "{stderr}");
    assert!(
        stderr.contains("2 of 2 nodes have no coordinates (first: J1)"),
        "{stderr}"
    );
    assert!(!out.exists(), "no map is left behind");
}

/// Net1 (12 pipes, 1 pump) drawn by velocity, with its coordinates in feet.
#[test]
fn net1_by_velocity_has_a_line_per_link_and_states_its_scale() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = temp("net1.svg");
    let run = Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .args(["map", &format!("{root}/networks/epanet/Net1.inp")])
        .args([
            "--color",
            "velocity",
            "--time",
            "6:00",
            "--map-units",
            "ft",
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
    let svg = std::fs::read_to_string(&out).expect("map written");
    let _ = std::fs::remove_file(&out);
    assert_eq!(svg.matches("<polyline").count(), 13);
    assert!(svg.contains("Net1: velocity at 6:00"));
    assert!(svg.contains("Velocity (ft/s)"));
    assert!(svg.contains("id=\"scale-bar\""));
    assert!(svg.contains("lowest pressure: "));
}
