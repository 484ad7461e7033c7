//! `--units si|us`: results converted to the other unit system equal EPANET's own results
//! converted by hand with EPANET's factors.
//!
//! EPANET's factors (`types.h`): 1 ft = 0.3048 m; 1 ft of water = 0.4333
//! psi, so 1 psi = 0.3048 / 0.4333 = 0.70344 m of water (not the physical
//! 0.70307: EPANET rounds); 1 cfs = 448.831 GPM = 28.317 L/s, so 1 GPM =
//! 0.0630905 L/s (the exact factor is 0.0630902). The tolerances are those
//! of `hydraulics_vs_epanet.rs` (0.01 in the file's units) carried over.

mod common;
use common::{load_reference, numbers, root};

use std::path::{Path, PathBuf};

const M_PER_FT: f64 = 0.3048;
const M_PER_PSI: f64 = 0.3048 / 0.4333;
const LPS_PER_GPM: f64 = 28.317 / 448.831;
const PSI_PER_M: f64 = 0.4333 / 0.3048;
const GPM_PER_LPS: f64 = 448.831 / 28.317;

fn temp(name: &str) -> PathBuf {
    common::temp_path("units", name)
}

/// Runs `pipenet run INP --units UNITS -o JSON` and reads the JSON; the
/// file is named after the input and the units, as tests run in parallel.
fn run_json(inp: &Path, units: &str) -> serde_json::Value {
    let stem = inp.file_stem().and_then(|s| s.to_str()).unwrap_or("net");
    let out = temp(&format!("{stem}-{units}.json"));
    let args = [
        std::ffi::OsStr::new("run"),
        inp.as_os_str(),
        "-q".as_ref(),
        "--units".as_ref(),
        units.as_ref(),
        "-o".as_ref(),
    ];
    let bytes = common::pipenet_writes(&args, &out);
    serde_json::from_slice(&bytes).expect("valid JSON")
}

/// Compares `field` of `group` at every reference time: ours equals
/// EPANET's times `factor`, within `tol` (in our units).
fn assert_converted(
    ours: &serde_json::Value,
    epanet: &serde_json::Value,
    group: &str,
    field: &str,
    factor: f64,
    tol: f64,
) {
    let our_times = numbers(&ours["times_s"]);
    for (t, time) in numbers(&epanet["times_s"]).iter().enumerate() {
        let at = our_times
            .iter()
            .position(|x| x == time)
            .expect("report time");
        let want = numbers(&epanet[group][field][t]);
        let got = numbers(&ours[group][field][at]);
        for (k, (w, g)) in want.iter().zip(&got).enumerate() {
            let expected = w * factor;
            assert!(
                (g - expected).abs() <= tol + 1e-3 * expected.abs(),
                "{group}.{field} [{time} s][{k}]: {g} against EPANET {w} x {factor} = {expected}"
            );
        }
    }
}

/// Net1 is in GPM and psi; `--units si` gives heads in m, pressures in m
/// of water and flows in L/s.
#[test]
fn net1_in_si_equals_epanets_us_results_converted() {
    let ours = run_json(&root().join("networks/epanet/Net1.inp"), "si");
    let epanet = load_reference(&root().join("tests/reference/epanet/Net1.json.gz"));
    assert_eq!(ours["units"]["flow"], "LPS");
    assert_eq!(ours["units"]["pressure"], "METERS");
    assert_eq!(ours["units"]["length"], "m");
    assert_eq!(ours["units"]["velocity"], "m/s");
    let tol_m = 0.01 * M_PER_FT;
    assert_converted(&ours, &epanet, "node", "head", M_PER_FT, tol_m);
    assert_converted(&ours, &epanet, "node", "pressure", M_PER_PSI, tol_m);
    let tol_lps = 0.01 * LPS_PER_GPM;
    assert_converted(&ours, &epanet, "node", "demand", LPS_PER_GPM, tol_lps);
    assert_converted(&ours, &epanet, "link", "flow", LPS_PER_GPM, tol_lps);
    assert_converted(&ours, &epanet, "link", "velocity", M_PER_FT, tol_m);
}

/// tank_drain is in LPS and metres; `--units us` gives GPM, ft and psi.
#[test]
fn an_si_network_in_us_units_equals_epanets_si_results_converted() {
    let ours = run_json(&root().join("tests/data/eps/tank_drain.inp"), "us");
    let epanet = load_reference(&root().join("tests/reference/eps/tank_drain.json.gz"));
    assert_eq!(ours["units"]["flow"], "GPM");
    assert_eq!(ours["units"]["pressure"], "PSI");
    assert_eq!(ours["units"]["length"], "ft");
    assert_converted(
        &ours,
        &epanet,
        "node",
        "head",
        1.0 / M_PER_FT,
        0.01 / M_PER_FT,
    );
    assert_converted(
        &ours,
        &epanet,
        "node",
        "pressure",
        PSI_PER_M,
        0.01 * PSI_PER_M,
    );
    assert_converted(
        &ours,
        &epanet,
        "link",
        "flow",
        GPM_PER_LPS,
        0.01 * GPM_PER_LPS,
    );
}

/// A file already in the chosen system keeps its own units: Net1 with
/// `--units us` is Net1 as it is.
#[test]
fn a_network_already_in_the_system_is_unchanged() {
    let inp = root().join("networks/epanet/Net1.inp");
    let us = run_json(&inp, "us");
    let file = run_json(&inp, "file");
    assert_eq!(us["units"], file["units"]);
    assert_eq!(us["node"], file["node"]);
    assert_eq!(us["link"], file["link"]);
}
