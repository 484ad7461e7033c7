//! Pipe bursts against EPANET 2.3.5 running the same edit (split pipe, emitter Cd·A·√(2g), PDA).
//!
//! The expected values in `tests/data/burst/*.json` were written by
//! `scripts/validate_burst.py ... --expected`, which builds the burst in
//! EPANET through its toolkit (owa-epanet 2.3.5) from the original file and
//! integrates EPANET's emitter flow and demand deficit over its hydraulic
//! steps; each file records the command that made it.

use pipenet::scenario::{batch, run, BurstSpec, SimTime};

/// EPANET's burst outflow (GPM) at each report time, and its totals (m³).
struct Expected {
    times_s: Vec<u64>,
    burst_outflow: Vec<f64>,
    burst_volume_m3: f64,
    not_delivered_m3: f64,
}

fn expected(name: &str) -> Expected {
    let path = format!("{}/tests/data/burst/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("expected values");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let numbers = |key: &str| -> Vec<f64> {
        doc[key]
            .as_array()
            .expect("array")
            .iter()
            .map(|v| v.as_f64().expect("number"))
            .collect()
    };
    Expected {
        times_s: numbers("times_s").iter().map(|&t| t as u64).collect(),
        burst_outflow: numbers("burst_outflow"),
        burst_volume_m3: doc["burst_volume_m3"].as_f64().expect("volume"),
        not_delivered_m3: doc["not_delivered_m3"].as_f64().expect("deficit"),
    }
}

fn burst_net1(spec: &BurstSpec) -> (run::RunSummary, f64) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/Net1.inp");
    let base = pipenet::inp::read_file(path).expect("Net1").network;
    let scenario = batch::burst_scenario(&spec.pipe, spec, &[]);
    let applied = scenario.apply(&base).expect("burst applies");
    let summary = run::simulate(&applied, &Default::default()).expect("runs");
    (summary, base.units().flow)
}

fn check(summary: &run::RunSummary, gpm: f64, want: &Expected) {
    let times: Vec<u64> = summary.rows.iter().map(|r| r.time_s).collect();
    assert_eq!(times, want.times_s);
    let peak = want.burst_outflow.iter().cloned().fold(0.0, f64::max);
    for (row, &q) in summary.rows.iter().zip(&want.burst_outflow) {
        let got = row.burst_outflow_m3s / gpm;
        // compare_results.py's flow tolerance: 0.01 + 0.001 relative.
        assert!(
            (got - q).abs() <= 0.01 + 0.001 * peak,
            "at {} s: burst outflow {got} GPM, EPANET {q} GPM",
            row.time_s
        );
    }
    let volume = summary.burst_volume_m3;
    assert!(
        (volume - want.burst_volume_m3).abs() <= 1e-4 * want.burst_volume_m3,
        "burst volume {volume} m³, EPANET {} m³",
        want.burst_volume_m3
    );
    let deficit = summary.not_delivered_m3();
    assert!(
        (deficit - want.not_delivered_m3).abs() <= 0.01 * want.not_delivered_m3.max(1.0),
        "not delivered {deficit} m³, EPANET {} m³",
        want.not_delivered_m3
    );
}

#[test]
fn net1_pipe_122_burst_from_the_start_matches_epanet() {
    let (summary, gpm) = burst_net1(&BurstSpec::orifice("122", 0.005));
    assert_eq!(summary.unbalanced_periods, 0);
    check(&summary, gpm, &expected("net1_pipe122.json"));
}

#[test]
fn net1_pipe_21_burst_at_2h_matches_epanet_setting_the_emitter_mid_run() {
    let mut spec = BurstSpec::orifice("21", 0.01);
    spec.fraction = 0.3;
    spec.start = Some(SimTime(7200));
    let (summary, gpm) = burst_net1(&spec);
    assert_eq!(summary.unbalanced_periods, 0);
    // Nothing leaks before the start.
    assert!(summary.rows[..2].iter().all(|r| r.burst_outflow_m3s == 0.0));
    check(&summary, gpm, &expected("net1_pipe21_late.json"));
}

#[test]
fn the_orifice_law_holds_at_the_leak_junction() {
    // q = Cd A √(2 g p) at every report time (EPANET manual, emitters).
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/Net1.inp");
    let base = pipenet::inp::read_file(path).expect("Net1").network;
    let spec = BurstSpec::orifice("122", 0.005);
    let applied = batch::burst_scenario("122", &spec, &[])
        .apply(&base)
        .expect("applies");
    let options = run::RunOptions {
        keep_results: true,
        ..Default::default()
    };
    let summary = run::simulate(&applied, &options).expect("runs");
    let leak = applied.bursts[0].leak_junction.ix();
    let z = applied.network.nodes[leak].elevation_m;
    let g = 32.2 * 0.3048;
    let results = summary.results.expect("results kept");
    for (snap, row) in results.snapshots.iter().zip(&summary.rows) {
        let p = snap.head_m[leak] - z;
        let q = 0.75 * 0.005 * (2.0 * g * p).sqrt();
        assert!(
            (row.burst_outflow_m3s - q).abs() < 1e-6 * q,
            "{} vs {q}",
            row.burst_outflow_m3s
        );
    }
}
