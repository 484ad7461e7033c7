//! `pipenet run`: the warnings of its summary and the warning flag of its `.out`.
//!
//! Expected flags and times are EPANET 2.3.5's (`runepanet` on the same
//! files: the `.rpt`'s warnings, the `.out` epilog's flag).
#![cfg(feature = "cli")]

mod common;

use std::path::Path;
use std::process::Command;

/// Runs `pipenet run INPUT --out OUT.out`; returns the summary and the
/// warning flag in the epilog (the second of its last three integers).
fn run_with_out(input: &Path, name: &str) -> (String, i32) {
    let out = common::temp_path("run_warnings", &format!("{name}.out"));
    let run = Command::new(env!("CARGO_BIN_EXE_pipenet"))
        .arg("run")
        .arg(input)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("pipenet runs");
    let bytes = std::fs::read(&out).expect("the .out is written");
    let _ = std::fs::remove_file(&out);
    let at = bytes.len() - 8;
    let flag = i32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    (String::from_utf8_lossy(&run.stdout).into_owned(), flag)
}

/// Net1 with `TRIALS 2` and `UNBALANCED CONTINUE 5`: EPANET balances seven
/// periods only in the extra trials ("Maximum trials exceeded at 0:00:00
/// hrs. System may be unstable." at 0:00, 2:00, 4:00, 12:00, 12:32:34,
/// 23:00 and 24:00), and its `.out` ends with warning flag 2 (the last
/// period with a warning is 24:00). pipenet's summary said nothing of them
/// and its flag was 6.
#[test]
fn trials_beyond_the_limit_are_warned_of_and_flagged() {
    let net1 = std::fs::read_to_string(common::root().join("networks/epanet/Net1.inp")).unwrap();
    let text: String = net1
        .lines()
        .map(|line| match line.split_whitespace().next() {
            Some("Trials") => " Trials 2",
            Some("Unbalanced") => " Unbalanced Continue 5",
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let input = common::temp_path("run_warnings", "net1_trials.inp");
    std::fs::write(&input, text).unwrap();
    let (summary, flag) = run_with_out(&input, "net1_trials");
    let _ = std::fs::remove_file(&input);
    let warning = summary
        .lines()
        .find(|l| l.contains("maximum trials exceeded"))
        .unwrap_or_else(|| panic!("no warning in:\n{summary}"));
    assert!(
        warning.contains("7 periods balanced only after more than TRIALS 2"),
        "{warning}"
    );
    assert!(
        warning.contains("0:00:00, 2:00:00, 4:00:00, 12:00:00, 12:32:34, 23:00:00, and 1 more"),
        "{warning}"
    );
    assert_eq!(flag, 2);
}

/// Net1 as published: no warning at all, flag 0.
#[test]
fn net1_has_no_warning() {
    let (summary, flag) = run_with_out(&common::root().join("networks/epanet/Net1.inp"), "net1");
    assert!(!summary.contains("maximum trials"), "{summary}");
    assert_eq!(flag, 0);
}

/// The flag is the code of the last warning EPANET checks in a period:
/// in `2fcvs.inp` an FCV that cannot deliver its flow (5) comes after the
/// negative pressures (6) of the same periods, so EPANET writes 5 (pipenet
/// wrote the most serious, 6). In `tank_volume_curve.inp` J2 is cut off
/// while T1 is empty: EPANET draws its demand at a negative pressure (6);
/// pipenet, which delivers it nothing, wrote 0.
#[test]
fn the_flag_is_the_last_warning_epanet_checks() {
    let root = common::root();
    let (_, flag) = run_with_out(&root.join("networks/examples/valves/2fcvs.inp"), "2fcvs");
    assert_eq!(flag, 5);
    let (_, flag) = run_with_out(&root.join("tests/data/eps/tank_volume_curve.inp"), "volume");
    assert_eq!(flag, 6);
}
