//! The command line's help and messages: what each option says it takes,
//! and errors that name the option the user typed.
#![cfg(feature = "cli")]

mod common;

use std::process::{Command, Output};

/// Runs `pipenet` with `args` from the repository root.
fn pipenet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("pipenet runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `--units` once told every command that "options such as
/// --service-pressure stay in the file's units", also commands that have
/// no such option; `sensors --map-units none` spoke of a scale bar.
#[test]
fn help_names_only_options_the_command_has() {
    for command in [
        "run", "scenario", "map", "plot", "zones", "burst", "batch", "isolate", "sensors",
    ] {
        let help = stdout(&pipenet(&[command, "--help"]));
        let has_option = help.contains("--service-pressure <");
        assert!(
            has_option || !help.contains("--service-pressure"),
            "{command} --help names --service-pressure:\n{help}"
        );
    }
    let help = stdout(&pipenet(&["sensors", "--help"]));
    assert!(!help.contains("no scale bar"), "{help}");
}

/// `fireflow --residual 20` was refused for want of a unit; a bare number
/// is now in the file's pressure units, as other options take pressures:
/// 20 psi is 20 / 1.4219 = 14.07 m of head (Net1 is in psi), 14 in an SI
/// file is 14 m.
#[test]
fn fireflow_takes_a_bare_residual_in_the_files_pressure_units() {
    let run = pipenet(&[
        "fireflow",
        "networks/epanet/Net1.inp",
        "--hydrants",
        "10",
        "--residual",
        "20",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stdout(&run).contains("above 20.00 PSI (14.07 m)"),
        "{}",
        stdout(&run)
    );
    let run = pipenet(&[
        "fireflow",
        "tests/data/zones/prv_night.inp",
        "--hydrants",
        "J2",
        "--residual",
        "14",
    ]);
    assert!(
        stdout(&run).contains("at or above 14.00 METERS\n"),
        "{}",
        stdout(&run)
    );
}

/// `burst --at 1.5` was refused as "fraction: 1.5 is not strictly between
/// 0 and 1", naming a field the command line does not have.
#[test]
fn a_burst_position_out_of_range_names_the_flag() {
    let run = pipenet(&[
        "burst",
        "networks/epanet/Net1.inp",
        "--pipe",
        "10",
        "--area",
        "0.01",
        "--at",
        "1.5",
    ]);
    assert!(!run.status.success());
    let message = stderr(&run);
    assert!(message.contains("--at 1.5"), "{message}");
    assert!(!message.contains("fraction:"), "{message}");
}

/// `batch --threads 0` ran on one thread without a word; it now means every
/// core, and the rows are the same bytes as on one thread.
#[test]
fn batch_threads_zero_uses_every_core_with_the_same_rows() {
    let rows = |threads: &str| {
        let run = pipenet(&[
            "batch",
            "networks/epanet/Net1.inp",
            "--bursts",
            "all",
            "--area",
            "0.01",
            "--threads",
            threads,
        ]);
        assert!(run.status.success(), "{}", stderr(&run));
        run.stdout
    };
    let one = rows("1");
    assert!(one.len() > 100);
    assert_eq!(rows("0"), one);
    let help = stdout(&pipenet(&["batch", "--help"]));
    assert!(help.contains("0 uses every core"), "{help}");
}

/// A one-period run once said "1 periods ... 1 report times", and a
/// one-valve isolation "1 valves close". A reservoir feeding one junction
/// through one pipe, run for no time, has one of each.
#[test]
fn counts_of_one_are_singular() {
    let input = common::temp_path("cli_messages", "one_pipe.inp");
    std::fs::write(
        &input,
        "[JUNCTIONS]\n J1 0 1\n[RESERVOIRS]\n R1 100\n[PIPES]\n P1 R1 J1 1000 300 100\n\
         [TIMES]\n Duration 0\n[OPTIONS]\n Units LPS\n[END]\n",
    )
    .expect("the test network is written");
    let run = pipenet(&["run", input.to_str().expect("a UTF-8 temp path")]);
    let _ = std::fs::remove_file(&input);
    assert!(run.status.success(), "{}", stderr(&run));
    let summary = stdout(&run);
    let line = summary
        .lines()
        .find(|l| l.starts_with("hydraulics:"))
        .unwrap_or_else(|| panic!("no hydraulics line in:\n{summary}"));
    assert!(
        line.starts_with("hydraulics: 1 period to 0:00:00,"),
        "{line}"
    );
    assert!(line.ends_with(", 1 report time"), "{line}");
    assert!(
        summary.contains("(1 junction, 1 reservoir, 0 tanks), 1 link (1 pipe,"),
        "{summary}"
    );
}

/// Net3 without pipe 173 (docs/scenarios.md's `remove_link` example)
/// leaves customers far below zero pressure (EPANET 2.3.5 on the edited
/// file: -269 psi at junction 40 at 23:00), yet a demand-driven run
/// delivers every demand: the summary says so beside "0.0 m³ not
/// delivered" instead of leaving it to look healthy.
#[test]
fn a_demand_driven_scenario_below_zero_pressure_says_demand_counts_as_delivered() {
    let file = common::temp_path("cli_messages", "remove_173.toml");
    std::fs::write(
        &file,
        "name = \"pipe 173 taken out\"\n[[edit]]\ntype = \"remove_link\"\nlink = \"173\"\n",
    )
    .unwrap();
    let run = pipenet(&[
        "scenario",
        "networks/epanet/Net3.inp",
        file.to_str().unwrap(),
    ]);
    let _ = std::fs::remove_file(&file);
    assert!(run.status.success(), "{}", stderr(&run));
    let text = stdout(&run);
    assert!(text.contains("lowest customer pressure: -"), "{text}");
    assert!(
        text.contains("note: the run is demand-driven, so customers below zero pressure"),
        "{text}"
    );
}
